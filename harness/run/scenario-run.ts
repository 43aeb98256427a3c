// One scenario against one target: ScenarioRun implements the ScenarioContext a scenario sees, owns the
// scenario's sessions, runs its check blocks under their deadlines and records one attempt per block.
// It is long because check() is the one place where a block's deadline, the target's exits and
// restarts, and the evidence of one block meet; splitting it would scatter that state.
import { LEGACY_ERA, MODERN_ERA, type CheckSpec, type Era, type TransportName, type Verdict, type WireEntry } from '../checks.js';
import { FIXTURE_HINTS } from '../fixtures.js';
import type { LoadedFixtures } from '../fixtures.js';
import type { ModernClient } from '../modern/client.js';
import { TASKS_EXTENSION } from '../modern/envelope.js';
import type { CheckContext, ConnectOptions, Scenario, ScenarioContext, Session } from '../scenario.js';
import type { Target } from '../transport/target.js';
import { TargetError } from '../transport/target.js';
import type { WireLog } from '../transport/wire.js';
import { SetupError } from '../tasks.js';
import { errorText } from '../util/errors.js';
import { withTimeout } from '../util/async.js';
import { QUOTA_RETRIES, sleepUnless } from './quota-wait.js';
import { abortable, Interrupted, interruptedReason, ScenarioAbort } from './abort.js';
import { baseResult, capDetails, evidence, mergeAttempts, normalizeVerdict, notApplicableReason, type Attempt } from './results.js';
import type { Turnstile } from './schedule.js';
import { exitText, RootCauseVerdicts, STDERR_LINES } from './root-cause-verdicts.js';
import { checkKey, type RootCauses } from './root-causes.js';
import { sharesOneServer, type TargetHealth } from './target-health.js';
import type { CheckResult } from '../checks.js';
import type { Finding, Interruption, ProgressEvent, RunProblem } from './types.js';
import type { RunTimeouts } from './timeouts.js';

export { exitText, STDERR_LINES };

export interface RunShared {
  wire: WireLog;
  timeouts: RunTimeouts;
  stop: AbortSignal;
  interrupted: () => Interruption | undefined;
  emit: (e: ProgressEvent) => void;
  nonce: (prefix?: string) => string;
  health: TargetHealth;
  turnstile: Turnstile;
  causes: RootCauses;
  /** The eras found on the target (ScenarioContext.eras). */
  eras: readonly Era[];
  /** 2026-07-28 scenarios: the finding that the target speaks the era but does not offer the tasks extension. */
  noTasksExtension?: Finding;
}

export interface ScenarioOutcome {
  results: CheckResult[];
  problems: RunProblem[];
  error?: string;
}

/** A scenario's main connection: opened on first use, shared by its checks, reopened once it closed. */
class MainConnection<C extends { readonly closed: boolean }> {
  private current?: Promise<C>;

  async get(open: () => Promise<C>): Promise<C> {
    const existing = await this.current?.catch(() => undefined);
    if (existing && !existing.closed) return existing;
    const next = open();
    this.current = next;
    next.catch(() => {
      if (this.current === next) this.current = undefined;
    });
    return next;
  }

  forget(): void {
    this.current = undefined;
  }
}

/** One scenario against one target: implements ScenarioContext and owns the scenario's sessions. */
export class ScenarioRun implements ScenarioContext {
  private readonly attempts = new Map<string, { spec: CheckSpec; list: Attempt[] }>();
  private readonly sessions = new Set<Session>();
  private readonly moderns = new Set<ModernClient>();
  private readonly mainModern = new MainConnection<ModernClient>();
  /** Names of every session this scenario opened: its evidence and the exits that concern it. */
  private readonly connections = new Set<string>();
  private readonly main = new MainConnection<Session>();
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
  private readonly rootCauses: RootCauseVerdicts;

  constructor(
    private readonly scenario: Scenario,
    private readonly target: Target,
    readonly fixtures: LoadedFixtures,
    private readonly shared: RunShared,
  ) {
    this.rootCauses = new RootCauseVerdicts(target, scenario.name, shared.causes, shared.wire, this.connections);
  }

  get transport(): TransportName {
    return this.target.transport;
  }
  get timeouts() {
    const { requestMs, settleMs, checkMs } = this.shared.timeouts;
    return { requestMs, settleMs, checkMs };
  }
  get eras(): readonly Era[] {
    return this.shared.eras;
  }
  get principals() {
    return this.target.principals;
  }
  get canRestart() {
    return this.target.canRestart;
  }
  get endpoints() {
    return this.target.endpoints ?? 1;
  }
  get canKillEndpoints() {
    return this.target.killEndpoint !== undefined && this.endpoints > 1;
  }

  /** Only the cluster scenario kills instances, never endpoint 0 (the one every other scenario uses), so nobody else waits. */
  async killEndpoint(index: number): Promise<void> {
    this.guard();
    if (!this.target.killEndpoint)
      throw new Error('this target has no instances the harness may kill (needs --http-command --instances N)');
    await this.target.killEndpoint(index);
    this.lastActivity = Date.now();
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
    const all: Array<{ close(): Promise<void> }> = [...this.sessions, ...this.moderns];
    this.forgetSessions();
    await Promise.all(all.map((s) => withTimeout(s.close(), 5000).catch(() => undefined)));
  }

  /** After a restart or at the end: the next session() / modern() connects afresh. */
  private forgetSessions() {
    this.sessions.clear();
    this.moderns.clear();
    this.main.forget();
    this.mainModern.forget();
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
    return this.main.get(() => this.connect());
  }

  async connect(options?: ConnectOptions): Promise<Session> {
    this.guard();
    await this.shared.health.ready((message) => this.problem(message));
    const s = await this.opened(await this.target.connect(options));
    this.sessions.add(s);
    return s;
  }

  async modern(): Promise<ModernClient> {
    this.guard();
    this.lastActivity = Date.now();
    return this.mainModern.get(() => this.connectModern());
  }

  async connectModern(options: { principal?: number; endpoint?: number } = {}): Promise<ModernClient> {
    this.guard();
    await this.shared.health.ready((message) => this.problem(message));
    const c = await this.opened(await this.target.connectModern({ settleMs: this.shared.timeouts.settleMs, ...options }));
    this.moderns.add(c);
    return c;
  }

  /** Books a new connection as this scenario's (evidence, exits); closes it when the scenario already ended. */
  private async opened<C extends { name: string; close(): Promise<void> }>(c: C): Promise<C> {
    this.connections.add(c.name);
    this.shared.causes.track(this.target.label, c.name);
    this.lastActivity = Date.now();
    if (this.finished) {
      await c.close().catch(() => undefined);
      throw new ScenarioAbort('the scenario already ended');
    }
    return c;
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
    this.forgetSessions();
  }

  nonce(prefix?: string): string {
    return this.shared.nonce(prefix);
  }

  /** The run's wire log, this scenario's era only (a 2025-11-25 audit must not judge 2026-07-28 traffic). */
  wire(): WireEntry[] {
    const { wire } = this.shared;
    const modern = (this.scenario.era ?? LEGACY_ERA) === MODERN_ERA;
    return wire.entries().filter((e) => wire.isModern(e.connection) === modern);
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
    const noExtension = this.shared.noTasksExtension;
    if (noExtension && spec.era === MODERN_ERA && !spec.withoutTasksExtension) {
      // One root cause instead of dozens of failures: only the checks that decide it (EXT-NEG-02) run.
      this.shared.causes.affect(noExtension, checkKey(spec.id, this.transport));
      const reason = `the server does not offer the tasks extension (server/discover does not advertise ${TASKS_EXTENSION}); see finding ${noExtension.id}`;
      return this.record(spec, {
        verdict: { status: 'SKIPPED', skip: { kind: 'missing-capability', reason, enabledBy: [TASKS_EXTENSION] } },
        details: { finding: noExtension.id },
        durationMs: 0,
      });
    }
    if (spec.minEndpoints !== undefined && this.endpoints < spec.minEndpoints) {
      // One server has no other endpoint to compare with: not applicable, never incomplete.
      const reason = `needs ${spec.minEndpoints === 2 ? 'two' : spec.minEndpoints} or more endpoints (--url twice or --instances N)`;
      return this.record(spec, {
        verdict: { status: 'SKIPPED', skip: { kind: 'not-applicable', reason, enabledBy: ['--url twice', '--instances N'] } },
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
      // A failed tools/list is the root cause, not the fixtures; a role whose tool is listed but cannot play
      // it says why ("binding refused: ..."), not just "needs".
      const discovery = this.fixtures.discoveryError;
      const refused = missing.map((r) => this.fixtures.refusal(r)).filter((x): x is string => x !== undefined);
      const needed = missing.filter((r) => this.fixtures.refusal(r) === undefined).map((r) => FIXTURE_HINTS[r] ?? r);
      const reason = discovery
        ? `tool discovery failed (${discovery}), so ${missing.join(', ')} cannot be looked up`
        : [...(needed.length ? [`needs ${needed.join(', ')}`] : []), ...refused].join('; ');
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
          .then(() => this.untilNotQuota(block, ctx, notes))
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
        if (died) attempt = this.rootCauses.diedDuring(spec, exitAfter, attempt, v);
        else if (v.status === 'FAILURE' || v.status === 'WARNING')
          attempt = this.rootCauses.unreachable(spec, v.message ?? '', attempt) ?? attempt;
        break;
      }
      case 'error': {
        const err = outcome.error;
        if (err instanceof Error && err.name === 'DiscoveryError') {
          attempt = { verdict: { status: 'SKIPPED', skip: { kind: 'missing-fixture', reason: err.message } }, details, durationMs };
          break;
        }
        const extra: Record<string, unknown> = {};
        const probeOutcome = (err as { outcome?: unknown })?.outcome;
        if (probeOutcome !== undefined) extra.outcome = probeOutcome;
        let message: string;
        if (died) {
          const tail = this.target.stderrTail(STDERR_LINES);
          message = `target exited (${exitText(exitAfter)}) during this check${tail ? `; stderr tail:\n${tail}` : ''}`;
          extra.cause = errorText(err);
        } else if (err instanceof SetupError) {
          attempt = this.rootCauses.setupFailed(spec, err, capDetails({ ...details, ...extra }), durationMs);
          break;
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
        if (died) attempt = this.rootCauses.diedDuring(spec, exitAfter, attempt, attempt.verdict);
        else attempt = this.rootCauses.unreachable(spec, message, attempt) ?? attempt;
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
      this.forgetSessions();
    }
    if (died && this.rootCauses.exitOwner === spec.id) {
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

  /**
   * Runs a check's block; when its setup is refused by a creation quota that the harness's own tasks
   * fill, waits (held: not counted against the check deadline) until enough of them expired and runs it
   * again (quota-wait.ts), at most QUOTA_RETRIES times.
   */
  private async untilNotQuota(
    block: (c: CheckContext) => Promise<Verdict>,
    ctx: CheckContext,
    notes: Record<string, unknown>,
  ): Promise<Verdict> {
    const waits: string[] = [];
    for (let retry = 0; ; retry++) {
      const since = this.shared.wire.seq();
      try {
        return await block(ctx);
      } catch (err) {
        const wait = retry < QUOTA_RETRIES && err instanceof SetupError ? this.rootCauses.quotaWait(err, since) : undefined;
        if (wait === undefined) throw err;
        waits.push(`${(err as SetupError).message}: waited ${wait} ms for the harness's tasks to expire, then ran the check again`);
        notes.quotaWaits = waits;
        const stop = AbortSignal.any([this.abortScenario.signal, this.shared.stop]);
        this.heldSince = performance.now();
        try {
          await sleepUnless(wait, stop);
        } finally {
          this.heldMs += performance.now() - this.heldSince;
          this.heldSince = undefined;
        }
        if (stop.aborted) throw err;
      }
    }
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
