// Proof helpers for the 2026-07-28 scenario tests: one harness run of one scenario (or some of its checks)
// against the embedded reference server, clean or with faults, and a table runner that proves each fault id
// makes its check FAILURE or WARNING on every transport where it applies.
import { expect, it } from 'vitest';
import type { CheckResult, CheckStatus } from '../../../harness/checks.js';
import { execute } from '../../../harness/cli/execute.js';
import { referenceTargetSpecs } from '../../../harness/cli/options.js';
import type { Scenario } from '../../../harness/scenario.js';
import type { RunTimeouts } from '../../../harness/run/runner.js';
import { byId, only, problems } from '../../helpers/run.js';

export type Transport = 'stdio' | 'http';
export const BOTH: Transport[] = ['stdio', 'http'];

/** Faults keep polling short: a violated "reaches terminal" must not wait the full 10 s T_SETTLE. */
const FAULT_TIMEOUTS: Partial<RunTimeouts> = { settleMs: 3_000 };

export async function runScenario(
  scenario: Scenario,
  transport: Transport,
  options: { ids?: string[]; violate?: string[]; timeouts?: Partial<RunTimeouts> } = {},
): Promise<CheckResult[]> {
  const selected = options.ids ? only(scenario, options.ids) : scenario;
  const { run } = await execute({
    specs: referenceTargetSpecs({ violate: options.violate, transports: [transport] }),
    scenarios: [selected],
    timeouts: options.timeouts,
  });
  if (run.fatal) throw new Error(`reference server did not start: ${run.fatal.message}`);
  return run.results.filter((r) => r.skip?.kind !== 'not-selected');
}

/** The text a result shows: its problem message, or the message of a passing/informational verdict. */
export const messageOf = (r: CheckResult) => String(r.errorMessage ?? r.details?.message ?? r.skip?.reason ?? '');

/** The clean reference server: none of `ids` is FAILURE or WARNING, and each has the expected status. */
export function proveClean(
  scenario: Scenario,
  expected: Record<string, CheckStatus | CheckStatus[]>,
  transports: Transport[] = BOTH,
): void {
  for (const transport of transports) {
    it(`clean reference over ${transport}: no FAILURE or WARNING`, async () => {
      const results = await runScenario(scenario, transport);
      const ids = Object.keys(expected);
      expect(problems(results, ids)).toEqual([]);
      for (const id of ids) {
        const want = expected[id]!;
        const r = byId(results, id);
        if (r.transport !== null && r.transport !== transport) continue;
        expect(Array.isArray(want) ? want : [want], `${id}: ${messageOf(r)}`).toContain(r.status);
      }
    });
  }
}

export interface FaultCase {
  id: string;
  status: 'FAILURE' | 'WARNING';
  message: RegExp;
  transports?: Transport[];
}

/** One harness run per fault and transport, only the owning check selected. */
export function proveFaults(scenario: Scenario, cases: FaultCase[]): void {
  for (const c of cases) {
    for (const transport of c.transports ?? BOTH) {
      it(`--violate ${c.id} over ${transport} makes it ${c.status}`, async () => {
        const r = byId(await runScenario(scenario, transport, { ids: [c.id], violate: [c.id], timeouts: FAULT_TIMEOUTS }), c.id);
        expect(r.status, messageOf(r)).toBe(c.status);
        expect(messageOf(r)).toMatch(c.message);
      });
    }
  }
}
