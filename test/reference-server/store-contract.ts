// The TaskStore contract (store.ts) as a reusable suite: every store (memory, SQLite, Redis) must pass it.
import { expect, it } from 'vitest';
import type { TaskRecord, TaskStore } from '../../reference-server/store.js';

export const record = (
  taskId: string,
  owner = 'o',
  status: TaskRecord['status'] = 'working',
  extra: Partial<TaskRecord> = {},
): TaskRecord => ({
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

/** Defines the contract's tests inside the caller's describe(); `make` opens a fresh, empty store. */
export function defineStoreContract(make: () => TaskStore | Promise<TaskStore>): void {
  it('inserts, reads and rejects a duplicate id', async () => {
    const store = await make();
    await store.insert(record('a', 'o', 'working', { request: { method: 'tools/call', params: { name: 'x', arguments: { n: 1 } } } }));
    expect((await store.get('a'))?.request.params).toEqual({ name: 'x', arguments: { n: 1 } });
    expect(await store.get('missing')).toBeUndefined();
    await expect(store.insert(record('a'))).rejects.toThrow(/already exists/);
  });

  it('transitions by compare-and-set on the status and keeps the outcome', async () => {
    const store = await make();
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
    const store = await make();
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
    const store = await make();
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
    const store = await make();
    await store.insert(record('a'));
    await store.close();
    expect(await store.get('a')).toBeUndefined();
    expect(await store.transition('a', ['working'], { status: 'completed' })).toBeUndefined();
  });
}
