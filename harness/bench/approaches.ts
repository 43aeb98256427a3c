// Approaches: the same three slow_compute calls made four ways — sequential direct calls, concurrent
// direct calls (client-side gather), tasks fetched with tasks/result, and tasks polled with tasks/get at
// the server's pollInterval. Rounds are interleaved (a,b,c,d,a,b,c,d...) and, with --compare, so are the
// targets, so drift on a loaded machine hits every figure alike. Every result is checked against its label.
// runPlan is the machinery both eras share: the 2026-07-28 era brings its own calls (modern/approaches.ts).
import { isTerminal } from '../protocol.js';
import { describeOutcome } from '../tasks.js';
import type { ApproachName, BenchApproach, TimelineSpan } from '../report/bench-model.js';
import { median, ratio } from './stats.js';
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

export const APPROACHES: readonly ApproachName[] = ['sequential', 'gather', 'tasks-result', 'tasks-poll'];
export const DEFAULT_DURATIONS = [0.3, 0.2, 0.1];
export const SEED_DURATIONS = [3, 2, 1];

export interface ApproachOptions {
  /** slow_compute seconds of the three (or more) calls. */
  durations: number[];
  rounds: number;
  progress?: Progress;
  /** Prefix of call labels (unique per run so results can't be confused across runs). */
  labelPrefix?: string;
}

export interface ApproachesResult {
  approaches: BenchApproach[];
  /** Every call of the last round, per target and approach. */
  timeline: TimelineSpan[];
}

export interface CallSpan {
  label: string;
  startMs: number;
  endMs: number;
}

interface RoundOutcome {
  wallMs: number;
  spans: CallSpan[];
  error?: string;
}

/** One call of an approach (seconds of work, a label its result must echo); throws CallFailed on a wrong result. */
export type Call<T> = (target: T, seconds: number, label: string, t0: number) => Promise<CallSpan>;

/** The calls of each approach of an era: `sequential` runs its calls one after another, every other approach concurrently. */
export type ApproachPlan<T> = Partial<Record<ApproachName, Call<T>>>;

export class CallFailed extends Error {}

async function direct(target: BenchTarget, seconds: number, label: string, t0: number): Promise<CallSpan> {
  const start = performance.now() - t0;
  const o = await target.session.request('tools/call', slowComputeParams(target, seconds, label));
  const end = performance.now() - t0;
  const problem = checkComputed(o, label);
  if (problem) throw new CallFailed(problem);
  return { label, startMs: start, endMs: end };
}

async function viaResult(target: BenchTarget, seconds: number, label: string, t0: number): Promise<CallSpan> {
  const start = performance.now() - t0;
  const created = createdTask(await target.session.request('tools/call', slowComputeParams(target, seconds, label, { ttl: BENCH_TTL_MS })));
  const o = await target.session.request('tasks/result', { taskId: created.taskId });
  const end = performance.now() - t0;
  const problem = checkComputed(o, label);
  if (problem) throw new CallFailed(`tasks/result: ${problem}`);
  return { label, startMs: start, endMs: end };
}

async function viaPoll(target: BenchTarget, seconds: number, label: string, t0: number): Promise<CallSpan> {
  const start = performance.now() - t0;
  const created = createdTask(await target.session.request('tools/call', slowComputeParams(target, seconds, label, { ttl: BENCH_TTL_MS })));
  let pollInterval = created.pollInterval;
  let status = created.status;
  // A generous cap on polls: a server that never ends the task must not hang the bench.
  const deadline = performance.now() + seconds * 1000 + 60_000;
  while (!isTerminal(status)) {
    await sleep(honouredPollInterval(pollInterval));
    const g = await target.session.request('tasks/get', { taskId: created.taskId });
    if (g.kind !== 'result') throw new CallFailed(`tasks/get: ${describeOutcome(g)}`);
    status = g.result.status as string | undefined;
    if (typeof g.result.pollInterval === 'number') pollInterval = g.result.pollInterval;
    if (performance.now() > deadline)
      throw new CallFailed(`task ${created.taskId} still ${String(status)} a minute after its work should have ended`);
  }
  if (status !== 'completed') throw new CallFailed(`task ended ${String(status)}, expected completed`);
  const o = await target.session.request('tasks/result', { taskId: created.taskId });
  const end = performance.now() - t0;
  const problem = checkComputed(o, label);
  if (problem) throw new CallFailed(`tasks/result: ${problem}`);
  return { label, startMs: start, endMs: end };
}

/** The 2025-11-25 era's approaches. */
const LEGACY_PLAN: ApproachPlan<BenchTarget> = { sequential: direct, gather: direct, 'tasks-result': viaResult, 'tasks-poll': viaPoll };

let labelCounter = 0;

/** One round of one approach on one target. Never throws: a failure is carried as `error`. */
export async function runRound<T>(
  plan: ApproachPlan<T>,
  target: T,
  approach: ApproachName,
  durations: number[],
  labelPrefix = 'bench',
): Promise<RoundOutcome> {
  const labels = durations.map((d) => `${labelPrefix}-${approach}-${d}s-${++labelCounter}`);
  const call = plan[approach];
  const t0 = performance.now();
  try {
    if (!call) throw new Error(`approach ${approach} is not part of this era`);
    let spans: CallSpan[];
    if (approach === 'sequential') {
      spans = [];
      for (const [i, d] of durations.entries()) spans.push(await call(target, d, labels[i]!, t0));
    } else {
      spans = await Promise.all(durations.map((d, i) => call(target, d, labels[i]!, t0)));
    }
    return { wallMs: performance.now() - t0, spans };
  } catch (err) {
    return { wallMs: performance.now() - t0, spans: [], error: errorText(err) };
  }
}

/** Runs every approach `rounds` times on every target, interleaved, after one unrecorded warm-up round of instant calls. */
export function runApproaches(targets: BenchTarget[], options: ApproachOptions): Promise<ApproachesResult> {
  return runPlan(LEGACY_PLAN, APPROACHES, targets, options);
}

/** runApproaches for any era: the approaches `names` of `plan`, interleaved over rounds and targets. */
export async function runPlan<T extends { label: string }>(
  plan: ApproachPlan<T>,
  names: readonly ApproachName[],
  targets: T[],
  options: ApproachOptions,
): Promise<ApproachesResult> {
  const progress = options.progress ?? silent;
  const prefix = options.labelPrefix ?? 'bench';
  const zero = options.durations.map(() => 0);
  for (const target of targets) {
    for (const approach of names) {
      progress(`approaches: warm-up ${approach} on ${target.label}`);
      await runRound(plan, target, approach, zero, `${prefix}-warmup`);
    }
  }

  const rounds = new Map<string, RoundOutcome[]>();
  const key = (t: T, a: ApproachName) => `${t.label}\u0000${a}`;
  for (let r = 1; r <= options.rounds; r++) {
    for (const approach of names) {
      for (const target of targets) {
        progress(`approaches: round ${r}/${options.rounds} ${approach} on ${target.label}`);
        const outcome = await runRound(plan, target, approach, options.durations, prefix);
        const list = rounds.get(key(target, approach)) ?? [];
        list.push(outcome);
        rounds.set(key(target, approach), list);
      }
    }
  }

  const approaches: BenchApproach[] = [];
  const timeline: TimelineSpan[] = [];
  for (const target of targets) {
    const wall = (a: ApproachName) => median((rounds.get(key(target, a)) ?? []).map((o) => o.wallMs));
    const sequential = wall('sequential');
    const gather = wall('gather');
    for (const approach of names) {
      const list = rounds.get(key(target, approach)) ?? [];
      const failed = list.find((o) => o.error);
      const wallMs = wall(approach);
      approaches.push({
        name: approach,
        target: target.label,
        wallMs,
        roundsMs: list.map((o) => o.wallMs),
        speedupOverSequential: ratio(sequential, wallMs),
        ratioToGather: ratio(wallMs, gather),
        correct: list.length > 0 && !failed,
        ...(failed?.error ? { error: failed.error } : {}),
      });
      const last = list.at(-1);
      for (const s of last?.spans ?? []) timeline.push({ target: target.label, approach, ...s });
    }
  }
  return { approaches, timeline };
}

/** The figures the brief asks for, by name: c/b and d/b are ratioToGather of tasks-result and tasks-poll. */
export function overheadRatios(
  approaches: BenchApproach[],
  target: string,
): { resultOverGather: number | null; pollOverGather: number | null } {
  const find = (n: ApproachName) => approaches.find((a) => a.target === target && a.name === n);
  return { resultOverGather: find('tasks-result')?.ratioToGather ?? null, pollOverGather: find('tasks-poll')?.ratioToGather ?? null };
}
