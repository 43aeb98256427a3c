// Soak (`bench --soak <duration>`): mixed create / get / result / cancel traffic started at a fixed rate
// (open loop: the schedule does not wait for answers, so a slowing server shows as latency, not as a
// lower rate), latency percentiles and the server's RSS per window, and the least-squares slope of RSS
// and of p50 over time, so a leak or a drift shows as a slope rather than as a judgement call.
// driveSoak is that machinery for any era's traffic; runSoak is the 2025-11-25 mix (modern/soak.ts: 2026-07-28).
import { loadavg } from 'node:os';
import type { BenchSoak, SoakLatency, SoakOperation, SoakWindow } from '../report/bench-model.js';
import type { RpcOutcome } from '../scenario.js';
import { describeOutcome } from '../tasks.js';
import { errorText } from '../util/errors.js';
import { sleep } from '../util/async.js';
import { readRssBytes } from './rss.js';
import { percentiles } from './stats.js';
import { type BenchTarget, createdTask, type Progress, silent, slowComputeParams } from './types.js';

export const DEFAULT_SOAK_RATE = 50;
/** Tasks expire during the soak, so the store reaches a steady size after the first TTL. */
export const SOAK_TTL_MS = 30_000;
/** Work of the tasks fetched with tasks/result, and of the tasks that get cancelled (never reached). */
const SHORT_TASK_S = 0.05;
const LONG_TASK_S = 30;

/** One cycle of the mix: two creates (a short task to fetch, a long one to cancel), two gets, one result, one cancel. */
export const SOAK_CYCLE = ['create-short', 'get', 'result', 'create-long', 'get', 'cancel'] as const;
export type SoakStep = (typeof SOAK_CYCLE)[number];

/** "10m", "30s", "1h", "1500ms", "1m30s" as milliseconds; a clear error for anything else. */
export function parseDuration(text: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let end = 0;
  for (let m = re.exec(text.trim()); m; m = re.exec(text.trim())) {
    total += Number(m[1]) * units[m[2]!]!;
    end = re.lastIndex;
  }
  if (end === 0 || end !== text.trim().length || total <= 0)
    throw new RangeError(`'${text}' is not a duration (expected e.g. 30s, 10m, 1h, 1m30s)`);
  return total;
}

/** Windows of a minute for soaks of five minutes or more, 10 s below that, the whole soak when shorter than 10 s. */
export function soakWindowMs(durationMs: number): number {
  if (durationMs >= 5 * 60_000) return 60_000;
  return Math.min(10_000, durationMs);
}

/** Least-squares slope of y over x; null below two points or when every x is the same. */
export function linearSlope(points: ReadonlyArray<{ x: number; y: number }>): number | null {
  if (points.length < 2) return null;
  const mx = points.reduce((s, p) => s + p.x, 0) / points.length;
  const my = points.reduce((s, p) => s + p.y, 0) / points.length;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? null : num / den;
}

/** The points a slope is fitted over: every window but the first (the store fills until the first TTL passes), all of them when there are only two. */
export function slopePoints<T>(windows: readonly T[]): readonly T[] {
  return windows.length >= 3 ? windows.slice(1) : windows;
}

interface Sample {
  op: SoakOperation;
  endMs: number;
  ms: number;
  ok: boolean;
}

export function latencyOf(samples: readonly Sample[]): SoakLatency {
  const ok = samples.filter((s) => s.ok).map((s) => s.ms);
  const p = ok.length ? percentiles(ok) : undefined;
  return {
    requests: samples.length,
    errors: samples.length - ok.length,
    p50Ms: p?.p50 ?? null,
    p95Ms: p?.p95 ?? null,
    p99Ms: p?.p99 ?? null,
  };
}

export interface SoakOptions {
  durationMs: number;
  rate: number;
  progress?: Progress;
  labelPrefix?: string;
}

/** Starts one timed request of the mix; `after` checks its result (a throw counts the request as an error). */
export type TimedRequest = (
  op: SoakOperation,
  send: () => Promise<RpcOutcome>,
  after?: (o: Extract<RpcOutcome, { kind: 'result' }>) => void,
) => void;

/** An era's traffic: the request of schedule slot i (or none), and clean-up of what it left running (not measured). */
export interface SoakTraffic {
  step(i: number): void;
  finish(): Promise<void>;
}

/** What a soak runs against: a label for the figures and, when the harness owns it, the server process. */
export interface SoakSubject {
  label: string;
  pid?: () => number | undefined;
}

/** Runs the soak on one target. Never throws: a failure is carried as `error`. */
export function runSoak(target: BenchTarget, options: SoakOptions): Promise<BenchSoak> {
  const prefix = options.labelPrefix ?? 'bench';
  const s = target.session;
  return driveSoak(target, options, ['create', 'get', 'result', 'cancel'], (timed) => {
    let lastTask: string | undefined;
    let lastShort: string | undefined;
    const toCancel: string[] = [];
    const createTask = (seconds: number, label: string, keep: (id: string) => void) => {
      const params = slowComputeParams(target, seconds, label, { ttl: SOAK_TTL_MS });
      timed(
        'create',
        () => s.request('tools/call', params),
        (o) => keep(createdTask(o).taskId),
      );
    };
    const step = (what: SoakStep, i: number) => {
      switch (what) {
        case 'create-short':
          return createTask(SHORT_TASK_S, `${prefix}-soak-${i}`, (id) => (lastTask = lastShort = id));
        case 'create-long':
          return createTask(LONG_TASK_S, `${prefix}-soak-${i}`, (id) => void toCancel.push((lastTask = id)));
        case 'get': {
          const taskId = lastTask;
          return taskId && timed('get', () => s.request('tasks/get', { taskId }));
        }
        case 'result': {
          const taskId = lastShort;
          return taskId && timed('result', () => s.request('tasks/result', { taskId }));
        }
        case 'cancel': {
          const id = toCancel.shift();
          return id && timed('cancel', () => s.request('tasks/cancel', { taskId: id }));
        }
      }
    };
    return {
      step: (i) => void step(SOAK_CYCLE[i % SOAK_CYCLE.length]!, i),
      // Long tasks created but not yet cancelled would run on: cancel them (not measured).
      finish: async () => void (await Promise.all(toCancel.map((taskId) => s.request('tasks/cancel', { taskId })))),
    };
  });
}

/**
 * The soak machinery of every era: requests started on a fixed schedule (slot i at i / rate s) whatever the
 * answers, samples per window, RSS at each window's end, and the slopes. `ops` are the operations reported.
 */
export async function driveSoak(
  subject: SoakSubject,
  options: SoakOptions,
  ops: SoakOperation[],
  traffic: (timed: TimedRequest) => SoakTraffic,
): Promise<BenchSoak> {
  const progress = options.progress ?? silent;
  const windowMs = soakWindowMs(options.durationMs);
  const periodMs = 1000 / options.rate;
  const samples: Sample[] = [];
  const rss: Array<Promise<number | null>> = [];
  const inFlight = new Set<Promise<void>>();
  let lagged = 0;
  let error: string | undefined;

  const t0 = performance.now();
  const timed: TimedRequest = (op, send, after) => {
    const start = performance.now();
    const p = send().then((o) => {
      const end = performance.now();
      let ok = o.kind === 'result';
      if (o.kind !== 'result') error ??= `${op}: ${describeOutcome(o)}`;
      else if (after) {
        try {
          after(o);
        } catch (err) {
          ok = false;
          error ??= `${op}: ${errorText(err)}`;
        }
      }
      samples.push({ op, endMs: end - t0, ms: end - start, ok });
    });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };
  const mix = traffic(timed);

  let nextWindow = windowMs;
  for (let i = 0; ; i++) {
    const due = i * periodMs;
    const now = performance.now() - t0;
    if (due >= options.durationMs) break;
    while (now >= nextWindow) {
      rss.push(readRssBytes(subject.pid?.()));
      progress(`soak: ${Math.round(nextWindow / 1000)} of ${Math.round(options.durationMs / 1000)} s on ${subject.label}`);
      nextWindow += windowMs;
    }
    if (due > now) await sleep(due - now);
    else if (now - due > 1000) {
      lagged++;
      continue;
    }
    mix.step(i);
  }
  await Promise.all([...inFlight]);
  await mix.finish();
  const elapsed = performance.now() - t0;
  while (rss.length < Math.ceil(options.durationMs / windowMs)) rss.push(readRssBytes(subject.pid?.()));

  const rssValues = await Promise.all(rss);
  const windows: SoakWindow[] = rssValues.map((r, w) => {
    const from = w * windowMs;
    const to = w === rssValues.length - 1 ? Number.POSITIVE_INFINITY : (w + 1) * windowMs;
    return {
      endS: Math.min((w + 1) * windowMs, elapsed) / 1000,
      ...latencyOf(samples.filter((x) => x.endMs >= from && x.endMs < to)),
      rssBytes: r,
    };
  });
  const points = slopePoints(windows);
  const perMin = (y: (w: SoakWindow) => number | null) =>
    linearSlope(points.flatMap((w) => (y(w) === null ? [] : [{ x: w.endS / 60, y: y(w)! }])));
  return {
    target: subject.label,
    durationS: options.durationMs / 1000,
    rate: options.rate,
    windowS: windowMs / 1000,
    lagged,
    operations: ops.map((name) => ({ name, ...latencyOf(samples.filter((x) => x.op === name)) })),
    windows,
    rssSlopeBytesPerMin: perMin((w) => w.rssBytes),
    p50SlopeMsPerMin: perMin((w) => w.p50Ms),
    ttlMs: SOAK_TTL_MS,
    loadAverage: loadavg(),
    ...(error ? { error } : {}),
  };
}
