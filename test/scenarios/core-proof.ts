// Proof helpers for scenario tests: run one scenario against the reference server, clean or with one
// fault, and read back statuses and messages compactly.
import type { CheckResult } from '../../harness/checks.js';
import { byId, checkReference, type CheckReferenceOptions } from '../helpers/run.js';

export const TRANSPORTS = ['stdio', 'http'] as const;
export type Transport = (typeof TRANSPORTS)[number];

/** Faults keep polling short: a violated "becomes terminal" must not wait the full 10 s T_SETTLE. */
const FAULT_TIMEOUTS: CheckReferenceOptions['timeouts'] = { settleMs: 3_000 };

/** id -> status, for one readable toEqual. */
export function statuses(results: CheckResult[], ids: string[]): Record<string, string> {
  return Object.fromEntries(ids.map((id) => [id, byId(results, id).status]));
}

/** What a result says: its problem message, or the evidence message of a passing/informational verdict. */
export function messageOf(r: CheckResult): string {
  return String(r.errorMessage ?? r.details?.message ?? r.skip?.reason ?? '');
}

export function runClean(scenario: string, transport: Transport, extraArgs?: string[]): Promise<CheckResult[]> {
  return checkReference({ transport, scenarios: [scenario], extraArgs });
}

/**
 * The result of `id` when the reference server violates exactly that rule. Only the owning check runs: the
 * other checks of the scenario are proven against their own faults, and running them here is time, not proof.
 */
export async function runFault(scenario: string, id: string, transport: Transport = 'stdio'): Promise<CheckResult> {
  const results = await checkReference({ transport, scenarios: [scenario], violate: [id], checks: [id], timeouts: FAULT_TIMEOUTS });
  return byId(results, id);
}
