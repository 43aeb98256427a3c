// The lifecycle profile: derived from check results alone (their `profile`), rendered in report.md,
// written to report.json, and usable as a CI gate with --require.
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../harness/checks.js';
import { packagePath } from '../../harness/paths.js';
import { deriveProfile, profileRows, property, unmetRequirements } from '../../harness/profile.js';
import { buildReport } from '../../harness/report/json.js';
import { renderMarkdown } from '../../harness/report/markdown.js';
import type { RunResult } from '../../harness/run/runner.js';
import { decide } from '../../harness/run/verdict.js';

function result(id: string, transport: 'stdio' | 'http', status: CheckResult['status'], profile?: CheckResult['profile']): CheckResult {
  return {
    id,
    name: id,
    description: id,
    status,
    level: 'SHOULD',
    specReferences: [],
    scenario: 'lifecycle',
    era: '2025-11-25',
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
      'required property survivesRestart does not hold (evidence: LC-06)',
      'required property ttlHonoured could not be established (not applicable or not observed) (evidence: LC-08)',
    ]);
    expect(v.line).toMatch(/^FAIL: required property survivesRestart does not hold/);
    expect(decide({ results: [result('T25-CAN-04', 'http', 'SUCCESS')], require: ['survivesRestart'] }).unmet).toEqual([
      'required property survivesRestart was not checked (run the lifecycle scenario) (evidence: LC-06)',
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
    expect(section).toContain('| Promise | Property | stdio | http | Evidence |');
    expect(section).toMatch(
      /\| `survivesDisconnect` \| ➖ not applicable \| ❌ no \| LC-01@http \(SUCCESS: yes\), LC-04@http \(WARNING: no\) \|/,
    );
    expect(section).toMatch(/\| `cancelStopsWork` \| (➖ not applicable|✅ yes) \| ✅ yes \|/);
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
