// One complete run against TargetSpecs: create the targets, run the scenarios, dispose every target
// (killing what it spawned) whatever happens. Used by the CLI and by test/helpers/run.ts.
import { loadFixtures, type FixtureMappingFile } from '../fixtures.js';
import type { Fixtures, Scenario, Session } from '../scenario.js';
import type { Target, TargetOptions, TargetSpec } from '../transport/target.js';
import { createTarget } from '../transport/targets.js';
import { errorText, runChecks, type ProgressEvent, type RunResult, type RunTimeouts, DEFAULT_TIMEOUTS } from '../run/runner.js';
import { WireLog } from '../transport/wire.js';

export interface ExecuteOptions {
  specs: TargetSpec[];
  scenarios: Scenario[];
  selection?: string[];
  timeouts?: Partial<RunTimeouts>;
  /** --fixtures mapping (role -> tool), already loaded and validated by the caller. */
  fixtures?: FixtureMappingFile;
  /** Spawn + initialize bound for a target. */
  startTimeoutMs?: number;
  wire?: WireLog;
  onProgress?: (e: ProgressEvent) => void;
  signal?: AbortSignal;
  /** Called with the live targets right after creation (the CLI keeps them to kill on a second Ctrl-C). */
  onTargets?: (targets: Target[]) => void;
}

export interface Connectivity {
  createTarget(options: TargetOptions): Target;
  loadFixtures(session: Session, target: Target, mapping?: FixtureMappingFile): Promise<Fixtures>;
}

const realConnectivity: Connectivity = {
  createTarget,
  loadFixtures: (session, target, mapping) =>
    loadFixtures(session, mapping, { principals: target.principals, canRestart: target.canRestart }),
};

export async function execute(options: ExecuteOptions, io?: Connectivity): Promise<{ run: RunResult; wire: WireLog }> {
  const wire = options.wire ?? new WireLog();
  const timeouts: RunTimeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const c = io ?? realConnectivity;
  const targets: Target[] = [];
  try {
    for (const spec of options.specs) {
      targets.push(c.createTarget({ spec, wire, requestTimeoutMs: timeouts.requestMs, startTimeoutMs: options.startTimeoutMs ?? 30_000 }));
    }
  } catch (err) {
    await Promise.all(targets.map((t) => t.dispose().catch(() => undefined)));
    const now = new Date().toISOString();
    const run: RunResult = {
      startedAt: now,
      finishedAt: now,
      durationMs: 0,
      results: [],
      problems: [],
      fatal: { message: errorText(err), target: options.specs.map(describeSpec).join(', ') },
      selection: options.selection ?? [],
      targets: [],
      timeouts,
    };
    return { run: redactRun(run, options.specs), wire };
  }
  options.onTargets?.(targets);
  try {
    const run = await runChecks({
      scenarios: options.scenarios,
      selection: options.selection,
      targets,
      loadFixtures: (session, target) => c.loadFixtures(session, target, options.fixtures),
      wire,
      timeouts,
      onProgress: options.onProgress,
      signal: options.signal,
    });
    return { run: redactRun(run, options.specs), wire };
  } finally {
    await Promise.all(targets.map((t) => t.dispose().catch(() => undefined)));
  }
}

export function describeSpec(spec: TargetSpec): string {
  switch (spec.kind) {
    case 'stdio':
      return `stdio: ${[spec.command, ...spec.args].join(' ')}`;
    case 'http':
      return `http: ${spec.url}`;
    case 'http-command':
      return `http: ${[spec.command, ...spec.args].join(' ')}`;
  }
}

/** Bearer tokens must not end up in reports (labels of http-command targets carry their arguments). */
function redactRun(run: RunResult, specs: TargetSpec[]): RunResult {
  const secrets = specs.flatMap((s) => (s.kind === 'stdio' ? [] : (s.tokens ?? []))).filter((t) => t.length >= 4);
  if (!secrets.length) return run;
  const hide = (text: string) => secrets.reduce((acc, t) => acc.split(t).join('***'), text);
  return {
    ...run,
    targets: run.targets.map((t) => ({ ...t, label: hide(t.label) })),
    problems: run.problems.map((p) => ({ ...p, target: hide(p.target), message: hide(p.message) })),
    ...(run.fatal ? { fatal: { ...run.fatal, target: hide(run.fatal.target), message: hide(run.fatal.message) } } : {}),
  };
}
