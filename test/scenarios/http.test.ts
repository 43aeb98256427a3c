// Proof of the 2.Q Streamable HTTP checks (T25-HTTP-01, -03, -04) against the reference server.
import { describe, expect, it } from 'vitest';
import { byId, checkReference, problems } from '../helpers/run.js';

const IDS = ['T25-HTTP-01', 'T25-HTTP-03', 'T25-HTTP-04'];

describe('http scenario (2.Q)', () => {
  it('the clean reference server passes over HTTP', async () => {
    const r = await checkReference({ transport: 'http', scenarios: ['http'] });
    expect(problems(r, IDS)).toEqual([]);
    expect(byId(r, 'T25-HTTP-01').status).toBe('SUCCESS');
    expect(byId(r, 'T25-HTTP-03').status).toBe('SUCCESS');
    // Cross-session visibility is recorded, not judged.
    const seen = byId(r, 'T25-HTTP-04');
    expect(seen.status).toBe('INFO');
    expect(String(seen.details?.message)).toContain('visible from session B');
  });

  it('the checks do not apply over stdio', async () => {
    const r = await checkReference({ transport: 'stdio', scenarios: ['http'] });
    for (const id of IDS) expect(byId(r, id).skip?.kind, id).toBe('not-applicable');
  });

  it.each([['T25-HTTP-01'], ['T25-HTTP-03']])('--violate %s makes the check WARNING', async (id) => {
    const r = byId(await checkReference({ transport: 'http', scenarios: ['http'], violate: [id], checks: [id] }), id);
    expect(r.status, r.errorMessage).toBe('WARNING');
  });
});
