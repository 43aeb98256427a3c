// Proof for scenarios/notifications.ts (2.K T25-NOTIF-05; NOTIF-01..04 are in wire-audit). On stdio every
// session is its own server process, so a leak can only be provoked over HTTP.
import { describe, expect, it } from 'vitest';
import { byId, problems } from '../helpers/run.js';
import { messageOf, runClean, runFault, TRANSPORTS } from './core-proof.js';

const SCENARIO = 'notifications';

describe('notifications scenario (T25-NOTIF-05)', () => {
  for (const transport of TRANSPORTS) {
    it(`clean reference over ${transport}: the other session hears nothing`, async () => {
      const r = await runClean(SCENARIO, transport);
      expect(problems(r, ['T25-NOTIF-05'])).toEqual([]);
      const result = byId(r, 'T25-NOTIF-05');
      expect(result.status).toBe('SUCCESS');
      // The owner did receive status notifications, so the silence of the other session means something.
      expect(messageOf(result)).toMatch(/received no notification .*the owner received [1-9]/);
    });
  }

  it('--violate T25-NOTIF-05 (http) makes it WARNING', async () => {
    const r = await runFault(SCENARIO, 'T25-NOTIF-05', 'http');
    expect(r.status).toBe('WARNING');
    expect(messageOf(r)).toMatch(/received \d+ notification\(s\) about tasks it does not own/);
  });
});
