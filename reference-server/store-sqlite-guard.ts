// What keeps the SQLite store's failures survivable and legible: errors that name the file, writes that
// wait for another process's lock without freezing the event loop, and stored rows checked for shape.
//
// better-sqlite3 is synchronous, so SQLite's own busy handler blocks the whole process while it waits
// (a 3.5 s lock held by another process froze every session). The connection therefore waits only a
// few milliseconds itself (SHORT_BUSY_MS); a write that still finds the file locked pauses on a timer
// and tries again, up to a bound. While one write waits, the others queue behind it instead of each
// probing the lock on its own.
import type { TaskRecord, TaskStatus } from './store.js';

/** How long SQLite itself may block the event loop waiting for a lock (ms). */
export const SHORT_BUSY_MS = 20;
/** Pauses between attempts of a write that found the file locked (the last one repeats). */
const LOCKED_RETRY_MS = [10, 25, 50, 100, 200];

/** An error of the task store: says which file, keeps SQLite's code (e.g. SQLITE_FULL) and the cause. */
export class TaskStoreError extends Error {
  constructor(
    readonly file: string,
    message: string,
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(`the task store ${file}: ${message}${code && !message.includes(code) ? ` (${code})` : ''}`, options);
    this.name = 'TaskStoreError';
  }
}

const sqliteCode = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

export const isLocked = (error: unknown) => /^SQLITE_(BUSY|LOCKED)/.test(sqliteCode(error) ?? '');

/** Rethrows any error as a TaskStoreError naming the file (once). */
export function named(file: string, error: unknown): TaskStoreError {
  if (error instanceof TaskStoreError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = sqliteCode(error);
  const hint = /^SQLITE_(CORRUPT|NOTADB)/.test(code ?? '') ? '; the file is damaged or not a task store: restore it or use a new file' : '';
  return new TaskStoreError(file, `${message}${hint}`, code, { cause: error });
}

/** Runs synchronous writes one after another when the file is locked, retrying off the event loop. */
export class WriteGate {
  /** Settles when the write that found the file locked has gone through (or given up). */
  private waiting: Promise<unknown> | undefined;

  constructor(
    private readonly file: string,
    /** Longest a write waits for another process's lock in total (ms). */
    private readonly lockWaitMs: number,
  ) {}

  async write<T>(attempt: () => T): Promise<T> {
    while (this.waiting) await this.waiting.catch(() => undefined);
    try {
      return attempt();
    } catch (error) {
      if (!isLocked(error)) throw named(this.file, error);
    }
    const retried = this.retry(attempt);
    this.waiting = retried;
    void retried
      .finally(() => {
        if (this.waiting === retried) this.waiting = undefined;
      })
      .catch(() => undefined);
    return retried;
  }

  private async retry<T>(attempt: () => T): Promise<T> {
    const started = Date.now();
    for (let i = 0; ; i++) {
      await new Promise((resolve) => setTimeout(resolve, LOCKED_RETRY_MS[Math.min(i, LOCKED_RETRY_MS.length - 1)]));
      try {
        return attempt();
      } catch (error) {
        if (!isLocked(error)) throw named(this.file, error);
        const waited = Date.now() - started;
        if (waited >= this.lockWaitMs)
          throw new TaskStoreError(
            this.file,
            `another process has held its write lock for over ${Math.round(waited / 1000)} s; the write was given up`,
            sqliteCode(error),
            { cause: error },
          );
      }
    }
  }
}

const STATUSES: readonly TaskStatus[] = ['working', 'input_required', 'completed', 'failed', 'cancelled'];
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isTime = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= 8.64e15;

/** What is wrong with a stored record's shape, or undefined when it is a TaskRecord. */
export function recordProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'it is not a JSON object';
  if (typeof value.taskId !== 'string') return 'taskId is not a string';
  if (typeof value.owner !== 'string') return 'owner is not a string';
  if (!STATUSES.includes(value.status as TaskStatus)) return `status ${JSON.stringify(value.status)} is not a task status`;
  if (value.statusMessage !== undefined && typeof value.statusMessage !== 'string') return 'statusMessage is not a string';
  for (const key of ['createdAt', 'lastUpdatedAt'] as const) if (!isTime(value[key])) return `${key} is not a time in epoch ms`;
  for (const key of ['ttl', 'pollInterval'] as const)
    if (typeof value[key] !== 'number' || !(value[key] >= 0)) return `${key} is not a non-negative number`;
  const request = value.request;
  if (!isObject(request) || typeof request.method !== 'string' || !isObject(request.params)) return 'request is not {method, params}';
  const outcome = value.outcome;
  if (outcome !== undefined) {
    if (!isObject(outcome)) return 'outcome is not an object';
    if (outcome.kind === 'result' ? !isObject(outcome.result) : outcome.kind !== 'error' || !isObject(outcome.error))
      return 'outcome is neither {kind: "result", result} nor {kind: "error", error}';
  }
  return undefined;
}

export type ParsedRow = { record: TaskRecord } | { problem: string };

/** Parses a stored record: the record, or what is wrong with it. */
export function parseRecord(json: string): ParsedRow {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    return { problem: `it is not JSON (${(error as Error).message})` };
  }
  const problem = recordProblem(value);
  return problem ? { problem } : { record: value as TaskRecord };
}
