// Proof for scenarios/capabilities.ts (2.A): the clean reference server passes every check on both
// transports, and each rule the reference server is made to break is reported.
import { describe, expect, it } from 'vitest';
import { byId, problems } from '../helpers/run.js';
import { messageOf, runClean, runFault, statuses, TRANSPORTS } from './core-proof.js';

const SCENARIO = 'capabilities';
const IDS = ['T25-CAP-01', 'T25-CAP-02', 'T25-CAP-03', 'T25-CAP-04', 'T25-CAP-05', 'T25-CAP-06'];

describe('capabilities scenario (T25-CAP-*)', () => {
  for (const transport of TRANSPORTS) {
    it(`clean reference over ${transport}: no FAILURE or WARNING, every check ran`, async () => {
      const r = await runClean(SCENARIO, transport);
      expect(problems(r, IDS)).toEqual([]);
      expect(statuses(r, IDS)).toEqual({
        'T25-CAP-01': 'SUCCESS',
        'T25-CAP-02': 'SUCCESS',
        'T25-CAP-03': 'INFO',
        'T25-CAP-04': 'SUCCESS',
        'T25-CAP-05': 'SUCCESS',
        'T25-CAP-06': 'SUCCESS',
      });
      // T25-CAP-03 is INFO-only: it records which tasks.requests keys were declared.
      expect(messageOf(byId(r, 'T25-CAP-03'))).toMatch(/only the standard tools\.call/);
    });
  }

  it('S-NOTASK reference (--no-tasks): nothing advertised; no tasks at all is the one T25-CAP-01 FAILURE (issue 9)', async () => {
    const r = await runClean(SCENARIO, 'stdio', ['--no-tasks']);
    expect(problems(r, IDS)).toEqual([
      'T25-CAP-01 FAILURE@stdio: this server does not implement MCP tasks (no `tasks` capability declared)',
    ]);
    expect(messageOf(byId(r, 'T25-CAP-03'))).toMatch(/tasks\.requests is absent/);
  });

  it.each([
    ['T25-CAP-01', 'FAILURE', /tools advertise task support without it/],
    ['T25-CAP-02', 'FAILURE', /capabilities\.tasks\.list must be a JSON object/],
    ['T25-CAP-04', 'FAILURE', /-32601/],
    ['T25-CAP-05', 'WARNING', /elicitation\/create with params\.task/],
    ['T25-CAP-06', 'FAILURE', /elicitation\/create \(needs client capability "elicitation"\)/],
  ])('--violate %s makes it %s', async (id, status, message) => {
    const r = await runFault(SCENARIO, id);
    expect(r.status).toBe(status);
    expect(messageOf(r)).toMatch(message);
  });
});
