// The report model: report.json is exactly this zod schema (schema/report.schema.json is generated
// from it). Every reporter (terminal, markdown, junit) reads only a Report.
import { z } from 'zod';
import { BenchReport } from './bench-model.js';
import { CheckResult, CheckStatus, Era, ProfileProperty, TransportName } from '../checks.js';
import { ToolBinding } from '../fixtures.js';

export const REPORT_SCHEMA_ID = 'https://github.com/sep1686-check/sep1686-check/schema/report.schema.json';

export const RunProblem = z.object({
  scenario: z.string().optional(),
  transport: TransportName,
  target: z.string(),
  message: z.string(),
  stderrTail: z.string().optional(),
});

/** One property of an era's lifecycle profile (harness/profile.ts): its value, per transport, and the results that gave it. */
export const ProfileRow = z.object({
  property: ProfileProperty,
  label: z.string(),
  /** true: the promise holds; false: it does not; null: not applicable here, or the checks could not tell. */
  value: z.boolean().nullable(),
  byTransport: z.object({ stdio: z.boolean().nullable().optional(), http: z.boolean().nullable().optional() }),
  /** The checks of this era that observe the property (whether or not they ran). */
  checks: z.array(z.string()),
  /** The results that carried an observation of the property. */
  evidence: z.array(z.object({ id: z.string(), transport: TransportName.nullable(), value: z.boolean().nullable(), status: CheckStatus })),
});
export type ProfileRow = z.infer<typeof ProfileRow>;

/** The lifecycle profile of one protocol era the run checked. */
export const EraProfile = z.object({ era: Era, scenario: z.string(), properties: z.array(ProfileRow) });
export type EraProfile = z.infer<typeof EraProfile>;

/** A root cause beneath the checks, named once; the checks it took down are SKIPPED `setup-failed` and name its id. */
export const Finding = z.object({
  id: z.string(),
  kind: z.enum([
    'target-exit',
    'target-unreachable',
    'no-tasks',
    'tasks-not-forwarded',
    'task-not-created',
    'creation-quota',
    'creation-refused',
    'creation-unanswered',
  ]),
  target: z.string(),
  transport: TransportName,
  message: z.string(),
  /** `<id>@<transport>` of the checks this cause took down. */
  checks: z.array(z.string()),
  stderrTail: z.string().optional(),
});
export type Finding = z.infer<typeof Finding>;

/** The one-line text of a finding, as the terminal and report.md print it. */
export function findingLine(f: Finding): string {
  const n = f.checks.length;
  return `${f.id} [${f.transport}] ${f.message}${n ? ` (${n} check${n === 1 ? '' : 's'} skipped because of it)` : ''}`;
}

export const Report = z
  .object({
    tool: z.object({ name: z.string(), version: z.string() }),
    run: z.object({
      startedAt: z.string(),
      finishedAt: z.string(),
      durationMs: z.number(),
      targets: z.array(
        z.object({
          label: z.string(),
          transport: TransportName,
          protocolVersion: z.string().optional(),
          /** The protocol eras found on the target and checked (absent when it never answered). */
          eras: z.array(Era).optional(),
          /** The tools the server lists and the fixture role each got (absent when they were never listed). */
          tools: z.array(ToolBinding).optional(),
        }),
      ),
      /**
       * The protocol eras whose checks ran, in run order (a dual-era server checked with --protocol auto:
       * both). Absent in a bench report: no check ran.
       */
      protocolVersions: z.array(Era).optional(),
      /**
       * The first of protocolVersions (2025-11-25 whenever its suite ran; 2025-11-25 too when nothing ran),
       * kept for readers of the single-era report. Per target: targets[].eras.
       */
      protocolVersion: z.string(),
      /** The check run's time limits (absent in a bench report: no check ran). */
      timeouts: z
        .object({
          requestMs: z.number(),
          settleMs: z.number(),
          checkMs: z.number(),
          startMs: z.number().optional(),
          runMs: z.number().optional(),
        })
        .optional(),
      /** Scenario names that ran (in order; absent in a bench report). */
      selection: z.array(z.string()).optional(),
      exitCode: z.number().int(),
      /** Some MUST check could not run (missing fixture or capability, aborted). */
      incomplete: z.boolean(),
      /** The run was stopped early (Ctrl-C or the run deadline). */
      interrupted: z.enum(['signal', 'deadline']).optional(),
      /** The target could not be started or initialized (exit 2). */
      fatal: z.object({ message: z.string(), target: z.string(), stderrTail: z.string().optional() }).optional(),
      verdict: z.string(),
      baseline: z
        .object({
          file: z.string(),
          entries: z.array(z.string()),
          /** Entries whose checks ran without failing: remove them from the file. */
          stale: z.array(z.string()),
        })
        .optional(),
    }),
    summary: z.object({
      total: z.number().int(),
      SUCCESS: z.number().int(),
      FAILURE: z.number().int(),
      WARNING: z.number().int(),
      SKIPPED: z.number().int(),
      INFO: z.number().int(),
      /** FAILURE results the baseline expects (they do not fail the run). */
      expectedFailures: z.number().int(),
      stale: z.number().int(),
      coverage: z.object({
        /** Distinct check ids declared by the scenarios that ran. */
        checklistRows: z.number().int(),
        /** Distinct ids with at least one result that is not SKIPPED. */
        checked: z.number().int(),
        /** Distinct ids that never ran for a reason other than not-applicable. */
        couldNotRun: z.number().int(),
        /** Fixtures that would enable the checks that could not run. */
        enabledBy: z.array(z.string()),
      }),
    }),
    /** Root causes (target died or unreachable, task creation refused, no tasks at all), each once, before the checks they explain. */
    findings: z.array(Finding).optional(),
    checks: z.array(CheckResult),
    /** Ids (as `<id>@<transport>`) of FAILURE results the baseline expects. */
    expectedFailures: z.array(z.string()).optional(),
    /** Things that went wrong outside single verdicts (scenario errors, crashes, hangs; bench measurements that failed). Not failed checks: those are `checks` with status FAILURE. */
    runProblems: z.array(RunProblem).optional(),
    bench: BenchReport.optional(),
    /**
     * Lifecycle profile (what the server does beyond the spec's MUSTs), every era combined: a property is
     * false when any era's checks said no, true when some said yes, else null. The `--require` gate reads it.
     */
    profile: z.record(z.string(), z.boolean().nullable()).optional(),
    /** The lifecycle profile of each era the run checked, each property with its evidence. */
    profiles: z.array(EraProfile).optional(),
  })
  .meta({ title: 'sep1686-check report', description: 'report.json written by sep1686-check' });
export type Report = z.infer<typeof Report>;
export type RunProblem = z.infer<typeof RunProblem>;

export const STATUSES: CheckStatus[] = ['SUCCESS', 'FAILURE', 'WARNING', 'SKIPPED', 'INFO'];

/** The one-line message of a result: the problem, the skip reason, or the observation. */
export function resultMessage(r: CheckResult): string {
  if (r.errorMessage) return r.errorMessage;
  if (r.skip) return r.skip.reason;
  const m = r.details?.message;
  return typeof m === 'string' ? m : '';
}

export const resultKey = (r: Pick<CheckResult, 'id' | 'transport'>) => (r.transport ? `${r.id}@${r.transport}` : r.id);

export function summarize(checks: CheckResult[], expectedFailures: number, stale: number, declaredIds: string[]): Report['summary'] {
  const counts = { SUCCESS: 0, FAILURE: 0, WARNING: 0, SKIPPED: 0, INFO: 0 };
  for (const r of checks) counts[r.status]++;
  const byId = new Map<string, CheckResult[]>();
  for (const r of checks) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
  const ids = new Set([...declaredIds, ...byId.keys()]);
  let checked = 0;
  let couldNotRun = 0;
  const enabledBy = new Set<string>();
  for (const id of ids) {
    const rs = byId.get(id) ?? [];
    if (rs.some((r) => r.status !== 'SKIPPED')) checked++;
    else if (rs.some((r) => r.skip?.kind !== 'not-applicable')) {
      couldNotRun++;
      for (const r of rs) for (const e of r.skip?.enabledBy ?? []) enabledBy.add(e);
    }
  }
  return {
    total: checks.length,
    ...counts,
    expectedFailures,
    stale,
    coverage: { checklistRows: ids.size, checked, couldNotRun, enabledBy: [...enabledBy].sort() },
  };
}

/** JSON Schema of report.json (draft 2020-12), as shipped in schema/report.schema.json. */
export function reportJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(Report, { target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown>;
  return { $id: REPORT_SCHEMA_ID, ...schema };
}
