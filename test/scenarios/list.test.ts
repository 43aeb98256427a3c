// Proof of the 2.M tasks/list checks (T25-LIST-*) against the reference server.
import { describe, expect, it } from 'vitest';
import { byId, checkReference, problems } from '../helpers/run.js';

const IDS = ['T25-LIST-01', 'T25-LIST-02', 'T25-LIST-03', 'T25-LIST-04', 'T25-LIST-05', 'T25-LIST-06'];

describe('list scenario (2.M)', () => {
  it.each(['stdio', 'http'] as const)('the clean reference server passes every tasks/list check over %s', async (transport) => {
    const r = await checkReference({ transport, scenarios: ['list'] });
    expect(problems(r, IDS)).toEqual([]);
    for (const id of ['T25-LIST-01', 'T25-LIST-02', 'T25-LIST-03', 'T25-LIST-04', 'T25-LIST-05'])
      expect(byId(r, id).status, id).toBe('SUCCESS');
    // The server declares tasks.list, so the "not declared" observation does not apply.
    expect(byId(r, 'T25-LIST-06').skip?.kind).toBe('not-applicable');
  });

  it.each([
    ['T25-LIST-01', 'FAILURE'],
    ['T25-LIST-02', 'WARNING'],
    ['T25-LIST-03', 'FAILURE'],
    ['T25-LIST-04', 'FAILURE'],
    ['T25-LIST-05', 'FAILURE'],
  ] as const)('--violate %s makes the check %s', async (id, status) => {
    const r = byId(await checkReference({ transport: 'stdio', scenarios: ['list'], violate: [id], checks: [id] }), id);
    expect(r.status, r.errorMessage).toBe(status);
  });

  it('T25-LIST-06 records what tasks/list answers when tasks.list is not declared (INFO)', async () => {
    const r = await checkReference({
      transport: 'stdio',
      scenarios: ['list'],
      extraArgs: ['--no-tasks'],
      checks: ['T25-LIST-06', 'T25-LIST-01'],
    });
    const info = byId(r, 'T25-LIST-06');
    expect(info.status).toBe('INFO');
    expect(String(info.details?.message)).toContain('-32601');
    expect(byId(r, 'T25-LIST-01').skip?.kind).toBe('missing-capability');
  });
});
