// Issue 9: checks compare a result's text only when it is known (the contract's tool, or a mapping's
// expect:). A mapped tool that answers other texts than the contract's (rogue --break other-texts:
// "slept 200ms") is not failed for it; a real deviation still is, by what needs no expectation (the
// direct call, another task's label, a blocked answer). Invalid arguments come from invalidArguments().
import { afterAll, describe, it } from 'vitest';
import type { FixtureMappingFile } from '../../harness/fixtures.js';
import { SCENARIOS } from '../../scenarios/index.js';
import { byId, only, problems } from '../helpers/run.js';
import { FAULT_TIMEOUTS, failing, killLeftovers, leftovers, runRogue } from './rogue-run.js';

afterAll(killLeftovers);

/** The contract tools, bound by mapping (so nothing about their texts is promised). */
const MAPPED: FixtureMappingFile = {
  roles: { 'F-ECHO': { tool: 'slow_compute' }, 'F-TOOLERR': { tool: 'failing_job' }, 'F-GATE': { tool: 'gated_job' } },
};
const withEcho = (echo: NonNullable<FixtureMappingFile['roles']>['F-ECHO']): FixtureMappingFile => ({
  roles: { ...MAPPED.roles, 'F-ECHO': echo },
});

/** The scenarios with a content comparison, H25-02 and H25-16 alone from robustness (its other probes are slow). */
const ORDER = SCENARIOS.map((s) => (s.name === 'robustness' ? only(s, ['H25-02', 'H25-16']) : s));
const SELECTION = ['create', 'result', 'metadata', 'robustness'];
const JUDGED = ['T25-RES-01', 'T25-RES-02', 'T25-RES-03', 'T25-RES-05', 'T25-META-02', 'T25-CRT-06', 'H25-02', 'H25-16'];

describe.concurrent('mapped tools with other result texts', () => {
  it('other texts, mapped without expect: nothing fails or warns; the evidence says the text was not compared', async ({ expect }) => {
    const r = await runRogue('other-texts', SELECTION, { order: ORDER, fixtures: MAPPED });
    expect(problems(r.results, JUDGED)).toEqual([]);
    for (const id of ['T25-RES-01', 'T25-RES-03', 'T25-RES-05', 'T25-META-02', 'H25-02'])
      expect(byId(r.results, id).status, id).toBe('SUCCESS');
    expect(JSON.stringify(byId(r.results, 'T25-RES-01'))).toMatch(/result text not compared: slow_compute plays F-ECHO by mapping/);
    expect(JSON.stringify(byId(r.results, 'H25-02'))).toMatch(/only another task's label in a result counts as cross-talk/);
    expect(failing(r.results)).toEqual([]);
  });

  it('other texts under the contract names: the contract promises its texts, so T25-RES-01 fails', async ({ expect }) => {
    const r = await runRogue('other-texts', ['result'], { timeouts: FAULT_TIMEOUTS });
    expect(byId(r.results, 'T25-RES-01').status).toBe('FAILURE');
    expect(byId(r.results, 'T25-RES-01').errorMessage).toMatch(/does not contain "computed:res-.*" \(contract\) .*slept 200ms/);
  });

  it("a mapping's expect: is compared: the right text passes, a wrong one fails", async ({ expect }) => {
    const right = await runRogue('other-texts', ['result'], {
      fixtures: withEcho({ tool: 'slow_compute', expect: { text: 'slept {{seconds*1000}}ms' } }),
    });
    expect(byId(right.results, 'T25-RES-01').status).toBe('SUCCESS');
    const wrong = await runRogue('other-texts', ['result'], {
      timeouts: FAULT_TIMEOUTS,
      fixtures: withEcho({ tool: 'slow_compute', expect: { text: 'slept {{seconds}}s' } }),
    });
    expect(byId(wrong.results, 'T25-RES-01').errorMessage).toMatch(/does not contain "slept 0.2s" \(mapping\)/);
  });

  it('a wrong task result still fails T25-RES-02 (compared with the direct call), with nothing promised', async ({ expect }) => {
    const r = await runRogue('other-texts,result-wrong-task', ['result'], { timeouts: FAULT_TIMEOUTS, fixtures: MAPPED });
    expect(byId(r.results, 'T25-RES-02').status).toBe('FAILURE');
  });

  it('tasks/result redirected by _meta still fails T25-META-02, with nothing promised', async ({ expect }) => {
    const r = await runRogue('other-texts,meta-result-target', ['metadata'], { timeouts: FAULT_TIMEOUTS, fixtures: MAPPED });
    expect(byId(r.results, 'T25-META-02').status).toBe('FAILURE');
  });

  it("cross-talk under load is still found with nothing promised: a result naming another task's label", async ({ expect }) => {
    const r = await runRogue('shared-label', ['robustness'], { order: ORDER, fixtures: MAPPED });
    const h02 = byId(r.results, 'H25-02');
    expect(h02.status).toBe('WARNING');
    expect(h02.errorMessage).toMatch(/returned "computed:c-.*", the result of label c-/);
  });

  it("invalid arguments come from the mapping's invalid: (or the inputSchema), and a stuck task for them still warns", async ({
    expect,
  }) => {
    // Only the two checks that send invalid arguments (the others of create and robustness are not about them).
    const order = SCENARIOS.map((sc) =>
      sc.name === 'create' ? only(sc, ['T25-CRT-06']) : sc.name === 'robustness' ? only(sc, ['H25-16']) : sc,
    );
    const r = await runRogue('invalid-args-stuck', ['create', 'robustness'], {
      order,
      timeouts: FAULT_TIMEOUTS,
      fixtures: withEcho({ tool: 'slow_compute', invalid: { seconds: -5 } }),
    });
    const crt06 = byId(r.results, 'T25-CRT-06');
    expect(crt06.status, JSON.stringify(crt06.skip ?? crt06.errorMessage)).toBe('WARNING');
    expect(crt06.errorMessage).toMatch(/invalid arguments: the server created task .* should end "failed"/);
    expect(JSON.stringify(crt06)).toMatch(/the mapping's invalid arguments for slow_compute/);
    expect(byId(r.results, 'H25-16').status).toBe('WARNING');
  });
});

describe('no process is left behind', () => {
  it('every rogue process of this file has exited', ({ expect }) => {
    expect(leftovers()).toEqual([]);
  });
});
