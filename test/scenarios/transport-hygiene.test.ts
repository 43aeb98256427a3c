// Proof for scenarios/transport-hygiene.ts (H25-21, H25-22): the clean reference passes on both
// transports (over HTTP the same-id probe runs); --violate H25-21 (ping answered with a tools/list-shaped
// result) and --violate H25-22 (17 MiB tools/list results, over the 16 MiB default limit) make them FAILURE.
import { describe, expect, it } from 'vitest';
import { byId, problems } from '../helpers/run.js';
import { messageOf, runClean, runFault, statuses, TRANSPORTS } from './core-proof.js';

const SCENARIO = 'transport-hygiene';
const IDS = ['H25-21', 'H25-22'];

describe('transport-hygiene scenario (H25-21, H25-22)', () => {
  for (const transport of TRANSPORTS) {
    it(`clean reference over ${transport}: both pass`, async () => {
      const r = await runClean(SCENARIO, transport);
      expect(problems(r, IDS)).toEqual([]);
      expect(statuses(r, IDS)).toEqual({ 'H25-21': 'SUCCESS', 'H25-22': 'SUCCESS' });
      if (transport === 'http') expect(messageOf(byId(r, 'H25-21'))).toMatch(/each got their own answer/);
    });
  }

  it.each([
    ['H25-21', 'stdio', /1 wrong shape.*the answer to ping has members tools/],
    ['H25-21', 'http', /wrong shape.*the answer to ping has members tools/],
    ['H25-22', 'stdio', /ended 1 session\(s\).*a stdout line exceeded 16 MiB/],
    ['H25-22', 'http', /ended 1 session\(s\).*exceeded 16 MiB/],
  ] as const)('--violate %s over %s makes it FAILURE', async (id, transport, message) => {
    const r = await runFault(SCENARIO, id, transport);
    expect(r.status).toBe('FAILURE');
    expect(messageOf(r)).toMatch(message);
  });
});
