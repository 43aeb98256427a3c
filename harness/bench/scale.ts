// Scale: N tasks alive at once. For each N: create them all and, as each create is answered, send its
// blocking tasks/result (the 2025-11-25 path: the server answers when the task ends), so "last create to
// all results" can be set against the floor — the work of one task. Then, as a second figure, N fresh
// tasks polled with tasks/get until terminal and fetched. Every result is checked against its own
// arguments (label -> computed:<label>), so a server that mixes results up under load is caught, not
// just timed. Memory per retained task is read after a full GC when the bench preloaded its heap probe.
import { isTerminal } from '../protocol.js';
import { describeOutcome, mapLimit } from '../tasks.js';
import type { BenchScale, BenchScaleMemory, BenchScalePoll } from '../report/bench-model.js';
import type { HeapStats } from './heap.js';
import { readRssBytes } from './rss.js';
import { median, percentiles, ratio } from './stats.js';
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
export const DEFAULT_SCALE_SECONDS = 0.1;
export const DEFAULT_SCALE_CONCURRENCY = 256;
/**
 * Each N is measured this many times per target, the targets alternating, and each figure is the median:
 * one 10 000-task step lasts about a second, so a single GC pause or a burst of load elsewhere would
 * otherwise move a side-by-side ratio by 15%.
 */
export const DEFAULT_SCALE_ROUNDS = 3;

export interface ScaleOptions {
  sizes: number[];
  /** slow_compute seconds of every task (long enough that the tasks overlap). */
  seconds: number;
  /** Most creates (and polls) in flight at once; blocking tasks/result requests are not capped. */
  concurrency: number;
  progress?: Progress;
  labelPrefix?: string;
  /** Give up waiting for the tasks this long after the work should have ended (ms). */
  graceMs?: number;
  /** Skip the polling figure (the raw-client check compares the blocking path only). */
  skipPoll?: boolean;
  /** runScale: measurements per N and target, whose medians are reported (default DEFAULT_SCALE_ROUNDS). */
  rounds?: number;
}

interface Entry {
  label: string;
  taskId?: string;
  status?: string;
  problem?: string;
}

const labels = (prefix: string, n: number, path: string): Entry[] =>
  Array.from({ length: n }, (_, i) => ({ label: `${prefix}-${path}${n}-${i}` }));

async function create(target: BenchTarget, e: Entry, seconds: number): Promise<number | undefined> {
  try {
    const created = createdTask(
      await target.session.request('tools/call', slowComputeParams(target, seconds, e.label, { ttl: BENCH_TTL_MS })),
    );
    e.taskId = created.taskId;
    e.status = created.status;
    return created.pollInterval;
  } catch (err) {
    e.problem = `create: ${errorText(err)}`;
    return undefined;
  }
}

/** The blocking path: creates capped at `concurrency`, each answered create followed at once by its tasks/result. */
async function blockingResults(target: BenchTarget, entries: Entry[], options: ScaleOptions) {
  const timeoutMs = options.seconds * 1000 + (options.graceMs ?? 120_000);
  const results: Promise<void>[] = [];
  let lastCreate = 0;
  let lastResult = 0;
  const t0 = performance.now();
  await mapLimit(entries, options.concurrency, async (e) => {
    await create(target, e, options.seconds);
    lastCreate = performance.now();
    if (!e.taskId) return;
    results.push(
      target.session.request('tasks/result', { taskId: e.taskId }, { timeoutMs }).then((o) => {
        lastResult = performance.now();
        const problem = checkComputed(o, e.label);
        if (problem) e.problem = `tasks/result: ${problem}`;
      }),
    );
  });
  await Promise.all(results);
  lastResult ||= lastCreate;
  return { createAllMs: lastCreate - t0, lastCreateToAllResultsMs: lastResult - lastCreate, allResultsMs: lastResult - t0 };
}

/** The polling path: create all, poll tasks/get at the server's pollInterval until all are terminal, fetch every result. */
async function polled(target: BenchTarget, entries: Entry[], options: ScaleOptions): Promise<{ poll: BenchScalePoll; error?: string }> {
  const s = target.session;
  let pollInterval: number | undefined;
  let error: string | undefined;
  const t0 = performance.now();
  await mapLimit(entries, options.concurrency, async (e) => {
    // Create every task: `pollInterval ??= await create(...)` would stop creating after the first answer.
    const advertised = await create(target, e, options.seconds);
    pollInterval ??= advertised;
  });
  const createAllMs = performance.now() - t0;

  const getLatencies: number[] = [];
  let pending = entries.filter((e) => e.taskId && !isTerminal(e.status));
  const deadline = t0 + options.seconds * 1000 + (options.graceMs ?? 120_000);
  for (;;) {
    await mapLimit(pending, options.concurrency, async (e) => {
      const start = performance.now();
      const o = await s.request('tasks/get', { taskId: e.taskId! });
      getLatencies.push(performance.now() - start);
      if (o.kind !== 'result') e.problem = `tasks/get: ${describeOutcome(o)}`;
      else e.status = o.result.status as string | undefined;
    });
    pending = pending.filter((e) => !e.problem && !isTerminal(e.status));
    if (pending.length === 0) break;
    if (performance.now() > deadline) {
      error = `${pending.length} of ${entries.length} polled tasks were still not terminal ${Math.round((performance.now() - t0) / 1000)} s after creation`;
      for (const e of pending) e.problem = `still ${String(e.status)} at the deadline`;
      break;
    }
    await sleep(honouredPollInterval(pollInterval));
  }
  const completeAllMs = performance.now() - t0;

  const t1 = performance.now();
  await mapLimit(
    entries.filter((e) => e.taskId && !e.problem),
    options.concurrency,
    async (e) => {
      if (e.status !== 'completed') {
        e.problem = `ended ${String(e.status)}, expected completed`;
        return;
      }
      const problem = checkComputed(await s.request('tasks/result', { taskId: e.taskId! }), e.label);
      if (problem) e.problem = `polled tasks/result: ${problem}`;
    },
  );
  const fetchAllMs = performance.now() - t1;
  const get = getLatencies.length ? percentiles(getLatencies) : undefined;
  const poll = {
    createAllMs,
    completeAllMs,
    fetchAllMs,
    getP50Ms: get?.p50 ?? null,
    getP95Ms: get?.p95 ?? null,
    getP99Ms: get?.p99 ?? null,
    getRequests: getLatencies.length,
  };
  return { poll, ...(error ? { error } : {}) };
}

/** Bytes per retained task between two after-GC readings, or undefined when either is missing. */
export function memoryPerTask(
  before: HeapStats | null | undefined,
  after: HeapStats | null | undefined,
  tasks: number,
): BenchScaleMemory | undefined {
  if (!before || !after || tasks <= 0) return undefined;
  return {
    retainedTasks: tasks,
    heapUsedBeforeBytes: before.heapUsedBytes,
    heapUsedAfterBytes: after.heapUsedBytes,
    rssBeforeBytes: before.rssBytes,
    rssAfterBytes: after.rssBytes,
    heapUsedPerTaskBytes: (after.heapUsedBytes - before.heapUsedBytes) / tasks,
    rssPerTaskBytes: (after.rssBytes - before.rssBytes) / tasks,
  };
}

/** One N on one target. Never throws: problems make `correct` false and are counted in `failures`. */
export async function measureScale(target: BenchTarget, n: number, options: ScaleOptions): Promise<BenchScale> {
  const progress = options.progress ?? silent;
  const prefix = options.labelPrefix ?? 'bench';
  const rssBeforeBytes = await readRssBytes(target.pid?.());
  const heapBefore = await target.heap?.();

  const entries = labels(prefix, n, 'scale');
  const blocking = await blockingResults(target, entries, options);
  // The tasks are completed and fetched but within their TTL: what the server holds for them now is the cost of retaining them.
  const memory = memoryPerTask(heapBefore, await target.heap?.(), n);

  let poll: { poll: BenchScalePoll; error?: string } | undefined;
  const pollEntries = options.skipPoll ? [] : labels(prefix, n, 'poll');
  if (!options.skipPoll) {
    progress(`scale: ${n} polled tasks on ${target.label}`);
    poll = await polled(target, pollEntries, options);
  }
  const rssAfterBytes = await readRssBytes(target.pid?.());

  const failed = [...entries, ...pollEntries].filter((e) => e.problem);
  const floorMs = options.seconds * 1000;
  return {
    target: target.label,
    tasks: n,
    floorMs,
    ...blocking,
    floorRatio: ratio(blocking.lastCreateToAllResultsMs, floorMs),
    ...(poll ? { poll: poll.poll } : {}),
    correct: failed.length === 0,
    rssBeforeBytes,
    rssAfterBytes,
    ...(memory ? { memory } : {}),
    ...(failed.length
      ? {
          failures: failed.length,
          error: poll?.error ?? `${failed.length} of ${entries.length + pollEntries.length} tasks wrong; first: ${failed[0]!.problem}`,
        }
      : {}),
  };
}

/** Every N on every target, N-major; each N `rounds` times with the targets' order alternating, medians reported. */
export async function runScale(targets: BenchTarget[], options: ScaleOptions): Promise<BenchScale[]> {
  const progress = options.progress ?? silent;
  const prefix = options.labelPrefix ?? 'bench';
  const rounds = options.rounds ?? DEFAULT_SCALE_ROUNDS;
  const out: BenchScale[] = [];
  for (const n of options.sizes) {
    const measured = new Map<string, BenchScale[]>(targets.map((t) => [t.label, []]));
    const heapBefore = new Map<string, HeapStats | null | undefined>();
    for (const target of targets) heapBefore.set(target.label, await target.heap?.());
    for (let r = 0; r < rounds; r++) {
      // Alternate who goes first, so neither target always runs on a server the other just loaded.
      for (const target of r % 2 ? [...targets].reverse() : targets) {
        progress(`scale: ${n} concurrent tasks on ${target.label}${rounds > 1 ? ` (round ${r + 1}/${rounds})` : ''}`);
        measured.get(target.label)!.push(await measureScale(target, n, { ...options, labelPrefix: `${prefix}-r${r}` }));
      }
    }
    for (const target of targets) {
      // Memory over every task of every round (all retained: the bench's ttl outlasts the step). One round's
      // difference can be swamped by what the server still frees from the step before; 3 x 2N tasks cannot.
      const retained = rounds * n * (options.skipPoll ? 1 : 2);
      const memory = rounds > 1 ? memoryPerTask(heapBefore.get(target.label), await target.heap?.(), retained) : undefined;
      out.push(medianOfRounds(measured.get(target.label)!, memory));
    }
  }
  return out;
}

/**
 * One step's rounds as one figure: the median of each time, correct only if every round was.
 * @param stepMemory memory measured over all the rounds (runScale); without it, the median round's.
 */
export function medianOfRounds(rounds: BenchScale[], stepMemory?: BenchScaleMemory): BenchScale {
  const first = rounds[0]!;
  if (rounds.length === 1) return first;
  const med = (f: (s: BenchScale) => number) => median(rounds.map(f));
  const medOrNull = (f: (s: BenchScale) => number | null | undefined) => {
    const values = rounds.map(f).filter((v): v is number => typeof v === 'number');
    return values.length === rounds.length ? median(values) : null;
  };
  const lastCreateToAllResultsMs = med((s) => s.lastCreateToAllResultsMs);
  const polls = rounds.map((s) => s.poll).filter((p): p is BenchScalePoll => p !== undefined);
  const withMemory = rounds.filter((s) => s.memory).sort((a, b) => a.memory!.heapUsedPerTaskBytes - b.memory!.heapUsedPerTaskBytes);
  const memory = stepMemory ?? withMemory[Math.floor((withMemory.length - 1) / 2)]?.memory;
  const failed = rounds.filter((s) => !s.correct);
  return {
    ...first,
    createAllMs: med((s) => s.createAllMs),
    lastCreateToAllResultsMs,
    allResultsMs: med((s) => s.allResultsMs),
    floorRatio: ratio(lastCreateToAllResultsMs, first.floorMs),
    ...(polls.length === rounds.length
      ? {
          poll: {
            createAllMs: med((s) => s.poll!.createAllMs),
            completeAllMs: med((s) => s.poll!.completeAllMs),
            fetchAllMs: med((s) => s.poll!.fetchAllMs),
            getP50Ms: medOrNull((s) => s.poll!.getP50Ms),
            getP95Ms: medOrNull((s) => s.poll!.getP95Ms),
            getP99Ms: medOrNull((s) => s.poll!.getP99Ms),
            getRequests: Math.round(med((s) => s.poll!.getRequests)),
          },
        }
      : {}),
    correct: failed.length === 0,
    rssAfterBytes: rounds.at(-1)!.rssAfterBytes,
    ...(memory ? { memory } : {}),
    // No round failed means the first did not either: it carries no failures or error to override.
    ...(failed.length ? { failures: failed.reduce((sum, s) => sum + (s.failures ?? 0), 0), error: failed[0]!.error } : {}),
    rounds: rounds.map((s) => ({
      createAllMs: s.createAllMs,
      lastCreateToAllResultsMs: s.lastCreateToAllResultsMs,
      pollCompleteAllMs: s.poll?.completeAllMs ?? null,
    })),
  };
}
