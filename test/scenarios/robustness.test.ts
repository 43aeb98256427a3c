// Proof of the robustness checks (section 7 harness-level rows, H25-*) against the reference server.
import { describe, expect, it } from 'vitest';
import { byId, checkReference, problems } from '../helpers/run.js';

const IDS = ['H25-01', 'H25-02', 'H25-03', 'H25-09', 'H25-13', 'H25-16', 'H25-20'];

describe('robustness scenario (section 7)', () => {
  it.each(['stdio', 'http'] as const)('the clean reference server shows no problem over %s', async (transport) => {
    const r = await checkReference({ transport, scenarios: ['robustness'] });
    expect(problems(r, IDS)).toEqual([]);
    for (const id of ['H25-01', 'H25-02', 'H25-03', 'H25-09', 'H25-16', 'H25-20']) expect(byId(r, id).status, id).toBe('SUCCESS');
    // H25-13 is an observation: the reference server hands out random UUIDs.
    const ids = byId(r, 'H25-13');
    expect(ids.status).toBe('INFO');
    expect(String(ids.details?.message)).toContain('UUID v4');
  });

  it.each([['H25-01'], ['H25-02'], ['H25-03'], ['H25-09'], ['H25-16'], ['H25-20']])('--violate %s makes the check WARNING', async (id) => {
    const r = byId(await checkReference({ transport: 'stdio', scenarios: ['robustness'], violate: [id] }), id);
    expect(r.status, r.errorMessage).toBe('WARNING');
  });

  it('H25-01 gives the figures of answers quantised to 1 s (reference server re-reading every 1000 ms: --violate H25-01)', async () => {
    const r = byId(await checkReference({ transport: 'http', scenarios: ['robustness'], violate: ['H25-01'] }), 'H25-01');
    expect(r.status, r.errorMessage).toBe('WARNING');
    expect(r.errorMessage).toMatch(/tasks\/result answered \d+\/\d+\/\d+ ms for work of 230\/470\/810 ms .*: quantised to 1000 ms/);
    expect(r.errorMessage).toMatch(/a direct call answered \d+\/\d+\/\d+ ms for work of 230\/470\/810 ms/);
  });

  it('H25-20 names the TS SDK v1 isError wrapping of -32601 (reference server with --violate T25-TOOL-03)', async () => {
    const r = byId(await checkReference({ transport: 'stdio', scenarios: ['robustness'], violate: ['T25-TOOL-03'] }), 'H25-20');
    expect(r.status).toBe('WARNING');
    expect(r.errorMessage).toContain('McpServer');
  });
});
