// Waiting out a creation quota. A server that refuses new tasks while it retains too many (a quota, see
// root-cause-text.ts) gives its slots back as the harness's own tasks expire with their ttl. A check
// refused that way waits until enough of them have expired and runs again, so whether it gets to run
// does not depend on which checks happened to run before it: on a server whose one task store every
// session shares (HTTP), the verdicts would otherwise depend on scenario order.
import type { WireEntry } from '../checks.js';

/** Longest wait for the harness's tasks to expire (the bulk probes' tasks live 30 s: LIST_TTL, LOAD_TTL_MS). */
export const MAX_QUOTA_WAIT_MS = 35_000;
/** How often one check waits and runs again before it is SKIPPED with the quota as its root cause. */
export const QUOTA_RETRIES = 2;
/** Slack after the estimated expiry: the server's clock started each ttl before the harness saw the task. */
const SLACK_MS = 500;

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);

/**
 * How long a check refused by a quota should wait before it runs again: until at most half of the tasks
 * the harness created and that are still within their ttl remain. Undefined when waiting cannot help:
 * the check's own tasks of this attempt (created since `sinceSeq` on `mine`) are half of those or more
 * (its own demand meets the quota), nothing expires, or the wait would exceed MAX_QUOTA_WAIT_MS.
 * `entries` are the target's wire entries; times are the wire clock (ms since the run started).
 */
export function quotaWaitMs(entries: WireEntry[], sinceSeq: number, mine: ReadonlySet<string>): number | undefined {
  const now = entries.at(-1)?.t ?? 0;
  const retained: number[] = [];
  let own = 0;
  for (const e of entries) {
    if (e.dir !== 'recv' || e.answers?.method !== 'tools/call') continue;
    const task = obj(obj(obj(e.message)?.result)?.task);
    if (typeof task?.taskId !== 'string') continue;
    // An unlimited (null) or absent ttl never expires: it holds its slot for the whole run.
    const expiry = typeof task.ttl === 'number' ? e.t + task.ttl : Infinity;
    if (expiry <= now) continue;
    retained.push(expiry);
    if (e.seq >= sinceSeq && mine.has(e.connection)) own++;
  }
  if (retained.length === 0 || own * 2 > retained.length) return undefined;
  retained.sort((a, b) => a - b);
  const due = retained[Math.ceil(retained.length / 2) - 1]!;
  const wait = Math.ceil(due - now + SLACK_MS);
  return Number.isFinite(wait) && wait <= MAX_QUOTA_WAIT_MS ? Math.max(wait, SLACK_MS) : undefined;
}

/** Resolves after `ms`, or at once when `signal` aborts (the timer is cleared: nothing outlives a stopped run). */
export function sleepUnless(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    if (signal.aborted) done();
    else signal.addEventListener('abort', done, { once: true });
  });
}
