// Scale in the 2026-07-28 era: N slow_compute tasks alive at once, seen terminal either by polling every
// pending task with tasks/get at the server's (clamped) pollIntervalMs, or by one subscriptions/listen for
// all N task ids (the server sends each task's current state, then every change). "Last create to all
// terminal" is set against the floor, the work of one task. Every inlined result is checked against its label.
import type { BenchModernScale } from '../../report/bench-model.js';
import type { JsonObject } from '../../scenario.js';
import { describeOutcome, mapLimit } from '../../tasks.js';
import { sleep } from '../../util/async.js';
import { errorText } from '../../util/errors.js';
import { ratio } from '../stats.js';
import type { ScaleOptions } from '../scale.js';
import { silent } from '../types.js';
import { checkTerminal, createModernTask, EXT, isTerminalTask, nextPollMs, type ModernBenchTarget } from './target.js';
import { WAKEUP_MODES, type WakeupMode } from './wakeup.js';

/** The 2025-11-25 scale step's sizes and limits (it alone can skip its polling figure). */
export type ModernScaleOptions = Omit<ScaleOptions, 'skipPoll'>;

interface Entry {
  label: string;
  task?: JsonObject;
  problem?: string;
}

async function createAll(target: ModernBenchTarget, entries: Entry[], options: ModernScaleOptions) {
  const t0 = performance.now();
  let lastCreate = t0;
  await mapLimit(entries, options.concurrency, async (e) => {
    try {
      e.task = await createModernTask(target, 'F-ECHO', { seconds: options.seconds, label: e.label });
    } catch (err) {
      e.problem = `create: ${errorText(err)}`;
    }
    lastCreate = performance.now();
  });
  return { createAllMs: lastCreate - t0, lastCreate };
}

/** Polls every pending task each round until all are terminal or the deadline passes; returns the tasks/get count. */
async function pollAll(target: ModernBenchTarget, entries: Entry[], options: ModernScaleOptions, deadline: number): Promise<number> {
  let gets = 0;
  let pending = entries.filter((e) => e.task && !isTerminalTask(e.task));
  while (pending.length) {
    if (performance.now() > deadline) {
      for (const e of pending) e.problem = `still ${String(e.task?.status)} at the deadline`;
      break;
    }
    await sleep(nextPollMs(pending[0]!.task));
    await mapLimit(pending, options.concurrency, async (e) => {
      const o = await target.client.request('tasks/get', { taskId: e.task!.taskId }, { caps: EXT });
      gets++;
      if (o.kind !== 'result') e.problem = `tasks/get: ${describeOutcome(o)}`;
      else e.task = o.result;
    });
    pending = pending.filter((e) => !e.problem && !isTerminalTask(e.task));
  }
  return gets;
}

/** One subscription for every task id; resolves when each was seen terminal (or at the deadline); returns the notifications counted. */
async function listenAll(target: ModernBenchTarget, entries: Entry[], deadline: number): Promise<number> {
  const byId = new Map(entries.filter((e) => e.task && !isTerminalTask(e.task)).map((e) => [e.task!.taskId as string, e]));
  if (!byId.size) return 0;
  let received = 0;
  const sub = await target.client.listen({ taskIds: [...byId.keys()] });
  try {
    const ended = sub.answer.then((o) => `subscriptions/listen ended: ${describeOutcome(o)}`);
    // One waiter sees every notification (the bench's session keeps no history, so none may slip between two waits).
    const all = sub.next(
      (x) => {
        const e = x.method === 'notifications/tasks' ? byId.get(x.params.taskId as string) : undefined;
        if (e && isTerminalTask(x.params)) {
          received++;
          e.task = x.params;
          byId.delete(x.params.taskId as string);
        }
        return byId.size === 0;
      },
      Math.max(1, deadline - performance.now()),
    );
    const n = await Promise.race([all, ended]);
    if (typeof n === 'string' || !n)
      for (const e of byId.values()) e.problem = typeof n === 'string' ? n : 'no terminal notifications/tasks before the deadline';
  } finally {
    await sub.close().catch(() => undefined);
  }
  return received;
}

async function measure(target: ModernBenchTarget, n: number, mode: WakeupMode, options: ModernScaleOptions): Promise<BenchModernScale> {
  const prefix = options.labelPrefix ?? 'bench';
  const entries: Entry[] = Array.from({ length: n }, (_, i) => ({ label: `${prefix}-mscale-${mode}${n}-${i}` }));
  const { createAllMs, lastCreate } = await createAll(target, entries, options);
  const deadline = lastCreate + options.seconds * 1000 + (options.graceMs ?? 120_000);
  const messages = mode === 'poll' ? await pollAll(target, entries, options, deadline) : await listenAll(target, entries, deadline);
  const allTerminal = performance.now();
  for (const e of entries) {
    if (e.problem || !e.task) continue;
    const problem = checkTerminal(e.task, `computed:${e.label}`);
    if (problem) e.problem = problem;
  }
  const failed = entries.filter((e) => e.problem);
  const floorMs = options.seconds * 1000;
  const lastCreateToAllTerminalMs = allTerminal - lastCreate;
  return {
    target: target.label,
    tasks: n,
    mode,
    floorMs,
    createAllMs,
    lastCreateToAllTerminalMs,
    floorRatio: ratio(lastCreateToAllTerminalMs, floorMs),
    messages,
    correct: failed.length === 0,
    ...(failed.length ? { failures: failed.length, error: `${failed.length} of ${n} tasks wrong; first: ${failed[0]!.problem}` } : {}),
  };
}

/** Every N, both modes, every target (N-major so the targets interleave). Never throws. */
export async function runModernScale(targets: ModernBenchTarget[], options: ModernScaleOptions): Promise<BenchModernScale[]> {
  const progress = options.progress ?? silent;
  const out: BenchModernScale[] = [];
  for (const n of options.sizes)
    for (const target of targets)
      for (const mode of WAKEUP_MODES) {
        progress(`scale: ${n} concurrent tasks (${mode}) on ${target.label}`);
        out.push(await measure(target, n, mode, options));
      }
  return out;
}
