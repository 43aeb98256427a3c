// In-process tests of the store, the engine and the programmatic API (no spawned processes).
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import { EngineError, TaskEngine, type Requestor, type WorkEnd } from '../../reference-server/engine.js';
import { startReferenceServer } from '../../reference-server/start.js';
import { MemoryTaskStore, type TaskRecord } from '../../reference-server/store.js';
import { TestClient, textOf } from '../helpers/ref-client.js';

const record = (taskId: string, owner = 'o', status: TaskRecord['status'] = 'working'): TaskRecord => ({
  taskId,
  owner,
  status,
  createdAt: 1,
  lastUpdatedAt: 1,
  ttl: 1000,
  pollInterval: 100,
  request: { method: 'tools/call', params: { name: 'x' } },
});

// The paging and persistence contract of every store is in store.test.ts; this covers what is specific to memory.
describe('MemoryTaskStore', () => {
  it('transitions atomically from the named statuses only and counts active records', async () => {
    const store = new MemoryTaskStore();
    await store.insert(record('a'));
    await store.insert(record('b'));
    expect(await store.countActive('o')).toBe(2);
    expect(await store.transition('a', ['input_required'], { status: 'completed' })).toBeUndefined();
    expect((await store.transition('a', ['working'], { status: 'completed' }))?.status).toBe('completed');
    expect(await store.countActive('o')).toBe(1);
    await store.delete('b');
    expect(await store.countActive('o')).toBe(0);
  });

  it('hands out frozen records, so callers cannot change stored state', async () => {
    const store = new MemoryTaskStore();
    await store.insert(record('a'));
    const got = (await store.get('a'))!;
    expect(() => ((got as { status: string }).status = 'failed')).toThrow();
  });
});

describe('TaskEngine', () => {
  const me: Requestor = { owner: 'me', bound: true };
  const other: Requestor = { owner: 'other', bound: true };
  const request = { method: 'tools/call', params: {} };
  const done: WorkEnd = { status: 'completed', outcome: { kind: 'result', result: { content: [] } } };

  it('wakes a waiter the moment the work ends, and hides bound tasks from other owners', async () => {
    const engine = new TaskEngine({ store: new MemoryTaskStore() });
    const task = await engine.create(me, request, 60_000);
    let finish!: () => void;
    engine.start(task.taskId, () => new Promise((resolve) => (finish = () => resolve(done))));
    const waiting = engine.waitForTerminal(task.taskId, me);
    await expect(engine.get(task.taskId, other)).rejects.toBeInstanceOf(EngineError);
    finish();
    expect((await waiting)?.status).toBe('completed');
    await engine.shutdown();
  });

  it('cancel wins over a late outcome and aborts the work', async () => {
    const engine = new TaskEngine({ store: new MemoryTaskStore() });
    const task = await engine.create(me, request, 60_000);
    let signal!: AbortSignal;
    let finish!: () => void;
    engine.start(task.taskId, (ctx) => {
      signal = ctx.signal;
      return new Promise((resolve) => (finish = () => resolve(done)));
    });
    expect((await engine.cancel(task.taskId, me)).status).toBe('cancelled');
    expect(signal.aborted).toBe(true);
    finish();
    expect((await engine.get(task.taskId, me)).status).toBe('cancelled');
    await expect(engine.cancel(task.taskId, me)).rejects.toMatchObject({ kind: 'terminal' });
    await engine.shutdown();
  });

  it('enforces the per-owner limit exactly under concurrent creates', async () => {
    const engine = new TaskEngine({ store: new MemoryTaskStore(), limits: { maxActiveTasksPerOwner: 3 } });
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => engine.create(me, request, 60_000)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason.kind === 'limit')).toBe(true);
    expect((await engine.create(other, request, 60_000)).status).toBe('working');
    await engine.shutdown();
  });

  it('removes a task when its ttl elapses, aborting its work and answering waiters', async () => {
    const engine = new TaskEngine({ store: new MemoryTaskStore(), limits: { minTtlMs: 1 } });
    const task = await engine.create(me, request, 20);
    let signal!: AbortSignal;
    engine.start(task.taskId, (ctx) => {
      signal = ctx.signal;
      return new Promise(() => undefined);
    });
    expect(await engine.waitForTerminal(task.taskId, me)).toBeUndefined();
    expect(signal.aborted).toBe(true);
    await expect(engine.get(task.taskId, me)).rejects.toMatchObject({ kind: 'not_found' });
    await engine.shutdown();
  });

  it('grants ttls within [min, max] and the default when none is asked', () => {
    const engine = new TaskEngine({ store: new MemoryTaskStore(), limits: { minTtlMs: 1000, maxTtlMs: 5000, defaultTtlMs: 3000 } });
    expect([engine.grantTtl(undefined), engine.grantTtl(1), engine.grantTtl(2500.2), engine.grantTtl(1e12)]).toEqual([
      3000, 1000, 2501, 5000,
    ]);
  });
});

describe('startReferenceServer (embedded)', () => {
  it('serves Streamable HTTP in-process and closes cleanly', async () => {
    const running = await startReferenceServer({ transport: 'http', port: 0 });
    try {
      const client = await new TestClient(new StreamableHTTPClientTransport(new URL(running.url!)), 'embedded').open();
      const created = await client.ok('tools/call', { name: 'slow_compute', arguments: { seconds: 0, label: 'e' }, task: {} });
      const result = await client.ok('tasks/result', { taskId: (created.task as { taskId: string }).taskId });
      expect(textOf(result)).toBe('computed:e');
      expect(client.violations).toEqual([]);
      await client.close();
    } finally {
      await running.close();
    }
    await running.done;
  });
});
