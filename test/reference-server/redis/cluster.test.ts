// Two reference-server instances on one Redis, over HTTP as users run them (needs redis-server): A
// runs task work, B only answers requests (worker=false), so work created anywhere runs on A. A task
// created on one instance is read, listed, fetched and cancelled on the other; its elicitation and
// progress reach the client wherever its tasks/result is open; principals (tasks, gates) hold across instances.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RELATED_TASK, unique, type HttpServerProcess, type Json } from '../../helpers/ref-client.js';
import { createTask, eventually, Fleet, gateState, textOf, TOKENS } from './cluster-helpers.js';
import { hasRedisServer, startRedisServer, type RedisServer } from './redis-server.js';

describe.skipIf(!hasRedisServer)('two instances on one Redis (needs redis-server)', () => {
  let redis: RedisServer;
  const fleet = new Fleet();
  let a: HttpServerProcess;
  let b: HttpServerProcess;

  beforeAll(async () => {
    redis = await startRedisServer();
    const store = `${redis.url}/0?prefix=pair&lease=5000`;
    [a, b] = await Promise.all([fleet.instance(store), fleet.instance(`${store}&worker=false`)]);
  });
  afterAll(async () => {
    await fleet.stopAll();
    await redis?.stop();
  });

  it('a task created on A is read and its result fetched on B; the release may come from either', async () => {
    const [onA, onB] = await Promise.all([fleet.connect(a), fleet.connect(b)]);
    const gateId = unique('gate');
    const taskId = await createTask(onA, 'gated_job', { gateId });
    expect(await onB.ok('tasks/get', { taskId })).toMatchObject({ taskId, status: 'working' });
    await eventually(() => gateState(onB, gateId), 'waiting', 'the job to wait on its gate');
    const result = onB.request('tasks/result', { taskId });
    await onB.ok('tools/call', { name: 'release_gate', arguments: { gateId } });
    const { result: payload } = await result;
    expect(textOf(payload)).toBe(`released:${gateId}`);
    expect((payload!._meta as Json)[RELATED_TASK]).toEqual({ taskId });
    expect(await onA.ok('tasks/get', { taskId })).toMatchObject({ status: 'completed' });
    // The creating session on A hears of the completion that happened in A's work, and B's client of none.
    await onA.waitForNotification((n) => n.method === 'notifications/tasks/status' && (n.params as Json).status === 'completed');
    expect(onA.violations).toEqual([]);
    expect(onB.violations).toEqual([]);
  });

  it('cancel on B stops the work running on A: gate_state reads aborted on both', async () => {
    const [onA, onB] = await Promise.all([fleet.connect(a), fleet.connect(b)]);
    const gateId = unique('gate');
    const taskId = await createTask(onB, 'gated_job', { gateId });
    await eventually(() => gateState(onA, gateId), 'waiting', 'the job to wait on its gate');
    const waiting = onA.request('tasks/result', { taskId });
    expect(await onB.ok('tasks/cancel', { taskId })).toMatchObject({ status: 'cancelled' });
    await eventually(() => gateState(onB, gateId), 'aborted', 'the work on A to stop');
    expect(await gateState(onA, gateId)).toBe('aborted');
    const { result } = await waiting;
    expect(result).toMatchObject({ isError: true, content: [{ type: 'text', text: 'task cancelled' }] });
  });

  it('an elicitation of work on A reaches the client whose tasks/result is open on B', async () => {
    const onB = await fleet.connect(b);
    onB.onServerRequest((r) => (r.method === 'elicitation/create' ? { action: 'accept', content: { name: 'Ada' } } : undefined));
    const taskId = await createTask(onB, 'confirm_delete', {});
    const { result } = await onB.request('tasks/result', { taskId });
    expect(textOf(result)).toBe('hello:Ada');
    const asked = onB.serverRequests.find((r) => r.method === 'elicitation/create')!;
    expect((asked.params._meta as Json)[RELATED_TASK]).toEqual({ taskId });
    await onB.waitForNotification(
      (n) =>
        n.method === 'notifications/tasks/status' && (n.params as Json).taskId === taskId && (n.params as Json).status === 'input_required',
    );
    expect(onB.violations).toEqual([]);
  });

  it('an elicitation of a task created on A reaches the client whose tasks/result is open on B, in another session', async () => {
    const [onA, onB] = await Promise.all([fleet.connect(a), fleet.connect(b)]);
    onB.onServerRequest((r) => (r.method === 'elicitation/create' ? { action: 'accept', content: { name: 'Ada' } } : undefined));
    const taskId = await createTask(onA, 'confirm_delete', {});
    const { result } = await onB.request('tasks/result', { taskId });
    expect(textOf(result)).toBe('hello:Ada');
    expect(onB.serverRequests.some((r) => r.method === 'elicitation/create')).toBe(true);
    expect(onB.violations).toEqual([]);
  });

  it('gates are per principal on every instance: another principal releasing the same gate id releases its own', async () => {
    const [aliceA, aliceB, bobB] = await Promise.all([fleet.connect(a), fleet.connect(b), fleet.connect(b, TOKENS[1])]);
    const gateId = unique('gate');
    const taskId = await createTask(aliceA, 'gated_job', { gateId });
    await eventually(() => gateState(aliceB, gateId), 'waiting', 'the job to wait on its gate');
    await bobB.ok('tools/call', { name: 'release_gate', arguments: { gateId } });
    expect(await gateState(bobB, gateId)).toBe('unknown');
    expect(await gateState(aliceB, gateId)).toBe('waiting');
    expect(await aliceB.ok('tasks/get', { taskId })).toMatchObject({ status: 'working' });
    await aliceB.ok('tools/call', { name: 'release_gate', arguments: { gateId } });
    expect(textOf((await aliceB.request('tasks/result', { taskId })).result)).toBe(`released:${gateId}`);
  });

  it('progress of work on A reaches the creating session on B', async () => {
    const onB = await fleet.connect(b);
    const taskId = await createTask(onB, 'progress_job', { steps: 3, intervalSeconds: 0 }, { _meta: { progressToken: 'p1' } });
    await onB.request('tasks/result', { taskId });
    await onB.until(() => onB.notifications.filter((n) => n.method === 'notifications/progress').length === 3 || undefined);
    const progress = onB.notifications.filter((n) => n.method === 'notifications/progress').map((n) => (n.params as Json).progress);
    expect(progress).toEqual([1, 2, 3]);
  });

  it('tasks stay bound to their principal on every instance, and list cursors from A page on B', async () => {
    const [aliceA, aliceB, bobB] = await Promise.all([fleet.connect(a), fleet.connect(b), fleet.connect(b, TOKENS[1])]);
    const ids: string[] = [];
    for (let i = 0; i < 51; i++) ids.push(await createTask(aliceA, 'slow_compute', { seconds: 0, label: String(i) }));
    const { error } = await bobB.request('tasks/get', { taskId: ids[0]! });
    expect(error?.code).toBe(-32602);
    expect(await aliceB.ok('tasks/get', { taskId: ids[0]! })).toMatchObject({ taskId: ids[0] });
    // Walk every page, alternating instances, so each cursor minted on one is redeemed on the other.
    const listed: unknown[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await (pages++ % 2 === 0 ? aliceA : aliceB).ok('tasks/list', cursor === undefined ? {} : { cursor });
      listed.push(...(page.tasks as Json[]).map((t) => t.taskId));
      cursor = page.nextCursor as string | undefined;
    } while (cursor !== undefined);
    expect(pages).toBeGreaterThan(1);
    expect(listed.slice(-51)).toEqual(ids);
    expect(((await bobB.ok('tasks/list')).tasks as Json[]).map((t) => t.taskId)).not.toContain(ids[0]);
  });
});
