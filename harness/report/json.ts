// report.json: built from a run and its verdict, validated against the zod model before it is written.
import { packageInfo } from '../paths.js';
import { Era, type CheckResult } from '../checks.js';
import { PROTOCOL_VERSION } from '../protocol.js';
import type { RunResult } from '../run/runner.js';
import { isExpectedFailure, type BaselineEntry, type RunVerdict } from '../run/verdict.js';
import { Report, resultKey, summarize } from './model.js';
import { deriveProfile, eraProfiles } from '../profile.js';

export interface BuildReportInput {
  run: RunResult;
  verdict: RunVerdict;
  /** Check ids declared by the scenarios that ran (coverage denominator). */
  declaredIds: string[];
  baseline?: { file: string; entries: BaselineEntry[] };
  /** Overrides the verdict's exit code (130/143 after a signal). */
  exitCode?: number;
  profile?: Record<string, boolean | null>;
}

/** The eras whose checks ran (a check not selected did not run), in run order. */
function erasThatRan(results: CheckResult[]): Era[] {
  const ran = new Set(results.filter((r) => r.skip?.kind !== 'not-selected').map((r) => r.era));
  return Era.options.filter((era) => ran.has(era));
}

export function buildReport(input: BuildReportInput): Report {
  const { run, verdict } = input;
  const baseline = input.baseline?.entries ?? [];
  const expected = run.results.filter((r) => isExpectedFailure(r, baseline)).map(resultKey);
  // The lifecycle profile is derived from the lifecycle checks' results unless given.
  const profile = input.profile ?? deriveProfile(run.results);
  const eras = erasThatRan(run.results);
  const profiles = eraProfiles(run.results);
  const report: Report = {
    tool: packageInfo(),
    run: {
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      durationMs: run.durationMs,
      targets: run.targets,
      protocolVersions: eras,
      protocolVersion: eras[0] ?? PROTOCOL_VERSION,
      timeouts: run.timeouts,
      selection: run.selection,
      exitCode: input.exitCode ?? verdict.exitCode,
      incomplete: verdict.incomplete.length > 0 || run.interrupted !== undefined,
      ...(run.interrupted ? { interrupted: run.interrupted } : {}),
      ...(run.fatal ? { fatal: run.fatal } : {}),
      verdict: verdict.line,
      ...(input.baseline
        ? {
            baseline: {
              file: input.baseline.file,
              entries: input.baseline.entries.map((e) => e.raw),
              stale: verdict.stale.map((e) => e.raw),
            },
          }
        : {}),
    },
    summary: summarize(run.results, expected.length, verdict.stale.length, input.declaredIds),
    ...(run.findings?.length ? { findings: run.findings } : {}),
    checks: run.results,
    ...(expected.length ? { expectedFailures: expected } : {}),
    ...(run.problems.length ? { runProblems: run.problems } : {}),
    ...(profile ? { profile } : {}),
    ...(profiles.length ? { profiles } : {}),
  };
  return validateReport(report);
}

/** Parses with the zod model; a mismatch is a harness bug, reported with the offending path. */
export function validateReport(report: unknown): Report {
  const parsed = Report.safeParse(report);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`harness bug: report does not match its schema at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  return parsed.data;
}

export function renderJson(report: Report): string {
  return `${JSON.stringify(validateReport(report), null, 2)}\n`;
}
