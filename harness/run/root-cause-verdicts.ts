// How a check's outcome reads when something beneath it went wrong: its setup failed (SetupError), the
// target exited while it ran, or the target stopped answering. Each cause is registered once in the
// run's RootCauses; the check that saw an exit first is its FAILURE, the others are SKIPPED
// `setup-failed` citing the finding. Used by ScenarioRun.check() (scenario-run.ts).
import type { CheckSpec, Verdict, WireEntry } from '../checks.js';
import type { SetupError } from '../tasks.js';
import type { ExitInfo, Target } from '../transport/target.js';
import type { WireLog } from '../transport/wire.js';
import type { Attempt } from './results.js';
import { quotaWaitMs } from './quota-wait.js';
import { describeExit, describeSetupFailure } from './root-cause-text.js';
import { checkKey, type RootCauses } from './root-causes.js';
import { sharesOneServer } from './target-health.js';
import type { Finding } from './types.js';

/** Lines of a target's stderr kept as evidence of an exit. */
export const STDERR_LINES = 20;

export function exitText(e: ExitInfo | undefined): string {
  if (!e) return 'unknown';
  return e.signal ? `signal ${e.signal}` : `code ${e.code}`;
}

export class RootCauseVerdicts {
  /** The check whose block first saw the latest exit (it carries the exit as its FAILURE). */
  exitOwner?: string;

  constructor(
    private readonly target: Target,
    private readonly scenario: string,
    private readonly causes: RootCauses,
    private readonly wire: WireLog,
    /** The scenario's own session names. */
    private readonly connections: ReadonlySet<string>,
  ) {}

  /** One server for every session (HTTP) that the harness cannot restart (--url): once gone, it stays gone. */
  private cannotComeBack(): boolean {
    return sharesOneServer(this.target) && !this.target.canRestart;
  }

  /** The target's own traffic (the wire log holds every target's). */
  private targetWire(): WireEntry[] {
    const mine = this.causes.connectionsOf(this.target.label);
    return this.wire.entries().filter((e) => e.transport === this.target.transport && mine.has(e.connection));
  }

  skipFor(spec: CheckSpec, finding: Finding, why: string, details: Record<string, unknown>, durationMs: number): Attempt {
    this.causes.affect(finding, checkKey(spec.id, this.target.transport));
    const reason = `setup failed: ${why}; see finding ${finding.id}`;
    return {
      verdict: { status: 'SKIPPED', skip: { kind: 'setup-failed', reason } },
      details: { ...details, finding: finding.id },
      durationMs,
    };
  }

  /**
   * When a setup failure is a creation quota: registers the quota as the target's finding (once, even if no
   * check ends up SKIPPED for it) and returns how long to wait for the harness's tasks to expire before
   * the check runs again (quota-wait.ts); undefined when it is not a quota or waiting cannot help.
   */
  quotaWait(err: SetupError, sinceSeq: number): number | undefined {
    const wire = this.setupWire();
    const cause = describeSetupFailure(err, wire);
    if (cause.kind !== 'creation-quota') return undefined;
    this.causes.register(`${this.target.label}|${cause.key}`, () => ({
      kind: cause.kind,
      target: this.target.label,
      transport: this.target.transport,
      message: cause.message,
    }));
    return quotaWaitMs(wire, sinceSeq, this.connections);
  }

  /** stdio: every session is its own server, so only this scenario's processes tell what this one did. */
  private setupWire(): WireEntry[] {
    return sharesOneServer(this.target) ? this.targetWire() : this.targetWire().filter((e) => this.connections.has(e.connection));
  }

  /** A setup request failed (its task could not be created): SKIPPED with the root cause, registered once. */
  setupFailed(spec: CheckSpec, err: SetupError, details: Record<string, unknown>, durationMs: number): Attempt {
    const { causes } = this;
    const cause = describeSetupFailure(err, this.setupWire());
    const { finding } = causes.register(`${this.target.label}|${cause.key}`, () => ({
      kind: cause.kind,
      target: this.target.label,
      transport: this.target.transport,
      message: cause.message,
    }));
    if (cause.kind === 'target-unreachable' && this.cannotComeBack()) causes.markDown(this.target.label);
    return this.skipFor(spec, finding, err.message, { ...details, cause: err.message }, durationMs);
  }

  /**
   * A problem that reads "cannot reach ... (ECONNREFUSED)": nobody listens any more. The first one is the
   * finding; this and every later check of that target are SKIPPED as target down, not FAILUREs.
   */
  unreachable(spec: CheckSpec, message: string, attempt: Attempt): Attempt | undefined {
    const down = /cannot reach \S+ \(ECONNREFUSED\)/.test(message);
    if (!down && !this.causes.isDown(this.target.label)) return undefined;
    if (!down && !/connection closed|cannot reach|ECONN|socket/i.test(message)) return undefined;
    const { finding } = this.causes.register(`${this.target.label}|unreachable`, () => ({
      kind: 'target-unreachable',
      target: this.target.label,
      transport: this.target.transport,
      message: `the target stopped answering (${message.split('\n')[0]}); the checks that followed were skipped as target down`,
    }));
    if (this.cannotComeBack()) this.causes.markDown(this.target.label);
    return this.skipFor(spec, finding, 'target down', { ...attempt.details, verdictBeforeSkip: attempt.verdict }, attempt.durationMs);
  }

  /**
   * The target exited while this check ran. Each exit is one finding. The check that saw it first owns it
   * (stdio: each session is its own process, so that is exactly the check whose requests went to it) and
   * is a FAILURE naming the exit, whatever verdict it computed; on a shared HTTP server the other checks
   * in flight were only caught in it: a problem they computed is SKIPPED as target down.
   */
  diedDuring(spec: CheckSpec, exit: ExitInfo, attempt: Attempt, v: Verdict): Attempt {
    const tail = this.target.stderrTail(STDERR_LINES);
    const afterwards = !sharesOneServer(this.target)
      ? 'later checks ran on fresh processes'
      : this.target.canRestart
        ? 'the harness restarted it for the checks that followed'
        : 'the checks that followed were skipped as target down';
    const { finding, fresh } = this.causes.exit(exit, () => ({
      kind: 'target-exit',
      target: this.target.label,
      transport: this.target.transport,
      message: describeExit(
        exit,
        `${spec.id} (${this.scenario})`,
        this.targetWire().filter((e) => this.connections.has(e.connection)),
        afterwards,
        tail,
      ),
      ...(tail ? { stderrTail: tail } : {}),
    }));
    const details = { ...attempt.details, targetExit: { ...exit, stderrTail: tail }, finding: finding.id };
    if (fresh || !sharesOneServer(this.target)) {
      this.exitOwner = spec.id;
      if (v.status === 'FAILURE') return { ...attempt, details };
      const message = `target exited (${exitText(exit)}) during this check (it had found: ${v.status}${v.message ? ` ${v.message}` : ''})${tail ? `; stderr tail:\n${tail}` : ''}`;
      return { verdict: { status: 'FAILURE', message }, errorMessage: message, details, durationMs: attempt.durationMs };
    }
    if (v.status !== 'FAILURE' && v.status !== 'WARNING') return { ...attempt, details };
    if (this.cannotComeBack()) this.causes.markDown(this.target.label);
    return this.skipFor(
      spec,
      finding,
      'target down: the server process exited during this check',
      { ...details, verdictBeforeSkip: v },
      attempt.durationMs,
    );
  }
}
