// Wake-up latency with nothing but a timed F-ECHO (H25-01, read by H25-20): how long after its work ends
// a task's blocked tasks/result answers, and how much a direct call costs over its duration, over several
// durations. A server that re-reads its store every pollInterval (the TS SDK v1 tasks/result handler, and
// McpServer's automatic polling of a task tool called directly) answers on multiples of that interval
// whatever the duration: the figures show it, no gate needed.
import type { Task } from '../../harness/protocol.js';
import { taskSupportOf } from '../../harness/protocol.js';
import type { ScenarioContext, Session } from '../../harness/scenario.js';
import { callTool, callToolAsTask, describeOutcome, taskResult } from '../../harness/tasks.js';
import { toolEntry } from './preconditions.js';
import { blockingTimeoutMs, createdTask } from './task-setup.js';

/** Work durations (ms): none a multiple of a usual poll interval, so a fast server cannot look quantised. */
export const WORK_MS = [230, 470, 810];
/** The 1 s default many stores poll at when they advertise nothing. */
const SECOND_MS = 1000;
/** Poll intervals below this cost too little to flag (and multiples of them are everywhere). */
const MIN_QUANTUM_MS = 250;

export interface Sample {
  workMs: number;
  /** From the request's send to its answer (tasks/result: sent right after the CreateTaskResult). */
  answerMs: number;
  /** How long after the work ended it answered (a lower bound: the work began before the CreateTaskResult). */
  lateMs: number;
}

export interface WakeProfile {
  pollInterval?: number;
  /** tasks/result on a just-created task of each duration. */
  result: Sample[];
  /** A direct call of the same work, when the tool may be called without a task. */
  direct?: Sample[];
  directSkipped?: string;
}

/** Measures both paths; a string says why it could not (a setup problem of the probe, not a verdict). */
export async function measureWake(ctx: ScenarioContext, s: Session): Promise<WakeProfile | string> {
  const result: Sample[] = [];
  let pollInterval: number | undefined;
  for (const workMs of WORK_MS) {
    const args = { seconds: workMs / 1000, label: ctx.nonce('wake') };
    const o = await callToolAsTask(s, ctx.fixtures, 'F-ECHO', args);
    const created: Task | undefined = createdTask(o);
    if (!created) return `could not create an F-ECHO task: ${describeOutcome(o)}`;
    if (typeof created.pollInterval === 'number') pollInterval = created.pollInterval;
    const sent = performance.now();
    const r = await taskResult(s, created.taskId, blockingTimeoutMs(ctx));
    const answerMs = performance.now() - sent;
    if (r.kind !== 'result') return `tasks/result of the ${workMs} ms task answered ${describeOutcome(r)}`;
    result.push(sample(workMs, answerMs));
  }
  const support = taskSupportOf(toolEntry(ctx, 'F-ECHO') ?? {});
  if (support === 'required') return { pollInterval, result, directSkipped: `${ctx.fixtures.tool('F-ECHO')} is taskSupport required` };
  const direct: Sample[] = [];
  for (const workMs of WORK_MS) {
    const sent = performance.now();
    const o = await callTool(s, ctx.fixtures, 'F-ECHO', { seconds: workMs / 1000, label: ctx.nonce('direct') }, {}, blockingTimeoutMs(ctx));
    const answerMs = performance.now() - sent;
    if (o.kind !== 'result' || o.result.isError === true)
      return { pollInterval, result, directSkipped: `the direct call answered ${describeOutcome(o)}` };
    direct.push(sample(workMs, answerMs));
  }
  return { pollInterval, result, direct };
}

function sample(workMs: number, answerMs: number): Sample {
  return { workMs, answerMs: Math.round(answerMs), lateMs: Math.max(0, Math.round(answerMs - workMs)) };
}

/**
 * The interval the answers are quantised to, if any: every answer lies the same offset past a whole
 * multiple of it (the offset is the round trip, so a slow link or machine shifts them all alike) whatever
 * the work's duration, and they come late on average by a fair share of it.
 */
export function quantum(samples: Sample[], pollInterval: number | undefined): number | undefined {
  const candidates = [...new Set([pollInterval, SECOND_MS])].filter((q): q is number => typeof q === 'number' && q >= MIN_QUANTUM_MS);
  const meanLate = samples.reduce((sum, x) => sum + x.lateMs, 0) / Math.max(samples.length, 1);
  // Work that ends later answers later on a server that wakes on completion: lateness stays flat. On
  // ticks it swings by about the spread of the durations (580 ms here), which load jitter alone rarely does.
  const lates = samples.map((x) => x.lateMs);
  const workSpread = Math.max(...samples.map((x) => x.workMs)) - Math.min(...samples.map((x) => x.workMs));
  const lateSpread = Math.max(...lates) - Math.min(...lates);
  return candidates.find((q) => {
    const lateSwings = lateSpread >= Math.min(0.5 * workSpread, 0.4 * q);
    const tolerance = Math.max(100, 0.25 * q);
    const aligned = residualSpread(
      samples.map((x) => x.answerMs),
      q,
    );
    return (
      samples.length > 1 &&
      lateSwings &&
      aligned <= tolerance &&
      samples.every((x) => x.answerMs >= q - tolerance) &&
      meanLate >= Math.max(100, 0.2 * q)
    );
  });
}

/** How far apart the answers' offsets past a multiple of q are (on the circle of length q). */
function residualSpread(values: number[], q: number): number {
  const spread = (shift: number) => {
    const r = values.map((v) => (((v + shift) % q) + q) % q);
    return Math.max(...r) - Math.min(...r);
  };
  return Math.min(spread(0), spread(q / 2));
}

const figures = (samples: Sample[]) =>
  `${samples.map((x) => x.answerMs).join('/')} ms for work of ${samples.map((x) => x.workMs).join('/')} ms (${samples.map((x) => x.lateMs).join('/')} ms after the work ended)`;

export interface WakeJudgement {
  quantisedResult?: number;
  quantisedDirect?: number;
  /** One line per path, with the figures. */
  lines: string[];
}

export function judgeWake(p: WakeProfile): WakeJudgement {
  const quantisedResult = quantum(p.result, p.pollInterval);
  const lines = [
    `tasks/result answered ${figures(p.result)}${quantisedResult ? `: quantised to ${quantisedResult} ms${quantisedResult === p.pollInterval ? ' (the pollInterval)' : ''}` : ''}`,
  ];
  let quantisedDirect: number | undefined;
  if (p.direct) {
    quantisedDirect = quantum(p.direct, p.pollInterval);
    lines.push(
      `a direct call answered ${figures(p.direct)}${quantisedDirect ? `: quantised to ${quantisedDirect} ms (the server runs the tool as a task and polls it)` : ''}`,
    );
  } else {
    lines.push(`direct call not measured (${p.directSkipped ?? 'no reason'})`);
  }
  return { quantisedResult, quantisedDirect, lines };
}
