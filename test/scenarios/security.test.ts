// Proof of the 2.P security checks (T25-SEC-*) against the reference server.
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../harness/checks.js';
import { execute } from '../../harness/cli/execute.js';
import { packagePath } from '../../harness/paths.js';
import { SCENARIOS } from '../../scenarios/index.js';
import { byId, checkReference, problems } from '../helpers/run.js';

const IDS = ['T25-SEC-01', 'T25-SEC-02', 'T25-SEC-03', 'T25-SEC-04', 'T25-SEC-05', 'T25-SEC-06', 'T25-SEC-07'];

/** The reference server over HTTP WITHOUT auth tokens (checkReference always adds two principals). */
async function checkUnauthenticatedHttp(violate: string[] = []): Promise<CheckResult[]> {
  const args = [packagePath('dist', 'reference-server', 'main.js'), '--http', '--port', '0', ...violate.flatMap((id) => ['--violate', id])];
  const out = await execute({
    specs: [{ kind: 'http-command', command: process.execPath, args }],
    scenarios: SCENARIOS,
    selection: ['security'],
  });
  if (out.run.fatal) throw new Error(`reference server did not start: ${out.run.fatal.message}`);
  return out.run.results;
}

describe('security scenario (2.P)', () => {
  it('the clean reference server passes over stdio (auth checks do not apply)', async () => {
    const r = await checkReference({ transport: 'stdio', scenarios: ['security'] });
    expect(problems(r, IDS)).toEqual([]);
    expect(byId(r, 'T25-SEC-03').status).toBe('SUCCESS');
    expect(byId(r, 'T25-SEC-06').status).toBe('SUCCESS');
    for (const id of ['T25-SEC-01', 'T25-SEC-02', 'T25-SEC-04']) expect(byId(r, id).skip?.kind, id).toBe('not-applicable');
    // Observations: the burst is recorded, the documentation items are a manual checklist.
    expect(byId(r, 'T25-SEC-05').status).toBe('INFO');
    expect(String(byId(r, 'T25-SEC-05').details?.message)).toContain('tasks/get calls for an unknown ID');
    expect(byId(r, 'T25-SEC-07').status).toBe('INFO');
    expect(String(byId(r, 'T25-SEC-07').details?.message)).toContain('manual item');
  });

  it('the clean reference server passes over HTTP with two principals', async () => {
    const r = await checkReference({ transport: 'http', scenarios: ['security'] });
    expect(problems(r, IDS)).toEqual([]);
    for (const id of ['T25-SEC-01', 'T25-SEC-02', 'T25-SEC-03', 'T25-SEC-06']) expect(byId(r, id).status, id).toBe('SUCCESS');
    // With principals, listing is covered by T25-SEC-02.
    expect(byId(r, 'T25-SEC-04').skip?.kind).toBe('not-applicable');
  });

  it.each([['T25-SEC-01'], ['T25-SEC-02']])('--violate %s over HTTP with two principals makes the check FAILURE', async (id) => {
    const r = byId(await checkReference({ transport: 'http', scenarios: ['security'], violate: [id], checks: [id] }), id);
    expect(r.status, r.errorMessage).toBe('FAILURE');
  });

  it.each([
    ['T25-SEC-03', 'FAILURE'],
    ['T25-SEC-06', 'WARNING'],
  ] as const)('--violate %s makes the check %s', async (id, status) => {
    const r = byId(await checkReference({ transport: 'stdio', scenarios: ['security'], violate: [id], checks: [id] }), id);
    expect(r.status, r.errorMessage).toBe(status);
  });

  it('T25-SEC-04: per-session listing passes over HTTP without auth; a shared list warns', async () => {
    const clean = byId(await checkUnauthenticatedHttp(), 'T25-SEC-04');
    expect(clean.status, clean.errorMessage).toBe('SUCCESS');
    const leaky = byId(await checkUnauthenticatedHttp(['T25-SEC-04']), 'T25-SEC-04');
    expect(leaky.status, leaky.errorMessage).toBe('WARNING');
  });
});
