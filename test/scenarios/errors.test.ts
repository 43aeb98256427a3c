// Proof of the 2.O error checks (T25-ERR-*) against the reference server.
import { describe, expect, it } from 'vitest';
import { byId, checkReference, problems } from '../helpers/run.js';

const IDS = ['T25-ERR-01', 'T25-ERR-02', 'T25-ERR-03', 'T25-ERR-04', 'T25-ERR-05', 'T25-ERR-06', 'T25-ERR-07', 'T25-ERR-08'];

describe('errors scenario (2.O)', () => {
  it.each(['stdio', 'http'] as const)('the clean reference server passes every error check over %s', async (transport) => {
    const r = await checkReference({ transport, scenarios: ['errors'] });
    expect(problems(r, IDS)).toEqual([]);
    for (const id of IDS.filter((i) => i !== 'T25-ERR-04')) expect(byId(r, id).status, id).toBe('SUCCESS');
    // T25-ERR-04 records the fixture's internal-error code.
    const internal = byId(r, 'T25-ERR-04');
    expect(internal.status).toBe('INFO');
    expect(String(internal.details?.message)).toContain('the documented -32603');
  });

  it.each([
    ['T25-ERR-01', 'FAILURE'],
    ['T25-ERR-02', 'FAILURE'],
    ['T25-ERR-03', 'FAILURE'],
    ['T25-ERR-05', 'WARNING'],
    ['T25-ERR-06', 'WARNING'],
    ['T25-ERR-07', 'WARNING'],
    ['T25-ERR-08', 'FAILURE'],
  ] as const)('--violate %s makes the check %s', async (id, status) => {
    const r = byId(await checkReference({ transport: 'stdio', scenarios: ['errors'], violate: [id], checks: [id] }), id);
    expect(r.status, r.errorMessage).toBe(status);
  });
});
