// One complete run against TargetSpecs: create the targets, run the scenarios, dispose every target
// (killing what it spawned) whatever happens. Used by the CLI and by test/helpers/run.ts; the bench
// reuses its target lifecycle (createTargets / disposeTargets) and Connectivity.
import { loadFixtures, type FixtureMappingFile, type FixtureSource, type LoadedFixtures } from '../fixtures.js';
import type { Scenario } from '../scenario.js';
import { runChecks, type ProgressEvent, type RunResult } from '../run/runner.js';
import { resolveTimeouts, type RunTimeouts } from '../run/timeouts.js';
import type { ProtocolChoice } from '../run/eras.js';
import { specSecrets, type Target, type TargetOptions, type TargetSpec } from '../transport/target.js';
import { createTarget, targetLabel } from '../transport/targets.js';
import { resolveLimits, type IntakeLimits } from '../transport/limits.js';
import { newOwner, sweepOwner } from '../transport/proc.js';
import { WireLog } from '../transport/wire.js';
import { errorText } from '../util/errors.js';
import { redact } from '../util/redact.js';

export interface ExecuteOptions {
  specs: TargetSpec[];
  scenarios: Scenario[];
  selection?: string[];
  /** Request, settle, check, start-up and run limits (the defaults for whatever is not given). */
  timeouts?: Partial<RunTimeouts>;
  /** Caps on what servers may send (the defaults of transport/limits.ts for whatever is not given). */
  limits?: Partial<IntakeLimits>;
  /** --fixtures mapping (role -> tool), already loaded and validated by the caller. */
  fixtures?: FixtureMappingFile;
  wire?: WireLog;
  onProgress?: (e: ProgressEvent) => void;
  signal?: AbortSignal;
  /** --protocol: which eras' suites run (default auto). */
  protocol?: ProtocolChoice;
  /** Called with the live targets right after creation (the CLI keeps them to kill on a second Ctrl-C). */
  onTargets?: (targets: Target[]) => void;
}

/** How a command reaches servers (tests substitute fakes). */
export interface Connectivity {
  createTarget(options: TargetOptions): Target;
  loadFixtures(session: FixtureSource, target: Target, mapping?: FixtureMappingFile): Promise<LoadedFixtures>;
}

export const realConnectivity: Connectivity = {
  createTarget,
  loadFixtures: (session, target, mapping) =>
    loadFixtures(session, mapping, { principals: target.principals, canRestart: target.canRestart }),
};

/** One target per spec; when one cannot be created, those already created are disposed and the error is rethrown. */
export async function createTargets(
  specs: TargetSpec[],
  options: { wire: WireLog; timeouts: RunTimeouts; limits?: IntakeLimits; owner?: string; lean?: boolean },
  io: Connectivity = realConnectivity,
): Promise<Target[]> {
  const targets: Target[] = [];
  try {
    for (const spec of specs) {
      targets.push(
        io.createTarget({
          spec,
          wire: options.wire,
          requestTimeoutMs: options.timeouts.requestMs,
          startTimeoutMs: options.timeouts.startMs,
          // The bench measures trusted servers at scale (thousands of status notifications per session): no count cap there.
          limits: options.limits ?? resolveLimits({ maxServerMessages: Number.MAX_SAFE_INTEGER }),
          owner: options.owner,
          lean: options.lean,
        }),
      );
    }
  } catch (err) {
    await disposeTargets(targets);
    throw err;
  }
  return targets;
}

/** Disposes every target (closing its sessions and killing what it spawned); never rejects. */
export async function disposeTargets(targets: Target[]): Promise<void> {
  await Promise.all(targets.map((t) => t.dispose().catch(() => undefined)));
}

export async function execute(options: ExecuteOptions, io: Connectivity = realConnectivity): Promise<{ run: RunResult; wire: WireLog }> {
  const wire = options.wire ?? new WireLog();
  const timeouts = resolveTimeouts(options.timeouts);
  const limits = resolveLimits(options.limits);
  // One marker for every process of this run: the final sweep kills (and reports) whatever still carries it.
  const owner = newOwner();
  let targets: Target[];
  try {
    targets = await createTargets(options.specs, { wire, timeouts, limits, owner }, io);
  } catch (err) {
    const now = new Date().toISOString();
    const run: RunResult = {
      startedAt: now,
      finishedAt: now,
      durationMs: 0,
      results: [],
      problems: [],
      fatal: { message: errorText(err), target: options.specs.map(targetLabel).join(', ') },
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
      loadFixtures: (session, target) => io.loadFixtures(session, target, options.fixtures),
      wire,
      timeouts,
      onProgress: options.onProgress,
      signal: options.signal,
      protocol: options.protocol,
    });
    await disposeTargets(targets);
    run.problems.push(...survivorProblems(sweepOwner(owner), targets));
    return { run: redactRun(run, options.specs), wire };
  } finally {
    await disposeTargets(targets);
    sweepOwner(owner);
  }
}

/** Processes that outlived their target's stop (found by the final sweep and killed there) are a run problem. */
function survivorProblems(survivors: string[], targets: Target[]): RunResult['problems'] {
  if (!survivors.length) return [];
  const target = targets.map((t) => t.label).join(', ');
  const message = `${survivors.length} process(es) outlived the server and were killed by the final sweep: ${survivors.slice(0, 5).join('; ')}`;
  return [{ transport: targets[0]?.transport ?? 'stdio', target, message }];
}

/** Bearer tokens must not end up in reports (labels of http-command targets carry their arguments). */
function redactRun(run: RunResult, specs: TargetSpec[]): RunResult {
  const secrets = specs.flatMap(specSecrets);
  if (!secrets.length) return run;
  const hide = (text: string) => redact(text, secrets);
  return {
    ...run,
    targets: run.targets.map((t) => ({ ...t, label: hide(t.label) })),
    problems: run.problems.map((p) => ({ ...p, target: hide(p.target), message: hide(p.message) })),
    ...(run.fatal ? { fatal: { ...run.fatal, target: hide(run.fatal.target), message: hide(run.fatal.message) } } : {}),
  };
}
