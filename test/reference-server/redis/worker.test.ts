// Worker processes (needs redis-server): a front-end instance that runs no work and worker processes
// that do. A worker killed mid-task loses its lease; the next runner reclaims its tasks and applies the
// policy of worker.ts: a non-idempotent task (gated_job) is failed with a statusMessage saying why, an
// idempotent one (slow_compute) runs again. Completion is controlled by gates and leases, not sleeps.
import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOST_MESSAGE } from '../../../reference-server/worker.js';
import { SERVER_MAIN, unique } from '../../helpers/ref-client.js';
import { createTask, eventually, Fleet, gateState } from './cluster-helpers.js';
import { hasRedisServer, startRedisServer, type RedisServer } from './redis-server.js';

describe.skipIf(!hasRedisServer)('workers on one Redis (needs redis-server)', () => {
  let redis: RedisServer;
  let probe: Redis;
  const fleet = new Fleet();
  beforeAll(async () => {
    redis = await startRedisServer();
    probe = new Redis(`${redis.url}/0`, { protocol: 2 });
  });
  afterAll(async () => {
    await fleet.stopAll();
    probe?.disconnect();
    await redis?.stop();
  });

  /** A front end that runs no work, one worker, and a gated_job that this worker runs now. */
  async function gatedJobOnWorker(prefix: string) {
    const store = `${redis.url}/0?prefix=${prefix}&lease=1000`;
    const front = await fleet.instance(`${store}&worker=false`);
    const worker = await fleet.worker(store);
    const client = await fleet.connect(front);
    const gateId = unique('gate');
    const taskId = await createTask(client, 'gated_job', { gateId });
    await eventually(() => gateState(client, gateId), 'waiting', 'the gated job to wait');
    return { store, worker, client, taskId };
  }

  it('a worker killed mid-task: its gated task is failed with a reason, its idempotent task runs again', async () => {
    const { store, worker: first, client, taskId: gated } = await gatedJobOnWorker('kill');
    const slow = await createTask(client, 'slow_compute', { seconds: 3600, label: 'again' });
    // Both items are claimed by the only runner, the first worker.
    await eventually(async () => ((await probe.call('XPENDING', 'kill:work', 'runners')) as [number])[0], 2, 'both items to be claimed');
    const result = client.request('tasks/result', { taskId: gated });

    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGKILL');
    await exited;
    await fleet.worker(store);

    const { error } = await result;
    expect(error).toMatchObject({ code: -32603, message: `Internal error: ${LOST_MESSAGE}` });
    expect(await client.ok('tasks/get', { taskId: gated })).toMatchObject({ status: 'failed', statusMessage: LOST_MESSAGE });
    await eventually(
      async () =>
        ((await client.ok('tasks/get', { taskId: slow })).statusMessage as string | undefined)?.includes('running again') ?? false,
      true,
      'the idempotent task to run again',
    );
    expect(await client.ok('tasks/get', { taskId: slow })).toMatchObject({ status: 'working' });
    expect(await client.ok('tasks/cancel', { taskId: slow })).toMatchObject({ status: 'cancelled' });
    expect(client.violations).toEqual([]);
  });

  it('a worker stopped with SIGTERM exits 0 and leaves its unfinished work to be reclaimed', async () => {
    const { store, worker, client, taskId } = await gatedJobOnWorker('term');
    const exited = new Promise<number | null>((resolve) => worker.child.once('exit', resolve));
    worker.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await fleet.worker(store);
    await eventually(async () => (await client.ok('tasks/get', { taskId })).status as string, 'failed', 'the task to be reclaimed');
  });
});

describe('sep1686-reference-server worker: usage errors', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [SERVER_MAIN, 'worker', ...args], { encoding: 'utf8', timeout: 30_000 });
  it.each([
    [[], /--store redis:\/\/host:port\[\/db\] is required/],
    [['--store', 'memory'], /--store must be a redis:\/\/ URL/],
    [['--store', 'redis://127.0.0.1:6379?worker=false'], /worker=false/],
    [['--port', '1'], /Unknown option '--port'/],
  ])('%j: one line, exit 2', (args, message) => {
    const r = run(...(args as string[]));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('an unreachable Redis: one line, exit 1', () => {
    const r = run('--store', 'redis://127.0.0.1:1/0');
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(/^sep1686-reference-server: cannot reach Redis at redis:\/\/127\.0\.0\.1:1\/0: .*ECONNREFUSED/);
    expect((r.stderr as string).trim().split('\n')).toHaveLength(1);
  });
});
