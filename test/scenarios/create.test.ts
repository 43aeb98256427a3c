// Proof for scenarios/create.ts (2.C): clean reference passes on both transports; each injected
// violation is reported (CRT-05 and CRT-06 are WARN/INFO rows).
import { describe, expect, it } from 'vitest';
import { byId, problems } from '../helpers/run.js';
import { messageOf, runClean, runFault, statuses, TRANSPORTS } from './core-proof.js';

const SCENARIO = 'create';
const IDS = ['T25-CRT-01', 'T25-CRT-02', 'T25-CRT-03', 'T25-CRT-04', 'T25-CRT-05', 'T25-CRT-06'];

describe('create scenario (T25-CRT-*)', () => {
  for (const transport of TRANSPORTS) {
    it(`clean reference over ${transport}: no FAILURE or WARNING, every check ran`, async () => {
      const r = await runClean(SCENARIO, transport);
      expect(problems(r, IDS)).toEqual([]);
      expect(statuses(r, IDS)).toEqual({
        'T25-CRT-01': 'SUCCESS',
        'T25-CRT-02': 'SUCCESS',
        'T25-CRT-03': 'SUCCESS',
        'T25-CRT-04': 'SUCCESS',
        'T25-CRT-05': 'INFO',
        'T25-CRT-06': 'INFO',
      });
      // INFO observations: the hint is absent; invalid task calls are rejected at once.
      expect(messageOf(byId(r, 'T25-CRT-05'))).toMatch(/not present/);
      expect(messageOf(byId(r, 'T25-CRT-06'))).toMatch(
        /unknown tool: immediate JSON-RPC error -32602.*invalid arguments: immediate JSON-RPC error -32602/,
      );
    });
  }

  it.each([
    ['T25-CRT-01', 'FAILURE', /flat Task/],
    ['T25-CRT-02', 'WARNING', /arrived only after release_gate/],
    ['T25-CRT-03', 'FAILURE', /task: \{\} \(no ttl\) is a valid augmentation/],
    ['T25-CRT-04', 'FAILURE', /still answered -32602/],
    ['T25-CRT-05', 'WARNING', /should be a string, got 42/],
    ['T25-CRT-06', 'WARNING', /unknown tool: the server created task .* ended "completed"/],
  ])('--violate %s makes it %s', async (id, status, message) => {
    const r = await runFault(SCENARIO, id);
    expect(r.status).toBe(status);
    expect(messageOf(r)).toMatch(message);
  });
});
