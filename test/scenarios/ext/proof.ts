// Proof helpers for the 2026-07-28 scenarios: one harness run per fault, only the scenario that owns the
// id, so a table of faults stays cheap (as test/scenarios/core-proof.ts does for 2025-11-25).
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../../harness/checks.js';
import type { ProtocolChoice } from '../../../harness/run/eras.js';
import { byId, checkReference, problems } from '../../helpers/run.js';
import { messageOf, TRANSPORTS } from '../core-proof.js';
import { FAULTS, INFO, OWNERS } from './fault-table.js';
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
