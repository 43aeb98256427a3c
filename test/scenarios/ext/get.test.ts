// Proof for the 2026-07-28 scenarios ext-get: the clean dual-era reference passes on both transports
// (one run per transport), and each injected violation is reported by its check (one run per fault, only
// its scenario). The rows are in fault-table.ts.
import { describe, expect, it } from 'vitest';
import { checkReference, problems } from '../../helpers/run.js';
import { FAULTS, INFO, OWNERS } from './fault-table.js';
import { messageOf, runExtFault, TRANSPORTS } from './proof.js';

const SCENARIOS = ['ext-get'];
const IDS = SCENARIOS.flatMap((s) => OWNERS[s]!);
const owner = (id: string) => SCENARIOS.find((s) => OWNERS[s]!.includes(id))!;

describe(`${SCENARIOS.join(', ')} (2026-07-28)`, () => {
  for (const transport of TRANSPORTS) {
    it(`clean reference over ${transport}: every check ran, none failed or warned`, async () => {
      const r = await checkReference({ transport, scenarios: SCENARIOS });
      expect(problems(r, IDS)).toEqual([]);
      const statuses = Object.fromEntries(r.map((x) => [x.id, x.status]));
      expect(statuses).toEqual(Object.fromEntries(IDS.map((id) => [id, INFO.has(id) ? 'INFO' : 'SUCCESS'])));
    });
  }

  it.each(FAULTS.filter(([id]) => IDS.includes(id)))('--violate %s makes it %s', async (id, status, message) => {
    const r = await runExtFault(owner(id), id);
    expect(r.status).toBe(status);
    expect(messageOf(r)).toMatch(message);
  });

  it('--violate EXT-GET-07 is reported over HTTP too', async () => {
    expect((await runExtFault('ext-get', 'EXT-GET-07', 'http')).status).toBe('FAILURE');
  });
});
