// Proof for scenarios/input-required.ts (2.I): the clean reference passes (INP-04/05 are HTTP-only);
// each injected violation is reported (INP-01/03 are SHOULD rows: WARNING; INP-06 is WARN/INFO).
import { describe, expect, it } from 'vitest';
import { byId, problems } from '../helpers/run.js';
import { messageOf, runClean, runFault, statuses, TRANSPORTS } from './core-proof.js';

const SCENARIO = 'input-required';
const IDS = ['T25-INP-01', 'T25-INP-02', 'T25-INP-03', 'T25-INP-04', 'T25-INP-05', 'T25-INP-06'];

describe('input-required scenario (T25-INP-*)', () => {
  for (const transport of TRANSPORTS) {
    it(`clean reference over ${transport}: no FAILURE or WARNING`, async () => {
      const r = await runClean(SCENARIO, transport);
      expect(problems(r, IDS)).toEqual([]);
      const httpOnly = transport === 'http' ? 'SUCCESS' : 'SKIPPED';
      expect(statuses(r, IDS)).toEqual({
        'T25-INP-01': 'SUCCESS',
        'T25-INP-02': 'SUCCESS',
        'T25-INP-03': 'SUCCESS',
        'T25-INP-04': httpOnly,
        'T25-INP-05': httpOnly,
        'T25-INP-06': 'INFO',
      });
      // INP-06 records what a decline and a cancel lead to.
      expect(messageOf(byId(r, 'T25-INP-06'))).toMatch(/decline -> completed .*declined.*cancel -> completed/);
      if (transport === 'http') expect(messageOf(byId(r, 'T25-INP-04'))).toMatch(/delivered once, on POST \d+/);
    });
  }

  it.each([
    ['T25-INP-01', 'stdio', 'WARNING', /tasks\/get showed "working"/],
    ['T25-INP-02', 'stdio', 'FAILURE', /lack params\._meta\["io\.modelcontextprotocol\/related-task"\]/],
    ['T25-INP-03', 'stdio', 'WARNING', /stayed input_required/],
    ['T25-INP-04', 'http', 'FAILURE', /delivered 2 times/],
    ['T25-INP-05', 'http', 'FAILURE', /HTTP 200; expected 202/],
    ['T25-INP-06', 'stdio', 'WARNING', /after action "decline" the task did not reach a terminal status/],
  ] as const)('--violate %s (%s) makes it %s', async (id, transport, status, message) => {
    const r = await runFault(SCENARIO, id, transport);
    expect(r.status).toBe(status);
    expect(messageOf(r)).toMatch(message);
  });
});
