// Proof for scenarios/status.ts (2.E): clean reference passes on both transports (all three terminal
// kinds exercised); a wrong first status and a changing terminal status are reported.
import { describe, expect, it } from 'vitest';
import { byId, problems } from '../helpers/run.js';
import { messageOf, runClean, runFault, statuses, TRANSPORTS } from './core-proof.js';

const SCENARIO = 'status';
const IDS = ['T25-LIFE-01', 'T25-LIFE-03'];

describe('status scenario (T25-LIFE-01, T25-LIFE-03)', () => {
  for (const transport of TRANSPORTS) {
    it(`clean reference over ${transport}: no FAILURE or WARNING, every check ran`, async () => {
      const r = await runClean(SCENARIO, transport);
      expect(problems(r, IDS)).toEqual([]);
      expect(statuses(r, IDS)).toEqual({ 'T25-LIFE-01': 'SUCCESS', 'T25-LIFE-03': 'SUCCESS' });
      expect(messageOf(byId(r, 'T25-LIFE-03'))).toMatch(/completed stayed completed.*failed stayed failed.*cancelled stayed cancelled/);
    });
  }

  it.each([
    ['T25-LIFE-01', 'FAILURE', /must begin in "working".*"input_required"/],
    ['T25-LIFE-03', 'FAILURE', /was completed and later reported "failed"/],
  ])('--violate %s makes it %s', async (id, status, message) => {
    const r = await runFault(SCENARIO, id);
    expect(r.status).toBe(status);
    expect(messageOf(r)).toMatch(message);
  });
});
