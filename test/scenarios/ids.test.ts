// Proof for scenarios/ids.ts (2.D): clean reference passes on both transports (HTTP also creates
// tasks on a second session); receiver-chosen and repeated IDs are reported.
import { describe, expect, it } from 'vitest';
import { byId, problems } from '../helpers/run.js';
import { messageOf, runClean, runFault, statuses, TRANSPORTS } from './core-proof.js';

const SCENARIO = 'ids';
const IDS = ['T25-ID-02', 'T25-ID-03'];

describe('ids scenario (T25-ID-02, T25-ID-03)', () => {
  for (const transport of TRANSPORTS) {
    it(`clean reference over ${transport}: no FAILURE or WARNING, every check ran`, async () => {
      const r = await runClean(SCENARIO, transport);
      expect(problems(r, IDS)).toEqual([]);
      expect(statuses(r, IDS)).toEqual({ 'T25-ID-02': 'SUCCESS', 'T25-ID-03': 'SUCCESS' });
      expect(messageOf(byId(r, 'T25-ID-03'))).toMatch(transport === 'http' ? /60 tasks created on two sessions/ : /50 tasks created/);
    });
  }

  it.each([
    ['T25-ID-02', 'FAILURE', /adopted the requestor-supplied task\.taskId/],
    ['T25-ID-03', 'FAILURE', /task IDs repeat/],
  ])('--violate %s makes it %s', async (id, status, message) => {
    const r = await runFault(SCENARIO, id);
    expect(r.status).toBe(status);
    expect(messageOf(r)).toMatch(message);
  });
});
