// The seed's comparison in the 2026-07-28 era: the same slow_compute calls made sequentially and gathered
// (tools/call without the extension: the server answers synchronously), as tasks polled with tasks/get at
// the server's pollIntervalMs (clamped as the harness client does), and as tasks waited on with
// subscriptions/listen (notifications/tasks, then the inlined result or one tasks/get). Interleaving,
// rounds and figures are the 2025-11-25 bench's own (approaches.ts runPlan).
import type { ApproachName } from '../../report/bench-model.js';
import { describeOutcome } from '../../tasks.js';
import { sleep } from '../../util/async.js';
import { CallFailed, runPlan, type ApproachOptions, type ApproachPlan, type ApproachesResult, type CallSpan } from '../approaches.js';
import { checkComputed } from '../types.js';
import {
  checkTerminal,
  createModernTask,
  getTask,
  isTerminalTask,
  nextPollMs,
  NOEXT,
  toolParams,
  type ModernBenchTarget,
} from './target.js';
import type { JsonObject, ReceivedNotification } from '../../scenario.js';

export const MODERN_APPROACHES: readonly ApproachName[] = ['sequential', 'gather', 'tasks-poll', 'tasks-listen'];

/** A server that never ends a task must not hang the bench: a minute beyond its work. */
const graceMs = (seconds: number) => seconds * 1000 + 60_000;

async function direct(target: ModernBenchTarget, seconds: number, label: string, t0: number): Promise<CallSpan> {
  const start = performance.now() - t0;
  const o = await target.client.request('tools/call', toolParams(target, 'F-ECHO', { seconds, label }), { caps: NOEXT });
  const end = performance.now() - t0;
  const problem = checkComputed(o, label);
  if (problem) throw new CallFailed(`tools/call without the extension: ${problem}`);
  return { label, startMs: start, endMs: end };
}

/** tasks/get at the task's (clamped) pollIntervalMs until terminal; the last read holds the result. */
export async function pollToTerminal(target: ModernBenchTarget, created: JsonObject, deadlineMs: number) {
  let task = created;
  let reads = 0;
  while (!isTerminalTask(task)) {
    if (performance.now() > deadlineMs) throw new CallFailed(`task ${String(created.taskId)} still ${String(task.status)} at the deadline`);
    await sleep(nextPollMs(task));
    task = await getTask(target, created.taskId as string);
    reads++;
  }
  return { task, reads, seenAt: performance.now() };
}

async function viaPoll(target: ModernBenchTarget, seconds: number, label: string, t0: number): Promise<CallSpan> {
  const start = performance.now() - t0;
  const created = await createModernTask(target, 'F-ECHO', { seconds, label });
  const { task } = await pollToTerminal(target, created, performance.now() + graceMs(seconds));
  const end = performance.now() - t0;
  const problem = checkTerminal(task, `computed:${label}`);
  if (problem) throw new CallFailed(`tasks/get: ${problem}`);
  return { label, startMs: start, endMs: end };
}

const terminalOf = (taskId: unknown) => (n: ReceivedNotification) =>
  n.method === 'notifications/tasks' && n.params.taskId === taskId && isTerminalTask(n.params);

/**
 * subscriptions/listen for one task until its terminal notifications/tasks; the task as pushed when it inlines
 * the result, else as one tasks/get reads it. `ready` resolves once the subscription sent its first message.
 */
export async function listenToTerminal(
  target: ModernBenchTarget,
  created: JsonObject,
  timeoutMs: number,
  ready?: (first: Promise<unknown>) => Promise<void>,
) {
  const taskId = created.taskId as string;
  if (isTerminalTask(created)) return { task: created, requests: 0, seenAt: performance.now() };
  const sub = await target.client.listen({ taskIds: [taskId] });
  try {
    const refused = sub.answer.then((o) => {
      throw new CallFailed(`subscriptions/listen ended before the task did: ${describeOutcome(o)}`);
    });
    // close() below ends the listen request too: that late rejection has no reader.
    refused.catch(() => undefined);
    // Waiters registered now: a session without history (the bench's) delivers each notification once.
    const terminal = sub.next(terminalOf(taskId), timeoutMs).then((n) => ({ n, at: performance.now() }));
    if (ready) await Promise.race([ready(sub.next(() => true, timeoutMs)), refused]);
    const seen = await Promise.race([terminal, refused]);
    if (!seen.n) throw new CallFailed(`no terminal notifications/tasks for task ${taskId} within ${Math.round(timeoutMs / 1000)} s`);
    const pushed = seen.n.params;
    if (pushed.status !== 'completed' || (pushed.result && typeof pushed.result === 'object'))
      return { task: pushed, requests: 1, seenAt: seen.at };
    return { task: await getTask(target, taskId), requests: 2, seenAt: seen.at };
  } finally {
    await sub.close().catch(() => undefined);
  }
}

async function viaListen(target: ModernBenchTarget, seconds: number, label: string, t0: number): Promise<CallSpan> {
  const start = performance.now() - t0;
  const created = await createModernTask(target, 'F-ECHO', { seconds, label });
  const { task } = await listenToTerminal(target, created, graceMs(seconds));
  const end = performance.now() - t0;
  const problem = checkTerminal(task, `computed:${label}`);
  if (problem) throw new CallFailed(`notifications/tasks: ${problem}`);
  return { label, startMs: start, endMs: end };
}

const MODERN_PLAN: ApproachPlan<ModernBenchTarget> = {
  sequential: direct,
  gather: direct,
  'tasks-poll': viaPoll,
  'tasks-listen': viaListen,
};

export function runModernApproaches(targets: ModernBenchTarget[], options: ApproachOptions): Promise<ApproachesResult> {
  return runPlan(MODERN_PLAN, MODERN_APPROACHES, targets, options);
}
