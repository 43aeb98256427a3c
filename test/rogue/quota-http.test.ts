// Issue 9: a creation quota shared by every session (rogue --http --break quota-retained: one process, one
// task store, creation refused once 100 tasks are retained) must not make the verdicts depend on scenario
// order: the harness's bulk probes keep their tasks only 30 s, and a check refused by the quota waits for
// the harness's own tasks to expire and runs again (harness/run/quota-wait.ts). The quota is one finding.
import { afterAll, describe, it } from 'vitest';
import { SCENARIOS } from '../../scenarios/index.js';
import { failing, killLeftovers, leftovers, runRogue, type RogueRun } from './rogue-run.js';

afterAll(killLeftovers);

const verdicts = (r: RogueRun) => Object.fromEntries(r.results.map((c) => [c.id, c.status]).sort());

describe('quota-retained over Streamable HTTP (one task store for every session)', () => {
  it(
    'the verdicts do not depend on the order the scenarios run in; the quota is reported once',
    { timeout: 600_000 },
    async ({ expect }) => {
      const selection = ['list', 'robustness', 'get', 'result'];
      // Two servers, so both orders run at once (each waits for its own tasks to expire).
      const [forward, backward] = await Promise.all([
        runRogue('quota-retained', selection, { transport: 'http' }),
        runRogue('quota-retained', selection, { transport: 'http', order: [...SCENARIOS].reverse() }),
      ]);
      expect(backward.results.map((c) => c.scenario)[0]).toBe('robustness');
      expect(verdicts(backward)).toEqual(verdicts(forward));
      for (const r of [forward, backward]) {
        expect(failing(r.results)).toEqual([]);
        expect(r.findings.map((f) => f.kind)).toEqual(['creation-quota']);
        // Only what cannot fit under the quota on its own is SKIPPED: the 101-task tasks/list population.
        const skipped = r.results.filter((c) => c.status === 'SKIPPED' && c.skip?.kind === 'setup-failed').map((c) => c.id);
        expect(skipped.sort()).toEqual(['T25-LIST-02', 'T25-LIST-03']);
      }
    },
  );

  it('every rogue process of this file has exited', ({ expect }) => {
    expect(leftovers()).toEqual([]);
  });
});
