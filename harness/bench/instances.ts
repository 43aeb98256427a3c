// `sep1686-check bench --instances 1,2,4`: the embedded reference server scaled out, per task store
// (memory, sqlite, redis) and instance count, in one run. For each pair the harness starts the instances
// (one deployment target), then measures
//   - throughput: TASKS instant slow_compute tasks, clients spread over the endpoints, each creating a
//     task and fetching its result (tasks created and completed per second; the scale curve is the ratio
//     to one instance of the same store);
//   - wake-up latency: a gated task created on A, its tasks/result blocked on the last endpoint, the
//     gate released on A: release to answer (median of WAKE_ROUNDS; the memory store shares nothing, so
//     there the wait is on A itself);
// and per store, on one instance, the server's resident memory per 10 000 retained finished tasks (and
// Redis's own). Redis is a private redis-server started here (skipped with a note when not on PATH);
// SQLite is a fresh file in a temp folder that every instance opens. The figures land in report.json
// (`bench.instances`, zod model BenchInstances) and instances.md.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { BenchInstancesRow, type BenchInstances, type BenchStoreMemory } from '../report/bench-model.js';
import type { Session } from '../scenario.js';
import type { Target, TargetSpec } from '../transport/target.js';
import { REFERENCE_SERVER_MAIN } from '../transport/targets.js';
import { mapLimit, sleep } from '../tasks.js';
import { errorText } from '../util/errors.js';
import { createBenchTarget } from './bench-target.js';
import { hasRedisServer, startRedisServer, type RedisServer } from './redis-server.js';
import { readRssBytes } from './rss.js';
import { median, ratio, round } from './stats.js';
import { BENCH_TTL_MS, BenchError, createdTask, type Progress } from './types.js';

export const STORES = BenchInstancesRow.shape.store.options;
export type StoreKind = (typeof STORES)[number];

const TASKS = 1000;
const CLIENTS_PER_ENDPOINT = 8;
const WAKE_ROUNDS = 5;
const RETAINED = 10_000;

/** The figures as report.json holds them (the zod model: harness/report/bench-model.ts). */
export type InstancesRow = BenchInstancesRow;
export type StoreMemory = BenchStoreMemory;
export type InstancesResult = BenchInstances;

interface Deployment {
  target: Target;
  sessions: Session[];
}

async function deploy(store: string, instances: number, timeouts: { requestMs: number; startMs: number }): Promise<Deployment> {
  const one: TargetSpec = {
    kind: 'http-command',
    command: process.execPath,
    args: [REFERENCE_SERVER_MAIN(), '--http', '--port', '0', '--store', store, '--max-finished-tasks', String(2 * RETAINED)],
  };
  const spec: TargetSpec = instances === 1 ? one : { kind: 'deployment', endpoints: Array.from({ length: instances }, () => one) };
  const target = createBenchTarget(spec, timeouts);
  try {
    const sessions = await Promise.all(
      Array.from({ length: instances }, (_, endpoint) => target.connect(instances > 1 ? { endpoint } : {})),
    );
    return { target, sessions };
  } catch (error) {
    await target.dispose();
    throw error;
  }
}

const echo = (label: string) => ({ name: 'slow_compute', arguments: { seconds: 0, label }, task: { ttl: BENCH_TTL_MS } });

async function createAndFetch(s: Session, label: string): Promise<{ created: number }> {
  const { taskId } = createdTask(await s.request('tools/call', echo(label)));
  const created = performance.now();
  const r = await s.request('tasks/result', { taskId });
  if (r.kind !== 'result') throw new BenchError(`tasks/result of ${taskId} answered ${r.kind}`);
  return { created };
}

async function throughput(d: Deployment, tasks: number): Promise<{ createdPerSecond: number; completedPerSecond: number }> {
  const n = d.sessions.length;
  const started = performance.now();
  const done = await mapLimit(
    Array.from({ length: tasks }, (_, i) => i),
    n * CLIENTS_PER_ENDPOINT,
    (i) => createAndFetch(d.sessions[i % n]!, `tp-${i}`),
  );
  const lastCreate = Math.max(...done.map((x) => x.created)) - started;
  const all = performance.now() - started;
  return { createdPerSecond: round((tasks / lastCreate) * 1000, 1), completedPerSecond: round((tasks / all) * 1000, 1) };
}

async function wake(d: Deployment, shared: boolean): Promise<number> {
  const a = d.sessions[0]!;
  const waiter = shared ? d.sessions.at(-1)! : a;
  const samples: number[] = [];
  for (let round = 0; round < WAKE_ROUNDS; round++) {
    const gateId = `bench-wake-${process.pid}-${round}-${Math.random().toString(36).slice(2)}`;
    const { taskId } = createdTask(
      await a.request('tools/call', { name: 'gated_job', arguments: { gateId }, task: { ttl: BENCH_TTL_MS } }),
    );
    let answered = 0;
    const waiting = waiter.request('tasks/result', { taskId }).then((o) => ((answered = performance.now()), o));
    await sleep(300);
    const released = performance.now();
    await a.request('tools/call', { name: 'release_gate', arguments: { gateId } });
    if ((await waiting).kind !== 'result') throw new BenchError(`tasks/result of the gated task ${taskId} did not answer a result`);
    samples.push(answered - released);
  }
  return round(median(samples), 2);
}

async function retainedMemory(store: string, redis: Redis | undefined, timeouts: { requestMs: number; startMs: number }) {
  const d = await deploy(store, 1, timeouts);
  try {
    const s = d.sessions[0]!;
    const pid = d.target.serverPids()[0];
    await mapLimit(
      Array.from({ length: 200 }, (_, i) => i),
      16,
      (i) => createAndFetch(s, `warm-${i}`),
    );
    const before = await readRssBytes(pid);
    const redisBefore = redis ? await usedMemory(redis) : undefined;
    await mapLimit(
      Array.from({ length: RETAINED }, (_, i) => i),
      32,
      (i) => createAndFetch(s, `kept-${i}`),
    );
    const after = await readRssBytes(pid);
    const redisAfter = redis ? await usedMemory(redis) : undefined;
    return {
      serverBytes: before !== null && after !== null ? after - before : null,
      ...(redis && { redisBytes: redisBefore !== undefined && redisAfter !== undefined ? redisAfter - redisBefore : null }),
    };
  } catch (error) {
    throw new Error(`${errorText(error)}${tailOf(d.target)}`, { cause: error });
  } finally {
    await d.target.dispose();
  }
}

/** The server's last stderr lines, for a note on a failed measurement. */
const tailOf = (target: Target) => {
  const tail = target.stderrTail(3).trim();
  return tail ? ` (server stderr: ${tail.split('\n').join(' / ')})` : '';
};

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? NaN);
}

export async function runInstancesBench(options: {
  counts: number[];
  stores: readonly StoreKind[];
  timeouts: { requestMs: number; startMs: number };
  progress: Progress;
}): Promise<InstancesResult> {
  const { counts, timeouts, progress } = options;
  const notes: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'sep1686-bench-instances-'));
  let redisServer: RedisServer | undefined;
  let redis: Redis | undefined;
  const rows: InstancesRow[] = [];
  const memory: StoreMemory[] = [];
  let deployments = 0;
  try {
    const stores = options.stores.filter((s) => s !== 'redis' || hasRedisServer());
    if (stores.length < options.stores.length)
      notes.push('redis: skipped, redis-server is not on PATH (Debian: apt-get install redis-server)');
    if (stores.includes('redis')) {
      redisServer = await startRedisServer();
      redis = new Redis(`${redisServer.url}/0`, { protocol: 2 });
    }
    const storeSpec = (kind: StoreKind) =>
      kind === 'memory'
        ? 'memory'
        : kind === 'sqlite'
          ? `sqlite:${join(dir, `tasks-${++deployments}.db`)}`
          : `${redisServer!.url}/0?prefix=bench${++deployments}`;
    for (const store of stores) {
      for (const n of counts) {
        progress(`bench --instances: ${store} store, ${n} instance(s): ${TASKS} tasks, ${WAKE_ROUNDS} wake-ups`);
        let d: Deployment;
        try {
          d = await deploy(storeSpec(store), n, timeouts);
        } catch (error) {
          notes.push(`${store}, ${n} instance(s): could not start: ${errorText(error)}`);
          continue;
        }
        try {
          const tp = await throughput(d, TASKS);
          const shared = store !== 'memory' || n === 1;
          rows.push({
            store,
            instances: n,
            ...tp,
            scale: null,
            wakeMs: await wake(d, shared),
            wakeRatio: null,
            wakeOn: n > 1 && shared ? 'another endpoint' : 'the same endpoint',
          });
        } catch (error) {
          notes.push(`${store}, ${n} instance(s): not measured: ${errorText(error)}${tailOf(d.target)}`);
        } finally {
          await d.target.dispose();
        }
      }
      progress(`bench --instances: ${store} store, memory per ${RETAINED} retained tasks`);
      try {
        memory.push({ store, ...(await retainedMemory(storeSpec(store), store === 'redis' ? redis : undefined, timeouts)) });
      } catch (error) {
        // One failed measurement must not cost the figures of the others.
        notes.push(`${store}: memory per ${RETAINED} retained tasks not measured: ${errorText(error)}`);
      }
    }
  } finally {
    redis?.disconnect();
    await redisServer?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const base = rows.find((r) => r.store === 'memory' && r.instances === Math.min(...counts)) ?? rows[0];
  for (const r of rows) {
    const one = rows.find((x) => x.store === r.store && x.instances === Math.min(...counts));
    r.scale = ratio(r.completedPerSecond, one?.completedPerSecond);
    r.wakeRatio = ratio(r.wakeMs, base?.wakeMs);
  }
  if (rows.some((r) => r.store === 'memory' && r.instances > 1))
    notes.push('memory: the instances share nothing (each endpoint serves its own tasks), so its wake-up is measured on the same endpoint');
  return { counts, tasks: TASKS, rows, memory, notes };
}

const mb = (bytes: number | null | undefined) => (bytes === null || bytes === undefined ? 'n/a' : `${round(bytes / 1024 / 1024, 1)} MB`);
const x = (v: number | null) => (v === null ? 'n/a' : `${round(v, 2)}×`);

/** The figures as Markdown (terminal and instances.md). */
export function renderInstances(r: InstancesResult): string {
  const lines = [
    `## Scaled out: ${r.counts.join(', ')} instance(s) per store`,
    '',
    `Throughput: ${r.tasks} instant tasks, ${CLIENTS_PER_ENDPOINT} clients per endpoint, each creating a task and fetching its result. Scale: completed/s over the same store at ${Math.min(...r.counts)} instance(s). Wake-up: release of a gated task to the answer of its blocked tasks/result (median of ${WAKE_ROUNDS}); ratio to the memory store at ${Math.min(...r.counts)} instance(s).`,
    '',
    '| Store | Instances | Created/s | Completed/s | Scale | Wake-up | Wake ratio | tasks/result waited on |',
    '|---|---|---|---|---|---|---|---|',
    ...r.rows.map(
      (row) =>
        `| ${row.store} | ${row.instances} | ${row.createdPerSecond} | ${row.completedPerSecond} | ${x(row.scale)} | ${row.wakeMs} ms | ${x(row.wakeRatio)} | ${row.wakeOn} |`,
    ),
    '',
    `Resident memory per ${RETAINED} retained finished tasks (one instance, RSS growth after ${RETAINED} more tasks):`,
    '',
    '| Store | Server RSS | Redis used_memory |',
    '|---|---|---|',
    ...r.memory.map((m) => `| ${m.store} | ${mb(m.serverBytes)} | ${m.store === 'redis' ? mb(m.redisBytes) : '-'} |`),
  ];
  if (r.notes.length) lines.push('', ...r.notes.map((n) => `- ${n}`));
  return `${lines.join('\n')}\n`;
}
