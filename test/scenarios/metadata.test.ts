// Proof for scenarios/metadata.ts (2.J active checks; META-01/03 are in wire-audit): the clean reference
// passes on both transports; each injected violation is reported.
import { describe, expect, it } from 'vitest';
import { problems } from '../helpers/run.js';
import { messageOf, runClean, runFault, statuses, TRANSPORTS } from './core-proof.js';

const SCENARIO = 'metadata';
const IDS = ['T25-META-02', 'T25-META-04'];

describe('metadata scenario (T25-META-02, T25-META-04)', () => {
  for (const transport of TRANSPORTS) {
    it(`clean reference over ${transport}: every check passes`, async () => {
      const r = await runClean(SCENARIO, transport);
      expect(problems(r, IDS)).toEqual([]);
      expect(statuses(r, IDS)).toEqual({ 'T25-META-02': 'SUCCESS', 'T25-META-04': 'SUCCESS' });
    });
  }

  it.each([
    ['T25-META-02', 'FAILURE', /crossed meta: tasks\/get \{taskId:A\}.*bogus meta/],
    ['T25-META-04', 'WARNING', /lack params\._meta\["io\.modelcontextprotocol\/related-task"\]/],
  ])('--violate %s makes it %s', async (id, status, message) => {
    const r = await runFault(SCENARIO, id);
    expect(r.status).toBe(status);
    expect(messageOf(r)).toMatch(message);
  });
});
