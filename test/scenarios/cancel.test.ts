// Proof of the 2.N cancellation checks (T25-CAN-*) against the reference server.
import { describe, expect, it } from 'vitest';
import { byId, checkReference, problems } from '../helpers/run.js';

const IDS = ['T25-CAN-01', 'T25-CAN-02', 'T25-CAN-03', 'T25-CAN-04', 'T25-CAN-05', 'T25-CAN-06', 'T25-CAN-07', 'T25-CAN-08', 'T25-CAN-09'];

describe('cancel scenario (2.N)', () => {
  it.each(['stdio', 'http'] as const)('the clean reference server passes every cancellation check over %s', async (transport) => {
    const r = await checkReference({ transport, scenarios: ['cancel'] });
    expect(problems(r, IDS)).toEqual([]);
    for (const id of IDS.slice(0, 6).concat('T25-CAN-08')) expect(byId(r, id).status, id).toBe('SUCCESS');
    // T25-CAN-07 is an observation: the reference server keeps cancelled tasks.
    const kept = byId(r, 'T25-CAN-07');
    expect(kept.status).toBe('INFO');
    expect(String(kept.details?.message)).toContain('retained');
    expect(byId(r, 'T25-CAN-09').skip?.kind).toBe('not-applicable');
  });

  it.each([
    ['T25-CAN-01', 'FAILURE'],
    ['T25-CAN-02', 'FAILURE'],
    ['T25-CAN-03', 'FAILURE'],
    ['T25-CAN-04', 'WARNING'],
    ['T25-CAN-05', 'FAILURE'],
    ['T25-CAN-06', 'FAILURE'],
  ] as const)('--violate %s makes the check %s', async (id, status) => {
    const r = byId(await checkReference({ transport: 'stdio', scenarios: ['cancel'], violate: [id], checks: [id] }), id);
    expect(r.status, r.errorMessage).toBe(status);
  });

  it('--violate T25-CAN-08 (tasks/result never answered after a cancel in input_required) makes the check FAILURE', async () => {
    // A short settle bound: the pending tasks/result is expected to hang under this fault.
    const r = byId(
      await checkReference({
        transport: 'stdio',
        scenarios: ['cancel'],
        violate: ['T25-CAN-08'],
        checks: ['T25-CAN-08'],
        timeouts: { settleMs: 3000 },
      }),
      'T25-CAN-08',
    );
    expect(r.status, r.errorMessage).toBe('FAILURE');
    expect(r.errorMessage).toContain('did not answer');
  });

  it('T25-CAN-09 records what tasks/cancel answers when tasks.cancel is not declared (INFO)', async () => {
    const r = await checkReference({ transport: 'stdio', scenarios: ['cancel'], extraArgs: ['--no-tasks'], checks: ['T25-CAN-09'] });
    const info = byId(r, 'T25-CAN-09');
    expect(info.status).toBe('INFO');
    expect(String(info.details?.message)).toContain('-32601');
  });
});
