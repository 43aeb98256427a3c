// The reference server never dies of its task store: a store that throws (disk full), a file whose write
// lock another process holds, and rows of the wrong shape. In each case the server keeps answering, the
// task ends failed with a statusMessage saying why, and the problem is logged naming the file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { STORE_FAILED_MESSAGE } from '../../reference-server/engine.js';
import { startReferenceServer, type RunningReferenceServer } from '../../reference-server/start.js';
import { SqliteTaskStore } from '../../reference-server/store-sqlite.js';
import { MemoryTaskStore, type TaskPatch, type TaskRecord, type TaskStatus, type TaskStore } from '../../reference-server/store.js';
import { TestClient } from '../helpers/ref-client.js';

const dir = mkdtempSync(join(tmpdir(), 'sep1686-store-faults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshFile = () => join(dir, `tasks-${++files}.db`);

/** A memory store whose transitions fail like SQLite on a full disk while `full` is true. */
class FullDiskStore extends MemoryTaskStore {
  full = false;
  failures = 0;
  override async transition(taskId: string, from: readonly TaskStatus[], patch: TaskPatch): Promise<TaskRecord | undefined> {
    if (this.full) {
      this.failures++;
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    }
    return super.transition(taskId, from, patch);
  }
}

async function serve(store: TaskStore): Promise<{ running: RunningReferenceServer; client: TestClient; logs: string[] }> {
  const logs: string[] = [];
  const running = await startReferenceServer({ transport: 'http', port: 0, store, log: (line) => logs.push(line) });
  const client = await new TestClient(new StreamableHTTPClientTransport(new URL(running.url!)), 'store-faults').open();
  return { running, client, logs };
}

async function createGated(client: TestClient, gateId: string): Promise<string> {
  const created = await client.ok('tools/call', { name: 'gated_job', arguments: { gateId }, task: {} });
  return (created.task as { taskId: string }).taskId;
}

const until = (probe: () => boolean) => expect.poll(probe, { timeout: 20_000, interval: 20 }).toBe(true);

describe('store failures inside the engine', () => {
  it('a disk-full store: the server keeps answering and the task ends failed with a statusMessage', async () => {
    const store = new FullDiskStore();
    const { running, client, logs } = await serve(store);
    try {
      const taskId = await createGated(client, 'full-1');
      const result = client.request('tasks/result', { taskId });
      store.full = true;
      await client.ok('tools/call', { name: 'release_gate', arguments: { gateId: 'full-1' } });
      // The outcome and the first attempt to record "failed" are refused; the server still answers meanwhile.
      await until(() => store.failures >= 2);
      expect(await client.ok('ping')).toEqual({});
      expect((await client.ok('tasks/get', { taskId })).status).toBe('working');
      store.full = false; // space freed: the retry records the task as failed
      const answer = await result;
      expect(answer.error?.code).toBe(-32603);
      expect(answer.error?.message).toContain('SQLITE_FULL');
      const task = await client.ok('tasks/get', { taskId });
      expect(task.status).toBe('failed');
      expect(task.statusMessage).toContain(STORE_FAILED_MESSAGE);
      expect(task.statusMessage).toContain('database or disk is full');
      expect(logs.some((l) => l.includes(taskId) && l.includes('SQLITE_FULL'))).toBe(true);
      expect(client.violations).toEqual([]);
      await client.close();
    } finally {
      await running.close();
    }
  });
});

describe('SqliteTaskStore under another process', () => {
  it('a held write lock neither freezes the server nor kills it: the task ends failed, then the store works again', async () => {
    const path = freshFile();
    const store = new SqliteTaskStore({ path, busyTimeoutMs: 200 });
    const { running, client, logs } = await serve(store);
    const other = new Database(path);
    try {
      const taskId = await createGated(client, 'lock-1');
      const result = client.request('tasks/result', { taskId });
      other.exec('BEGIN IMMEDIATE');
      await client.ok('tools/call', { name: 'release_gate', arguments: { gateId: 'lock-1' } });
      await until(() => logs.some((l) => l.includes(taskId) && l.includes('could not record')));
      // Still holding the lock: reads and pings are answered.
      expect(await client.ok('ping')).toEqual({});
      expect((await client.ok('tasks/get', { taskId })).status).toBe('working');
      other.exec('COMMIT');
      const answer = await result;
      expect(answer.error?.code).toBe(-32603);
      const task = await client.ok('tasks/get', { taskId });
      expect(task.status).toBe('failed');
      expect(task.statusMessage).toContain(STORE_FAILED_MESSAGE);
      expect(task.statusMessage).toContain(path);
      expect(task.statusMessage).toMatch(/write lock/);
      // Writes go through again.
      const next = await client.ok('tools/call', { name: 'slow_compute', arguments: { seconds: 0, label: 'after' }, task: {} });
      const done = await client.ok('tasks/result', { taskId: (next.task as { taskId: string }).taskId });
      expect(done.content).toEqual([{ type: 'text', text: 'computed:after' }]);
      await client.close();
    } finally {
      other.close();
      await running.close();
    }
  });

  it('wakes every tasks/result waiter when another process ends the task', async () => {
    const path = freshFile();
    const { running, client } = await serve(new SqliteTaskStore({ path }));
    const elsewhere = new SqliteTaskStore({ path });
    try {
      const taskId = await createGated(client, 'elsewhere-1');
      const results = Array.from({ length: 3 }, () => client.request('tasks/result', { taskId }));
      // Another server process records the end (as if it had run the work).
      await elsewhere.transition(taskId, ['working'], {
        status: 'completed',
        lastUpdatedAt: Date.now(),
        outcome: { kind: 'result', result: { content: [{ type: 'text', text: 'from elsewhere' }] } },
      });
      for (const answer of await Promise.all(results)) expect(answer.result?.content).toEqual([{ type: 'text', text: 'from elsewhere' }]);
      await client.ok('tools/call', { name: 'release_gate', arguments: { gateId: 'elsewhere-1' } });
      await client.close();
    } finally {
      await elsewhere.close();
      await running.close();
    }
  });

  it('a row of the wrong shape is reported naming the file and skipped; tasks/list and tasks/get still answer', async () => {
    const path = freshFile();
    const logs: string[] = [];
    const store = new SqliteTaskStore({ path, log: (line) => logs.push(line) });
    const { running, client } = await serve(store);
    const other = new Database(path);
    try {
      const good = await client.ok('tools/call', { name: 'slow_compute', arguments: { seconds: 0, label: 'good' }, task: {} });
      const goodId = (good.task as { taskId: string }).taskId;
      await client.ok('tasks/result', { taskId: goodId });
      const runner = (other.prepare('SELECT runner FROM tasks WHERE task_id = ?').get(goodId) as { runner: string }).runner;
      const bad = (taskId: string, record: string) =>
        other
          .prepare('INSERT INTO tasks (task_id, owner, status, runner, record) VALUES (?, ?, ?, ?, ?)')
          .run(taskId, 'stdio', 'completed', runner, record);
      bad('bad-time', JSON.stringify({ taskId: 'bad-time', owner: 'stdio', status: 'completed', createdAt: 'yesterday' }));
      bad('bad-json', '{"taskId": "bad-json", ');
      // The HTTP session's owner is its session id: list as that owner by reading it from the good row.
      const owner = (other.prepare('SELECT owner FROM tasks WHERE task_id = ?').get(goodId) as { owner: string }).owner;
      other.prepare(`UPDATE tasks SET owner = ? WHERE task_id IN ('bad-time', 'bad-json')`).run(owner);

      const page = await client.ok('tasks/list');
      expect((page.tasks as Array<{ taskId: string }>).map((t) => t.taskId)).toEqual([goodId]);
      const missing = await client.request('tasks/get', { taskId: 'bad-time' });
      expect(missing.error?.code).toBe(-32602);
      expect(await client.ok('ping')).toEqual({});
      expect(logs.filter((l) => l.includes(path) && l.includes('not a valid task record'))).toHaveLength(2);
      expect(logs.some((l) => l.includes('createdAt'))).toBe(true);
      await client.close();
    } finally {
      other.close();
      await running.close();
    }
  });

  it('errors name the file', async () => {
    const path = freshFile();
    const store = new SqliteTaskStore({ path });
    const other = new Database(path);
    try {
      other.exec('DROP TABLE tasks');
      await expect(store.get('x')).rejects.toThrow(path);
    } finally {
      other.close();
      await store.close();
    }
  });
});
