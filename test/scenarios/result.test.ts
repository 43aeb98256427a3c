// Proof for scenarios/result.ts (2.H): the clean reference passes on both transports; each injected
// violation of a tasks/result rule is reported as FAILURE.
import { describe, expect, it } from 'vitest';
import { problems } from '../helpers/run.js';
import { messageOf, runClean, runFault, statuses, TRANSPORTS } from './core-proof.js';

const SCENARIO = 'result';
const IDS = ['T25-RES-01', 'T25-RES-02', 'T25-RES-03', 'T25-RES-04', 'T25-RES-05', 'T25-RES-06', 'T25-RES-07'];

describe('result scenario (T25-RES-*)', () => {
  for (const transport of TRANSPORTS) {
    it(`clean reference over ${transport}: every check passes`, async () => {
      const r = await runClean(SCENARIO, transport);
      expect(problems(r, IDS)).toEqual([]);
      expect(statuses(r, IDS)).toEqual(Object.fromEntries(IDS.map((id) => [id, 'SUCCESS'])));
    });
  }

  it.each([
    ['T25-RES-01', /does not contain "computed:/],
    ['T25-RES-02', /differs from the direct call's result/],
    ['T25-RES-03', /answered within \d+ ms while the gate was closed/],
    ['T25-RES-04', /answered a successful result .* JSON-RPC error -32603/],
    ['T25-RES-05', /answered JSON-RPC error -32603/],
    ['T25-RES-06', /cancelled task .* did not answer within \d+ ms/],
    ['T25-RES-07', /pending since before the cancel did not answer/],
  ])('--violate %s makes it FAILURE', async (id, message) => {
    const r = await runFault(SCENARIO, id);
    expect(r.status).toBe('FAILURE');
    expect(messageOf(r)).toMatch(message);
  });
});
