// The task state machine. It creates tasks, runs their work, applies the lifecycle rules, wakes
// tasks/result waiters the moment a task ends, enforces TTL and the per-requestor limit, and emits a
// status event on every transition. It knows nothing of MCP messages: server.ts translates.
// It is long because the lifecycle rules, waiters, TTL and cluster events all act on one task's state;
// splitting them would spread that state over several files.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { TaskEvent, TaskEvents } from './events.js';
import { ExpirySchedule, MAX_TIMER_MS } from './expiry-schedule.js';
import { ACTIVE_STATUSES, isTerminalStatus, type TaskOutcome, type TaskRecord, type TaskStatus, type TaskStore } from './store.js';

export interface EngineLimits {
  /** Granted when a request names no ttl. */
  defaultTtlMs: number;
  /** Requested ttls are clamped to [minTtlMs, maxTtlMs]; a task is never retained forever. */
  minTtlMs: number;
  maxTtlMs: number;
  pollIntervalMs: number;
  /** Non-terminal tasks one owner may have at once. */
  maxActiveTasksPerOwner: number;
}

export const DEFAULT_LIMITS: EngineLimits = {
  defaultTtlMs: 300_000,
  minTtlMs: 1_000,
  maxTtlMs: 3_600_000,
  pollIntervalMs: 100,
  maxActiveTasksPerOwner: 10_000,
};

export interface EngineOptions {
  store: TaskStore;
  limits?: Partial<EngineLimits>;
  /** false only for fault injection: cancel marks the task cancelled but leaves its work running. */
  stopWorkOnCancel?: boolean;
  /** true only for fault injection (T25-CAN-03): an outcome arriving after a cancel overwrites cancelled. */
  lateOutcomeOverridesCancel?: boolean;
  /** false only for fault injection (T25-CAN-08): a cancel in input_required forgets pending tasks/result waiters. */
  answerWaitersOnInputCancel?: boolean;
  /** Task id generator; only fault injection (T25-SEC-03) replaces the default randomUUID. */
  newTaskId?: () => string;
  /** false only for fault injection (LC-08): an expired task is removed but its work keeps running. */
  stopWorkOnExpiry?: boolean;
  /** false only for fault injection (LC-06): recover() leaves tasks orphaned by a crash working forever. */
  failOrphans?: boolean;
  /** false only for fault injection (CL-03): a cancel published by another instance leaves the work running here. */
  stopWorkCancelledElsewhere?: boolean;
  /** Only for fault injection (CL-02): other instances' changes wake no tasks/result here; the store is re-read this often instead. */
  pollOtherInstancesMs?: number;
  /** Problems worth an operator's attention, e.g. a store that failed to record an outcome (default: stderr). */
  log?: (line: string) => void;
  /**
   * The bus shared with other instances (cluster.ts): every transition is published on it, and
   * transitions published by others wake tasks/result waiters here, stop work running here when its
   * task was cancelled elsewhere, and reach the 'status' listeners (notifications to the creator's session).
   */
  events?: TaskEvents;
}

/** statusMessage of a task whose outcome the store failed to record (followed by the store's error). */
export const STORE_FAILED_MESSAGE = 'The server could not record the outcome of this task in its task store';

/** statusMessage of a task whose server instance went away while it ran (durable stores, recover()). */
export const RESTARTED_MESSAGE = 'The server restarted while the task was running; its work was lost. Start the task again.';

/** Who is asking. `bound` means tasks are bound to `owner` (an auth principal): others cannot see them. */
export interface Requestor {
  owner: string;
  bound: boolean;
}

/** What the work of a task ends with: the terminal status to record, a message, and the outcome. */
export interface WorkEnd {
  status: 'completed' | 'failed';
  statusMessage?: string;
  outcome: TaskOutcome;
}

export interface WorkContext {
  readonly taskId: string;
  /** Aborted when the task is cancelled or expires (or the engine shuts down). */
  readonly signal: AbortSignal;
  /** Moves between working and input_required; ignored once the task is terminal. */
  setStatus(status: 'working' | 'input_required', statusMessage?: string): Promise<void>;
}

export type Work = (ctx: WorkContext) => Promise<WorkEnd>;

/** What waitForTerminal needs of an abort signal: an AbortSignal, or a request's lighter abortWatch (connection.ts). */
export interface AbortWatch {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export type EngineErrorKind = 'not_found' | 'terminal' | 'limit';

/** A refusal the caller maps to a protocol error; `message` is fit to show to the requestor. */
export class EngineError extends Error {
  constructor(
    readonly kind: EngineErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

/** A task whose work has not settled yet (created, or running). */
interface Live {
  controller: AbortController;
  /** Work runs here now (start() was called); false while it waits, maybe to run on another instance. */
  running: boolean;
}

/** Waits between attempts to record a task's end after the store failed (the last one repeats). */
const STORE_RETRY_MS = [50, 250, 1000, 5000];

export interface EngineEvents {
  /** A task changed status (not emitted for creation: the creator learns the first status from the reply). */
  status: [record: TaskRecord];
  /** A task was removed because its ttl elapsed. */
  expired: [taskId: string];
}

export class TaskEngine extends EventEmitter<EngineEvents> {
  readonly limits: EngineLimits;
  private readonly store: TaskStore;
  private readonly stopWorkOnCancel: boolean;
  private readonly lateOutcomeOverridesCancel: boolean;
  private readonly answerWaitersOnInputCancel: boolean;
  private readonly newTaskId: () => string;
  private readonly stopWorkOnExpiry: boolean;
  private readonly failOrphans: boolean;
  private readonly stopWorkCancelledElsewhere: boolean;
  private readonly pollOtherInstancesMs?: number;
  private readonly log: (line: string) => void;
  private readonly events?: TaskEvents;
  private readonly unsubscribe?: () => void;
  private readonly live = new Map<string, Live>();
  /** One timer for every task's ttl (a timer per task would cost a Timeout object per retained task). */
  private readonly expiries = new ExpirySchedule((taskId) => void this.expire(taskId));
  /** Per owner, the tail of the queue of creations (see create()). */
  private readonly creating = new Map<string, Promise<void>>();
  private readonly waiters = new Map<string, Set<(record: TaskRecord | undefined) => void>>();
  /** Shared stores: the one timer that re-reads waited-for tasks another process may have ended. */
  private watcher: NodeJS.Timeout | undefined;
  private watching = false;
  private closed = false;

  constructor(options: EngineOptions) {
    super();
    this.store = options.store;
    const given = Object.entries(options.limits ?? {}).filter(([, value]) => value !== undefined);
    this.limits = { ...DEFAULT_LIMITS, ...Object.fromEntries(given) };
    this.stopWorkOnCancel = options.stopWorkOnCancel ?? true;
    this.lateOutcomeOverridesCancel = options.lateOutcomeOverridesCancel ?? false;
    this.answerWaitersOnInputCancel = options.answerWaitersOnInputCancel ?? true;
    this.newTaskId = options.newTaskId ?? randomUUID;
    this.stopWorkOnExpiry = options.stopWorkOnExpiry ?? true;
    this.failOrphans = options.failOrphans ?? true;
    this.stopWorkCancelledElsewhere = options.stopWorkCancelledElsewhere ?? true;
    this.pollOtherInstancesMs = options.pollOtherInstancesMs;
    this.log = options.log ?? ((line) => void process.stderr.write(`${line}\n`));
    this.events = options.events;
    this.unsubscribe = this.events?.subscribe((event) => this.onClusterEvent(event));
  }

  /**
   * Start-up with a durable store: tasks whose server instance is gone can never finish, so they become
   * failed with a message saying why (tasks/result then answers -32603), and every stored task gets its
   * ttl timer back. Returns the number of tasks failed.
   */
  async recover(): Promise<number> {
    const orphans = this.failOrphans ? ((await this.store.orphans?.()) ?? []) : [];
    let failed = 0;
    for (const orphan of orphans) {
      const moved = await this.move(orphan.taskId, ACTIVE_STATUSES, {
        status: 'failed',
        statusMessage: RESTARTED_MESSAGE,
        outcome: { kind: 'error', error: { code: -32603, message: `Internal error: ${RESTARTED_MESSAGE}` } },
      });
      if (moved) failed++;
    }
    // A store that expires records itself (Redis) may hold far more than this instance created: no schedule of all().
    if (!this.store.expiresRecords)
      for (const record of await this.store.all()) this.expiries.add(record.taskId, record.createdAt + record.ttl);
    return failed;
  }

  /** The ttl actually granted for a requested one (undefined = none requested). */
  grantTtl(requested: number | undefined): number {
    const { defaultTtlMs, minTtlMs, maxTtlMs } = this.limits;
    if (requested === undefined) return defaultTtlMs;
    return Math.min(Math.max(Math.ceil(requested), minTtlMs), maxTtlMs);
  }

  /**
   * Records a new task in `working`. The work does not start until start() is called, so the caller can
   * deliver the creation reply first and no status event can overtake it.
   */
  async create(
    requestor: Requestor,
    request: TaskRecord['request'],
    requestedTtl: number | undefined,
    pollIntervalMs?: number,
  ): Promise<TaskRecord> {
    if (this.closed) throw new Error('the task engine is shut down');
    if (this.store.insertWithin) return this.insert(requestor, request, requestedTtl, pollIntervalMs);
    // Count-then-insert runs one at a time per owner, so concurrent creates cannot slip past the limit.
    const owner = requestor.owner;
    const created = (this.creating.get(owner) ?? Promise.resolve()).then(() =>
      this.createNow(requestor, request, requestedTtl, pollIntervalMs),
    );
    const settled = created.then(
      () => undefined,
      () => undefined,
    );
    this.creating.set(owner, settled);
    void settled.then(() => {
      if (this.creating.get(owner) === settled) this.creating.delete(owner);
    });
    return created;
  }

  private async createNow(
    requestor: Requestor,
    request: TaskRecord['request'],
    requestedTtl: number | undefined,
    pollIntervalMs: number | undefined,
  ): Promise<TaskRecord> {
    const limit = this.limits.maxActiveTasksPerOwner;
    if ((await this.store.countActive(requestor.owner)) >= limit) throw limitError(limit);
    return this.insert(requestor, request, requestedTtl, pollIntervalMs);
  }

  private async insert(
    requestor: Requestor,
    request: TaskRecord['request'],
    requestedTtl: number | undefined,
    pollIntervalMs: number | undefined,
  ): Promise<TaskRecord> {
    const now = Date.now();
    const record: TaskRecord = {
      taskId: this.newTaskId(),
      owner: requestor.owner,
      status: 'working',
      createdAt: now,
      lastUpdatedAt: now,
      ttl: this.grantTtl(requestedTtl),
      // A per-task interval (the 2026-07-28 fixtures' pollIntervalMs argument) overrides the default.
      pollInterval: pollIntervalMs ?? this.limits.pollIntervalMs,
      request,
    };
    const limit = this.limits.maxActiveTasksPerOwner;
    if (!this.store.insertWithin) await this.store.insert(record);
    else if (!(await this.store.insertWithin(record, limit))) throw limitError(limit);
    // TTL counts from creation: when it elapses the task is removed whatever its status, and its work stops.
    this.expiries.add(record.taskId, now + record.ttl);
    this.live.set(record.taskId, { controller: new AbortController(), running: false });
    return record;
  }

  /**
   * Takes on a task created by another instance so that start() can run its work here (a cluster's
   * runner): gives it an abort controller and schedules its ttl. No-op for a task this engine already holds.
   */
  adopt(record: TaskRecord): void {
    if (this.closed || this.live.has(record.taskId)) return;
    this.expiries.add(record.taskId, record.createdAt + record.ttl);
    this.live.set(record.taskId, { controller: new AbortController(), running: false });
  }

  /**
   * Runs the work of a created task; its end becomes the terminal status unless the task already ended.
   * Resolves once that end is recorded (a cluster's runner then acknowledges the work item).
   */
  start(taskId: string, work: Work): Promise<void> {
    const live = this.live.get(taskId);
    if (!live) return Promise.resolve(); // expired or shut down before it started
    live.running = true;
    const ctx: WorkContext = {
      taskId,
      signal: live.controller.signal,
      setStatus: async (status, statusMessage) => {
        await this.move(taskId, ACTIVE_STATUSES, { status, statusMessage });
      },
    };
    return work(ctx)
      .then(
        (end) => this.finish(taskId, end),
        (error: unknown) =>
          this.finish(taskId, {
            status: 'failed',
            statusMessage: `internal error: ${errorText(error)}`,
            outcome: { kind: 'error', error: { code: -32603, message: `Internal error: ${errorText(error)}` } },
          }),
      )
      .catch((error: unknown) => this.log(`task ${taskId}: ${errorText(error)}`))
      .finally(() => this.live.delete(taskId));
  }

  /** The task, if it exists and the requestor may see it (otherwise not_found, without leaking existence). */
  async get(taskId: string, requestor: Requestor): Promise<TaskRecord> {
    const record = await this.store.get(taskId);
    if (!record || (requestor.bound && record.owner !== requestor.owner)) {
      throw new EngineError('not_found', `Task not found: no task with id ${quote(taskId)} exists (it may have expired)`);
    }
    return record;
  }

  /** Resolves with the terminal record as soon as the task ends, or undefined if it is removed first. */
  async waitForTerminal(taskId: string, requestor: Requestor, signal?: AbortWatch): Promise<TaskRecord | undefined> {
    const record = await this.get(taskId, requestor);
    if (isTerminalStatus(record.status) || signal?.aborted) return signal?.aborted ? undefined : record;
    return new Promise((resolve) => {
      let set = this.waiters.get(taskId);
      if (!set) this.waiters.set(taskId, (set = new Set()));
      // A store that expires records itself removes this one at its deadline, maybe with no schedule entry here.
      const deadline = this.store.expiresRecords
        ? setTimeout(
            () => void this.wakeIfEnded(taskId).catch(() => undefined),
            Math.min(Math.max(0, record.createdAt + record.ttl - Date.now()) + 50, MAX_TIMER_MS),
          ).unref()
        : undefined;
      const waiter = (r: TaskRecord | undefined) => {
        clearTimeout(deadline);
        signal?.removeEventListener('abort', onAbort);
        resolve(r);
      };
      const onAbort = () => {
        clearTimeout(deadline);
        const waiting = this.waiters.get(taskId);
        waiting?.delete(waiter);
        if (waiting?.size === 0) this.waiters.delete(taskId);
        resolve(undefined);
      };
      set.add(waiter);
      // A shared store may be changed by another server process (which wakes nobody here): watch it,
      // unless a cluster bus tells us of every change.
      if (this.store.shared && (!this.events || this.pollOtherInstancesMs)) this.watchStore();
      signal?.addEventListener('abort', onAbort, { once: true });
      // The task may have ended between the read above and registering the waiter.
      this.wakeIfEnded(taskId).catch((error: unknown) => this.log(`task ${taskId}: re-reading it failed: ${errorText(error)}`));
    });
  }

  /** Moves a non-terminal task to cancelled (before returning) and stops its work. */
  async cancel(taskId: string, requestor: Requestor): Promise<TaskRecord> {
    const current = await this.get(taskId, requestor);
    if (!this.answerWaitersOnInputCancel && current.status === 'input_required') this.waiters.delete(taskId);
    const cancelled = await this.move(taskId, ACTIVE_STATUSES, { status: 'cancelled', statusMessage: 'The task was cancelled by request' });
    if (!cancelled) {
      throw new EngineError(
        'terminal',
        `Task ${quote(taskId)} is already ${(await this.store.get(taskId))?.status ?? current.status} and cannot be cancelled`,
      );
    }
    if (this.stopWorkOnCancel) this.live.get(taskId)?.controller.abort(new Error('task cancelled'));
    this.releaseEnded(taskId);
    return cancelled;
  }

  /**
   * Moves a task waiting for input back to working: its last outstanding request was answered on an
   * instance that does not run its work (2026-07-28 tasks/update, ext/inputs-redis.ts). No-op otherwise.
   */
  async resume(taskId: string): Promise<void> {
    await this.move(taskId, ['input_required'], { status: 'working' });
  }

  /** Removes a finished task before its ttl (the server caps retained tasks); later lookups are not_found. */
  async remove(taskId: string): Promise<void> {
    // Its ttl stays in the schedule: expiring a task that is gone already deletes nothing.
    this.live.delete(taskId);
    await this.store.delete(taskId);
    this.wake(taskId, undefined);
  }

  /** One page of the requestor's tasks in creation order. */
  list(owner: string, after: string | undefined, limit: number) {
    return this.store.list(owner, after, limit);
  }

  isPosition(position: string): boolean {
    return this.store.isPosition(position);
  }

  /** Stops every task's work and timer and wakes all waiters; the engine accepts no new tasks. */
  async shutdown(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    this.expiries.clear();
    clearInterval(this.watcher);
    for (const live of this.live.values()) live.controller.abort(new Error('server shutting down'));
    this.live.clear();
    for (const taskId of [...this.waiters.keys()]) this.wake(taskId, undefined);
    await this.store.close();
  }

  private async expire(taskId: string): Promise<void> {
    if (this.closed) return;
    if (this.stopWorkOnExpiry) this.live.get(taskId)?.controller.abort(new Error('task expired'));
    this.live.delete(taskId);
    try {
      await this.store.delete(taskId);
    } catch (error) {
      // The record stays until a later attempt removes it; its waiters keep waiting meanwhile.
      this.log(`task ${taskId}: its ttl elapsed but the task store could not remove it (${storeErrorText(error)}); retrying`);
      this.expiries.add(taskId, Date.now() + STORE_RETRY_MS[STORE_RETRY_MS.length - 1]!);
      return;
    }
    this.wake(taskId, undefined);
    this.emit('expired', taskId);
  }

  private async finish(taskId: string, end: WorkEnd): Promise<void> {
    // A task that was cancelled (or expired) meanwhile keeps that fate; the late outcome is dropped.
    const from: readonly TaskStatus[] = this.lateOutcomeOverridesCancel ? [...ACTIVE_STATUSES, 'cancelled'] : ACTIVE_STATUSES;
    try {
      await this.move(taskId, from, { status: end.status, statusMessage: end.statusMessage, outcome: end.outcome });
    } catch (error) {
      this.log(`task ${taskId}: the task store could not record its end (${end.status}): ${storeErrorText(error)}; marking it failed`);
      await this.failAfterStoreError(taskId, from, error);
    }
  }

  /**
   * The store refused a task's end (disk full, locked, ...): record it failed with a message saying why,
   * retrying with growing pauses until the store takes it, the task is gone, or the engine shuts down.
   */
  private async failAfterStoreError(taskId: string, from: readonly TaskStatus[], cause: unknown): Promise<void> {
    const message = `${STORE_FAILED_MESSAGE}: ${storeErrorText(cause)}`;
    const patch = {
      status: 'failed' as const,
      statusMessage: message,
      outcome: { kind: 'error' as const, error: { code: -32603, message: `Internal error: ${message}` } },
    };
    for (let attempt = 0; !this.closed; attempt++) {
      try {
        await this.move(taskId, from, patch);
        if (attempt > 0) this.log(`task ${taskId}: recorded as failed after ${attempt + 1} attempts`);
        return;
      } catch (error) {
        const pause = STORE_RETRY_MS[Math.min(attempt, STORE_RETRY_MS.length - 1)]!;
        if (attempt === 0 || pause === STORE_RETRY_MS[STORE_RETRY_MS.length - 1])
          this.log(
            `task ${taskId}: the task store could not record it as failed either (${storeErrorText(error)}); retrying in ${pause} ms`,
          );
        await new Promise((resolve) => setTimeout(resolve, pause).unref());
      }
    }
  }

  /** Starts the shared-store watcher if it is not running: one timer for all waiters, not one each. */
  private watchStore(): void {
    if (this.watcher || this.closed) return;
    this.watcher = setInterval(() => void this.rereadWaited(), this.pollOtherInstancesMs ?? this.limits.pollIntervalMs);
    this.watcher.unref();
  }

  /** Wakes the waiters of tasks another process ended or removed; cheap when nothing changed elsewhere. */
  private async rereadWaited(): Promise<void> {
    if (this.waiters.size === 0) {
      clearInterval(this.watcher);
      this.watcher = undefined;
      return;
    }
    if (this.watching || !(this.store.changedElsewhere?.() ?? true)) return;
    this.watching = true;
    try {
      for (const taskId of [...this.waiters.keys()]) await this.wakeIfEnded(taskId);
    } catch (error) {
      this.log(`re-reading the tasks that tasks/result waits for failed: ${errorText(error)}`);
    } finally {
      this.watching = false;
    }
  }

  private async move(
    taskId: string,
    from: readonly TaskStatus[],
    patch: { status: TaskStatus; statusMessage?: string; outcome?: TaskOutcome },
  ) {
    const before = await this.store.get(taskId);
    if (!before || !from.includes(before.status) || before.status === patch.status) return undefined;
    const record = await this.store.transition(taskId, [before.status], {
      ...patch,
      lastUpdatedAt: Math.max(Date.now(), before.lastUpdatedAt),
    });
    if (!record) return undefined;
    this.emit('status', record);
    if (isTerminalStatus(record.status)) this.wake(taskId, record);
    // Results may be large: other instances re-read the store when they need the outcome.
    void this.events?.publish({ type: 'status', record: { ...record, outcome: undefined } }).catch(() => undefined);
    return record;
  }

  /** Transitions made by other instances (cluster bus): wake waiters, stop work cancelled elsewhere, notify. */
  private onClusterEvent(event: TaskEvent): void {
    if (event.type === 'resync') {
      for (const taskId of this.waiters.keys())
        void this.wakeIfEnded(taskId).catch((error: unknown) => this.log(`task ${taskId}: re-reading it failed: ${errorText(error)}`));
      return;
    }
    if (event.type !== 'status' || event.from === this.events?.instanceId || this.closed) return;
    const { record } = event;
    this.emit('status', record);
    if (!isTerminalStatus(record.status)) return;
    const live = this.live.get(record.taskId);
    // Work still running here for a task that ended elsewhere (cancelled, or finished by another runner) stops.
    if (live?.running && (record.status !== 'cancelled' || (this.stopWorkOnCancel && this.stopWorkCancelledElsewhere)))
      live.controller.abort(new Error(record.status === 'cancelled' ? 'task cancelled' : `task ${record.status} elsewhere`));
    this.releaseEnded(record.taskId);
    if (this.waiters.has(record.taskId) && !this.pollOtherInstancesMs)
      this.wakeIfEnded(record.taskId).catch((error: unknown) =>
        this.log(`task ${record.taskId}: re-reading it failed: ${errorText(error)}`),
      );
  }

  /** A task that ended while its work was not running here (a cluster runs it elsewhere) will never run here. */
  private releaseEnded(taskId: string): void {
    if (this.live.get(taskId)?.running === false) this.live.delete(taskId);
  }

  private async wakeIfEnded(taskId: string): Promise<void> {
    const now = await this.store.get(taskId);
    if (!now || isTerminalStatus(now.status)) this.wake(taskId, now);
  }

  private wake(taskId: string, record: TaskRecord | undefined): void {
    const set = this.waiters.get(taskId);
    if (!set) return;
    this.waiters.delete(taskId);
    for (const waiter of set) waiter(record);
  }
}

function limitError(limit: number): EngineError {
  return new EngineError('limit', `too many active tasks for this requestor (limit ${limit}); wait for some to finish or cancel them`);
}

/** A store error for a message: its text, and its code (e.g. SQLITE_FULL) when the text does not say it. */
function storeErrorText(error: unknown): string {
  const text = errorText(error);
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && !text.includes(code) ? `${text} (${code})` : text;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A task id for an error message: short enough to read, never the whole of a huge bogus id. */
function quote(taskId: string): string {
  return JSON.stringify(taskId.length > 80 ? `${taskId.slice(0, 80)}…` : taskId);
}
