// The 2026-07-28 era on two instances of one Redis (needs redis-server): A runs task work, B only answers
// requests (worker=false), so every task's work runs on A wherever it was created. The whole modern
// behaviour suite runs with each request sent to the next instance in turn; then a task created on one
// instance is polled, answered (tasks/update), cancelled and listened to on the other, a worker process
// runs modern work, and principals hold across instances.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textOf, unique, type HttpServerProcess } from '../../helpers/ref-client.js';
import { headersFor, HttpModernClient, NOEXT, type CallOptions, type Json } from '../ext/client.js';
import { createTask, defineModernSuite, expectError, pollTask, release, status, terminal } from '../ext/suite.js';
import { eventually, Fleet, TOKENS } from './cluster-helpers.js';
import { hasRedisServer, startRedisServer, type RedisServer } from './redis-server.js';

const bearer = (token = TOKENS[0]!) => ({ Authorization: `Bearer ${token}` });

/** A modern client whose every request goes to the next endpoint in turn (a non-sticky load balancer). */
class SpreadModernClient extends HttpModernClient {
  private turn = 0;

  constructor(
    private readonly urls: string[],
    private readonly headers: Record<string, string>,
  ) {
    super(urls[0]!, headers);
  }

  override post(body: Json, options: CallOptions = {}, signal?: AbortSignal): Promise<Response> {
    const url = this.urls[this.turn++ % this.urls.length]!;
    return fetch(url, {
      method: 'POST',
      headers: { ...this.headers, ...headersFor(body, options.headers) },
      body: JSON.stringify(body),
      signal,
    });
  }
}

const gateState = async (c: HttpModernClient, gateId: string) =>
  ((await c.ok('tools/call', { name: 'gate_state', arguments: { gateId } }, { caps: NOEXT })).structuredContent as Json).state;

describe.skipIf(!hasRedisServer)('the 2026-07-28 era on two instances of one Redis (needs redis-server)', () => {
  let redis: RedisServer;
  const fleet = new Fleet();
  let a: HttpServerProcess;
  let b: HttpServerProcess;
  let store: string;

  beforeAll(async () => {
    redis = await startRedisServer();
    store = `${redis.url}/0?prefix=modern&lease=5000`;
    [a, b] = await Promise.all([fleet.instance(store), fleet.instance(`${store}&worker=false`)]);
  });
  afterAll(async () => {
    await fleet.stopAll();
    await redis?.stop();
  });

  describe('the modern suite, each request on the next instance', () => {
    defineModernSuite(async () => ({ open: async () => new SpreadModernClient([a.url, b.url], bearer()), stop: async () => undefined }));
  });

  it('created on A, polled, answered and listened to on B: input requests, the inlined result, notifications', async () => {
    const onA = new HttpModernClient(a.url, bearer());
    const onB = new HttpModernClient(b.url, bearer());
    const taskId = (await createTask(onA, 'sequential_input')).taskId as string;
    const sub = await onB.listen({ taskIds: [taskId] });
    await sub.next((m) => m.method === 'notifications/subscriptions/acknowledged', 'acknowledgement');
    const one = await pollTask(onB, taskId, status('input_required'));
    const [k1] = Object.keys(one.inputRequests as Json);
    expect(await onA.ok('tasks/get', { taskId })).toMatchObject({ status: 'input_required', inputRequests: one.inputRequests });
    await sub.next(
      (m) => m.method === 'notifications/tasks' && k1! in (((m.params as Json).inputRequests ?? {}) as Json),
      'input_required',
    );
    await onB.ok('tasks/update', { taskId, inputResponses: { [k1!]: { action: 'accept', content: { first: 'x' } } } });
    const two = await pollTask(onA, taskId, (t) => t.status === 'input_required' && !(k1! in (t.inputRequests as Json)));
    const [k2] = Object.keys(two.inputRequests as Json);
    expect(k2).not.toBe(k1);
    await onB.ok('tasks/update', { taskId, inputResponses: { [k2!]: { action: 'accept', content: { second: 'y' } } } });
    const done = await sub.next((m) => m.method === 'notifications/tasks' && (m.params as Json).status === 'completed', 'completion');
    expect(textOf((done.params as Json).result as Json)).toBe('first=x,second=y');
    expect(textOf((await pollTask(onA, taskId, terminal)).result as Json)).toBe('first=x,second=y');
    await sub.close();
    expect([...onA.violations, ...onB.violations]).toEqual([]);
  });

  it('cancel on B stops the work running on A: gate_state reads aborted on both; B’s subscription hears it', async () => {
    const onA = new HttpModernClient(a.url, bearer());
    const onB = new HttpModernClient(b.url, bearer());
    const gateId = unique('mcancel');
    const taskId = (await createTask(onB, 'gated_job', { gateId })).taskId as string;
    await eventually(() => gateState(onA, gateId), 'waiting', 'the job (on A) to wait on its gate');
    const sub = await onB.listen({ taskIds: [taskId] });
    await onB.ok('tasks/cancel', { taskId });
    await sub.next((m) => m.method === 'notifications/tasks' && (m.params as Json).status === 'cancelled', 'cancelled');
    await eventually(() => gateState(onB, gateId), 'aborted', 'the work on A to stop');
    expect(await gateState(onA, gateId)).toBe('aborted');
    expect((await onA.ok('tasks/get', { taskId })).status).toBe('cancelled');
    await sub.close();
    await release(onA, gateId);
  });

  it('an MRTR round answered on A continues on B (shared requestState key)', async () => {
    const onA = new HttpModernClient(a.url, bearer());
    const onB = new HttpModernClient(b.url, bearer());
    const first = await onA.ok('tools/call', { name: 'test_tool_with_task', arguments: {} });
    expect(first.resultType).toBe('input_required');
    const retry = await onB.ok('tools/call', {
      name: 'test_tool_with_task',
      arguments: {},
      requestState: first.requestState,
      inputResponses: { user_name: { action: 'accept', content: { name: 'Zed' } } },
    });
    expect(retry.resultType).toBe('task');
    expect(textOf((await pollTask(onA, retry.taskId as string, terminal)).result as Json)).toBe('hello:Zed');
  });

  it('another principal cannot see the task on either instance', async () => {
    const onA = new HttpModernClient(a.url, bearer());
    const gateId = unique('mbound');
    const taskId = (await createTask(onA, 'gated_job', { gateId })).taskId as string;
    for (const url of [a.url, b.url]) {
      const bob = new HttpModernClient(url, bearer(TOKENS[1]));
      expectError(await bob.call('tasks/get', { taskId }), -32602, 200);
      expectError(await bob.call('tasks/cancel', { taskId }), -32602, 200);
    }
    await release(onA, gateId);
    expect((await pollTask(onA, taskId, terminal)).status).toBe('completed');
  });

  it('a worker process (no endpoint) runs modern work created on an instance that runs none', async () => {
    const workerStore = `${redis.url}/1?prefix=modern-worker&lease=5000`;
    const [front] = await Promise.all([fleet.instance(`${workerStore}&worker=false`), fleet.worker(workerStore)]);
    const c = new HttpModernClient(front.url, bearer());
    const taskId = (await createTask(c, 'confirm_delete')).taskId as string;
    const [key] = Object.keys((await pollTask(c, taskId, status('input_required'))).inputRequests as Json);
    await c.ok('tasks/update', { taskId, inputResponses: { [key!]: { action: 'accept', content: { name: 'Ada' } } } });
    expect(textOf((await pollTask(c, taskId, terminal)).result as Json)).toBe('hello:Ada');
  });
});
