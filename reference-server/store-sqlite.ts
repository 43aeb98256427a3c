// The durable task store: one SQLite file (better-sqlite3) keeps task records and results across
// restarts and can be opened by several server processes at once (stdio spawns one per client).
//
// Several processes share a file, so each running server registers itself as an *instance* (id, host,
// pid). Every record remembers the instance that runs its work (`runner`). A record that is still
// working while its runner is gone (crashed, killed, restarted) can never finish: `orphans()` names
// those, and the engine fails them at start-up. Liveness is the pid on this host; an instance of
// another host is assumed alive (SQLite files are not meant to be shared across hosts anyway).
//
// better-sqlite3 is synchronous; the async interface of TaskStore is kept so that a networked store
// can implement the same contract.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ACTIVE_STATUSES, type ListPage, type TaskPatch, type TaskRecord, type TaskStatus, type TaskStore } from './store.js';

const SCHEMA_VERSION = '1';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS instances (
  id TEXT PRIMARY KEY,
  host TEXT NOT NULL,
  pid INTEGER NOT NULL,
  started_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS tasks (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id TEXT NOT NULL UNIQUE,
  owner TEXT NOT NULL,
  status TEXT NOT NULL,
  runner TEXT NOT NULL,
  record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tasks_by_owner ON tasks (owner, seq);
CREATE INDEX IF NOT EXISTS tasks_by_status ON tasks (status);
`;

export interface SqliteStoreOptions {
  /** Database file; created (with its folder) when missing. ":memory:" for tests. */
  path: string;
  /** How long a write waits for another process's lock (ms). */
  busyTimeoutMs?: number;
}

interface Row {
  seq: number;
  record: string;
  runner: string;
}

/**
 * Creates a folder and its missing parents one level at a time: Node 20's recursive mkdirSync spins
 * forever on a path under /proc, which would hang start-up instead of failing.
 */
function makeFolder(folder: string): void {
  if (existsSync(folder)) return;
  const parent = dirname(folder);
  if (parent !== folder) makeFolder(parent);
  mkdirSync(folder);
}

const ACTIVE_SQL = ACTIVE_STATUSES.map((s) => `'${s}'`).join(', ');

/** Instances open in this process: a row with our own pid is alive only if it is one of these. */
const openHere = new Set<string>();

export class SqliteTaskStore implements TaskStore {
  /** Several server processes may change records in this file: waiters must re-read, not only listen. */
  readonly shared = true;
  /** This server process, as recorded in `instances` and in the `runner` of the tasks it creates. */
  readonly instanceId = randomUUID();
  private readonly db: Database.Database;
  private closed = false;

  constructor(options: SqliteStoreOptions) {
    try {
      if (options.path !== ':memory:') makeFolder(dirname(options.path));
      this.db = new Database(options.path);
    } catch (error) {
      throw new Error(`cannot open the task store ${options.path}: ${(error as Error).message} (check the path and its permissions)`, {
        cause: error,
      });
    }
    this.db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    // WAL: readers never block the writer, and a killed process loses no committed transaction.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
    const version = this.db.prepare<[], { value: string }>(`SELECT value FROM meta WHERE key = 'schema'`).get()?.value;
    if (version === undefined) this.db.prepare(`INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)`).run(SCHEMA_VERSION);
    else if (version !== SCHEMA_VERSION) {
      this.db.close();
      throw new Error(`the task store ${options.path} has schema version ${version}; this server needs ${SCHEMA_VERSION} (use a new file)`);
    }
    this.pruneDeadInstances();
    this.db
      .prepare('INSERT INTO instances (id, host, pid, started_at) VALUES (?, ?, ?, ?)')
      .run(this.instanceId, hostname(), process.pid, Date.now());
    openHere.add(this.instanceId);
  }

  async insert(record: TaskRecord): Promise<void> {
    this.assertOpen();
    try {
      this.db
        .prepare('INSERT INTO tasks (task_id, owner, status, runner, record) VALUES (?, ?, ?, ?, ?)')
        .run(record.taskId, record.owner, record.status, this.instanceId, JSON.stringify(record));
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE')
        throw new Error(`task ${record.taskId} already exists`, { cause: error });
      throw error;
    }
  }

  async get(taskId: string): Promise<TaskRecord | undefined> {
    if (this.closed) return undefined;
    const row = this.db.prepare<[string], Row>('SELECT seq, record, runner FROM tasks WHERE task_id = ?').get(taskId);
    return row ? parse(row) : undefined;
  }

  async transition(taskId: string, from: readonly TaskStatus[], patch: TaskPatch): Promise<TaskRecord | undefined> {
    if (this.closed) return undefined;
    // IMMEDIATE takes the write lock before the read, so the compare-and-set holds across processes.
    const apply = this.db.transaction((): TaskRecord | undefined => {
      const row = this.db.prepare<[string], Row>('SELECT seq, record, runner FROM tasks WHERE task_id = ?').get(taskId);
      if (!row) return undefined;
      const before = parse(row);
      if (!from.includes(before.status)) return undefined;
      const after: TaskRecord = { ...before, ...patch };
      this.db.prepare('UPDATE tasks SET status = ?, record = ? WHERE task_id = ?').run(after.status, JSON.stringify(after), taskId);
      return after;
    });
    return apply.immediate();
  }

  async delete(taskId: string): Promise<boolean> {
    if (this.closed) return false;
    return this.db.prepare('DELETE FROM tasks WHERE task_id = ?').run(taskId).changes > 0;
  }

  async list(owner: string, after: string | undefined, limit: number): Promise<ListPage> {
    if (this.closed) return { records: [] };
    const start = after === undefined ? 0 : Number(after);
    // One row more than asked tells whether another page follows.
    const take = Math.min(limit, 1_000_000) + 1;
    const rows = this.db
      .prepare<[string, number, number], Row>('SELECT seq, record, runner FROM tasks WHERE owner = ? AND seq > ? ORDER BY seq LIMIT ?')
      .all(owner, start, take);
    if (rows.length <= limit) return { records: rows.map(parse) };
    const page = rows.slice(0, limit);
    return { records: page.map(parse), nextPosition: String(page[page.length - 1]!.seq) };
  }

  isPosition(position: string): boolean {
    if (!/^(0|[1-9][0-9]{0,15})$/.test(position) || this.closed) return false;
    const last = this.db.prepare<[], { seq: number }>(`SELECT seq FROM sqlite_sequence WHERE name = 'tasks'`).get()?.seq ?? 0;
    return Number(position) <= last;
  }

  async countActive(owner: string): Promise<number> {
    if (this.closed) return 0;
    return (
      this.db.prepare<[string], { n: number }>(`SELECT count(*) AS n FROM tasks WHERE owner = ? AND status IN (${ACTIVE_SQL})`).get(owner)
        ?.n ?? 0
    );
  }

  async all(): Promise<TaskRecord[]> {
    if (this.closed) return [];
    return this.db.prepare<[], Row>('SELECT seq, record, runner FROM tasks ORDER BY seq').all().map(parse);
  }

  /** Non-terminal records whose runner instance is gone: their work was lost with it. */
  async orphans(): Promise<TaskRecord[]> {
    if (this.closed) return [];
    this.pruneDeadInstances();
    return this.db
      .prepare<[], Row>(
        `SELECT seq, record, runner FROM tasks WHERE status IN (${ACTIVE_SQL}) AND runner NOT IN (SELECT id FROM instances) ORDER BY seq`,
      )
      .all()
      .map(parse);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    openHere.delete(this.instanceId);
    // Leaving the instance table marks this process's unfinished tasks as orphans for the next start.
    try {
      this.db.prepare('DELETE FROM instances WHERE id = ?').run(this.instanceId);
    } finally {
      this.db.close();
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the task store is closed');
  }

  /** Forgets instances of this host whose process no longer exists. */
  private pruneDeadInstances(): void {
    const here = hostname();
    const rows = this.db.prepare<[], { id: string; host: string; pid: number }>('SELECT id, host, pid FROM instances').all();
    const dead = rows.filter((r) => r.host === here && !(r.pid === process.pid ? openHere.has(r.id) : processAlive(r.pid)));
    const remove = this.db.prepare('DELETE FROM instances WHERE id = ?');
    for (const r of dead) remove.run(r.id);
  }
}

function parse(row: Row): TaskRecord {
  return JSON.parse(row.record) as TaskRecord;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
