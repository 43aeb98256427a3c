// Proof helpers for the 2026-07-28 scenarios: one harness run per fault, only the scenario that owns the
// id, so a table of faults stays cheap (as test/scenarios/core-proof.ts does for 2025-11-25).
import type { CheckResult } from '../../../harness/checks.js';
import type { ProtocolChoice } from '../../../harness/run/eras.js';
import { byId, checkReference } from '../../helpers/run.js';
import type { Transport } from '../core-proof.js';

export { messageOf, statuses, TRANSPORTS } from '../core-proof.js';

/** The result of `id` when the reference server violates exactly that rule. */
export async function runExtFault(
  scenario: string,
  id: string,
  transport: Transport = 'stdio',
  protocol: ProtocolChoice = 'auto',
): Promise<CheckResult> {
  const results = await checkReference({ transport, scenarios: [scenario], violate: [id], protocol, timeouts: { settleMs: 3_000 } });
  return byId(results, id);
}
