// What every demo part works with: one live session on the target, the fixture binding (F-ECHO
// slow_compute, F-SYNC greet, or a --fixtures mapping), the narrator, and the few calls the parts
// share (a direct slow_compute, a task submit, tasks/result), each checked against its own label.
import type { Target } from '../transport/target.js';
import type { Fixtures, JsonObject, RpcOutcome, Session } from '../scenario.js';
import { checkComputed } from '../bench/types.js';
import { describeOutcome } from '../tasks.js';
import type { Narrator } from './narrator.js';

export interface DemoContext {
  target: Target;
  /** The part's working session (opened once, reused by parts 0..5). */
  session: Session;
  fixtures: Fixtures;
  say: Narrator;
  /** slow_compute seconds of the three calls of part 0 (3/2/1, or 0.3/0.2/0.1 with --quick). */
  durations: number[];
  /** k times the smallest duration (the time unit of parts 1..6), in seconds. */
  units(k: number): number;
  /** A label no other call of this run uses ("A-7"). */
  label(name: string): string;
}

/** A part could not go on: the server answered something a task server should not. */
export class DemoProblem extends Error {}

export const TTL_MS = 60_000;

export function echoParams(ctx: DemoContext, seconds: number, label: string, task?: JsonObject): JsonObject {
  const params: JsonObject = { name: ctx.fixtures.tool('F-ECHO'), arguments: ctx.fixtures.args('F-ECHO', { seconds, label }) };
  if (task) params.task = task;
  return params;
}

/** The text of a slow_compute result (exactly one text block computed:<label>), or a DemoProblem. */
export function computedText(o: RpcOutcome, label: string): string {
  const problem = checkComputed(o, label);
  if (problem) throw new DemoProblem(problem);
  return `computed:${label}`;
}

/** tools/call slow_compute without a task: the caller waits for the answer. */
export async function callDirect(ctx: DemoContext, session: Session, seconds: number, label: string): Promise<string> {
  return computedText(await session.request('tools/call', echoParams(ctx, seconds, label)), label);
}

export interface Submitted {
  taskId: string;
  status: string;
  pollInterval?: number;
}

/** tools/call slow_compute with `task`: answers at once with a CreateTaskResult. */
export async function submit(ctx: DemoContext, session: Session, seconds: number, label: string): Promise<Submitted> {
  const o = await session.request('tools/call', echoParams(ctx, seconds, label, { ttl: TTL_MS }));
  const task = o.kind === 'result' ? (o.result.task as Partial<Record<string, unknown>> | undefined) : undefined;
  if (!task || typeof task.taskId !== 'string')
    throw new DemoProblem(`tools/call with task answered ${describeOutcome(o)} instead of a CreateTaskResult (is F-ECHO task-capable?)`);
  return {
    taskId: task.taskId,
    status: typeof task.status === 'string' ? task.status : '?',
    ...(typeof task.pollInterval === 'number' ? { pollInterval: task.pollInterval } : {}),
  };
}

/** tasks/result: blocks until the task is done, then answers what the tool returned. */
export async function awaitResult(ctx: DemoContext, session: Session, taskId: string, label: string): Promise<string> {
  return computedText(await session.request('tasks/result', { taskId }), label);
}

/** tasks/get: the task's current status (and pollInterval), or a DemoProblem. */
export async function status(session: Session, taskId: string): Promise<{ status: string; pollInterval?: number }> {
  const o = await session.request('tasks/get', { taskId });
  if (o.kind !== 'result' || typeof o.result.status !== 'string')
    throw new DemoProblem(`tasks/get ${taskId} answered ${describeOutcome(o)}`);
  return { status: o.result.status, ...(typeof o.result.pollInterval === 'number' ? { pollInterval: o.result.pollInterval } : {}) };
}

/** The arguments as people read them: `slow_compute(2 s, "B-3")`. */
export function describeCall(ctx: DemoContext, seconds: number, label: string): string {
  return `${ctx.fixtures.tool('F-ECHO')}(${seconds} s, "${label}")`;
}

/** The first text block of a result ("Hello, demo!"), or the outcome described. */
export function firstText(o: RpcOutcome): string {
  const content = o.kind === 'result' && Array.isArray(o.result.content) ? (o.result.content as Array<{ text?: unknown }>) : [];
  const text = content.find((c) => typeof c?.text === 'string')?.text;
  return typeof text === 'string' ? JSON.stringify(text) : describeOutcome(o);
}

/** A task id short enough to read in a line ("8e18ca87…"); part 6 shows the whole id. */
export const shortId = (id: string): string => (id.length > 12 ? `${id.slice(0, 8)}…` : id);

/** Submits one slow_compute task and says so: the client line, then the server's answer. */
export async function submitNarrated(
  ctx: DemoContext,
  seconds: number,
  name: string,
  session = ctx.session,
): Promise<Submitted & { label: string }> {
  const label = ctx.label(name);
  ctx.say.client(`tools/call ${describeCall(ctx, seconds, label)} as a task`);
  const task = await submit(ctx, session, seconds, label);
  const interval = task.pollInterval === undefined ? '' : `, pollInterval ${task.pollInterval} ms`;
  ctx.say.server(`task ${session === ctx.session ? shortId(task.taskId) : task.taskId} created, status ${task.status}${interval}`);
  return { ...task, label };
}
