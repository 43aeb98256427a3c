// Proof for scenarios/ext/lifecycle-profile.ts (LC-EXT-01..04): the reference server keeps every promise
// (the connection promises over HTTP; on stdio they are not applicable), and a borrowed spec fault that
// breaks one shows up as the documented WARNING or FAILURE with the property "no".
import { describe, expect, it } from 'vitest';
import { eraProfiles } from '../../../harness/profile.js';
import lifecycleProfile from '../../../scenarios/ext/lifecycle-profile.js';
import { byId, problems } from '../../helpers/run.js';
import { messageOf, proveFaults, runScenario } from './proof.js';

const IDS = ['LC-EXT-01', 'LC-EXT-02', 'LC-EXT-03', 'LC-EXT-04'];

describe('ext-lifecycle-profile scenario (LC-EXT-*)', () => {
  it('clean reference over HTTP: every promise holds, each check carries its property', async () => {
    const r = await runScenario(lifecycleProfile, 'http');
    expect(problems(r, IDS)).toEqual([]);
    expect(Object.fromEntries(IDS.map((id) => [id, `${byId(r, id).status} ${String(byId(r, id).profile?.value)}`]))).toEqual({
      'LC-EXT-01': 'SUCCESS true',
      'LC-EXT-02': 'SUCCESS true',
      'LC-EXT-03': 'SUCCESS true',
      'LC-EXT-04': 'SUCCESS true',
    });
    expect(messageOf(byId(r, 'LC-EXT-01'))).toMatch(
      /closed its connection, the task kept working.*dropped its subscriptions\/listen stream/,
    );
    expect(messageOf(byId(r, 'LC-EXT-02'))).toMatch(/4 clients on their own connections .* as did the subscription/);
    const [profile] = eraProfiles(r);
    expect(profile!.era).toBe('2026-07-28');
    expect(profile!.properties.find((p) => p.property === 'survivesDisconnect')).toMatchObject({
      value: true,
      checks: ['LC-EXT-01'],
      evidence: [{ id: 'LC-EXT-01', transport: 'http', value: true, status: 'SUCCESS' }],
    });
  });

  it('clean reference over stdio: another connection is another process, so LC-EXT-01/02 are not applicable', async () => {
    const r = await runScenario(lifecycleProfile, 'stdio');
    expect(problems(r, IDS)).toEqual([]);
    for (const id of ['LC-EXT-01', 'LC-EXT-02']) expect(byId(r, id).skip?.kind, id).toBe('not-applicable');
    for (const id of ['LC-EXT-03', 'LC-EXT-04']) expect(byId(r, id).status, id).toBe('SUCCESS');
  });

  proveFaults(lifecycleProfile, [
    {
      id: 'LC-EXT-01',
      violate: ['EXT-HTTP-06'],
      status: 'WARNING',
      message: /closed its connection, the task was cancelled .* although nobody cancelled it/,
      transports: ['http'],
    },
    {
      id: 'LC-EXT-02',
      violate: ['EXT-LIFE-02'],
      status: 'FAILURE',
      message: /watchers saw an illegal status sequence.*completed → failed/,
      transports: ['http'],
    },
    {
      id: 'LC-EXT-03',
      violate: ['EXT-CAN-03'],
      status: 'WARNING',
      message: /tasks\/cancel did not stop the work: gate_state stayed "waiting"/,
      transports: ['stdio'],
    },
    {
      id: 'LC-EXT-04',
      violate: ['LC-08'],
      status: 'WARNING',
      message: /the task is gone \(-32602\), but its work is still running/,
      transports: ['stdio'],
    },
  ]);
});
