// Proof for scenarios/progress.ts (2.L): the clean reference passes on both transports and PROG-04
// records what it saw; each injected violation is reported (PROG-02 only WARNs on HTTP).
import { describe, expect, it } from 'vitest';
import { byId, problems } from '../helpers/run.js';
import { messageOf, runClean, runFault, statuses, TRANSPORTS } from './core-proof.js';

const SCENARIO = 'progress';
const IDS = ['T25-PROG-01', 'T25-PROG-02', 'T25-PROG-03', 'T25-PROG-04'];

describe('progress scenario (T25-PROG-*)', () => {
  for (const transport of TRANSPORTS) {
    it(`clean reference over ${transport}: no FAILURE or WARNING; PROG-04 records the notifications`, async () => {
      const r = await runClean(SCENARIO, transport);
      expect(problems(r, IDS)).toEqual([]);
      expect(statuses(r, IDS)).toEqual({
        'T25-PROG-01': 'SUCCESS',
        'T25-PROG-02': 'SUCCESS',
        'T25-PROG-03': 'SUCCESS',
        'T25-PROG-04': 'INFO',
      });
      const observed = byId(r, 'T25-PROG-04');
      expect(messageOf(observed)).toMatch(/^3 progress notification\(s\) for a 3-step progress_job task, on /);
      expect(observed.details?.observed).toMatchObject({ steps: 3, notifications: 3, values: [1, 2, 3] });
    });
  }

  it.each([
    ['T25-PROG-01', 'stdio', 'FAILURE', /token\(s\) "task:[^"]+" that the harness never issued/],
    ['T25-PROG-02', 'stdio', 'FAILURE', /arrived after tasks\/get showed the task "completed"/],
    ['T25-PROG-02', 'http', 'WARNING', /more than 250 ms after tasks\/get showed the task terminal/],
    ['T25-PROG-03', 'stdio', 'FAILURE', /progress did not strictly increase: 5 -> 4/],
  ] as const)('--violate %s (%s) makes it %s', async (id, transport, status, message) => {
    const r = await runFault(SCENARIO, id, transport);
    expect(r.status).toBe(status);
    expect(messageOf(r)).toMatch(message);
  });
});
