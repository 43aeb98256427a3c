// Proof of the robustness checks (section 7 harness-level rows, H25-*) against the reference server.
import { describe, expect, it } from 'vitest';
import { quantum, WORK_MS } from '../../scenarios/lib/wake-latency.js';
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
    const r = byId(await checkReference({ transport: 'stdio', scenarios: ['robustness'], violate: [id], checks: [id] }), id);
    expect(r.status, r.errorMessage).toBe('WARNING');
  });

  it('H25-01 gives the figures of answers quantised to 1 s (reference server re-reading every 1000 ms: --violate H25-01)', async () => {
    const r = byId(
      await checkReference({ transport: 'http', scenarios: ['robustness'], violate: ['H25-01'], checks: ['H25-01'] }),
      'H25-01',
    );
    expect(r.status, r.errorMessage).toBe('WARNING');
    expect(r.errorMessage).toMatch(/tasks\/result answered \d+\/\d+\/\d+ ms for work of 230\/470\/810 ms .*: quantised to 1000 ms/);
    expect(r.errorMessage).toMatch(/a direct call answered \d+\/\d+\/\d+ ms for work of 230\/470\/810 ms/);
  });

  it('H25-20 names the TS SDK v1 isError wrapping of -32601 (reference server with --violate T25-TOOL-03)', async () => {
    const r = byId(
      await checkReference({ transport: 'stdio', scenarios: ['robustness'], violate: ['T25-TOOL-03'], checks: ['H25-20'] }),
      'H25-20',
    );
    expect(r.status).toBe('WARNING');
    expect(r.errorMessage).toContain('McpServer');
  });
});

describe('H25-01 quantisation rule (synthetic figures)', () => {
  const samples = (answers: number[]) => answers.map((answerMs, i) => ({ workMs: WORK_MS[i]!, answerMs, lateMs: answerMs - WORK_MS[i]! }));
  it('answers on 1 s ticks are quantised, whatever constant round trip shifts them', () => {
    expect(quantum(samples([1004, 1010, 1002]), 100)).toBe(1000);
    expect(quantum(samples([1180, 1230, 1150]), undefined)).toBe(1000);
    expect(quantum(samples([510, 505, 1003]), 500)).toBe(500);
  });
  it('answers that follow the work are not, even on a slow link or with a small pollInterval', () => {
    expect(quantum(samples([240, 480, 820]), 100)).toBeUndefined();
    expect(quantum(samples([420, 660, 1000]), 1000)).toBeUndefined();
  });
});
