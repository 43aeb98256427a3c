// Proof helpers for the 2026-07-28 scenarios: one harness run per fault, only the scenario (or the check)
// that owns the id, so a table of faults stays cheap (as test/scenarios/core-proof.ts does for 2025-11-25).
// proveClean/proveFaults turn a scenario's expected statuses and its fault table into tests: the clean
// reference passes, and each fault id makes its check FAILURE or WARNING on every transport where it applies.
import { expect, it } from 'vitest';
import type { CheckResult, CheckStatus } from '../../../harness/checks.js';
import { execute } from '../../../harness/cli/execute.js';
import { referenceTargetSpecs } from '../../../harness/cli/options.js';
import type { ProtocolChoice } from '../../../harness/run/eras.js';
import type { RunTimeouts } from '../../../harness/run/runner.js';
import type { Scenario } from '../../../harness/scenario.js';
import { byId, checkReference, only, problems } from '../../helpers/run.js';
import { messageOf, TRANSPORTS, type Transport } from '../core-proof.js';

export { messageOf, statuses, TRANSPORTS } from '../core-proof.js';

/** Faults keep polling short: a violated "reaches terminal" must not wait the full 10 s T_SETTLE. */
const FAULT_TIMEOUTS: Partial<RunTimeouts> = { settleMs: 3_000 };

/** The result of `id` when the reference server violates exactly that rule. */
export async function runExtFault(
  scenario: string,
  id: string,
  transport: Transport = 'stdio',
  protocol: ProtocolChoice = 'auto',
): Promise<CheckResult> {
  const results = await checkReference({ transport, scenarios: [scenario], violate: [id], protocol, timeouts: FAULT_TIMEOUTS });
  return byId(results, id);
}

/** One run of `scenario` (only `ids` when given) against the reference server over one transport. */
export async function runScenario(
  scenario: Scenario,
  transport: Transport,
  options: { ids?: string[]; violate?: string[]; timeouts?: Partial<RunTimeouts> } = {},
): Promise<CheckResult[]> {
  const { run } = await execute({
    specs: referenceTargetSpecs({ violate: options.violate, transports: [transport] }),
    scenarios: [options.ids ? only(scenario, options.ids) : scenario],
    timeouts: options.timeouts,
  });
  if (run.fatal) throw new Error(`reference server did not start: ${run.fatal.message}`);
  return run.results.filter((r) => r.skip?.kind !== 'not-selected');
}

/** The clean reference server: none of the ids is FAILURE or WARNING, and each has one of its expected statuses. */
export function proveClean(
  scenario: Scenario,
  expected: Record<string, CheckStatus | CheckStatus[]>,
  transports: readonly Transport[] = TRANSPORTS,
): void {
  for (const transport of transports) {
    it(`clean reference over ${transport}: no FAILURE or WARNING`, async () => {
      const results = await runScenario(scenario, transport);
      const ids = Object.keys(expected);
      expect(problems(results, ids)).toEqual([]);
      for (const id of ids) {
        const want = expected[id]!;
        const r = byId(results, id);
        expect(Array.isArray(want) ? want : [want], `${id}: ${messageOf(r)}`).toContain(r.status);
      }
    });
  }
}

export interface FaultCase {
  id: string;
  /** The faults to inject (default: the id itself; harness-level H-EXT checks borrow a spec fault). */
  violate?: string[];
  status: 'FAILURE' | 'WARNING';
  message: RegExp;
  transports?: readonly Transport[];
}

/** One harness run per fault and transport, only the owning check selected. */
export function proveFaults(scenario: Scenario, cases: FaultCase[]): void {
  for (const c of cases) {
    for (const transport of c.transports ?? TRANSPORTS) {
      const violate = c.violate ?? [c.id];
      it(`--violate ${violate.join(' ')} over ${transport} makes ${c.id} ${c.status}`, async () => {
        const r = byId(await runScenario(scenario, transport, { ids: [c.id], violate, timeouts: FAULT_TIMEOUTS }), c.id);
        expect(r.status, messageOf(r)).toBe(c.status);
        expect(messageOf(r)).toMatch(c.message);
      });
    }
  }
}
