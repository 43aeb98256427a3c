// Operations: latency and throughput of each task operation, one request in flight at a time, measured
// with tinybench on the warm session and set against `ping` on the same connection (the transport's
// floor: what any request costs before the server does any work). Every sample checks its outcome, so
// a server answering errors fast cannot look fast.
import { Bench } from 'tinybench';
import type { JsonObject, RpcOutcome } from '../scenario.js';
import { describeOutcome } from '../tasks.js';
import type { BenchOperation } from '../report/bench-model.js';
import { percentileSorted, ratio } from './stats.js';
import { BENCH_TTL_MS, BenchError, type BenchTarget, createdTask, type Progress, silent, slowComputeParams } from './types.js';
import { errorText } from '../util/errors.js';

export const OPERATION_NAMES = [
  'ping',
  'tools/call (direct)',
  'task create',
  'tasks/get',
  'tasks/result (finished)',
  'tasks/list (page)',
] as const;
export type OperationName = (typeof OPERATION_NAMES)[number];

export interface OperationOptions {
  /** Time budget per operation and target (ms); tinybench keeps going until both it and minIterations are met. */
  timeMs: number;
  minIterations?: number;
  /** Warm-up per target before the first measurement (ms). */
  warmupMs?: number;
  progress?: Progress;
  labelPrefix?: string;
}

/** Mixed-operation warm-up per target before anything is measured. */
export const DEFAULT_WARMUP_MS = 1500;
/** Slices per operation (see runOperations). */
const PASSES = 4;

interface Prepared {
  finishedTaskId: string;
}

/** A finished task to read again and again: created as a task, waited for with tasks/result. */
async function prepare(target: BenchTarget, labelPrefix: string): Promise<Prepared> {
  const label = `${labelPrefix}-ops-finished`;
  const created = createdTask(await target.session.request('tools/call', slowComputeParams(target, 0, label, { ttl: BENCH_TTL_MS })));
  const done = await target.session.request('tasks/result', { taskId: created.taskId });
  if (done.kind !== 'result')
    throw new BenchError(`could not finish a task to measure tasks/get and tasks/result: ${describeOutcome(done)}`);
  return { finishedTaskId: created.taskId };
}

function expectResult(name: string, o: RpcOutcome): JsonObject {
  if (o.kind !== 'result') throw new BenchError(`${name}: ${describeOutcome(o)}`);
  return o.result;
}

/** The request each operation sends; every one validates just enough of the answer to catch errors. */
function operation(name: OperationName, target: BenchTarget, prepared: Prepared, labelPrefix: string): () => Promise<void> {
  const s = target.session;
  let n = 0;
  switch (name) {
    case 'ping':
      return async () => void expectResult(name, await s.request('ping'));
    case 'tools/call (direct)': {
      const params = { name: target.fixtures.tool('F-SYNC'), arguments: target.fixtures.args('F-SYNC', { name: 'bench' }) };
      return async () => {
        const r = expectResult(name, await s.request('tools/call', params));
        if (r.isError === true) throw new BenchError(`${name}: the tool answered isError ${JSON.stringify(r).slice(0, 200)}`);
      };
    }
    case 'task create':
      return async () =>
        void createdTask(
          await s.request('tools/call', slowComputeParams(target, 0, `${labelPrefix}-ops-create-${++n}`, { ttl: BENCH_TTL_MS })),
        );
    case 'tasks/get':
      return async () => {
        const r = expectResult(name, await s.request('tasks/get', { taskId: prepared.finishedTaskId }));
        if (r.taskId !== prepared.finishedTaskId)
          throw new BenchError(`tasks/get answered another task: ${JSON.stringify(r).slice(0, 200)}`);
      };
    case 'tasks/result (finished)':
      return async () => void expectResult(name, await s.request('tasks/result', { taskId: prepared.finishedTaskId }));
    case 'tasks/list (page)':
      return async () => {
        const r = expectResult(name, await s.request('tasks/list', {}));
        if (!Array.isArray(r.tasks)) throw new BenchError(`tasks/list answered no tasks array: ${JSON.stringify(r).slice(0, 200)}`);
      };
  }
}

/** tasks/list is optional (capabilities.tasks.list): a server that does not declare it is not measured on it. */
function applies(name: OperationName, target: BenchTarget): boolean {
  if (name !== 'tasks/list (page)') return true;
  const tasks = target.session.serverCapabilities.tasks as { list?: unknown } | undefined;
  return tasks?.list !== undefined && tasks.list !== null;
}

export interface Slice {
  samples: number[];
  totalTime: number;
  error?: string;
}

/**
 * One tinybench run of one operation: its raw latency samples (ms) and the time they add up to. `beforeEach`
 * (untimed, outside the budget) puts the next sample's subject in place, e.g. a fresh task to cancel.
 */
export async function measureSlice(
  name: string,
  fn: () => Promise<void>,
  timeMs: number,
  minIterations: number,
  beforeEach?: () => Promise<void>,
): Promise<Slice> {
  const bench = new Bench({
    time: timeMs,
    iterations: minIterations,
    warmupTime: Math.min(50, timeMs / 4),
    warmupIterations: 5,
    retainSamples: true,
  });
  bench.add(name, fn, beforeEach ? { beforeEach } : {});
  await bench.run();
  const result = bench.tasks[0]?.result;
  if (!result || result.state !== 'completed') {
    const why = result && result.state === 'errored' ? errorText(result.error) : `tinybench ended in state ${result?.state ?? 'unknown'}`;
    return { samples: [], totalTime: 0, error: why };
  }
  return { samples: [...(result.latency.samples ?? [])], totalTime: result.totalTime };
}

export function summarizeSlices(name: string, target: { label: string }, slices: Slice[]): BenchOperation {
  const failed = slices.find((s) => s.error);
  if (failed)
    return { name, target: target.label, p50Ms: 0, p95Ms: 0, p99Ms: 0, opsPerSec: 0, samples: 0, ratioToPing: null, error: failed.error };
  const samples = slices.flatMap((s) => s.samples).sort((a, b) => a - b);
  const totalTime = slices.reduce((sum, s) => sum + s.totalTime, 0);
  return {
    name,
    target: target.label,
    p50Ms: percentileSorted(samples, 50),
    p95Ms: percentileSorted(samples, 95),
    p99Ms: percentileSorted(samples, 99),
    // One request in flight at a time: completed requests per second of measured time.
    opsPerSec: totalTime > 0 ? (samples.length * 1000) / totalTime : 0,
    samples: samples.length,
    ratioToPing: null,
  };
}

/**
 * Measures every operation on every target after a warm-up, then sets each p50 against the same
 * target's ping p50.
 */
export async function runOperations(targets: BenchTarget[], options: OperationOptions): Promise<BenchOperation[]> {
  const progress = options.progress ?? silent;
  const prefix = options.labelPrefix ?? 'bench';
  const prepared = new Map<string, Prepared | Error>();
  for (const t of targets) {
    try {
      prepared.set(t.label, await prepare(t, prefix));
    } catch (err) {
      prepared.set(t.label, err instanceof Error ? err : new Error(String(err)));
    }
  }
  const order: OperationName[] = [
    'ping',
    'tools/call (direct)',
    'tasks/get',
    'tasks/result (finished)',
    'tasks/list (page)',
    'task create',
  ];
  // Warm every code path (client and server JIT) before anything is measured, or whichever operation
  // runs first (ping, the floor) pays for it and every ratio to ping looks too good.
  for (const target of targets) {
    const p = prepared.get(target.label)!;
    if (p instanceof Error) continue;
    progress(`operations: warming up on ${target.label}`);
    const fns = order.filter((name) => applies(name, target)).map((name) => operation(name, target, p, `${prefix}-warm`));
    // Optimizing compilers tier up after thousands of calls: warm by time, not by a handful of calls.
    const until = performance.now() + (options.warmupMs ?? DEFAULT_WARMUP_MS);
    while (performance.now() < until) for (const fn of fns) for (let i = 0; i < 20; i++) await fn().catch(() => undefined);
  }
  // Each operation's budget is cut into PASSES slices run in rotating order (and across targets), so a
  // burst of load from elsewhere on the machine spreads over every figure instead of hitting one.
  // `task create` runs after the reads: the tasks it piles up must not weigh on tasks/list.
  const slices = new Map<string, Slice[]>();
  const sliceKey = (t: BenchTarget, n: OperationName) => `${t.label}\u0000${n}`;
  const reads = order.filter((n) => n !== 'task create');
  const schedule: OperationName[][] = [];
  for (let pass = 0; pass < PASSES; pass++) schedule.push([...reads.slice(pass % reads.length), ...reads.slice(0, pass % reads.length)]);
  for (let pass = 0; pass < PASSES; pass++) schedule.push(['task create']);
  const sliceMs = Math.max(1, options.timeMs / PASSES);
  const minIterations = Math.max(1, Math.ceil((options.minIterations ?? 30) / PASSES));
  for (const [i, names] of schedule.entries()) {
    for (const name of names) {
      for (const target of targets) {
        if (!applies(name, target)) continue;
        const p = prepared.get(target.label)!;
        const list = slices.get(sliceKey(target, name)) ?? [];
        slices.set(sliceKey(target, name), list);
        if (list.some((s) => s.error)) continue;
        const needsTask = name === 'tasks/get' || name === 'tasks/result (finished)';
        if (p instanceof Error && needsTask) {
          list.push({ samples: [], totalTime: 0, error: p.message });
          continue;
        }
        progress(`operations: ${name} on ${target.label} (slice ${(i % PASSES) + 1}/${PASSES})`);
        const fn = operation(name, target, p instanceof Error ? { finishedTaskId: '' } : p, prefix);
        list.push(await measureSlice(name, fn, sliceMs, minIterations));
      }
    }
  }
  const out: BenchOperation[] = [];
  for (const target of targets)
    for (const name of order.filter((n) => applies(n, target)))
      out.push(summarizeSlices(name, target, slices.get(sliceKey(target, name)) ?? []));
  for (const op of out) {
    const ping = out.find((o) => o.target === op.target && o.name === 'ping' && !o.error);
    op.ratioToPing = op.error ? null : ratio(op.p50Ms, ping?.p50Ms);
  }
  // Report in the documented order, grouped by target.
  const rank = (n: string) => OPERATION_NAMES.indexOf(n as OperationName);
  return targets.flatMap((t) => out.filter((o) => o.target === t.label).sort((a, b) => rank(a.name) - rank(b.name)));
}
