// Persistence of task records behind one small interface. The engine owns all task semantics (status
// rules, TTL timers, waiters); a store only keeps records and answers queries, so a durable SQLite store
// or a shared networked store can implement the same interface. Every method is async for that reason.
//
// Contract for implementers:
// - `transition` is the only way a status changes and must be atomic (compare-and-set on the status).
// - `list` returns one owner's records in creation order, starting after an opaque position the store
//   itself produced (`nextPosition`); positions stay valid when earlier records are deleted.
// - Records are plain JSON-serialisable data; the store never interprets `request` or `outcome`.
// - A record or patch handed to a store is the store's: the memory store freezes it in place.

import type { TaskCluster } from './cluster.js';

export type TaskStatus = 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled';
export const TERMINAL_STATUSES: readonly TaskStatus[] = ['completed', 'failed', 'cancelled'];
export const ACTIVE_STATUSES: readonly TaskStatus[] = ['working', 'input_required'];
export const isTerminalStatus = (s: TaskStatus) => TERMINAL_STATUSES.includes(s);

export interface JsonRpcErrorBody {
  code: number;
  message: string;
  data?: unknown;
}

/** How the underlying request ended: the result it returned, or the JSON-RPC error it failed with. */
export type TaskOutcome = { kind: 'result'; result: Record<string, unknown> } | { kind: 'error'; error: JsonRpcErrorBody };

export interface TaskRecord {
  taskId: string;
  /** Who may list (and, when bound, access) the task: a principal, an HTTP session or the stdio peer. */
  owner: string;
  status: TaskStatus;
  statusMessage?: string;
  /** Epoch milliseconds. */
  createdAt: number;
  lastUpdatedAt: number;
  /** Retention in ms from createdAt (the engine always grants a finite ttl). */
  ttl: number;
  pollInterval: number;
  /** The original request, so a durable store can tell what a task was about after a restart. */
  request: { method: string; params: Record<string, unknown> };
  /** Set exactly when the task reached completed or failed. */
  outcome?: TaskOutcome;
}

export type TaskPatch = Partial<Pick<TaskRecord, 'status' | 'statusMessage' | 'lastUpdatedAt' | 'outcome'>>;

export interface ListPage {
  records: TaskRecord[];
  /** Present when more records may follow; pass it back as `after`. */
  nextPosition?: string;
}

export interface TaskStore {
  insert(record: TaskRecord): Promise<void>;
  get(taskId: string): Promise<TaskRecord | undefined>;
  /** Applies `patch` if the current status is one of `from`; returns the updated record, else undefined. */
  transition(taskId: string, from: readonly TaskStatus[], patch: TaskPatch): Promise<TaskRecord | undefined>;
  delete(taskId: string): Promise<boolean>;
  /** One owner's records in creation order, after `after` (a position from an earlier page). */
  list(owner: string, after: string | undefined, limit: number): Promise<ListPage>;
  /** Whether `position` is a position this store could have produced (for cursor validation). */
  isPosition(position: string): boolean;
  /** Number of non-terminal records of one owner (for the concurrency limit). */
  countActive(owner: string): Promise<number>;
  /**
   * Optional: inserts unless the owner already has `maxActive` non-terminal records, as one atomic step
   * (returns false when refused). Without it the engine queues count-then-insert per owner itself.
   */
  insertWithin?(record: TaskRecord, maxActive: number): Promise<boolean>;
  /** Every record (used at start-up by durable stores to re-arm TTL timers). */
  all(): Promise<TaskRecord[]>;
  /**
   * Durable stores only: non-terminal records whose server instance is gone (crashed or restarted), so
   * their work can never finish. The engine fails them at start-up (store-sqlite.ts).
   */
  orphans?(): Promise<TaskRecord[]>;
  /** True when other server instances may change records too: waiters then re-read instead of only listening. */
  readonly shared?: boolean;
  /**
   * Shared stores: whether another process changed records since the previous call (cheap; the engine
   * asks on one low-frequency timer while tasks/result waiters exist). Absent = assume it may have.
   */
  changedElsewhere?(): boolean;
  /**
   * True when the store itself removes a record once its ttl (from createdAt) has elapsed (Redis expiry):
   * the engine then schedules the ttls only of tasks created or run here, and does not read all() at start-up.
   */
  readonly expiresRecords?: boolean;
  /** The cluster the store belongs to (cluster.ts), when several instances share it; start.ts wires it in. */
  readonly cluster?: TaskCluster;
  close(): Promise<void>;
}

interface Entry {
  seq: number;
  /** Deep-frozen: handed out as is, so a poll never copies a large result. */
  record: Readonly<TaskRecord>;
  deleted?: true;
}

/** One owner's entries in insertion (= creation = seq) order; deleted ones are dropped in batches. */
interface Owned {
  entries: Entry[];
  deleted: number;
}

/** The default store: process memory, bounded by the engine's TTL and concurrency limits. */
export class MemoryTaskStore implements TaskStore {
  private readonly byId = new Map<string, Entry>();
  private readonly byOwner = new Map<string, Owned>();
  private readonly activeByOwner = new Map<string, number>();
  private seq = 0;

  async insert(record: TaskRecord): Promise<void> {
    this.insertNow(record);
  }

  async insertWithin(record: TaskRecord, maxActive: number): Promise<boolean> {
    if ((this.activeByOwner.get(record.owner) ?? 0) >= maxActive) return false;
    this.insertNow(record);
    return true;
  }

  async get(taskId: string): Promise<TaskRecord | undefined> {
    return this.byId.get(taskId)?.record;
  }

  async transition(taskId: string, from: readonly TaskStatus[], patch: TaskPatch): Promise<TaskRecord | undefined> {
    const entry = this.byId.get(taskId);
    if (!entry || !from.includes(entry.record.status)) return undefined;
    const before = entry.record;
    // Only the patch is new data: the rest of the record is frozen already and shared, not copied again.
    entry.record = Object.freeze(patched(before, ownFrozen(patch)));
    const delta = Number(!isTerminalStatus(entry.record.status)) - Number(!isTerminalStatus(before.status));
    if (delta) this.addActive(before.owner, delta);
    return entry.record;
  }

  async delete(taskId: string): Promise<boolean> {
    const entry = this.byId.get(taskId);
    if (!entry) return false;
    const { owner, status } = entry.record;
    this.byId.delete(taskId);
    entry.deleted = true;
    const owned = this.byOwner.get(owner);
    if (owned && ++owned.deleted * 2 > owned.entries.length) {
      owned.entries = owned.entries.filter((e) => !e.deleted);
      owned.deleted = 0;
      if (owned.entries.length === 0) this.byOwner.delete(owner);
    }
    if (!isTerminalStatus(status)) this.addActive(owner, -1);
    return true;
  }

  async list(owner: string, after: string | undefined, limit: number): Promise<ListPage> {
    const entries = this.byOwner.get(owner)?.entries ?? [];
    const records: TaskRecord[] = [];
    let last = 0;
    // Entries are in seq order: find the first one after the position by bisection, not by a scan.
    for (let i = after === undefined ? 0 : firstAfter(entries, Number(after)); i < entries.length; i++) {
      const entry = entries[i]!;
      if (entry.deleted) continue;
      if (records.length === limit) return { records, nextPosition: String(last) };
      records.push(entry.record);
      last = entry.seq;
    }
    return { records };
  }

  isPosition(position: string): boolean {
    return /^(0|[1-9][0-9]{0,15})$/.test(position) && Number(position) <= this.seq;
  }

  async countActive(owner: string): Promise<number> {
    return this.activeByOwner.get(owner) ?? 0;
  }

  async all(): Promise<TaskRecord[]> {
    return [...this.byId.values()].map((e) => e.record);
  }

  async close(): Promise<void> {
    this.byId.clear();
    this.byOwner.clear();
    this.activeByOwner.clear();
  }

  private insertNow(record: TaskRecord): void {
    if (this.byId.has(record.taskId)) throw new Error(`task ${record.taskId} already exists`);
    const entry: Entry = { seq: ++this.seq, record: ownFrozen(record) };
    this.byId.set(record.taskId, entry);
    let owned = this.byOwner.get(record.owner);
    if (!owned) this.byOwner.set(record.owner, (owned = { entries: [], deleted: 0 }));
    owned.entries.push(entry);
    if (!isTerminalStatus(record.status)) this.addActive(record.owner, 1);
  }

  private addActive(owner: string, delta: number): void {
    const n = (this.activeByOwner.get(owner) ?? 0) + delta;
    if (n > 0) this.activeByOwner.set(owner, n);
    else this.activeByOwner.delete(owner);
  }
}

/** Index of the first entry with a seq greater than `seq` (entries are sorted by seq). */
function firstAfter(entries: readonly Entry[], seq: number): number {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (entries[mid]!.seq <= seq) low = mid + 1;
    else high = mid;
  }
  return low;
}

// The memory store takes ownership of what it is given: a record (or patch) is frozen in place, deeply, so
// callers share stored records safely (as with a database, nobody can change stored state behind the
// store's back) and reads cost nothing. Freezing in place rather than copying keeps the objects at the
// exact size they were made with and spares a copy per write, which at 10 000 tasks is most of the
// store's allocation. Parts that are frozen already (an earlier record's) are shared as they are.
function ownFrozen<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const key in value) ownFrozen((value as Record<string, unknown>)[key]);
  return Object.freeze(value);
}

/** `before` with `patch` applied, every field in one literal (one object shape, no out-of-object properties). */
function patched(before: Readonly<TaskRecord>, patch: TaskPatch): TaskRecord {
  return {
    taskId: before.taskId,
    owner: before.owner,
    status: patch.status ?? before.status,
    statusMessage: 'statusMessage' in patch ? patch.statusMessage : before.statusMessage,
    createdAt: before.createdAt,
    lastUpdatedAt: patch.lastUpdatedAt ?? before.lastUpdatedAt,
    ttl: before.ttl,
    pollInterval: before.pollInterval,
    request: before.request,
    outcome: 'outcome' in patch ? patch.outcome : before.outcome,
  };
}
