// Proof for scenarios/get.ts (2.G): clean reference passes on both transports (GET-04 is HTTP-only);
// each injected violation is reported.
import { describe, expect, it } from 'vitest';
import { byId, problems } from '../helpers/run.js';
import { messageOf, runClean, runFault, statuses, TRANSPORTS } from './core-proof.js';

const SCENARIO = 'get';
const IDS = ['T25-GET-01', 'T25-GET-02', 'T25-GET-03', 'T25-GET-04'];

describe('get scenario (T25-GET-01..04)', () => {
  for (const transport of TRANSPORTS) {
    it(`clean reference over ${transport}: no FAILURE or WARNING, every check ran`, async () => {
      const r = await runClean(SCENARIO, transport);
      expect(problems(r, IDS)).toEqual([]);
      expect(statuses(r, IDS)).toEqual({
        'T25-GET-01': 'SUCCESS',
        'T25-GET-02': 'SUCCESS',
        'T25-GET-03': 'SUCCESS',
        'T25-GET-04': transport === 'http' ? 'SUCCESS' : 'SKIPPED',
      });
      if (transport === 'stdio') expect(byId(r, 'T25-GET-04').skip?.kind).toBe('not-applicable');
    });
  }

  it.each([
    ['T25-GET-01', 'FAILURE', /answered a wrapped \{task: \.\.\.\}/],
    ['T25-GET-02', 'FAILURE', /never became terminal/],
    ['T25-GET-03', 'FAILURE', /no answer within 2000 ms while a tasks\/result for the same task was blocked/],
  ])('--violate %s makes it %s', async (id, status, message) => {
    const r = await runFault(SCENARIO, id);
    expect(r.status).toBe(status);
    expect(messageOf(r)).toMatch(message);
  });

  it('--violate T25-GET-04 (HTTP) makes it WARNING', async () => {
    const r = await runFault(SCENARIO, 'T25-GET-04', 'http');
    expect(r.status).toBe('WARNING');
    expect(messageOf(r)).toMatch(/answered with an SSE stream/);
  });
});
