// Exits and restarts of one target as its concurrent scenarios see them.
import type { ExitInfo, Target } from '../transport/target.js';
import { errorText } from '../util/errors.js';

/** HTTP: one server process serves every session. stdio: every session is a process of its own. */
export function sharesOneServer(target: Target): boolean {
  return target.transport === 'http';
}

/**
 * Exits and restarts of one target, shared by its concurrent scenarios: a crashed HTTP server process
 * is restarted once, not once per scenario that noticed, and checks wait until it is back.
 */
export class TargetHealth {
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
