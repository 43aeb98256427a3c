// Proof helpers for the 2026-07-28 scenarios: one harness run per fault, only the scenario that owns the
// id, so a table of faults stays cheap (as test/scenarios/core-proof.ts does for 2025-11-25).
// proveClean/proveFaults (the checks of 2.G-2.L, 2.N and H-EXT) take a scenario module with its expected
// statuses and fault cases, and run only the owning check per fault, on every transport where it applies.
import { describe, expect, it } from 'vitest';
import type { CheckResult, CheckStatus } from '../../../harness/checks.js';
import { execute } from '../../../harness/cli/execute.js';
import { referenceTargetSpecs } from '../../../harness/cli/options.js';
import type { ProtocolChoice } from '../../../harness/run/eras.js';
import type { RunTimeouts } from '../../../harness/run/runner.js';
import type { Scenario } from '../../../harness/scenario.js';
import { byId, checkReference, only, problems } from '../../helpers/run.js';
import { messageOf, TRANSPORTS } from '../core-proof.js';
import { FAULTS, INFO, OWNERS } from './fault-table.js';
import type { Transport } from '../core-proof.js';

export { messageOf, statuses, TRANSPORTS } from '../core-proof.js';

/** Checks that judge everything the run exchanged (scenarios/ext/lifecycle.ts): they need the other checks' traffic. */
const RUN_WIDE_AUDITS = new Set(['EXT-LIFE-01', 'EXT-ERR-01']);

/**
 * The result of `id` when the reference server violates exactly that rule. Only the owning check runs (as in
 * runFault), except a run-wide audit, which runs with its whole scenario.
 */
export async function runExtFault(
  scenario: string,
  id: string,
  transport: Transport = 'stdio',
  protocol: ProtocolChoice = 'auto',
): Promise<CheckResult> {
  const results = await checkReference({
    transport,
    scenarios: [scenario],
    violate: [id],
    checks: RUN_WIDE_AUDITS.has(id) ? undefined : [id],
    protocol,
    timeouts: { settleMs: 3_000 },
  });
  return byId(results, id);
}

/**
 * The proof of some scenarios of fault-table.ts: clean on both transports (one run each), every fault of
 * their ids over stdio, and `httpFault` over HTTP too. One test file per call, so vitest runs them in parallel.
 */
export function proveScenarios(scenarios: string[], httpFault: string): void {
  const ids = scenarios.flatMap((s) => OWNERS[s]!);
  const owner = (id: string) => scenarios.find((s) => OWNERS[s]!.includes(id))!;
  describe(`${scenarios.join(', ')} (2026-07-28)`, () => {
    for (const transport of TRANSPORTS) {
      it(`clean reference over ${transport}: every check ran, none failed or warned`, async () => {
        const r = await checkReference({ transport, scenarios });
        expect(problems(r, ids)).toEqual([]);
        const statuses = Object.fromEntries(r.map((x) => [x.id, x.status]));
        expect(statuses).toEqual(Object.fromEntries(ids.map((id) => [id, INFO.has(id) ? 'INFO' : 'SUCCESS'])));
      });
    }
    it.each(FAULTS.filter(([id]) => ids.includes(id)))('--violate %s makes it %s', async (id, status, message) => {
      const r = await runExtFault(owner(id), id);
      expect(r.status).toBe(status);
      expect(messageOf(r)).toMatch(message);
    });
    it(`--violate ${httpFault} is reported over HTTP too`, async () => {
      expect((await runExtFault(owner(httpFault), httpFault, 'http')).status).toBe('FAILURE');
    });
  });
}

/** Faults keep polling short: a violated "reaches terminal" must not wait the full 10 s T_SETTLE. */
const FAULT_TIMEOUTS: Partial<RunTimeouts> = { settleMs: 3_000 };

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
