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
// can implement the same contract. Locks, failures and damaged rows are handled in store-sqlite-guard.ts:
// every error names the file, a locked file is waited for off the event loop, and a row that does not
// parse as a task record is reported once and skipped.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { named, parseRecord, SHORT_BUSY_MS, WriteGate } from './store-sqlite-guard.js';
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
  /** Longest a write waits in total for another process's write lock before it fails (ms). */
  busyTimeoutMs?: number;
  /** Where damaged rows are reported (default: stderr). */
  log?: (line: string) => void;
}

interface Row {
  seq: number;
  record: string;
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

/** Every statement, prepared once per connection (preparing per call parses the SQL each time). */
function prepareStatements(db: Database.Database) {
  return {
    insert: db.prepare('INSERT INTO tasks (task_id, owner, status, runner, record) VALUES (?, ?, ?, ?, ?)'),
    get: db.prepare<[string], Row>('SELECT seq, record FROM tasks WHERE task_id = ?'),
    update: db.prepare('UPDATE tasks SET status = ?, record = ? WHERE task_id = ?'),
    delete: db.prepare('DELETE FROM tasks WHERE task_id = ?'),
    page: db.prepare<[string, number, number], Row>('SELECT seq, record FROM tasks WHERE owner = ? AND seq > ? ORDER BY seq LIMIT ?'),
    lastSeq: db.prepare<[], { seq: number }>(`SELECT seq FROM sqlite_sequence WHERE name = 'tasks'`),
    countActive: db.prepare<[string], { n: number }>(`SELECT count(*) AS n FROM tasks WHERE owner = ? AND status IN (${ACTIVE_SQL})`),
    all: db.prepare<[], Row>('SELECT seq, record FROM tasks ORDER BY seq'),
    orphans: db.prepare<[], Row>(
      `SELECT seq, record FROM tasks WHERE status IN (${ACTIVE_SQL}) AND runner NOT IN (SELECT id FROM instances) ORDER BY seq`,
    ),
    instances: db.prepare<[], { id: string; host: string; pid: number }>('SELECT id, host, pid FROM instances'),
    addInstance: db.prepare('INSERT INTO instances (id, host, pid, started_at) VALUES (?, ?, ?, ?)'),
    removeInstance: db.prepare('DELETE FROM instances WHERE id = ?'),
    dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
  };
}

export class SqliteTaskStore implements TaskStore {
  /** Several server processes may change records in this file: waiters must re-read, not only listen. */
  readonly shared = true;
  /** This server process, as recorded in `instances` and in the `runner` of the tasks it creates. */
  readonly instanceId = randomUUID();
  readonly path: string;
  private readonly db: Database.Database;
  private readonly sql: ReturnType<typeof prepareStatements>;
  private readonly gate: WriteGate;
  private readonly log: (line: string) => void;
  /** Rows already reported as damaged (each is reported once, then skipped quietly). */
  private readonly reported = new Set<number>();
  private dataVersion = 0;
  private closed = false;

  constructor(options: SqliteStoreOptions) {
    this.path = options.path;
    this.log = options.log ?? ((line) => void process.stderr.write(`${line}\n`));
    const lockWaitMs = options.busyTimeoutMs ?? 10_000;
    this.gate = new WriteGate(options.path, lockWaitMs);
    try {
      if (options.path !== ':memory:') makeFolder(dirname(options.path));
      this.db = new Database(options.path);
    } catch (error) {
      throw new Error(`cannot open the task store ${options.path}: ${(error as Error).message} (check the path and its permissions)`, {
        cause: error,
      });
    }
    try {
      // Start-up may block waiting for another process's lock (nothing is being served yet); later only briefly.
      this.db.pragma(`busy_timeout = ${lockWaitMs}`);
      // WAL: readers never block the writer, and a killed process loses no committed transaction.
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.exec(SCHEMA);
      const version = this.db.prepare<[], { value: string }>(`SELECT value FROM meta WHERE key = 'schema'`).get()?.value;
      if (version === undefined) this.db.prepare(`INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)`).run(SCHEMA_VERSION);
      else if (version !== SCHEMA_VERSION)
        throw new Error(`it has schema version ${version}; this server needs ${SCHEMA_VERSION} (use a new file)`);
      this.sql = prepareStatements(this.db);
      this.pruneDeadInstances();
      this.sql.addInstance.run(this.instanceId, hostname(), process.pid, Date.now());
      this.dataVersion = this.readDataVersion();
      this.db.pragma(`busy_timeout = ${SHORT_BUSY_MS}`);
    } catch (error) {
      this.db.close();
      throw named(options.path, error);
    }
    openHere.add(this.instanceId);
  }

  async insert(record: TaskRecord): Promise<void> {
    this.assertOpen();
    await this.gate.write(() => this.insertRow(record));
  }

  async insertWithin(record: TaskRecord, maxActive: number): Promise<boolean> {
    this.assertOpen();
    // One IMMEDIATE transaction: the count and the insert hold across every process sharing the file.
    const insert = this.db.transaction(() => {
      if ((this.sql.countActive.get(record.owner)?.n ?? 0) >= maxActive) return false;
      this.insertRow(record);
      return true;
    });
    return this.gate.write(() => insert.immediate());
  }

  async get(taskId: string): Promise<TaskRecord | undefined> {
    if (this.closed) return undefined;
    const row = this.read(() => this.sql.get.get(taskId));
    return row ? this.parse(row) : undefined;
  }

  async transition(taskId: string, from: readonly TaskStatus[], patch: TaskPatch): Promise<TaskRecord | undefined> {
    if (this.closed) return undefined;
    // IMMEDIATE takes the write lock before the read, so the compare-and-set holds across processes.
    const apply = this.db.transaction((): TaskRecord | undefined => {
      const row = this.sql.get.get(taskId);
      const before = row && this.parse(row);
      if (!before || !from.includes(before.status)) return undefined;
      const after: TaskRecord = { ...before, ...patch };
      this.sql.update.run(after.status, JSON.stringify(after), taskId);
      return after;
    });
    return this.gate.write(() => (this.closed ? undefined : apply.immediate()));
  }

  async delete(taskId: string): Promise<boolean> {
    if (this.closed) return false;
    return this.gate.write(() => !this.closed && this.sql.delete.run(taskId).changes > 0);
  }

  async list(owner: string, after: string | undefined, limit: number): Promise<ListPage> {
    if (this.closed) return { records: [] };
    const start = after === undefined ? 0 : Number(after);
    // One row more than asked tells whether another page follows.
    const take = Math.min(limit, 1_000_000) + 1;
    const rows = this.read(() => this.sql.page.all(owner, start, take));
    const page = rows.length <= limit ? rows : rows.slice(0, limit);
    const records = this.parseAll(page);
    return rows.length <= limit ? { records } : { records, nextPosition: String(page[page.length - 1]!.seq) };
  }

  isPosition(position: string): boolean {
    if (!/^(0|[1-9][0-9]{0,15})$/.test(position) || this.closed) return false;
    const last = this.read(() => this.sql.lastSeq.get()?.seq ?? 0);
    return Number(position) <= last;
  }

  async countActive(owner: string): Promise<number> {
    if (this.closed) return 0;
    return this.read(() => this.sql.countActive.get(owner)?.n ?? 0);
  }

  async all(): Promise<TaskRecord[]> {
    if (this.closed) return [];
    return this.parseAll(this.read(() => this.sql.all.all()));
  }

  /** Non-terminal records whose runner instance is gone: their work was lost with it. */
  async orphans(): Promise<TaskRecord[]> {
    if (this.closed) return [];
    await this.gate.write(() => this.pruneDeadInstances());
    return this.parseAll(this.read(() => this.sql.orphans.all()));
  }

  /** Whether another connection committed to the file since the last call (SQLite's data_version). */
  changedElsewhere(): boolean {
    if (this.closed) return false;
    const version = this.read(() => this.readDataVersion());
    if (version === this.dataVersion) return false;
    this.dataVersion = version;
    return true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    openHere.delete(this.instanceId);
    // Leaving the instance table marks this process's unfinished tasks as orphans for the next start.
    try {
      this.sql.removeInstance.run(this.instanceId);
    } catch (error) {
      this.log(`${named(this.path, error).message} (while closing; this process's running tasks count as orphans only once it has exited)`);
    } finally {
      this.db.close();
    }
  }

  private insertRow(record: TaskRecord): void {
    try {
      this.sql.insert.run(record.taskId, record.owner, record.status, this.instanceId, JSON.stringify(record));
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE')
        throw new Error(`task ${record.taskId} already exists`, { cause: error });
      throw error;
    }
  }

  private read<T>(query: () => T): T {
    try {
      return query();
    } catch (error) {
      throw named(this.path, error);
    }
  }

  private readDataVersion(): number {
    return this.sql.dataVersion.get()!;
  }

  private parse(row: Row): TaskRecord | undefined {
    const parsed = parseRecord(row.record);
    if ('record' in parsed) return parsed.record;
    if (!this.reported.has(row.seq)) {
      this.reported.add(row.seq);
      this.log(`the task store ${this.path}: row ${row.seq} of table tasks is not a valid task record (${parsed.problem}); skipped`);
    }
    return undefined;
  }

  private parseAll(rows: Row[]): TaskRecord[] {
    const records: TaskRecord[] = [];
    for (const row of rows) {
      const record = this.parse(row);
      if (record) records.push(record);
    }
    return records;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`the task store ${this.path} is closed`);
  }

  /** Forgets instances of this host whose process no longer exists. */
  private pruneDeadInstances(): void {
    const here = hostname();
    const dead = this.sql.instances
      .all()
      .filter((r) => r.host === here && !(r.pid === process.pid ? openHere.has(r.id) : processAlive(r.pid)));
    for (const r of dead) this.sql.removeInstance.run(r.id);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
