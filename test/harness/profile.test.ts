// The lifecycle profile: derived from check results alone (their `profile`), rendered in report.md,
// written to report.json, and usable as a CI gate with --require.
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../harness/checks.js';
import { packagePath } from '../../harness/paths.js';
import { deriveProfile, eraProfiles, profileRows, property, unmetRequirements } from '../../harness/profile.js';
import { buildReport } from '../../harness/report/json.js';
import { renderMarkdown } from '../../harness/report/markdown.js';
import { renderTerminal } from '../../harness/report/terminal.js';
import type { RunResult } from '../../harness/run/runner.js';
import { decide } from '../../harness/run/verdict.js';

function result(
  id: string,
  transport: 'stdio' | 'http',
  status: CheckResult['status'],
  profile?: CheckResult['profile'],
  era: CheckResult['era'] = '2025-11-25',
): CheckResult {
  return {
    id,
    name: id,
    description: id,
    status,
    level: 'SHOULD',
    specReferences: [],
    scenario: era === '2025-11-25' ? 'lifecycle' : 'ext-lifecycle-profile',
    era,
    transport,
    durationMs: 1,
    ...(profile ? { profile } : {}),
  };
}

const RESULTS: CheckResult[] = [
  result('LC-01', 'http', 'SUCCESS', property('survivesDisconnect', true)),
  result('LC-04', 'http', 'WARNING', property('survivesDisconnect', false)),
  result('LC-01', 'stdio', 'SKIPPED'),
  result('H25-12', 'stdio', 'INFO', property('crossSession', null)),
  result('H25-12', 'http', 'INFO', property('crossSession', true)),
  result('LC-06', 'http', 'INFO', property('survivesRestart', false)),
  result('LC-07', 'http', 'SUCCESS', property('cancelStopsWork', true)),
  result('T25-CAN-04', 'http', 'SUCCESS'),
];

describe('lifecycle profile', () => {
  it('combines observations: any "no" wins, then any "yes", else not applicable (null)', () => {
    expect(deriveProfile(RESULTS)).toEqual({
      survivesDisconnect: false,
      crossSession: true,
      repeatableResult: null,
      multiClient: null,
      survivesClientCrash: null,
      survivesRestart: false,
      cancelStopsWork: true,
      ttlHonoured: null,
      crossInstance: null,
      survivesInstanceLoss: null,
    });
    const disconnect = profileRows(RESULTS)!.find((r) => r.property === 'survivesDisconnect')!;
    expect(disconnect.byTransport).toEqual({ stdio: null, http: false });
    expect(disconnect.evidence.map((e) => `${e.id}@${e.transport}:${e.status}`)).toEqual(['LC-01@http:SUCCESS', 'LC-04@http:WARNING']);
  });

  it('is absent when the lifecycle scenario did not run', () => {
    expect(deriveProfile([result('T25-CAN-04', 'http', 'SUCCESS')])).toBeUndefined();
  });

  it('--require: a property that is false, null or unchecked fails the run (exit 1) with the evidence named', () => {
    expect(unmetRequirements(deriveProfile(RESULTS), ['crossSession', 'cancelStopsWork'])).toEqual([]);
    const v = decide({
      results: RESULTS.filter((r) => r.status !== 'WARNING'),
      require: ['survivesRestart', 'ttlHonoured', 'crossSession'],
    });
    expect(v.exitCode).toBe(1);
    expect(v.unmet).toEqual([
      'required property survivesRestart does not hold (evidence: LC-06, H-EXT-08)',
      'required property ttlHonoured could not be established (not applicable or not observed) (evidence: LC-08, LC-EXT-04, H-EXT-10)',
    ]);
    expect(v.line).toMatch(/^FAIL: required property survivesRestart does not hold/);
    expect(decide({ results: [result('T25-CAN-04', 'http', 'SUCCESS')], require: ['survivesRestart'] }).unmet).toEqual([
      'required property survivesRestart was not checked (run the lifecycle scenario) (evidence: LC-06, H-EXT-08)',
    ]);
    expect(decide({ results: RESULTS.filter((r) => r.status !== 'WARNING'), require: ['cancelStopsWork'] }).exitCode).toBe(0);
  });

  it('report.json carries the derived profile; report.md opens the lifecycle part with the profile table', () => {
    const run: RunResult = {
      startedAt: '2025-11-25T00:00:00.000Z',
      finishedAt: '2025-11-25T00:00:01.000Z',
      durationMs: 1000,
      results: RESULTS,
      problems: [],
      selection: ['lifecycle'],
      targets: [{ label: 'http: x', transport: 'http' }],
      timeouts: { requestMs: 1, settleMs: 1, checkMs: 1, startMs: 1 },
    };
    const report = buildReport({ run, verdict: decide({ results: RESULTS }), declaredIds: RESULTS.map((r) => r.id) });
    expect(report.profile).toEqual(deriveProfile(RESULTS));
    const md = renderMarkdown(report);
    const section = md.slice(md.indexOf('## Lifecycle profile'), md.indexOf('## All checks'));
    expect(section).toContain('### Protocol 2025-11-25 (scenario `lifecycle`)');
    expect(section).not.toContain('2026-07-28');
    expect(section).toContain('| Promise | Property | stdio | http | Evidence |');
    expect(section).toMatch(
      /\| `survivesDisconnect` \| ➖ not applicable \| ❌ no \| LC-01@http \(SUCCESS: yes\), LC-04@http \(WARNING: no\) \|/,
    );
    expect(section).toMatch(/\| `cancelStopsWork` \| · not checked \| ✅ yes \|/);
  });
});

/** A run of both eras: the 2026-07-28 checks observe the same properties with their own ids. */
const BOTH_ERAS: CheckResult[] = [
  ...RESULTS,
  result('LC-EXT-01', 'http', 'SUCCESS', property('survivesDisconnect', true), '2026-07-28'),
  result('LC-EXT-01', 'stdio', 'SKIPPED', undefined, '2026-07-28'),
  result('H-EXT-03', 'stdio', 'SUCCESS', property('repeatableResult', true), '2026-07-28'),
  result('H-EXT-08', 'http', 'INFO', property('survivesRestart', true), '2026-07-28'),
  result('LC-EXT-03', 'http', 'WARNING', property('cancelStopsWork', false), '2026-07-28'),
  result('H-EXT-05', 'http', 'SKIPPED', undefined, '2026-07-28'),
];

describe('lifecycle profile per era', () => {
  it('one profile per era that ran, each with its own checks; the era has no rows for promises it cannot check', () => {
    const profiles = eraProfiles(BOTH_ERAS);
    expect(profiles.map((p) => `${p.era} ${p.scenario}`)).toEqual(['2025-11-25 lifecycle', '2026-07-28 ext-lifecycle-profile']);
    const modern = profiles[1]!;
    // No sessions, no client process to crash, no instance-loss check in 2026-07-28.
    expect(modern.properties.map((p) => p.property)).toEqual([
      'survivesDisconnect',
      'repeatableResult',
      'multiClient',
      'survivesRestart',
      'cancelStopsWork',
      'ttlHonoured',
      'crossInstance',
    ]);
    const row = (name: string) => modern.properties.find((p) => p.property === name)!;
    expect(row('survivesDisconnect')).toMatchObject({ value: true, byTransport: { stdio: null, http: true }, checks: ['LC-EXT-01'] });
    expect(row('survivesRestart')).toMatchObject({ value: true, evidence: [{ id: 'H-EXT-08', status: 'INFO', value: true }] });
    expect(row('ttlHonoured')).toMatchObject({ value: null, byTransport: {}, checks: ['LC-EXT-04', 'H-EXT-10'], evidence: [] });
    expect(row('crossInstance')).toMatchObject({ value: null, byTransport: { http: null } });
    // The legacy era's values are its own: LC-06 said no, H-EXT-08 yes.
    expect(profiles[0]!.properties.find((p) => p.property === 'survivesRestart')!.value).toBe(false);
    expect(eraProfiles(RESULTS).map((p) => p.era)).toEqual(['2025-11-25']);
    expect(eraProfiles([result('EXT-GET-01', 'http', 'SUCCESS', undefined, '2026-07-28')])).toEqual([]);
  });

  it('report.json profile combines the eras (the --require gate); profiles, report.md and the terminal show each era', () => {
    const run: RunResult = {
      startedAt: '2025-11-25T00:00:00.000Z',
      finishedAt: '2025-11-25T00:00:01.000Z',
      durationMs: 1000,
      results: BOTH_ERAS,
      problems: [],
      selection: ['lifecycle', 'ext-lifecycle-profile'],
      targets: [{ label: 'http: x', transport: 'http' }],
      timeouts: { requestMs: 1, settleMs: 1, checkMs: 1, startMs: 1 },
    };
    const report = buildReport({ run, verdict: decide({ results: BOTH_ERAS }), declaredIds: BOTH_ERAS.map((r) => r.id) });
    expect(report.profile).toMatchObject({ survivesRestart: false, cancelStopsWork: false, repeatableResult: true });
    expect(report.profiles?.map((p) => p.era)).toEqual(['2025-11-25', '2026-07-28']);
    const md = renderMarkdown(report);
    const section = md.slice(md.indexOf('## Lifecycle profile'), md.indexOf('## All checks'));
    expect(section).toContain('### Protocol 2026-07-28 (scenario `ext-lifecycle-profile`)');
    expect(section).toMatch(/\| `survivesRestart` \| · not checked \| ✅ yes \| H-EXT-08@http \(INFO: yes\) \|/);
    expect(section).toMatch(/\| `ttlHonoured` \| · not checked \| · not checked \| no check ran \(LC-EXT-04, H-EXT-10\) \|/);
    const terminal = renderTerminal(report, { color: false });
    expect(terminal).toMatch(
      /Lifecycle profile\n {2}2025-11-25: yes .*\n {2}2026-07-28: yes survivesDisconnect, repeatableResult, survivesRestart · no cancelStopsWork · n\/a crossInstance\n/,
    );
    expect(decide({ results: BOTH_ERAS, require: ['survivesRestart'] }).unmet).toEqual([
      'required property survivesRestart does not hold (evidence: LC-06, H-EXT-08)',
    ]);
  });
});

describe('--require on the command line', () => {
  const cli = (args: string[]) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        [packagePath('dist', 'harness', 'cli', 'main.js'), ...args],
        { env: { ...process.env, GITHUB_STEP_SUMMARY: '' }, timeout: 60_000 },
        (err, _out, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stderr }),
      ),
    );

  it('rejects an unknown property and a selection without the lifecycle scenario (exit 2, one line)', async () => {
    const unknown = await cli(['--require', 'immortal']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toMatch(
      /^sep1686-check: --require: unknown property 'immortal' \(known: survivesDisconnect, crossSession, .*ttlHonoured, crossInstance, survivesInstanceLoss\)/,
    );
    const unselected = await cli(['--require', 'survivesRestart', '--scenario', 'cancel']);
    expect(unselected.code).toBe(2);
    expect(unselected.stderr.trim()).toMatch(/--require needs the lifecycle scenario/);
    const cluster = await cli(['--require', 'crossInstance', '--scenario', 'lifecycle']);
    expect(cluster.code).toBe(2);
    expect(cluster.stderr.trim()).toMatch(/--require needs the cluster scenario, which is not selected \(add --scenario cluster\)/);
  });
});
