// Scale: N tasks alive at once. For each N: create them all, poll tasks/get until every one is terminal,
// fetch every result with tasks/result, and check each against its own arguments (label -> computed:<label>)
// so a server that mixes results up under load is caught, not just timed. tasks/get latency is sampled
// while the load is on; resident memory is read before and after when the harness owns the process.
import { isTerminal } from '../protocol.js';
import { describeOutcome, mapLimit } from '../tasks.js';
import type { BenchScale } from '../report/bench-model.js';
import { readRssBytes } from './rss.js';
import { percentiles } from './stats.js';
import {
  BENCH_TTL_MS,
  type BenchTarget,
  checkComputed,
  createdTask,
  honouredPollInterval,
  type Progress,
  silent,
  slowComputeParams,
} from './types.js';
import { errorText } from '../util/errors.js';
import { sleep } from '../util/async.js';

export const DEFAULT_SCALE_SIZES = [1, 10, 100, 1000];
export const DEFAULT_SCALE_SECONDS = 0.5;
export const DEFAULT_SCALE_CONCURRENCY = 256;

export interface ScaleOptions {
  sizes: number[];
  /** slow_compute seconds of every task (long enough that the tasks overlap). */
  seconds: number;
  /** Most requests in flight at once (creation, polling and fetching alike). */
  concurrency: number;
  progress?: Progress;
  labelPrefix?: string;
  /** Give up waiting for the tasks this long after the work should have ended (ms). */
  graceMs?: number;
}

interface Entry {
  label: string;
  taskId?: string;
  status?: string;
  problem?: string;
}

/** One N on one target. Never throws: problems make `correct` false and are counted in `failures`. */
export async function measureScale(target: BenchTarget, n: number, options: ScaleOptions): Promise<BenchScale> {
  const progress = options.progress ?? silent;
  const prefix = options.labelPrefix ?? 'bench';
  const s = target.session;
  const entries: Entry[] = Array.from({ length: n }, (_, i) => ({ label: `${prefix}-scale${n}-${i}` }));
  const rssBeforeBytes = await readRssBytes(target.pid?.());
  let pollInterval: number | undefined;
  let error: string | undefined;

  const t0 = performance.now();
  await mapLimit(entries, options.concurrency, async (e) => {
    try {
      const created = createdTask(
        await s.request('tools/call', slowComputeParams(target, options.seconds, e.label, { ttl: BENCH_TTL_MS })),
      );
      e.taskId = created.taskId;
      e.status = created.status;
      pollInterval ??= created.pollInterval;
    } catch (err) {
      e.problem = `create: ${errorText(err)}`;
    }
  });
  const createAllMs = performance.now() - t0;
  progress(`scale: ${n} tasks created on ${target.label}, waiting for them to end`);

  const getLatencies: number[] = [];
  let pending = entries.filter((e) => e.taskId && !isTerminal(e.status));
  const deadline = t0 + options.seconds * 1000 + (options.graceMs ?? 120_000);
  for (;;) {
    await mapLimit(pending, options.concurrency, async (e) => {
      const start = performance.now();
      const o = await s.request('tasks/get', { taskId: e.taskId! });
      getLatencies.push(performance.now() - start);
      if (o.kind !== 'result') {
        e.problem = `tasks/get: ${describeOutcome(o)}`;
        return;
      }
      e.status = o.result.status as string | undefined;
    });
    pending = pending.filter((e) => !e.problem && !isTerminal(e.status));
    if (pending.length === 0) break;
    if (performance.now() > deadline) {
      error = `${pending.length} of ${n} tasks were still not terminal ${Math.round((performance.now() - t0) / 1000)} s after creation`;
      for (const e of pending) e.problem = `still ${String(e.status)} at the deadline`;
      break;
    }
    await sleep(honouredPollInterval(pollInterval));
  }
  const completeAllMs = performance.now() - t0;

  progress(`scale: fetching ${n} results on ${target.label}`);
  const t1 = performance.now();
  const fetchable = entries.filter((e) => e.taskId && !e.problem);
  await mapLimit(fetchable, options.concurrency, async (e) => {
    if (e.status !== 'completed') {
      e.problem = `ended ${String(e.status)}, expected completed`;
      return;
    }
    const problem = checkComputed(await s.request('tasks/result', { taskId: e.taskId! }), e.label);
    if (problem) e.problem = `tasks/result: ${problem}`;
  });
  const fetchAllMs = performance.now() - t1;
  const rssAfterBytes = await readRssBytes(target.pid?.());

  const failed = entries.filter((e) => e.problem);
  const get = getLatencies.length ? percentiles(getLatencies) : undefined;
  return {
    target: target.label,
    tasks: n,
    createAllMs,
    completeAllMs,
    fetchAllMs,
    getP50Ms: get?.p50 ?? null,
    getP95Ms: get?.p95 ?? null,
    getP99Ms: get?.p99 ?? null,
    correct: failed.length === 0,
    rssBeforeBytes,
    rssAfterBytes,
    getRequests: getLatencies.length,
    ...(failed.length
      ? { failures: failed.length, error: error ?? `${failed.length} of ${n} tasks wrong; first: ${failed[0]!.problem}` }
      : {}),
  };
}

/** Every N on every target, N-major so the targets interleave. */
export async function runScale(targets: BenchTarget[], options: ScaleOptions): Promise<BenchScale[]> {
  const progress = options.progress ?? silent;
  const out: BenchScale[] = [];
  for (const n of options.sizes) {
    for (const target of targets) {
      progress(`scale: ${n} concurrent tasks on ${target.label}`);
      out.push(await measureScale(target, n, options));
    }
  }
  return out;
}
