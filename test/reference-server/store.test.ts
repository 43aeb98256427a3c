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
import { MemoryTaskStore, type TaskStore } from '../../reference-server/store.js';
import { packagePath } from '../../harness/paths.js';
import { defineStoreContract, record } from './store-contract.js';

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

const stores: Array<[string, () => TaskStore]> = [
  ['MemoryTaskStore', () => new MemoryTaskStore()],
  ['SqliteTaskStore', () => sqlite()],
];

describe.each(stores)('%s (TaskStore contract)', (_name, make) => defineStoreContract(make));

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
    expect(() => parseStoreSpec('postgres://x')).toThrow(/memory \| sqlite:<file> \| redis:\/\//);
  });
});
