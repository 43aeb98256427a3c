// Requestor-side task operations used by scenarios. They follow the client rules of the checklist
// (T25-CLI-*, docs/requirements-2025-11-25.md): explicit ttl, pollInterval clamped, polling rather than
// relying on notifications.
import type { FixtureRole } from './checks.js';
import { isTerminal, type Task } from './protocol.js';
import type { Fixtures, JsonObject, RpcOutcome, Session } from './scenario.js';
import { MAX_TIMER_MS, sleep } from './util/async.js';

export const DEFAULT_TTL_MS = 60_000;

/** Thrown when a helper's precondition fails; the runner turns it into the check's errorMessage. */
export class ProbeError extends Error {
  constructor(
    message: string,
    readonly outcome?: RpcOutcome,
  ) {
    super(message);
  }
}

export function describeOutcome(o: RpcOutcome): string {
  switch (o.kind) {
    case 'result':
      return `result ${truncate(JSON.stringify(o.result), 300)}`;
    case 'error':
      // One line: SDK servers put multi-line zod dumps in error messages, and reports show the first line.
      return `JSON-RPC error ${o.error.code} "${truncate(String(o.error.message).replace(/\s+/g, ' '), 200)}"`;
    case 'timeout':
      return `no response within ${Math.round(o.ms)} ms`;
    case 'closed':
      return `connection closed (${o.reason})`;
  }
}

export function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}… (${s.length} chars)` : s;
}

export function callTool(
  session: Session,
  fixtures: Fixtures,
  role: FixtureRole,
  args: JsonObject,
  extra: JsonObject = {},
  timeoutMs?: number,
): Promise<RpcOutcome> {
  return session.request('tools/call', { name: fixtures.tool(role), arguments: fixtures.args(role, args), ...extra }, { timeoutMs });
}

/** tools/call with `task`; resolves to the raw outcome (callers check the shape). */
export function callToolAsTask(
  session: Session,
  fixtures: Fixtures,
  role: FixtureRole,
  args: JsonObject,
  task: JsonObject = { ttl: DEFAULT_TTL_MS },
  extra: JsonObject = {},
): Promise<RpcOutcome> {
  return callTool(session, fixtures, role, args, { task, ...extra });
}

/** How a precondition request went wrong: no task came back, it was refused, it went unanswered, the connection broke. */
export type SetupFailure = 'not-created' | 'refused' | 'no-response' | 'connection';

/**
 * A check's setup could not be done (its task could not be created): the runner makes the check SKIPPED
 * `setup-failed` with the root cause, not a FAILURE, since the check never got to what it is about.
 * Throw it only from setup; a check about the failing request itself judges the outcome instead.
 */
export class SetupError extends ProbeError {
  override readonly name = 'SetupError';
  constructor(
    message: string,
    readonly failure: SetupFailure,
    /** The request that failed (method and params), for the root-cause finding. */
    readonly request: { method: string; params: JsonObject },
    outcome: RpcOutcome,
  ) {
    super(message, outcome);
  }
}

export function setupFailureOf(o: RpcOutcome): SetupFailure {
  return o.kind === 'result' ? 'not-created' : o.kind === 'error' ? 'refused' : o.kind === 'timeout' ? 'no-response' : 'connection';
}

/** Creates a task and returns its Task; throws SetupError when the server did not answer a CreateTaskResult. */
export async function createTask(
  session: Session,
  fixtures: Fixtures,
  role: FixtureRole,
  args: JsonObject,
  task: JsonObject = { ttl: DEFAULT_TTL_MS },
  extra: JsonObject = {},
): Promise<Task> {
  const o = await callToolAsTask(session, fixtures, role, args, task, extra);
  const created = o.kind === 'result' ? (o.result.task as Task | undefined) : undefined;
  if (!created || typeof created.taskId !== 'string') {
    const request = { method: 'tools/call', params: { name: fixtures.tool(role), task, ...extra } };
    throw new SetupError(`could not create a ${role} task (${fixtures.tool(role)}): ${describeOutcome(o)}`, setupFailureOf(o), request, o);
  }
  return created;
}

export function getTask(session: Session, taskId: unknown, timeoutMs?: number): Promise<RpcOutcome> {
  return session.request('tasks/get', { taskId } as JsonObject, { timeoutMs });
}

export function taskResult(session: Session, taskId: unknown, timeoutMs?: number, signal?: AbortSignal): Promise<RpcOutcome> {
  return session.request('tasks/result', { taskId } as JsonObject, { timeoutMs, signal });
}

export function cancelTask(session: Session, taskId: unknown, timeoutMs?: number): Promise<RpcOutcome> {
  return session.request('tasks/cancel', { taskId } as JsonObject, { timeoutMs });
}

export function listTasks(session: Session, cursor?: string): Promise<RpcOutcome> {
  return session.request('tasks/list', cursor === undefined ? {} : { cursor });
}

/** clamp(pollInterval ?? 250, 50, 1000) per the checklist's POLL(t). */
export function pollDelay(task: { pollInterval?: unknown } | undefined): number {
  const p = typeof task?.pollInterval === 'number' && Number.isFinite(task.pollInterval) ? task.pollInterval : 250;
  return Math.min(Math.max(p, 50), 1000);
}

export { MAX_TIMER_MS, sleep };

export interface PollResult {
  /** Every tasks/get result observed, in order (the status timeline). */
  observed: Task[];
  /** The last observation satisfying the predicate, or undefined when settleMs passed first. */
  reached?: Task;
  /** A tasks/get that failed (error or timeout) ends polling. */
  failure?: RpcOutcome;
}

export interface PollOptions {
  /** Wait this long before the first tasks/get. */
  firstDelayMs?: number;
  /**
   * The caller holds the task's input itself (it answers or withholds the server's requests): do not
   * open a tasks/result on input_required. Everyone else leaves it false.
   */
  holdInput?: boolean;
}

/**
 * Polls tasks/get until `until(task)` holds, an error occurs, or settleMs passes. On the first
 * input_required (unless opts.holdInput) it opens one tasks/result for the task, as a requestor SHOULD
 * (tasks §Input Required Status r3): servers that deliver their requests only on that stream (the TS
 * SDK's TaskResultHandler) would otherwise wait forever; the session's default handler answers them.
 * That tasks/result is not awaited: its answer is the caller's business (or nobody's).
 */
export async function pollUntil(
  session: Session,
  taskId: string,
  until: (t: Task) => boolean,
  settleMs: number,
  opts: PollOptions = {},
): Promise<PollResult> {
  const observed: Task[] = [];
  const deadline = Date.now() + settleMs;
  let resultOpened = false;
  if (opts.firstDelayMs) await sleep(opts.firstDelayMs);
  for (;;) {
    const o = await getTask(session, taskId);
    if (o.kind !== 'result') return { observed, failure: o };
    const t = o.result as unknown as Task;
    observed.push(t);
    if (until(t)) return { observed, reached: t };
    if (Date.now() >= deadline) return { observed };
    if (t.status === 'input_required' && !opts.holdInput && !resultOpened) {
      resultOpened = true;
      void taskResult(session, taskId, Math.max(1000, deadline - Date.now()));
    }
    await sleep(Math.min(pollDelay(t), Math.max(0, deadline - Date.now())));
  }
}

export const untilTerminal = (t: Task) => isTerminal(t.status);

/** Releases a gate through the F-GATE-RELEASE fixture; throws ProbeError if it did not answer a result. */
export async function releaseGate(
  session: Session,
  fixtures: Fixtures,
  gateId: string,
  outcome: 'success' | 'tool_error' | 'protocol_error' = 'success',
): Promise<void> {
  const o = await callTool(session, fixtures, 'F-GATE-RELEASE', { gateId, outcome });
  if (o.kind !== 'result' || o.result.isError) throw new ProbeError(`release_gate ${gateId} failed: ${describeOutcome(o)}`, o);
}

/** Reads gate_state (F-GATE-STATE): "unknown" | "waiting" | "aborted" | "finished". */
export async function gateState(session: Session, fixtures: Fixtures, gateId: string): Promise<string | undefined> {
  const o = await callTool(session, fixtures, 'F-GATE-STATE', { gateId });
  if (o.kind !== 'result') return undefined;
  const sc = o.result.structuredContent as { state?: string } | undefined;
  return sc?.state;
}

/** Settles within ms? Returns the value, or the symbol TIMED_OUT (the promise keeps running). */
export const TIMED_OUT = Symbol('timed out');
export async function within<T>(p: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<typeof TIMED_OUT>((r) => {
    timer = setTimeout(() => r(TIMED_OUT), ms);
  });
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

export function omitMeta(o: JsonObject): JsonObject {
  const { _meta, ...rest } = o;
  void _meta;
  return rest;
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the input order (keeps sockets and stdio buffers sane with thousands of tasks). */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
