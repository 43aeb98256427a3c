// What sep1686-check says about a real server, pinned: one harness run per server and transport (started
// early, shared by the tests of a describe) whose FAILURE and WARNING id sets must be exactly the expected
// ones, where every expected id names the raw-request proof test (in the same file) that shows the
// deviation without any scenario code. A new FAILURE without a proof, or a proof name no test carries,
// fails the suite.
//
//   const proofs = new Proofs();
//   proofs.it('T25-TOOL-03: …', () => proveRequiredToolWrapsError(c, TOOLS));   // inside a describe with a client
//   const run = harnessRun(harnessArgs('server-everything', 'stdio'));
//   describeVerdicts('sep1686-check … over stdio', run, 'stdio', proofs, { FAILURE: { 'T25-TOOL-03': { proof, evidence } }, WARNING: {} });
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransportName } from '../../../harness/checks.js';
import { check, idsWith, Workspace, type CliRun } from '../cli-run.js';

/** The raw proofs a file defines, by test name. */
export class Proofs {
  readonly names = new Set<string>();

  /** Registers `fn` as a test named `name` (the name the expectations point at). */
  it(name: string, fn: () => Promise<unknown> | unknown, timeout?: number): string {
    if (this.names.has(name)) throw new Error(`two proofs named "${name}"`);
    this.names.add(name);
    it(name, async () => void (await fn()), timeout);
    return name;
  }
}

/** One expected verdict: the proof test that shows it and a pattern of the harness's evidence text. */
export interface Proven {
  proof: string;
  evidence: RegExp;
  /**
   * Set when the verdict rests on timing and may be absent on a loaded machine (then it is asserted as
   * "this status or absent"): why.
   */
  mayBeAbsent?: string;
}

export interface ExpectedVerdicts {
  FAILURE: Record<string, Proven>;
  WARNING: Record<string, Proven>;
}

const ws = new Workspace();
afterAll(() => ws.dispose());

/** Harness runs take 10-80 s; a loaded 2-core machine runs other suites at the same time. */
export const RUN_TIMEOUT = 240_000;

/**
 * Starts `sep1686-check <args>` at once (so several runs overlap each other and the raw proofs) and
 * returns a getter for its outcome; the CLI's own timeout bounds it.
 */
export function harnessRun(args: string[]): () => Promise<CliRun> {
  let started: Promise<CliRun> | undefined;
  // Twice the default request and settle limits unless the caller sets its own: a request that answers, only
  // slowly on a loaded machine, must not turn into a verdict. (Servers whose requests never answer by design,
  // T25-META-02 on the bench server, keep the default: every such probe waits the whole limit.)
  const limits = args.includes('--timeout') ? [] : ['--timeout', '20000', '--settle', '20000'];
  beforeAll(() => {
    started = ws.cli([...limits, ...args], RUN_TIMEOUT - 10_000);
    // Awaited by the describe below; a rejection before that must not count as unhandled.
    started.catch(() => undefined);
  });
  return () => started ?? Promise.reject(new Error('the harness run was not started'));
}

/** The tests over one run: exact FAILURE and WARNING sets, each backed by a proof, each with its evidence. */
export function describeVerdicts(
  title: string,
  run: () => Promise<CliRun>,
  transport: TransportName,
  proofs: Proofs,
  expected: ExpectedVerdicts,
) {
  describe(title, () => {
    let r: CliRun;
    beforeAll(async () => {
      r = await run();
    }, RUN_TIMEOUT);

    it('every expected FAILURE and WARNING names a proof test of this file', () => {
      for (const [status, ids] of Object.entries(expected))
        for (const [id, v] of Object.entries(ids as Record<string, Proven>)) expect(proofs.names, `${status} ${id}`).toContain(v.proof);
    });

    it('completes without run problems or fatal errors; exit 1 exactly when something failed', () => {
      expect(r.report.run.fatal, r.stderr).toBeUndefined();
      expect(r.report.runProblems ?? []).toEqual([]);
      expect((r.report.findings ?? []).map((f) => JSON.stringify(f))).toEqual([]);
      expect(r.report.run.targets.map((t) => t.transport)).toEqual([transport]);
      expect(r.code).toBe(Object.keys(expected.FAILURE).length ? 1 : 0);
    });

    for (const status of ['FAILURE', 'WARNING'] as const) {
      it(`${status} ids are exactly the proven deviations`, () => {
        const got = idsWith(r.report, status, transport);
        const want = Object.entries(expected[status]);
        const always = want.filter(([, v]) => !v.mayBeAbsent).map(([id]) => id);
        const maybe = want.filter(([, v]) => v.mayBeAbsent).map(([id]) => id);
        expect(
          got.filter((id) => !maybe.includes(id)),
          `${status}: ${got.map((id) => `${id}: ${check(r.report, id, transport).errorMessage ?? ''}`).join('\n')}`,
        ).toEqual([...always].sort());
        // A timing-borne verdict may be absent, but then never worse than expected.
        for (const id of maybe) {
          const c = r.report.checks.find((x) => x.id === id && x.transport === transport);
          if (c && !got.includes(id)) expect(['SUCCESS', 'INFO', 'WARNING', 'SKIPPED'], id).toContain(c.status);
        }
      });

      it(`each ${status} carries the evidence its proof shows`, () => {
        for (const [id, v] of Object.entries(expected[status])) {
          const c = r.report.checks.find((x) => x.id === id && x.transport === transport);
          if (v.mayBeAbsent && c?.status !== status) continue;
          expect(c?.status, id).toBe(status);
          expect(c?.errorMessage, id).toMatch(v.evidence);
        }
      });
    }
  });
}
