// Runs scenarios against targets and collects one CheckResult per (scenario, transport, check id).
// Targets run at the same time, and a few scenarios per target (see schedule()); results and progress
// still come in scenario order. Isolation: each scenario gets its own sessions (closed at its end) and
// its checks' evidence holds only those; a scenario that throws, hangs or crashes the target is
// recorded and the others carry on, on fresh sessions.
// The runner never creates or disposes targets: the caller owns their lifetime (and kills them on Ctrl-C).
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { LEGACY_ERA, MODERN_ERA, type CheckResult, type Era } from '../checks.js';
import { declaresTasks, TASKS_EXTENSION } from '../modern/envelope.js';
import { PROTOCOL_VERSION } from '../protocol.js';
import type { ToolBinding } from '../fixtures.js';
import { TargetError, type Target } from '../transport/target.js';
import { errorText } from '../util/errors.js';
import { abortable, interruptedReason } from './abort.js';
import { probeEras, type EraProbe } from './eras.js';
import { baseResult, unrun } from './results.js';
import { noTaskEverCreated } from './root-cause-text.js';
import { checkKey, RootCauses } from './root-causes.js';
import { ScenarioRun, STDERR_LINES, type ScenarioOutcome } from './scenario-run.js';
import { InOrder, schedule, Turnstile } from './schedule.js';
import { selectScenarios } from './selection.js';
import { TargetHealth } from './target-health.js';
import { resolveTimeouts, type RunTimeouts } from './timeouts.js';
import type { ProgressEvent, RunOptions, RunResult } from './types.js';

// The types of runChecks' signature, for callers that need nothing else from run/.
export type { Finding, ProgressEvent, RunOptions, RunProblem, RunResult } from './types.js';
export type { RunTimeouts } from './timeouts.js';

export async function runChecks(options: RunOptions): Promise<RunResult> {
  const timeouts: RunTimeouts = resolveTimeouts(options.timeouts);
  const selected = selectScenarios(options.scenarios, options.selection);
  const started = Date.now();
  const emit = (e: ProgressEvent) => {
    try {
      options.onProgress?.(e);
    } catch {
      // A broken progress printer must not break the run.
    }
  };

  // One internal signal for Ctrl-C and the whole-run deadline.
  const stop = new AbortController();
  // Every running scenario and check listens on it (and removes its listener when done).
  setMaxListeners(0, stop.signal);
  let interrupted: RunResult['interrupted'];
  const onAbort = () => {
    interrupted ??= 'signal';
    stop.abort();
  };
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const runTimer =
    timeouts.runMs === undefined
      ? undefined
      : setTimeout(() => {
          interrupted ??= 'deadline';
          stop.abort();
        }, timeouts.runMs);

  let fatal: RunResult['fatal'];
  const causes = new RootCauses();
  const runId = randomBytes(3).toString('hex');
  let nonceCounter = 0;
  const nonce = (prefix = 'n') => `${prefix}-${runId}-${++nonceCounter}`;

  // Progress and results follow run order (target by target, scenario by scenario), not completion order.
  const perTarget = selected.length + 1;
  const progress = new InOrder(options.targets.length * perTarget, emit);
  const outcomes: ScenarioOutcome[][] = options.targets.map(() => []);
  const negotiated: Array<string | undefined> = options.targets.map(() => undefined);
  const toolsOf: Array<ToolBinding[] | undefined> = options.targets.map(() => undefined);
  const erasOf: Array<Era[] | undefined> = options.targets.map(() => undefined);
  const unrunAll = () =>
    options.targets.forEach(
      (target, t) => (outcomes[t] = selected.map((s) => ({ results: unrun(s, target, interruptedReason(interrupted)), problems: [] }))),
    );

  try {
    options.targets.forEach((target, t) => {
      progress.push(t * perTarget, { type: 'target-start', target: target.label, transport: target.transport, at: performance.now() });
      progress.end(t * perTarget);
    });
    // Every target starts before any scenario runs: one that cannot start is a usage-level failure.
    const probes = await Promise.allSettled(
      options.targets.map((target) =>
        abortable(probeEras(target, options.loadFixtures, options.protocol ?? 'auto', timeouts.settleMs), stop.signal),
      ),
    );
    // A URL nobody listens on is the target's state, not a usage error: its checks are SKIPPED behind one finding.
    const unreachable = probes.map((p, t) => (p.status === 'rejected' ? refusedUrl(options.targets[t]!, p.reason) : undefined));
    const failed = probes.findIndex((p, t) => p.status === 'rejected' && unreachable[t] === undefined);
    if (stop.signal.aborted) {
      unrunAll();
    } else if (failed >= 0) {
      const target = options.targets[failed]!;
      const err = (probes[failed] as PromiseRejectedResult).reason;
      fatal = { message: `${target.label}: ${errorText(err)}`, target: target.label, stderrTail: stderrOf(err, target) };
    } else {
      await Promise.all(
        options.targets.map(async (target, t) => {
          const down = unreachable[t];
          if (down !== undefined) {
            const { finding } = causes.register(`${target.label}|unreachable`, () => ({
              kind: 'target-unreachable',
              target: target.label,
              transport: target.transport,
              message: `the target is unreachable: ${down}; no check could run`,
            }));
            selected.forEach((scenario, index) => {
              outcomes[t]![index] = {
                results: scenario.checks.map((spec) => {
                  causes.affect(finding, checkKey(spec.id, target.transport));
                  const reason = `setup failed: target down (${down}); see finding ${finding.id}`;
                  const verdict = { status: 'SKIPPED', skip: { kind: 'setup-failed', reason } } as const;
                  return baseResult(spec, scenario.name, target.transport, verdict, 0, undefined, { finding: finding.id });
                }),
                problems: [],
              };
              progress.end(t * perTarget + 1 + index);
            });
            return;
          }
          const probe = (probes[t] as PromiseFulfilledResult<EraProbe>).value;
          erasOf[t] = probe.eras;
          negotiated[t] = probe.legacy?.protocolVersion;
          toolsOf[t] = (probe.legacy ?? probe.modern)?.fixtures.toolBindings();
          const protocolVersion = probe.legacy?.protocolVersion;
          if (probe.legacy && !probe.legacy.declaresTasks && protocolVersion === PROTOCOL_VERSION) {
            // One line for a server that has no tasks at all, instead of one skip reason per check (T25-CAP-01 fails).
            causes.register(`${target.label}|no-tasks`, () => ({
              kind: 'no-tasks',
              target: target.label,
              transport: target.transport,
              message: NO_TASKS,
            }));
          }
          // A 2026-07-28 server without the tasks extension: one finding; only the checks that decide it run.
          const noTasksExtension =
            probe.modern && selected.some((s) => s.era === MODERN_ERA) && !declaresTasks(probe.modern.discover.capabilities)
              ? causes.register(`${target.label}|no-tasks-extension`, () => ({
                  kind: 'no-tasks',
                  target: target.label,
                  transport: target.transport,
                  message: NO_TASKS_EXTENSION,
                })).finding
              : undefined;
          // T25-CLI-01: a server that answers another revision does not speak 2025-11-25 tasks; that suite does not apply.
          const legacySkip =
            probe.legacy && protocolVersion !== PROTOCOL_VERSION
              ? `the server negotiated protocol version "${protocolVersion}", not ${PROTOCOL_VERSION}: the 2025-11-25 task checks do not apply (T25-CLI-01)`
              : undefined;
          const health = new TargetHealth(target);
          const turnstile = new Turnstile();
          await schedule(selected, turnstile, async (index) => {
            const scenario = selected[index]!;
            const slot = t * perTarget + 1 + index;
            const era = scenario.era ?? LEGACY_ERA;
            // A suite of an era the target does not speak (or --protocol did not choose) is not part of its run.
            if (!probe.eras.includes(era) || (era === LEGACY_ERA && legacySkip)) {
              outcomes[t]![index] = {
                results:
                  era === LEGACY_ERA && legacySkip
                    ? scenario.checks.map((spec) =>
                        baseResult(
                          spec,
                          scenario.name,
                          target.transport,
                          {
                            status: 'SKIPPED',
                            skip: { kind: 'missing-capability', reason: legacySkip, enabledBy: [`protocolVersion ${PROTOCOL_VERSION}`] },
                          },
                          0,
                        ),
                      )
                    : [],
                problems: [],
              };
              progress.end(slot);
              return;
            }
            const fixtures = (era === MODERN_ERA ? probe.modern : probe.legacy)!.fixtures;
            if (stop.signal.aborted) {
              outcomes[t]![index] = { results: unrun(scenario, target, interruptedReason(interrupted)), problems: [] };
              progress.end(slot);
              return;
            }
            const emitHere = (e: ProgressEvent) => progress.push(slot, e);
            emitHere({
              type: 'scenario-start',
              scenario: scenario.name,
              target: target.label,
              transport: target.transport,
              index,
              total: selected.length,
            });
            const run = new ScenarioRun(scenario, target, fixtures, {
              wire: options.wire,
              timeouts,
              stop: stop.signal,
              interrupted: () => interrupted,
              emit: emitHere,
              nonce,
              health,
              turnstile,
              causes,
              eras: probe.eras,
              ...(era === MODERN_ERA && noTasksExtension ? { noTasksExtension } : {}),
            });
            const outcome = await run.execute();
            // A crashed HTTP server process must come back before the next scenario (stdio spawns per session).
            if (!stop.signal.aborted) {
              await health.ready((message) =>
                outcome.problems.push({
                  scenario: scenario.name,
                  transport: target.transport,
                  target: target.label,
                  message: `${message} after it exited`,
                }),
              );
            }
            outcomes[t]![index] = outcome;
            emitHere({
              type: 'scenario-end',
              scenario: scenario.name,
              target: target.label,
              transport: target.transport,
              results: outcome.results,
              error: outcome.error,
              at: performance.now(),
            });
            progress.end(slot);
          });
        }),
      );
    }
  } finally {
    clearTimeout(runTimer);
    options.signal?.removeEventListener('abort', onAbort);
  }

  const finished = Date.now();
  const ordered = outcomes.flat();
  for (const target of options.targets) {
    const mine = causes.connectionsOf(target.label);
    const entries = options.wire.entries().filter((e) => e.transport === target.transport && mine.has(e.connection));
    citeRenamed(
      ordered.flatMap((o) => o.results),
      causes.consolidate(target.label, noTaskEverCreated(entries)),
    );
  }
  return {
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    durationMs: finished - started,
    results: ordered.flatMap((o) => o.results),
    problems: ordered.flatMap((o) => o.problems),
    findings: causes.all(),
    fatal,
    interrupted,
    selection: selected.map((s) => s.name),
    targets: options.targets.map((t, i) => ({
      label: t.label,
      transport: t.transport,
      ...(negotiated[i] !== undefined ? { protocolVersion: negotiated[i] } : {}),
      ...(erasOf[i] ? { eras: erasOf[i] } : {}),
      ...(toolsOf[i] ? { tools: toolsOf[i] } : {}),
    })),
    timeouts,
  };
}

export const NO_TASKS = 'this server does not implement MCP tasks (no `tasks` capability declared)';
export const NO_TASKS_EXTENSION = `this server speaks ${MODERN_ERA} but does not offer the tasks extension (server/discover does not advertise ${TASKS_EXTENSION})`;

/** Points the checks that cite a finding at its id after consolidation. */
function citeRenamed(results: CheckResult[], ids: Map<string, string>): void {
  for (const r of results) {
    const old = r.details?.finding;
    const now = typeof old === 'string' ? ids.get(old) : undefined;
    if (!now || now === old) continue;
    r.details = { ...r.details, finding: now };
    if (r.skip) r.skip = { ...r.skip, reason: r.skip.reason.replace(`see finding ${String(old)}`, `see finding ${now}`) };
  }
}

/** The one-line reason when `err` says a target the harness does not start (a plain URL) refused the connection. */
function refusedUrl(target: Target, err: unknown): string | undefined {
  if (target.canRestart) return undefined;
  const text = errorText(err);
  const m = /cannot reach \S+ \(ECONNREFUSED\)[^\n]*/.exec(text);
  return m ? m[0] : undefined;
}

function stderrOf(err: unknown, target: Target): string | undefined {
  const tail = err instanceof TargetError && err.stderrTail ? err.stderrTail : target.stderrTail(STDERR_LINES);
  return tail || undefined;
}
