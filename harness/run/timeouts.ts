// The time limits of a run: one type, one set of defaults, one merge. The command lines parse their
// flags into a Partial<RunTimeouts> (cli/options.ts); everything else calls resolveTimeouts().

export interface RunTimeouts {
  /** Per request (informs scenarios; sessions get it from their target). */
  requestMs: number;
  /** T_SETTLE: how long polling waits for a state to be reached. */
  settleMs: number;
  /** A check block (and a scenario between checks) may take at most this long. */
  checkMs: number;
  /** Start-up of a target: spawn + initialize (or the HTTP command's endpoint line). */
  startMs: number;
  /** The whole run; undefined = no limit. */
  runMs?: number;
}

export const DEFAULT_TIMEOUTS: RunTimeouts = { requestMs: 10_000, settleMs: 10_000, checkMs: 60_000, startMs: 30_000 };

/** The defaults overridden by whatever was given (an undefined value keeps the default). */
export function resolveTimeouts(given: Partial<RunTimeouts> = {}): RunTimeouts {
  const set = Object.entries(given).filter(([, v]) => v !== undefined);
  return { ...DEFAULT_TIMEOUTS, ...Object.fromEntries(set) };
}
