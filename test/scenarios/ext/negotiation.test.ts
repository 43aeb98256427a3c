// Proof for scenarios/ext/negotiation.ts (2.A, EXT-NEG-*): the clean dual-era reference passes on both
// transports, and each injected violation is reported by its check.
import { describe, expect, it } from 'vitest';
import { byId, checkReference, problems } from '../../helpers/run.js';
import { messageOf, runExtFault, statuses, TRANSPORTS } from './proof.js';

const SCENARIO = 'ext-negotiation';
const IDS = [
  'EXT-NEG-01',
  'EXT-NEG-02',
  'EXT-NEG-03',
  'EXT-NEG-04',
  'EXT-NEG-05',
  'EXT-NEG-06',
  'EXT-NEG-07',
  'EXT-NEG-08',
  'EXT-NEG-09',
  'EXT-NEG-10',
];
const INFO_IDS = ['EXT-NEG-09', 'EXT-NEG-10'];

describe('ext-negotiation scenario (EXT-NEG-*)', () => {
  for (const transport of TRANSPORTS) {
    it(`clean reference over ${transport}: no FAILURE or WARNING, every check ran, each result names its era`, async () => {
      const r = await checkReference({ transport, scenarios: [SCENARIO] });
      expect(problems(r, IDS)).toEqual([]);
      const expected = Object.fromEntries(IDS.map((id) => [id, INFO_IDS.includes(id) ? 'INFO' : 'SUCCESS']));
      expect(statuses(r, IDS)).toEqual(expected);
      expect(new Set(r.map((x) => x.era))).toEqual(new Set(['2026-07-28']));
    });
  }

  it.each([
    ['EXT-NEG-01', 'FAILURE', /does not contain 2026-07-28/],
    ['EXT-NEG-02', 'FAILURE', /does not advertise io.modelcontextprotocol\/tasks/],
    ['EXT-NEG-03', 'FAILURE', /legacy capabilities.tasks/],
    ['EXT-NEG-04', 'FAILURE', /with clientCapabilities \{\} the same tools\/call answered a task/],
    ['EXT-NEG-05', 'FAILURE', /must answer -32021, got -32601/],
    ['EXT-NEG-06', 'FAILURE', /only the legacy tasks capability the same tools\/call answered a task/],
    ['EXT-NEG-07', 'FAILURE', /tasks\/get with clientCapabilities \{\} must answer -32021/],
    ['EXT-NEG-08', 'FAILURE', /2025-11-25 session that declared the extension got a task/],
  ])('--violate %s makes it %s', async (id, status, message) => {
    // Unpinned, a server whose discover lacks 2026-07-28 gets no modern suite at all: EXT-NEG-01 is seen pinned.
    const r = await runExtFault(SCENARIO, id, 'stdio', id === 'EXT-NEG-01' ? '2026-07-28' : 'auto');
    expect(r.status).toBe(status);
    expect(messageOf(r)).toMatch(message);
  });

  it('EXT-NEG-10 records the answers to legacy-declaring tasks/get and tasks/cancel on a 2025-11-25 task', async () => {
    const r = await checkReference({ transport: 'stdio', scenarios: [SCENARIO], checks: ['EXT-NEG-10'] });
    expect(messageOf(byId(r, 'EXT-NEG-10'))).toMatch(
      /tasks\/get JSON-RPC error -32021.*tasks\/cancel JSON-RPC error -32021.*reads it "working"/,
    );
  });

  it('a modern-only server: EXT-NEG-08 and EXT-NEG-10 are SKIPPED, not dual-era', async () => {
    const r = await checkReference({
      transport: 'stdio',
      scenarios: [SCENARIO],
      checks: ['EXT-NEG-08', 'EXT-NEG-10'],
      extraArgs: ['--protocol', '2026-07-28'],
    });
    for (const id of ['EXT-NEG-08', 'EXT-NEG-10']) {
      expect(byId(r, id).status).toBe('SKIPPED');
      expect(messageOf(byId(r, id))).toMatch(/not dual-era/);
    }
  });

  it('--violate EXT-NEG-05 over HTTP: the wrong code is reported there too', async () => {
    const r = await runExtFault(SCENARIO, 'EXT-NEG-05', 'http');
    expect(r.status).toBe('FAILURE');
  });
});
