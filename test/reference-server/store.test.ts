// The task stores behind one contract (memory and SQLite), the durable store's restart behaviour
// (records survive, orphans of a dead process are found and failed by the engine), and --store parsing.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RESTARTED_MESSAGE, TaskEngine } from '../../reference-server/engine.js';
import { parseStoreSpec } from '../../reference-server/store-open.js';
import { SqliteTaskStore } from '../../reference-server/store-sqlite.js';
import { MemoryTaskStore, type TaskRecord, type TaskStore } from '../../reference-server/store.js';
import { packagePath } from '../../harness/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'sep1686-store-'));
const opened: TaskStore[] = [];
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close().catch(() => undefined)));
  rmSync(dir, { recursive: true, force: true });
});

let files = 0;
const freshFile = () => join(dir, `tasks-${++files}.db`);
function sqlite(path = ':memory:'): SqliteTaskStore {
  const s = new SqliteTaskStore({ path });
  opened.push(s);
  return s;
}

const record = (taskId: string, owner = 'o', status: TaskRecord['status'] = 'working', extra: Partial<TaskRecord> = {}): TaskRecord => ({
  taskId,
  owner,
  status,
  createdAt: Date.now(),
  lastUpdatedAt: Date.now(),
  ttl: 60_000,
  pollInterval: 100,
  request: { method: 'tools/call', params: { name: 'x' } },
  ...extra,
});

const stores: Array<[string, () => TaskStore]> = [
  ['MemoryTaskStore', () => new MemoryTaskStore()],
  ['SqliteTaskStore', () => sqlite()],
];

describe.each(stores)('%s (TaskStore contract)', (_name, make) => {
  it('inserts, reads and rejects a duplicate id', async () => {
    const store = make();
    await store.insert(record('a', 'o', 'working', { request: { method: 'tools/call', params: { name: 'x', arguments: { n: 1 } } } }));
    expect((await store.get('a'))?.request.params).toEqual({ name: 'x', arguments: { n: 1 } });
    expect(await store.get('missing')).toBeUndefined();
    await expect(store.insert(record('a'))).rejects.toThrow(/already exists/);
  });

  it('transitions by compare-and-set on the status and keeps the outcome', async () => {
    const store = make();
    await store.insert(record('a'));
    expect(await store.transition('a', ['input_required'], { status: 'completed' })).toBeUndefined();
    const outcome = { kind: 'result' as const, result: { content: [{ type: 'text', text: 'done' }] } };
    const done = await store.transition('a', ['working'], { status: 'completed', lastUpdatedAt: 5, outcome });
    expect(done).toMatchObject({ status: 'completed', lastUpdatedAt: 5, outcome });
    expect(await store.transition('a', ['working'], { status: 'cancelled' })).toBeUndefined();
    expect((await store.get('a'))?.status).toBe('completed');
    expect(await store.transition('missing', ['working'], { status: 'failed' })).toBeUndefined();
  });

  it('pages one owner in creation order; positions survive deletions', async () => {
    const store = make();
    for (let i = 1; i <= 5; i++) await store.insert(record(`t${i}`));
    await store.insert(record('other', 'p'));
    const first = await store.list('o', undefined, 2);
    expect(first.records.map((r) => r.taskId)).toEqual(['t1', 't2']);
    await store.delete('t3');
    const second = await store.list('o', first.nextPosition, 2);
    expect(second.records.map((r) => r.taskId)).toEqual(['t4', 't5']);
    expect(second.nextPosition).toBeUndefined();
    expect(store.isPosition(first.nextPosition!)).toBe(true);
    expect(store.isPosition('999')).toBe(false);
    expect(store.isPosition('-1')).toBe(false);
  });

  it('counts active records per owner and deletes', async () => {
    const store = make();
    await store.insert(record('a'));
    await store.insert(record('b'));
    await store.insert(record('c', 'p'));
    expect(await store.countActive('o')).toBe(2);
    await store.transition('a', ['working'], { status: 'failed' });
    expect(await store.countActive('o')).toBe(1);
    expect(await store.delete('b')).toBe(true);
    expect(await store.delete('b')).toBe(false);
    expect(await store.countActive('o')).toBe(0);
    expect((await store.all()).map((r) => r.taskId).sort()).toEqual(['a', 'c']);
  });

  it('after close, reads find nothing (late work ending during shutdown is dropped quietly)', async () => {
    const store = make();
    await store.insert(record('a'));
    await store.close();
    expect(await store.get('a')).toBeUndefined();
    expect(await store.transition('a', ['working'], { status: 'completed' })).toBeUndefined();
  });
});

describe('SqliteTaskStore durability', () => {
  it('keeps records and results across a reopen of the file', async () => {
    const path = freshFile();
    const first = sqlite(path);
    await first.insert(record('kept'));
    await first.transition('kept', ['working'], {
      status: 'completed',
      outcome: { kind: 'result', result: { content: [{ type: 'text', text: 'computed:x' }] } },
    });
    await first.close();
    const second = sqlite(path);
    expect(await second.get('kept')).toMatchObject({
      status: 'completed',
      outcome: { kind: 'result', result: { content: [{ type: 'text', text: 'computed:x' }] } },
    });
    // A closed instance leaves no running tasks behind that would count as its orphans.
    expect(await second.orphans()).toEqual([]);
  });

  it('a running task of a live instance is not an orphan; one of a closed or killed instance is', async () => {
    const path = freshFile();
    const running = sqlite(path);
    await running.insert(record('live'));
    const other = sqlite(path);
    expect(await other.orphans()).toEqual([]);
    await running.close();
    expect((await other.orphans()).map((r) => r.taskId)).toEqual(['live']);

    // A server process killed hard never says goodbye: its pid is gone, so its tasks are orphans.
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { SqliteTaskStore } = await import(${JSON.stringify(packagePath('dist', 'reference-server', 'store-sqlite.js'))});
         const s = new SqliteTaskStore({ path: ${JSON.stringify(path)} });
         await s.insert({ taskId: 'killed', owner: 'o', status: 'working', createdAt: Date.now(), lastUpdatedAt: Date.now(), ttl: 60000, pollInterval: 100, request: { method: 'tools/call', params: {} } });
         console.log('ready');
         setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (c: Buffer) => c.toString().includes('ready') && resolve());
        child.once('exit', (code) => reject(new Error(`the store process exited early (code ${code})`)));
      });
      expect((await other.orphans()).map((r) => r.taskId)).toEqual(['live']);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    expect((await other.orphans()).map((r) => r.taskId).sort()).toEqual(['killed', 'live']);
  }, 30_000);

  it('the engine fails orphans at start-up with a statusMessage and re-arms ttl timers', async () => {
    const path = freshFile();
    const before = sqlite(path);
    await before.insert(record('orphan'));
    await before.insert(record('expired', 'o', 'completed', { createdAt: Date.now() - 120_000, ttl: 60_000 }));
    await before.insert(record('done', 'o', 'completed', { outcome: { kind: 'result', result: { content: [] } } }));
    await before.close();

    const engine = new TaskEngine({ store: sqlite(path) });
    try {
      expect(await engine.recover()).toBe(1);
      const who = { owner: 'o', bound: false };
      const orphan = await engine.get('orphan', who);
      expect(orphan).toMatchObject({
        status: 'failed',
        statusMessage: RESTARTED_MESSAGE,
        outcome: { kind: 'error', error: { code: -32603 } },
      });
      expect(orphan.statusMessage).toContain('server restarted while the task was running');
      expect((await engine.get('done', who)).status).toBe('completed');
      // The ttl of "expired" elapsed while the server was down: its re-armed timer removes it at once.
      await expect
        .poll(
          () =>
            engine.get('expired', who).then(
              () => 'present',
              () => 'gone',
            ),
          { timeout: 5000 },
        )
        .toBe('gone');
    } finally {
      await engine.shutdown();
    }
  });

  it('refuses a file of another schema version with a clear message', async () => {
    const path = freshFile();
    const s = sqlite(path);
    await s.close();
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(path);
    db.prepare(`UPDATE meta SET value = '99' WHERE key = 'schema'`).run();
    db.close();
    expect(() => new SqliteTaskStore({ path })).toThrow(/schema version 99.*use a new file/);
  });
});

describe('--store', () => {
  it('parses memory and sqlite:<file>, and explains bad values', () => {
    expect(parseStoreSpec('memory')).toEqual({ kind: 'memory' });
    expect(parseStoreSpec('sqlite:/tmp/x.db')).toEqual({ kind: 'sqlite', path: '/tmp/x.db' });
    expect(parseStoreSpec('sqlite:rel.db')).toMatchObject({ kind: 'sqlite', path: expect.stringMatching(/\/rel\.db$/) });
    expect(() => parseStoreSpec('sqlite:')).toThrow(/needs a file/);
    expect(() => parseStoreSpec('redis://x')).toThrow(/memory \| sqlite:<file>/);
  });
});
