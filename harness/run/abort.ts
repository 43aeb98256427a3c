// How a run and its scenarios are stopped: the interrupt (Ctrl-C, run deadline), the scenario abort
// (check deadline, watchdog, scenario already over), and waiting on a promise until a signal aborts.
import type { Interruption } from './types.js';

export class Interrupted extends Error {
  constructor(readonly reason: Interruption) {
    super(reason === 'signal' ? 'run interrupted' : 'run deadline reached');
  }
}

/** Thrown into a scenario to stop it (check deadline, scenario finished); recorded as its abort reason. */
export class ScenarioAbort extends Error {}

/** Waits for p, or rejects when signal aborts (with errorOf() or Interrupted). p keeps running. */
export function abortable<T>(p: Promise<T>, signal: AbortSignal, errorOf?: () => Error | undefined): Promise<T> {
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

export function interruptedReason(kind: Interruption | undefined): string {
  return kind === 'deadline' ? 'the run deadline was reached before this check ran' : 'the run was interrupted before this check ran';
}
