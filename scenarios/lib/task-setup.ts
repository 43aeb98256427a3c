// Putting tasks into a known state for a check: creating gated and instant tasks, waiting for a terminal
// status, reading a task's status, and the time bounds those waits use (the checklist's §4 rules,
// docs/requirements-2025-11-25.md).
import type { Task, TaskStatus } from '../../harness/protocol.js';
import type { JsonObject, RpcOutcome, ScenarioContext, Session } from '../../harness/scenario.js';
import type { FixtureRole } from '../../harness/checks.js';
import {
  callToolAsTask,
  createTask,
  describeOutcome,
  getTask,
  mapLimit,
  pollUntil,
  ProbeError,
  SetupError,
  setupFailureOf,
  untilTerminal,
} from '../../harness/tasks.js';

/** A "nothing happens" window (§4 rule 3): 1500 ms, plus 250 ms grace on HTTP. */
export const quietWindowMs = (ctx: ScenarioContext) => 1500 + (ctx.transport === 'http' ? 250 : 0);

/** Timeout for a request that may legitimately block until a task ends (tasks/result). */
export const blockingTimeoutMs = (ctx: ScenarioContext) => ctx.timeouts.settleMs + ctx.timeouts.requestMs;

export const randomTaskId = () => crypto.randomUUID();

/** The Task of a CreateTaskResult-shaped outcome, or undefined. */
export function createdTask(o: RpcOutcome): Task | undefined {
  if (o.kind !== 'result') return undefined;
  const t = o.result.task as Task | undefined;
  return t && typeof t === 'object' && typeof t.taskId === 'string' ? t : undefined;
}

/**
 * The SetupError of a task-augmented call of `role` that created no task, for a check that only needed
 * one: the check is SKIPPED with the root cause (a finding), not failed under its own id.
 */
export function creationFailed(ctx: ScenarioContext, role: FixtureRole, o: RpcOutcome, task: JsonObject): SetupError {
  const name = ctx.fixtures.tool(role);
  return new SetupError(
    `could not create a ${role} task (${name}): ${describeOutcome(o)}`,
    setupFailureOf(o),
    { method: 'tools/call', params: { name, task } },
    o,
  );
}

/** The Task of a CreateTaskResult-shaped outcome; throws creationFailed() otherwise. */
export function requireCreated(ctx: ScenarioContext, role: FixtureRole, o: RpcOutcome, task: JsonObject): Task {
  const created = createdTask(o);
  if (!created) throw creationFailed(ctx, role, o, task);
  return created;
}

/**
 * For a check whose own variant of the task call created nothing: throws the setup failure unless a plain
 * F-ECHO task ({ttl: 60000}) is created, since only then is the refusal of the variant a deviation.
 */
export async function requirePlainEchoTask(ctx: ScenarioContext, session: Session, label: string): Promise<void> {
  const plain = { ttl: 60_000 };
  requireCreated(ctx, 'F-ECHO', await callToolAsTask(session, ctx.fixtures, 'F-ECHO', { seconds: 0, label }, plain), plain);
}

/** Creates `count` instant F-ECHO tasks (slow_compute seconds 0) with labels `<prefix>-<i>`. */
export async function createEchoTasks(
  ctx: ScenarioContext,
  session: Session,
  count: number,
  options: { ttl?: number; seconds?: number; concurrency?: number; labelPrefix?: string } = {},
): Promise<Task[]> {
  const prefix = options.labelPrefix ?? ctx.nonce('l');
  const task: JsonObject = { ttl: options.ttl ?? 60_000 };
  return mapLimit(
    Array.from({ length: count }, (_, i) => i),
    options.concurrency ?? 10,
    (i) => createTask(session, ctx.fixtures, 'F-ECHO', { seconds: options.seconds ?? 0, label: `${prefix}-${i}` }, task),
  );
}

/** A task of the gate fixture with a fresh gate id; the caller releases the gate in `finally`. */
export async function createGated(ctx: ScenarioContext, session: Session, ttl = 60_000): Promise<{ task: Task; gateId: string }> {
  const gateId = ctx.nonce('g');
  const task = await createTask(session, ctx.fixtures, 'F-GATE', { gateId }, { ttl });
  return { task, gateId };
}

/** Polls until terminal; throws ProbeError when the task does not get there within settleMs. */
export async function settleTask(ctx: ScenarioContext, session: Session, taskId: string): Promise<Task> {
  const r = await pollUntil(session, taskId, untilTerminal, ctx.timeouts.settleMs);
  if (r.reached) return r.reached;
  if (r.failure)
    throw new ProbeError(
      `tasks/get of task ${taskId} failed while waiting for a terminal status: ${describeOutcome(r.failure)}`,
      r.failure,
    );
  const last = r.observed.at(-1)?.status;
  throw new ProbeError(
    `task ${taskId} did not reach a terminal status within ${ctx.timeouts.settleMs} ms (last status ${JSON.stringify(last)})`,
  );
}

/** Creates a task of `role` and waits for its terminal status. */
export async function terminalTask(
  ctx: ScenarioContext,
  session: Session,
  role: 'F-ECHO' | 'F-TOOLERR' | 'F-RPCERR',
  args: JsonObject = {},
): Promise<Task> {
  const canonical = role === 'F-ECHO' ? { seconds: 0, label: ctx.nonce('l'), ...args } : args;
  const created = await createTask(session, ctx.fixtures, role, canonical);
  return settleTask(ctx, session, created.taskId);
}

/** Status of a task per tasks/get: its status, 'not-found' for -32602, or undefined (other outcome, see `outcome`). */
export async function statusOf(session: Session, taskId: string): Promise<{ status?: TaskStatus | 'not-found'; outcome: RpcOutcome }> {
  const o = await getTask(session, taskId);
  if (o.kind === 'result') return { status: o.result.status as TaskStatus, outcome: o };
  if (o.kind === 'error' && o.error.code === -32602) return { status: 'not-found', outcome: o };
  return { outcome: o };
}

/** A promise with its resolver, e.g. to hold the answer to an elicitation until a check decides. */
export function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
