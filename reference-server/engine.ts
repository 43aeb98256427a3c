// The task state machine. It creates tasks, runs their work, applies the lifecycle rules, wakes
// tasks/result waiters the moment a task ends, enforces TTL and the per-requestor limit, and emits a
// status event on every transition. It knows nothing of MCP messages: server.ts translates.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
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
}

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

interface Live {
  controller: AbortController;
  expiry: NodeJS.Timeout;
}

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
  private readonly live = new Map<string, Live>();
  /** Per owner, the tail of the queue of creations (see create()). */
  private readonly creating = new Map<string, Promise<void>>();
  private readonly waiters = new Map<string, Set<(record: TaskRecord | undefined) => void>>();
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
    for (const record of await this.store.all()) if (!this.live.has(record.taskId)) this.arm(record);
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
    if ((await this.store.countActive(requestor.owner)) >= limit) {
      throw new EngineError('limit', `too many active tasks for this requestor (limit ${limit}); wait for some to finish or cancel them`);
    }
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
    await this.store.insert(record);
    this.arm(record);
    return record;
  }

  /** Runs the work of a created task; its end becomes the terminal status unless the task already ended. */
  start(taskId: string, work: Work): void {
    const live = this.live.get(taskId);
    if (!live) return; // expired or shut down before it started
    const ctx: WorkContext = {
      taskId,
      signal: live.controller.signal,
      setStatus: async (status, statusMessage) => {
        await this.move(taskId, ACTIVE_STATUSES, { status, statusMessage });
      },
    };
    work(ctx).then(
      (end) => this.finish(taskId, end),
      (error: unknown) =>
        this.finish(taskId, {
          status: 'failed',
          statusMessage: `internal error: ${errorText(error)}`,
          outcome: { kind: 'error', error: { code: -32603, message: `Internal error: ${errorText(error)}` } },
        }),
    );
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
  async waitForTerminal(taskId: string, requestor: Requestor, signal?: AbortSignal): Promise<TaskRecord | undefined> {
    const record = await this.get(taskId, requestor);
    if (isTerminalStatus(record.status) || signal?.aborted) return signal?.aborted ? undefined : record;
    return new Promise((resolve) => {
      let set = this.waiters.get(taskId);
      if (!set) this.waiters.set(taskId, (set = new Set()));
      // A shared store may be changed by another server process (which wakes nobody here): re-read it.
      const reread = this.store.shared ? setInterval(() => void this.wakeIfEnded(taskId), this.limits.pollIntervalMs).unref() : undefined;
      const waiter = (r: TaskRecord | undefined) => {
        clearInterval(reread);
        signal?.removeEventListener('abort', onAbort);
        resolve(r);
      };
      const onAbort = () => {
        clearInterval(reread);
        this.waiters.get(taskId)?.delete(waiter);
        resolve(undefined);
      };
      set.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
      // The task may have ended between the read above and registering the waiter.
      void this.wakeIfEnded(taskId);
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
    return cancelled;
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
    for (const [taskId, live] of this.live) {
      clearTimeout(live.expiry);
      live.controller.abort(new Error('server shutting down'));
      this.wake(taskId, undefined);
    }
    this.live.clear();
    await this.store.close();
  }

  // TTL counts from creation: when it elapses the task is removed whatever its status, and its work stops.
  private arm(record: TaskRecord): void {
    // setTimeout overflows above 2^31-1 ms (~24.8 days) and would fire at once, so longer ttls expire at that bound.
    const delay = Math.min(Math.max(0, record.createdAt + record.ttl - Date.now()), MAX_TIMER_MS);
    const expiry = setTimeout(() => void this.expire(record.taskId), delay);
    expiry.unref();
    this.live.set(record.taskId, { controller: new AbortController(), expiry });
  }

  private async expire(taskId: string): Promise<void> {
    if (this.stopWorkOnExpiry) this.live.get(taskId)?.controller.abort(new Error('task expired'));
    this.live.delete(taskId);
    await this.store.delete(taskId);
    this.wake(taskId, undefined);
    this.emit('expired', taskId);
  }

  private async finish(taskId: string, end: WorkEnd): Promise<void> {
    // A task that was cancelled (or expired) meanwhile keeps that fate; the late outcome is dropped.
    const from: readonly TaskStatus[] = this.lateOutcomeOverridesCancel ? [...ACTIVE_STATUSES, 'cancelled'] : ACTIVE_STATUSES;
    await this.move(taskId, from, { status: end.status, statusMessage: end.statusMessage, outcome: end.outcome });
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
    return record;
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

const MAX_TIMER_MS = 2 ** 31 - 1;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A task id for an error message: short enough to read, never the whole of a huge bogus id. */
function quote(taskId: string): string {
  return JSON.stringify(taskId.length > 80 ? `${taskId.slice(0, 80)}…` : taskId);
}
