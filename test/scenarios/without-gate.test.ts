// Proof of the checks that fall back to a timed F-ECHO when the gate fixtures are absent (no third-party
// server has them): the reference server with F-GATE, F-GATE-RELEASE and F-GATE-STATE mapped to tools it
// does not list. T25-RES-03 (a long task stands in for a closed gate; its evidence says the verdict rests
// on timing), T25-CAN-05 (completed and failed tasks need no gate), LC-08 (a ttl shorter than the work).
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../harness/checks.js';
import { execute } from '../../harness/cli/execute.js';
import type { FixtureMappingFile } from '../../harness/fixtures.js';
import { referenceTargetSpecs } from '../../harness/cli/options.js';
import { SCENARIOS } from '../../scenarios/index.js';
import { byId, only } from '../helpers/run.js';

/** Each run drives whole scenarios of a loaded machine's reference server. */
const TIMEOUT = 240_000;

const NO_GATE: FixtureMappingFile = {
  roles: { 'F-GATE': { tool: 'no_gated_job' }, 'F-GATE-RELEASE': { tool: 'no_release_gate' }, 'F-GATE-STATE': { tool: 'no_gate_state' } },
};

/** Only the gate_state fixture hidden: the gate holds the task open, but nothing reports its work. */
const NO_GATE_STATE: FixtureMappingFile = { roles: { 'F-GATE-STATE': { tool: 'no_gate_state' } } };

/** One run of `scenario` with only check `id` (each test here is about one check; the others are proven elsewhere). */
async function withoutGate(
  scenario: string,
  id: string,
  transport: 'stdio' | 'http',
  violate: string[] = [],
  fixtures = NO_GATE,
): Promise<CheckResult[]> {
  const specs = referenceTargetSpecs({ violate, transports: [transport] });
  const { run } = await execute({ specs, scenarios: SCENARIOS.map((s) => only(s, [id])), selection: [scenario], fixtures });
  if (run.fatal) throw new Error(run.fatal.message);
  return run.results;
}

describe('checks that need only a running task fall back to a long F-ECHO without the gate', () => {
  it.each(['stdio', 'http'] as const)(
    'clean reference over %s: T25-RES-03 and T25-CAN-05 pass, saying what they rest on',
    { timeout: TIMEOUT },
    async (transport) => {
      const res = byId(await withoutGate('result', 'T25-RES-03', transport), 'T25-RES-03');
      expect(res.status, res.errorMessage).toBe('SUCCESS');
      expect(String(res.details?.message)).toMatch(/stayed unanswered .* rests on timing/);
      const can = byId(await withoutGate('cancel', 'T25-CAN-05', transport), 'T25-CAN-05');
      expect(can.status, can.errorMessage).toBe('SUCCESS');
      expect(String(can.details?.message)).toMatch(/second tasks\/cancel of a cancelled task \(a long F-ECHO task\)/);
    },
  );

  it('--violate T25-RES-03: an early answer on a provably working task is FAILURE', { timeout: TIMEOUT }, async () => {
    const r = byId(await withoutGate('result', 'T25-RES-03', 'stdio', ['T25-RES-03']), 'T25-RES-03');
    expect(r.status).toBe('FAILURE');
    expect(r.errorMessage).toMatch(/answered within \d+ ms although the task was still "working" .*rests on timing/);
  });

  it('--violate T25-CAN-05: a cancel of a completed or failed task answered with the Task is FAILURE', { timeout: TIMEOUT }, async () => {
    const r = byId(await withoutGate('cancel', 'T25-CAN-05', 'stdio', ['T25-CAN-05']), 'T25-CAN-05');
    expect(r.status).toBe('FAILURE');
    expect(r.errorMessage).toMatch(/tasks\/cancel of a completed task/);
  });

  it(
    'LC-08: a still-working task deleted at its ttl; its blocked tasks/result answers -32602; the work: cannot tell',
    { timeout: TIMEOUT },
    async () => {
      const r = byId(await withoutGate('lifecycle', 'LC-08', 'stdio'), 'LC-08');
      expect(r.status, r.errorMessage).toBe('INFO');
      expect(r.profile).toEqual({ property: 'ttlHonoured', value: null });
      expect(String(r.details?.message)).toMatch(
        /deleted at its ttl .* answered JSON-RPC error -32602 .*cannot be told without the gate_state fixture/,
      );
    },
  );

  it(
    'T25-CAN-04 without gate_state says "cannot tell" plainly on a clean server (long F-ECHO, and gate without state)',
    { timeout: TIMEOUT },
    async () => {
      for (const fixtures of [NO_GATE, NO_GATE_STATE]) {
        const r = byId(await withoutGate('cancel', 'T25-CAN-04', 'stdio', [], fixtures), 'T25-CAN-04');
        expect(r.status, r.errorMessage).toBe('SKIPPED');
        expect(r.skip?.reason).toMatch(/cannot tell whether tasks\/cancel stops the work .* nothing observable contradicted it/);
      }
    },
  );

  it(
    'T25-CAN-04 / LC-07 without gate_state flag a status notification after the cancel (--violate T25-NOTIF-04)',
    { timeout: TIMEOUT },
    async () => {
      const results = await withoutGate('lifecycle', 'LC-07', 'stdio', ['T25-NOTIF-04'], NO_GATE_STATE);
      const r = byId(results, 'LC-07');
      expect(r.status, r.errorMessage).toBe('WARNING');
      expect(r.errorMessage).toMatch(/still showed signs of running: a status notification "working"/);
      expect(r.profile).toEqual({ property: 'cancelStopsWork', value: false });
    },
  );
});
