// Helpers shared by the list, cancel, errors, security, http and harness scenario modules: capability
// preconditions, list walking, batch creation, gated tasks and deferred answers. Generic outcome readers
// and cleanup live in receiver-support.ts and are reused from there.
import { skip, type Verdict } from '../../harness/checks.js';
import type { Task, TaskStatus } from '../../harness/protocol.js';
import type { JsonObject, RpcOutcome, ScenarioContext, Session } from '../../harness/scenario.js';
import { createTask, describeOutcome, getTask, listTasks, mapLimit, pollUntil, ProbeError, untilTerminal } from '../../harness/tasks.js';
import { at } from './receiver-support.js';

export const declaresList = (s: Session) => at(s.serverCapabilities, ['tasks', 'list']) !== undefined;
export const declaresCancel = (s: Session) => at(s.serverCapabilities, ['tasks', 'cancel']) !== undefined;

/** SKIPPED verdict when the server did not declare `tasks.<member>` (the requestor must not rely on it). */
export function needTasksMember(session: Session, member: 'list' | 'cancel'): Verdict | undefined {
  const present = member === 'list' ? declaresList(session) : declaresCancel(session);
  if (present) return undefined;
  return skip(
    'missing-capability',
    `the server does not declare capabilities.tasks.${member}, so tasks/${member} is not expected to work`,
    [`tasks.${member}`],
  );
}

/** SKIPPED verdict when the server declares no `tasks` capability at all (tasks/* are then unspecified, A25-13). */
export function needTasksCapability(session: Session): Verdict | undefined {
  if (at(session.serverCapabilities, ['tasks']) !== undefined) return undefined;
  return skip('missing-capability', 'the server declares no capabilities.tasks, so tasks/* requests are not expected to work', ['tasks']);
}

/** The first precondition that fails, as a SKIPPED verdict. */
export function firstSkip(...checks: Array<Verdict | undefined>): Verdict | undefined {
  return checks.find((v) => v !== undefined);
}

/** A "nothing happens" window (§4 rule 3): 1500 ms, plus 250 ms grace on HTTP. */
export const quietWindowMs = (ctx: ScenarioContext) => 1500 + (ctx.transport === 'http' ? 250 : 0);

/** Timeout for a request that may legitimately block until a task ends (tasks/result). */
export const blockingTimeoutMs = (ctx: ScenarioContext) => ctx.timeouts.settleMs + ctx.timeouts.requestMs;

export const randomTaskId = () => crypto.randomUUID();

export interface ListPageInfo {
  size: number;
  nextCursor?: string;
}

export interface ListWalk {
  pages: ListPageInfo[];
  /** Every listed task, in listing order (duplicates included). */
  tasks: Task[];
  ids: Set<string>;
  /** IDs seen on more than one page (or twice on one). */
  duplicates: string[];
  /** A tasks/list call that did not answer a ListTasksResult (the walk stopped there). */
  failure?: { page: number; cursor?: string; outcome: RpcOutcome };
  /** The walk stopped at the page cap while nextCursor was still present. */
  capped: boolean;
  /** A page carried a nextCursor that is not a string (it cannot be passed back; the walk stopped there). */
  badCursor?: { page: number; value: unknown };
}

/** Walks tasks/list from the start, passing every cursor back verbatim (T25-CLI-08), up to `maxPages`. */
export async function walkTaskList(session: Session, maxPages = 100): Promise<ListWalk> {
  const walk: ListWalk = { pages: [], tasks: [], ids: new Set(), duplicates: [], capped: false };
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const o = await listTasks(session, cursor);
    const tasks = o.kind === 'result' ? o.result.tasks : undefined;
    if (o.kind !== 'result' || !Array.isArray(tasks)) {
      walk.failure = { page, cursor, outcome: o };
      return walk;
    }
    const nextCursor = typeof o.result.nextCursor === 'string' ? o.result.nextCursor : undefined;
    walk.pages.push({ size: tasks.length, nextCursor });
    for (const t of tasks as Task[]) {
      const id = t?.taskId;
      if (typeof id !== 'string') continue;
      if (walk.ids.has(id)) walk.duplicates.push(id);
      walk.ids.add(id);
      walk.tasks.push(t);
    }
    if (nextCursor === undefined) {
      if (o.result.nextCursor !== undefined) walk.badCursor = { page, value: o.result.nextCursor };
      return walk;
    }
    cursor = nextCursor;
  }
  walk.capped = true;
  return walk;
}

export function describeWalk(walk: ListWalk): string {
  const sizes = walk.pages.map((p) => p.size).join(', ');
  return `${walk.pages.length} page(s) of sizes [${sizes}], ${walk.ids.size} distinct task(s)`;
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

/** "-32602" / "result" / "timeout" ...: a short label of an outcome for distributions. */
export function outcomeLabel(o: RpcOutcome): string {
  switch (o.kind) {
    case 'result':
      return 'result';
    case 'error':
      return String(o.error.code);
    default:
      return o.kind;
  }
}

/** Counts labels, e.g. {"-32602": 18, "result": 2}. */
export function tally(labels: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of labels) out[l] = (out[l] ?? 0) + 1;
  return out;
}
