// Ctrl-C for a command that owns targets, shared by `sep1686-check` and `sep1686-check bench`. The first
// SIGINT/SIGTERM calls the command's `first` (the check run stops and writes a partial report; the bench
// stops at once); a second one kills every live target and exits. The exit code of a signal is EXIT's.
import type { Target } from '../transport/target.js';
import { EXIT } from '../run/verdict.js';
import { disposeTargets } from './execute.js';

/** How long a second signal waits for the targets to stop before exiting anyway. */
const HARD_EXIT_MS = 3000;

export class SignalGuard {
  /** The exit code of the first signal, once one came. */
  exitCode: number | undefined;
  /** The targets to kill when the user insists (set while they are alive). */
  live: Target[] = [];
  private readonly handler = (signal: NodeJS.Signals) => this.onSignal(signal);

  constructor(private readonly on: { first: (signal: NodeJS.Signals) => void; second?: () => void }) {
    process.on('SIGINT', this.handler);
    process.on('SIGTERM', this.handler);
  }

  /**
   * Kills every live target (SIGTERM, then SIGKILL) and exits with the signal's code: within a few
   * seconds whatever the targets do (the exit sweep in transport/proc.ts SIGKILLs what is left).
   */
  async killAndExit(): Promise<never> {
    const code = this.exitCode ?? EXIT.sigint;
    setTimeout(() => process.exit(code), HARD_EXIT_MS).unref();
    await this.killTargets();
    process.exit(code);
  }

  async killTargets(): Promise<void> {
    const targets = this.live;
    this.live = [];
    await disposeTargets(targets);
  }

  uninstall(): void {
    process.off('SIGINT', this.handler);
    process.off('SIGTERM', this.handler);
  }

  private onSignal(signal: NodeJS.Signals): void {
    if (this.exitCode !== undefined) {
      this.on.second?.();
      void this.killAndExit();
      return;
    }
    this.exitCode = signal === 'SIGTERM' ? EXIT.sigterm : EXIT.sigint;
    this.on.first(signal);
  }
}
