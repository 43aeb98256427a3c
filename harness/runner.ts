// Runs scenarios against targets and collects one CheckResult per (scenario, transport, check id).
// Targets run at the same time, and a few scenarios per target (see schedule()); results and progress
// still come in scenario order. Isolation: each scenario gets its own sessions (closed at its end) and
// its checks' evidence holds only those; a scenario that throws, hangs or crashes the target is
// recorded and the others carry on, on fresh sessions.
// The runner never creates or disposes targets: the caller owns their lifetime (and kills them on Ctrl-C).
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import {
  specReference,
  worst,
  type CheckResult,
  type CheckSpec,
  type FixtureRole,
  type TransportName,
  type Verdict,
  type WireEntry,
} from './checks.js';
import { PROTOCOL_VERSION } from './protocol.js';
import type { CheckContext, ConnectOptions, Fixtures, Scenario, ScenarioContext, Session } from './scenario.js';
import type { ExitInfo, Target } from './target.js';
import { TargetError } from './target.js';
import { UsageError } from './usage-error.js';
import type { WireLog } from './wire.js';

export interface RunTimeouts {
  /** Per request (informs scenarios; sessions get it from their target). */
  requestMs: number;
  /** T_SETTLE: how long polling waits for a state to be reached. */
  settleMs: number;
  /** A check block (and a scenario between checks) may take at most this long. */
  checkMs: number;
  /** The whole run; undefined = no limit. */
  runMs?: number;
}

export const DEFAULT_TIMEOUTS: RunTimeouts = { requestMs: 10_000, settleMs: 10_000, checkMs: 60_000 };

export type ProgressEvent =
  | { type: 'target-start'; target: string; transport: TransportName }
  | { type: 'scenario-start'; scenario: string; target: string; transport: TransportName; index: number; total: number }
  | { type: 'scenario-end'; scenario: string; target: string; transport: TransportName; results: CheckResult[]; error?: string }
  | { type: 'check'; result: CheckResult }
  | { type: 'log'; scenario: string; transport: TransportName; message: string };

/** Something that went wrong outside a single check's verdict (scenario error, crash, hang). */
export interface RunProblem {
  scenario?: string;
  transport: TransportName;
  target: string;
  message: string;
  stderrTail?: string;
}

export interface RunOptions {
  /** Every known scenario, in run order (selection picks from these). */
  scenarios: Scenario[];
  /** Scenario names to run; empty or undefined = all. Unknown names throw UsageError. */
  selection?: string[];
  targets: Target[];
  /** Resolves fixture roles on a fresh session of the target (called once per target). */
  loadFixtures: (session: Session, target: Target) => Promise<Fixtures>;
  wire: WireLog;
  timeouts?: Partial<RunTimeouts>;
  onProgress?: (event: ProgressEvent) => void;
  /** Abort (Ctrl-C): stop at once and return what was recorded; unrun checks are SKIPPED(aborted). */
  signal?: AbortSignal;
}

export interface RunResult {
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  results: CheckResult[];
  problems: RunProblem[];
  /** The target could not be started or initialized: a usage-level failure (exit 2). */
  fatal?: { message: string; target: string; stderrTail?: string };
  interrupted?: 'signal' | 'deadline';
  selection: string[];
  /** protocolVersion: what the server answered to initialize (absent when it never answered). */
  targets: Array<{ label: string; transport: TransportName; protocolVersion?: string }>;
  timeouts: RunTimeouts;
}

/** Human names of the fixtures that enable a role, for "could not run" messages. */
export const FIXTURE_HINTS: Record<FixtureRole, string> = {
  'F-SYNC': 'F-SYNC (tool greet)',
  'F-ECHO': 'F-ECHO (tool slow_compute)',
  'F-REQ': 'F-REQ (tool failing_job)',
  'F-TOOLERR': 'F-TOOLERR (tool failing_job)',
  'F-RPCERR': 'F-RPCERR (tool protocol_error_job)',
  'F-ELICIT': 'F-ELICIT (tool confirm_delete)',
  'F-MULTI': 'F-MULTI (tool multi_input)',
  'F-GATE': 'F-GATE (tool gated_job)',
  'F-GATE-RELEASE': 'F-GATE-RELEASE (tool release_gate)',
  'F-GATE-STATE': 'F-GATE-STATE (tool gate_state)',
  'F-PROGRESS': 'F-PROGRESS (tool progress_job)',
  'F-BIG': 'F-BIG (tool big_result)',
  'F-RES': 'F-RES (any resource or prompt)',
  'S-AUTH': 'S-AUTH (HTTP target with two --auth-token principals)',
  'S-RESTART': 'S-RESTART (a server the harness starts: stdio command or --http-command)',
  'S-NOTASK': 'S-NOTASK (the same server started without the tasks capability)',
};

/** Picks scenarios by name, in run order. */
export function selectScenarios(all: Scenario[], names: string[] | undefined): Scenario[] {
  if (!names || names.length === 0) return all;
  const known = new Set(all.map((s) => s.name));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length) {
    throw new UsageError(
      `unknown scenario ${unknown.map((n) => `'${n}'`).join(', ')} (see --list; known: ${all.map((s) => s.name).join(', ')})`,
    );
  }
  return all.filter((s) => names.includes(s.name));
}

/** Every declared check of the given scenarios, with its scenario (for --list, baselines, coverage). */
export function listChecks(scenarios: Scenario[]): Array<{ scenario: string; spec: CheckSpec }> {
  return scenarios.flatMap((s) => s.checks.map((spec) => ({ scenario: s.name, spec })));
}

class Interrupted extends Error {
  constructor(readonly reason: 'signal' | 'deadline') {
    super(reason === 'signal' ? 'run interrupted' : 'run deadline reached');
  }
}

/** Thrown into a scenario to stop it (check deadline, scenario finished); recorded as its abort reason. */
class ScenarioAbort extends Error {}

/**
 * Scenarios of one target run this many at a time (both targets run at once). A scenario spends most
 * of its time waiting (negative-observation windows, TTL sleeps, polling), not computing.
 */
export const SCENARIO_CONCURRENCY = 4;

export async function runChecks(options: RunOptions): Promise<RunResult> {
  const timeouts: RunTimeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
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
  const runId = randomBytes(3).toString('hex');
  let nonceCounter = 0;
  const nonce = (prefix = 'n') => `${prefix}-${runId}-${++nonceCounter}`;

  // Progress and results follow run order (target by target, scenario by scenario), not completion order.
  const perTarget = selected.length + 1;
  const progress = new InOrder(options.targets.length * perTarget, emit);
  const outcomes: ScenarioOutcome[][] = options.targets.map(() => []);
  const negotiated: Array<string | undefined> = options.targets.map(() => undefined);
  const unrunAll = () =>
    options.targets.forEach(
      (target, t) => (outcomes[t] = selected.map((s) => ({ results: unrun(s, target, interruptedReason(interrupted)), problems: [] }))),
    );

  try {
    options.targets.forEach((target, t) => {
      progress.push(t * perTarget, { type: 'target-start', target: target.label, transport: target.transport });
      progress.end(t * perTarget);
    });
    // Every target starts before any scenario runs: one that cannot start is a usage-level failure.
    const probes = await Promise.allSettled(
      options.targets.map((target) => abortable(probeFixtures(target, options.loadFixtures), stop.signal)),
    );
    const failed = probes.findIndex((p) => p.status === 'rejected');
    if (stop.signal.aborted) {
      unrunAll();
    } else if (failed >= 0) {
      const target = options.targets[failed]!;
      const err = (probes[failed] as PromiseRejectedResult).reason;
      fatal = { message: `${target.label}: ${errorText(err)}`, target: target.label, stderrTail: stderrOf(err, target) };
    } else {
      await Promise.all(
        options.targets.map(async (target, t) => {
          const { fixtures, protocolVersion } = (probes[t] as PromiseFulfilledResult<Probe>).value;
          negotiated[t] = protocolVersion;
          if (protocolVersion !== PROTOCOL_VERSION) {
            // T25-CLI-01: a server that answers another revision does not speak 2025-11-25 tasks; the suite does not apply.
            const reason = `the server negotiated protocol version "${protocolVersion}", not ${PROTOCOL_VERSION}: the 2025-11-25 task checks do not apply (T25-CLI-01)`;
            selected.forEach((scenario, index) => {
              outcomes[t]![index] = {
                results: scenario.checks.map((spec) =>
                  baseResult(
                    spec,
                    scenario.name,
                    target.transport,
                    { status: 'SKIPPED', skip: { kind: 'missing-capability', reason, enabledBy: [`protocolVersion ${PROTOCOL_VERSION}`] } },
                    0,
                  ),
                ),
                problems: [],
              };
              progress.end(t * perTarget + 1 + index);
            });
            return;
          }
          const health = new TargetHealth(target);
          const turnstile = new Turnstile();
          await schedule(selected, turnstile, async (index) => {
            const scenario = selected[index]!;
            const slot = t * perTarget + 1 + index;
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
  return {
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    durationMs: finished - started,
    results: ordered.flatMap((o) => o.results),
    problems: ordered.flatMap((o) => o.problems),
    fatal,
    interrupted,
    selection: selected.map((s) => s.name),
    targets: options.targets.map((t, i) => ({
      label: t.label,
      transport: t.transport,
      ...(negotiated[i] !== undefined ? { protocolVersion: negotiated[i] } : {}),
    })),
    timeouts,
  };
}

/**
 * Runs every scenario once, up to SCENARIO_CONCURRENCY at a time: the 'first' ones, then the others in
 * list order, then the 'last' ones once all others have finished. None starts while a scenario waits
 * to have the target to itself (see Turnstile). `run` must not reject.
 */
async function schedule(scenarios: Scenario[], turnstile: Turnstile, run: (index: number) => Promise<void>): Promise<void> {
  const running = new Set<Promise<void>>();
  const settle = async (atMost: number) => {
    while (running.size > atMost) await Promise.race(running);
  };
  const phase = (pick: (s: Scenario) => boolean) => scenarios.flatMap((s, i) => (pick(s) ? [i] : []));
  const phases = [[...phase((s) => s.runs === 'first'), ...phase((s) => s.runs === undefined)], phase((s) => s.runs === 'last')];
  for (const indexes of phases) {
    for (const index of indexes) {
      await settle(SCENARIO_CONCURRENCY - 1);
      await turnstile.enter();
      const p: Promise<void> = run(index).finally(() => {
        running.delete(p);
        turnstile.leave();
      });
      running.add(p);
    }
    await settle(0);
  }
}

/**
 * A target's scenarios run side by side, except around a restart, which kills every session: the
 * scenario that restarts waits until every other running scenario of the target has finished (or waits
 * to restart too), and no scenario starts in the meantime.
 */
class Turnstile {
  private running = 0;
  /** Scenarios inside alone(), waiting or restarting: nobody starts while there are any. */
  private wanting = 0;
  /** Scenarios inside alone() still waiting for the target to themselves. */
  private waiting = 0;
  /** One alone() at a time. */
  private turn: Promise<void> = Promise.resolve();
  private wakers: Array<() => void> = [];

  /** Counts one more running scenario once none waits to be alone. */
  async enter(): Promise<void> {
    while (this.wanting > 0) await this.changed();
    this.running++;
  }

  leave(): void {
    this.running--;
    this.wake();
  }

  /** Runs `fn` once every other running scenario has finished or waits in alone() itself. */
  async alone<T>(fn: () => Promise<T>, signal: AbortSignal, errorOf: () => Error): Promise<T> {
    this.wanting++;
    this.waiting++;
    let waiting = true;
    const previous = this.turn;
    let release!: () => void;
    this.turn = new Promise((resolve) => (release = resolve));
    try {
      await abortable(previous, signal, errorOf);
      while (this.running > this.waiting) await abortable(this.changed(), signal, errorOf);
      this.waiting--;
      waiting = false;
      return await fn();
    } finally {
      if (waiting) this.waiting--;
      this.wanting--;
      // Whoever is next must also wait for our predecessor when we gave up early.
      void previous.then(release);
      this.wake();
    }
  }

  private changed(): Promise<void> {
    return new Promise((resolve) => this.wakers.push(resolve));
  }

  private wake(): void {
    const wakers = this.wakers;
    this.wakers = [];
    for (const w of wakers) w();
  }
}

/**
 * Replays progress events in slot order: a slot's events are held until every earlier slot has ended,
 * so concurrent scenarios print exactly what a one-at-a-time run would print.
 */
class InOrder {
  private readonly held: ProgressEvent[][];
  private readonly ended: boolean[];
  private head = 0;

  constructor(
    private readonly slots: number,
    private readonly emit: (e: ProgressEvent) => void,
  ) {
    this.held = Array.from({ length: slots }, () => []);
    this.ended = Array.from({ length: slots }, () => false);
  }

  push(slot: number, e: ProgressEvent): void {
    if (slot === this.head) this.emit(e);
    else this.held[slot]!.push(e);
  }

  end(slot: number): void {
    this.ended[slot] = true;
    while (this.head < this.slots && this.ended[this.head]) {
      this.head++;
      for (const e of this.held[this.head] ?? []) this.emit(e);
      if (this.head < this.slots) this.held[this.head] = [];
    }
  }
}

/** HTTP: one server process serves every session. stdio: every session is a process of its own. */
function sharesOneServer(target: Target): boolean {
  return target.transport === 'http';
}

/**
 * Exits and restarts of one target, shared by its concurrent scenarios: a crashed HTTP server process
 * is restarted once, not once per scenario that noticed, and checks wait until it is back.
 */
class TargetHealth {
  /** The exit the target was last restarted from (the target itself forgets an exit once restarted). */
  private recovered?: ExitInfo;
  private recovering: Promise<void> = Promise.resolve();

  constructor(private readonly target: Target) {}

  /** True when a crash is repaired by restarting the one server process (stdio spawns per session). */
  get restarts(): boolean {
    return this.target.canRestart && sharesOneServer(this.target);
  }

  /** The latest unexpected exit (see Target.exitInfo), also when a restart has since brought the server back. */
  exit(connections?: ReadonlySet<string>): ExitInfo | undefined {
    return this.target.exitInfo(connections) ?? this.recovered;
  }

  /** Restarts after `exit` unless that was already done; every caller waits for the same restart. */
  recover(exit: ExitInfo, onError: (message: string) => void): Promise<void> {
    if (exit !== this.recovered) {
      this.recovered = exit;
      this.recovering = this.target.restart().catch((err) => onError(`could not restart the target: ${errorText(err)}`));
    }
    return this.recovering;
  }

  /** Brings back an HTTP server process that exited, or waits for a restart in progress. */
  async ready(onError: (message: string) => void): Promise<void> {
    const exit = this.target.exitInfo();
    if (exit && this.restarts) await this.recover(exit, onError);
    await this.recovering;
  }
}

interface Probe {
  fixtures: Fixtures;
  protocolVersion: string;
}

async function probeFixtures(target: Target, load: RunOptions['loadFixtures']): Promise<Probe> {
  const session = await target.connect();
  try {
    return { fixtures: await load(session, target), protocolVersion: session.protocolVersion };
  } finally {
    await session.close().catch(() => undefined);
  }
}

function interruptedReason(kind: RunResult['interrupted']): string {
  return kind === 'deadline' ? 'the run deadline was reached before this check ran' : 'the run was interrupted before this check ran';
}

/** Results for a scenario that never started: every declared check SKIPPED(aborted). */
function unrun(scenario: Scenario, target: Target, reason: string): CheckResult[] {
  return scenario.checks.map((spec) =>
    baseResult(spec, scenario.name, target.transport, { status: 'SKIPPED', skip: { kind: 'aborted', reason } }, 0),
  );
}

interface RunShared {
  wire: WireLog;
  timeouts: RunTimeouts;
  stop: AbortSignal;
  interrupted: () => RunResult['interrupted'];
  emit: (e: ProgressEvent) => void;
  nonce: (prefix?: string) => string;
  health: TargetHealth;
  turnstile: Turnstile;
}

interface ScenarioOutcome {
  results: CheckResult[];
  problems: RunProblem[];
  error?: string;
}

interface Attempt {
  verdict: Verdict;
  errorMessage?: string;
  details: Record<string, unknown>;
  durationMs: number;
}

const STDERR_LINES = 20;

/** One scenario against one target: implements ScenarioContext and owns the scenario's sessions. */
class ScenarioRun implements ScenarioContext {
  private readonly attempts = new Map<string, { spec: CheckSpec; list: Attempt[] }>();
  private readonly sessions = new Set<Session>();
  /** Names of every session this scenario opened: its evidence and the exits that concern it. */
  private readonly connections = new Set<string>();
  private main?: Promise<Session>;
  private finished = false;
  /** Check blocks currently running (a scenario may run some concurrently). */
  private inBlock = 0;
  private lastActivity = Date.now();
  /** Time spent waiting for the target to itself (restart): it counts against no deadline. */
  private heldMs = 0;
  private heldSince: number | undefined;
  private readonly problems: RunProblem[] = [];
  /** Settles when the scenario must stop (check deadline, watchdog, interrupt). */
  private readonly abortScenario: AbortController = new AbortController();
  private abortError?: Error;

  constructor(
    private readonly scenario: Scenario,
    private readonly target: Target,
    readonly fixtures: Fixtures,
    private readonly shared: RunShared,
  ) {}

  get transport(): TransportName {
    return this.target.transport;
  }
  get timeouts() {
    return { requestMs: this.shared.timeouts.requestMs, settleMs: this.shared.timeouts.settleMs };
  }
  get principals() {
    return this.target.principals;
  }
  get canRestart() {
    return this.target.canRestart;
  }

  async execute(): Promise<ScenarioOutcome> {
    let error: string | undefined;
    const watchdog = setInterval(() => {
      if (this.inBlock === 0 && this.heldSince === undefined && Date.now() - this.lastActivity > this.shared.timeouts.checkMs) {
        this.abort(new ScenarioAbort(`scenario made no progress for ${this.shared.timeouts.checkMs} ms outside a check (hung?)`));
      }
    }, 1000);
    const onStop = () => this.abort(new Interrupted(this.shared.interrupted() ?? 'signal'));
    this.shared.stop.addEventListener('abort', onStop, { once: true });
    if (this.shared.stop.aborted) onStop();
    try {
      await abortable(this.scenario.run(this), this.abortScenario.signal, () => this.abortError);
    } catch (err) {
      error = this.describeScenarioError(err);
      if (!(err instanceof Interrupted)) {
        this.problems.push({
          scenario: this.scenario.name,
          transport: this.transport,
          target: this.target.label,
          message: `scenario ${this.scenario.name} aborted: ${error}`,
          stderrTail: this.target.stderrTail(STDERR_LINES) || undefined,
        });
      }
    } finally {
      clearInterval(watchdog);
      this.shared.stop.removeEventListener('abort', onStop);
      this.finished = true;
      await this.closeSessions();
    }
    return { results: this.collect(error), problems: this.problems, error };
  }

  private describeScenarioError(err: unknown): string {
    if (err instanceof Interrupted) return err.message;
    const text = errorText(err);
    const exit = this.shared.health.exit(this.connections);
    return exit ? `${text} (target exited: ${exitText(exit)})` : text;
  }

  private abort(err: Error) {
    if (this.abortScenario.signal.aborted) return;
    this.abortError = err;
    this.abortScenario.abort();
  }

  private async closeSessions() {
    const all = [...this.sessions];
    this.sessions.clear();
    this.main = undefined;
    await Promise.all(all.map((s) => bounded(s.close(), 5000).catch(() => undefined)));
  }

  private collect(error: string | undefined): CheckResult[] {
    const out: CheckResult[] = [];
    for (const { spec, list } of this.attempts.values()) out.push(mergeAttempts(spec, this.scenario.name, this.transport, list));
    for (const spec of this.scenario.checks) {
      if (this.attempts.has(spec.id)) continue;
      const applies = !spec.transports || spec.transports.includes(this.transport);
      const verdict: Verdict = !applies
        ? { status: 'SKIPPED', skip: { kind: 'not-applicable', reason: notApplicableReason(spec) } }
        : {
            status: 'SKIPPED',
            skip: {
              kind: 'aborted',
              reason:
                error === undefined
                  ? 'the scenario finished without running this check'
                  : this.shared.stop.aborted
                    ? interruptedReason(this.shared.interrupted())
                    : `scenario aborted: ${error}`,
            },
          };
      out.push(baseResult(spec, this.scenario.name, this.transport, verdict, 0));
    }
    return out;
  }

  private guard() {
    if (this.shared.stop.aborted) throw new Interrupted(this.shared.interrupted() ?? 'signal');
    if (this.finished) throw new ScenarioAbort('the scenario already ended');
    if (this.abortScenario.signal.aborted) throw this.abortError ?? new ScenarioAbort('scenario aborted');
  }

  async session(): Promise<Session> {
    this.guard();
    this.lastActivity = Date.now();
    const current = this.main;
    if (current) {
      const s = await current.catch(() => undefined);
      if (s && !s.closed) return s;
    }
    const next = this.connect();
    this.main = next;
    next.catch(() => {
      if (this.main === next) this.main = undefined;
    });
    return next;
  }

  async connect(options?: ConnectOptions): Promise<Session> {
    this.guard();
    await this.shared.health.ready((message) => this.problem(message));
    const s = await this.target.connect(options);
    this.connections.add(s.name);
    this.lastActivity = Date.now();
    if (this.finished) {
      await s.close().catch(() => undefined);
      throw new ScenarioAbort('the scenario already ended');
    }
    this.sessions.add(s);
    return s;
  }

  async restart(): Promise<void> {
    this.guard();
    if (!this.target.canRestart) throw new Error(`this target cannot be restarted (needs ${FIXTURE_HINTS['S-RESTART']})`);
    const restart = () => this.target.restart(this.connections);
    if (sharesOneServer(this.target)) {
      // Every session of the target goes down with its one server process: wait for the target to ourselves.
      this.heldSince = performance.now();
      try {
        await this.shared.turnstile.alone(
          restart,
          this.abortScenario.signal,
          () => this.abortError ?? new ScenarioAbort('scenario aborted'),
        );
      } finally {
        this.heldMs += performance.now() - this.heldSince;
        this.heldSince = undefined;
      }
    } else {
      await restart();
    }
    this.lastActivity = Date.now();
    // The target closed every session it had; forget ours so session() reconnects.
    this.sessions.clear();
    this.main = undefined;
  }

  nonce(prefix?: string): string {
    return this.shared.nonce(prefix);
  }

  wire(): WireEntry[] {
    return this.shared.wire.entries();
  }

  log(message: string): void {
    this.shared.emit({ type: 'log', scenario: this.scenario.name, transport: this.transport, message });
  }

  async check(spec: CheckSpec, block: (c: CheckContext) => Promise<Verdict>): Promise<Verdict> {
    this.guard();
    this.lastActivity = Date.now();
    if (spec.transports && !spec.transports.includes(this.transport)) {
      return this.record(spec, {
        verdict: { status: 'SKIPPED', skip: { kind: 'not-applicable', reason: notApplicableReason(spec) } },
        details: {},
        durationMs: 0,
      });
    }
    const missing = spec.fixtures.filter((role) => !this.fixtures.has(role));
    if (missing.includes('S-AUTH') && this.target.principals === 0) {
      // Binding to an authorization context is a MUST only where one exists; a target reached without
      // credentials has none, which is "not applicable", not "incomplete".
      const reason =
        'no authorization context: the target was reached without credentials (give two --auth-token principals if it has auth)';
      return this.record(spec, {
        verdict: { status: 'SKIPPED', skip: { kind: 'not-applicable', reason, enabledBy: [FIXTURE_HINTS['S-AUTH']] } },
        details: {},
        durationMs: 0,
      });
    }
    if (missing.length) {
      const hints = missing.map((r) => FIXTURE_HINTS[r] ?? r);
      const reason = `needs ${hints.join(', ')}`;
      return this.record(spec, {
        verdict: { status: 'SKIPPED', skip: { kind: 'missing-fixture', reason, enabledBy: hints } },
        details: {},
        durationMs: 0,
      });
    }

    const { wire, health } = this.shared;
    await health.ready((message) => this.problem(message));
    const exitBefore = health.exit(this.connections);
    const startSeq = wire.seq();
    const notes: Record<string, unknown> = {};
    const started = performance.now();
    const ctx: CheckContext = {
      spec,
      note: (key, value) => {
        notes[key] = value;
      },
    };

    type Outcome =
      { kind: 'verdict'; verdict: Verdict } | { kind: 'error'; error: unknown } | { kind: 'deadline' } | { kind: 'interrupted' };
    let timer: NodeJS.Timeout | undefined;
    let onStop: (() => void) | undefined;
    const heldBefore = this.held();
    const busyMs = () => performance.now() - started - (this.held() - heldBefore);
    const stopped = new Promise<Outcome>((resolve) => {
      const due = () => {
        const left = this.shared.timeouts.checkMs - busyMs();
        if (left > 0) timer = setTimeout(due, Math.max(left, 100));
        else resolve({ kind: 'deadline' });
      };
      timer = setTimeout(due, this.shared.timeouts.checkMs);
      onStop = () => resolve({ kind: 'interrupted' });
      this.shared.stop.addEventListener('abort', onStop, { once: true });
    });
    this.inBlock++;
    let outcome: Outcome;
    try {
      outcome = await Promise.race([
        Promise.resolve()
          .then(() => block(ctx))
          .then(
            (verdict): Outcome => ({ kind: 'verdict', verdict }),
            (error): Outcome => ({ kind: 'error', error }),
          ),
        stopped,
      ]);
    } finally {
      this.inBlock--;
      this.lastActivity = Date.now();
      clearTimeout(timer);
      if (onStop) this.shared.stop.removeEventListener('abort', onStop);
    }
    const durationMs = Math.round(busyMs() * 1000) / 1000;
    const exitAfter = health.exit(this.connections);
    const died = exitAfter !== undefined && exitAfter !== exitBefore;
    const details: Record<string, unknown> = { ...notes };
    // Other scenarios (and the other transport) exchange messages at the same time: keep only ours.
    details.exchange = evidence(
      wire.entries(startSeq, wire.seq()).filter((e) => e.transport === this.transport && this.connections.has(e.connection)),
    );

    let attempt: Attempt;
    switch (outcome.kind) {
      case 'verdict': {
        const v = normalizeVerdict(outcome.verdict);
        attempt = { verdict: v, details: capDetails({ ...(v.details ?? {}), ...details }), durationMs };
        if (died) attempt.details.targetExit = { ...exitAfter, stderrTail: this.target.stderrTail(STDERR_LINES) };
        break;
      }
      case 'error': {
        const err = outcome.error;
        const extra: Record<string, unknown> = {};
        const probeOutcome = (err as { outcome?: unknown })?.outcome;
        if (probeOutcome !== undefined) extra.outcome = probeOutcome;
        let message: string;
        if (died) {
          const tail = this.target.stderrTail(STDERR_LINES);
          message = `target exited (${exitText(exitAfter)}) during this check${tail ? `; stderr tail:\n${tail}` : ''}`;
          extra.cause = errorText(err);
        } else {
          message = errorText(err);
          if (err instanceof Error && err.name !== 'ProbeError' && !(err instanceof TargetError) && err.stack) {
            extra.stack = err.stack.split('\n').slice(0, 6).join('\n');
          }
        }
        attempt = {
          verdict: { status: 'FAILURE', message },
          errorMessage: message,
          details: capDetails({ ...details, ...extra }),
          durationMs,
        };
        break;
      }
      case 'deadline': {
        const message = `check did not finish within ${this.shared.timeouts.checkMs} ms (the server may be hanging); the scenario was stopped`;
        attempt = { verdict: { status: 'FAILURE', message }, errorMessage: message, details, durationMs };
        break;
      }
      case 'interrupted': {
        const reason =
          this.shared.interrupted() === 'deadline'
            ? 'the run deadline was reached during this check'
            : 'the run was interrupted during this check';
        attempt = { verdict: { status: 'SKIPPED', skip: { kind: 'aborted', reason } }, details, durationMs };
        break;
      }
    }
    const verdict = this.record(spec, attempt);

    if (outcome.kind === 'deadline') {
      const err = new ScenarioAbort(`check ${spec.id} did not finish within ${this.shared.timeouts.checkMs} ms`);
      this.abort(err);
      throw err;
    }
    if (outcome.kind === 'interrupted') throw new Interrupted(this.shared.interrupted() ?? 'signal');
    if (died && health.restarts) {
      // The one HTTP server process is gone: bring it back so the scenario's next checks can run.
      await health.recover(exitAfter, (message) => this.problem(message));
      this.sessions.clear();
      this.main = undefined;
    }
    if (died) {
      this.problems.push({
        scenario: this.scenario.name,
        transport: this.transport,
        target: this.target.label,
        message: `target exited (${exitText(exitAfter)}) during check ${spec.id}`,
        stderrTail: this.target.stderrTail(STDERR_LINES) || undefined,
      });
    }
    return verdict;
  }

  /** Total time held so far, including a wait in progress. */
  private held(): number {
    return this.heldMs + (this.heldSince === undefined ? 0 : performance.now() - this.heldSince);
  }

  private problem(message: string): void {
    this.problems.push({ scenario: this.scenario.name, transport: this.transport, target: this.target.label, message });
  }

  /** Stores an attempt (merging with earlier attempts of the same id) and reports progress. */
  private record(spec: CheckSpec, attempt: Attempt): Verdict {
    const entry = this.attempts.get(spec.id) ?? { spec, list: [] };
    entry.list.push(attempt);
    this.attempts.set(spec.id, entry);
    this.shared.emit({ type: 'check', result: mergeAttempts(spec, this.scenario.name, this.transport, entry.list) });
    return attempt.verdict;
  }
}

function normalizeVerdict(v: unknown): Verdict {
  const candidate = v as Verdict | undefined;
  if (!candidate || typeof candidate !== 'object' || !['SUCCESS', 'FAILURE', 'WARNING', 'SKIPPED', 'INFO'].includes(candidate.status)) {
    return { status: 'FAILURE', message: `harness bug: the check block returned ${JSON.stringify(v)} instead of a verdict` };
  }
  if (candidate.status === 'SKIPPED' && !candidate.skip)
    return { ...candidate, skip: { kind: 'not-applicable', reason: candidate.message ?? 'skipped' } };
  return candidate;
}

function notApplicableReason(spec: CheckSpec): string {
  return `applies to ${(spec.transports ?? []).join(', ') || 'no'} transport only`;
}

/** Static facts of the spec plus a verdict. */
function baseResult(
  spec: CheckSpec,
  scenario: string,
  transport: TransportName,
  verdict: Verdict,
  durationMs: number,
  errorMessage?: string,
  details?: Record<string, unknown>,
): CheckResult {
  const r: CheckResult = {
    id: spec.id,
    name: spec.name,
    description: spec.description,
    status: verdict.status,
    level: spec.level,
    specReferences: spec.specRefs.map(specReference),
    scenario,
    transport,
    durationMs,
  };
  const problem = verdict.status === 'FAILURE' || verdict.status === 'WARNING';
  const message = errorMessage ?? (problem ? verdict.message : undefined);
  if (message) r.errorMessage = message;
  if (verdict.skip) {
    const { kind, reason, enabledBy } = verdict.skip;
    // Scenario skips may name bare roles ("F-GATE"); spell them like spec-level skips so coverage lists each fixture once.
    const hinted = enabledBy?.map((e) => (FIXTURE_HINTS as Record<string, string | undefined>)[e] ?? e);
    r.skip = hinted?.length ? { kind, reason, enabledBy: [...new Set(hinted)] } : { kind, reason };
  }
  if (verdict.profile) r.profile = verdict.profile;
  const d: Record<string, unknown> = { ...(details ?? {}) };
  // Passing and informational verdicts keep their message as evidence (errorMessage is for problems).
  if (!problem && verdict.message && verdict.status !== 'SKIPPED') d.message = verdict.message;
  if (Object.keys(d).length) r.details = d;
  return r;
}

/** One id run more than once in a scenario: the worst verdict wins and every attempt's evidence is kept. */
function mergeAttempts(spec: CheckSpec, scenario: string, transport: TransportName, list: Attempt[]): CheckResult {
  const durationMs = list.reduce((sum, a) => sum + a.durationMs, 0);
  if (list.length === 1) {
    const a = list[0]!;
    return baseResult(spec, scenario, transport, a.verdict, durationMs, a.errorMessage, a.details);
  }
  const ran = list.filter((a) => a.verdict.status !== 'SKIPPED');
  const pool = ran.length ? ran : list;
  const top = worst(pool.map((a) => a.verdict));
  const errors = pool.filter((a) => a.verdict.status === top.status && a.errorMessage).map((a) => a.errorMessage);
  const errorMessage = errors.length ? errors.join('; ') : undefined;
  const attempts = list.map((a) => ({ status: a.verdict.status, message: a.errorMessage ?? a.verdict.message, ...a.details }));
  return baseResult(spec, scenario, transport, { ...top, details: undefined }, durationMs, errorMessage, { attempts });
}

const MAX_DETAIL_CHARS = 20_000;

/** Evidence a check attached itself (notes, verdict details) is kept, but no single value may bloat the report. */
function capDetails(details: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(details)) {
    if (key === 'exchange') {
      out[key] = value;
      continue;
    }
    const text = JSON.stringify(value);
    out[key] =
      text !== undefined && text.length > MAX_DETAIL_CHARS
        ? { truncated: `${text.slice(0, MAX_DETAIL_CHARS / 2)}…`, chars: text.length }
        : value;
  }
  return out;
}

const MAX_ENTRIES = 40;
const MAX_MESSAGE_CHARS = 2000;

/** The block's wire exchange, capped: first and last entries kept, big payloads shortened. */
export function evidence(entries: WireEntry[]): unknown[] {
  const cut = (value: unknown): unknown => {
    const text = JSON.stringify(value) ?? 'undefined';
    return text.length <= MAX_MESSAGE_CHARS ? value : { truncated: `${text.slice(0, MAX_MESSAGE_CHARS / 2)}…`, chars: text.length };
  };
  // Both the message and the request a response answers (`answers`) can carry a huge payload.
  const shorten = (e: WireEntry): Record<string, unknown> => {
    const out: Record<string, unknown> = { ...e, message: cut(e.message) };
    if (e.answers) out.answers = { method: e.answers.method, ...(e.answers.params === undefined ? {} : { params: cut(e.answers.params) }) };
    return out;
  };
  if (entries.length <= MAX_ENTRIES) return entries.map(shorten);
  const half = MAX_ENTRIES / 2;
  return [...entries.slice(0, half).map(shorten), { omitted: entries.length - MAX_ENTRIES }, ...entries.slice(-half).map(shorten)];
}

function exitText(e: ExitInfo | undefined): string {
  if (!e) return 'unknown';
  return e.signal ? `signal ${e.signal}` : `code ${e.code}`;
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

function stderrOf(err: unknown, target: Target): string | undefined {
  const tail = err instanceof TargetError && err.stderrTail ? err.stderrTail : target.stderrTail(STDERR_LINES);
  return tail || undefined;
}

/** Waits for p, or rejects when signal aborts (with errorOf() or Interrupted). p keeps running. */
function abortable<T>(p: Promise<T>, signal: AbortSignal, errorOf?: () => Error | undefined): Promise<T> {
  if (signal.aborted) return Promise.reject(errorOf?.() ?? new Interrupted('signal'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(errorOf?.() ?? new Interrupted('signal'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function bounded<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)))]).finally(() => clearTimeout(timer));
}
