// The wording of root causes, read from what one target exchanged (its wire entries): how many tasks it
// had created when creation was first refused, what it was last sent before it exited, whether every
// tasks/* request was answered "method not found". Pure functions of the wire, so the findings say
// what happened, not what the harness guessed.
import { isTerminal } from '../protocol.js';
import type { WireEntry } from '../checks.js';
import type { SetupError } from '../tasks.js';
import { truncate } from '../tasks.js';
import type { ExitInfo } from '../transport/target.js';
import type { FindingKind } from './types.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const isCreation = (m: Obj | undefined) => m?.method === 'tools/call' && obj(m.params)?.task !== undefined;

const errorLine = (e: { code?: unknown; message?: unknown } | undefined) =>
  `${String(e?.code)} "${truncate(String(e?.message ?? ''), 120)}"`;

export interface CreationStats {
  /** Task-augmented tools/call requests sent. */
  requests: number;
  /** Tasks created (a CreateTaskResult came back). */
  created: number;
  /** Created tasks whose latest observed status is not terminal. */
  live: number;
  /** Created tasks still within their granted ttl (null: unlimited). */
  retained: number;
  /** Tools for which a task was created at least once. */
  tools: Set<string>;
  /** The first creation answered with a JSON-RPC error: its ordinal among creation requests. */
  firstRefusal?: { ordinal: number; error: string };
}

export function creationStats(entries: WireEntry[]): CreationStats {
  const ordinals = new Map<string, { ordinal: number; tool: string }>();
  const created = new Map<string, { t: number; ttl: unknown }>();
  const status = new Map<string, unknown>();
  const tools = new Set<string>();
  let requests = 0;
  let firstRefusal: CreationStats['firstRefusal'];
  const seen = (t: unknown) => {
    const task = obj(t);
    if (typeof task?.taskId === 'string' && task.status !== undefined) status.set(task.taskId, task.status);
  };
  for (const e of entries) {
    const m = obj(e.message);
    if (e.dir === 'send') {
      if (isCreation(m)) ordinals.set(`${e.connection}|${String(m?.id)}`, { ordinal: ++requests, tool: String(obj(m?.params)?.name) });
      continue;
    }
    const request = ordinals.get(`${e.connection}|${String(m?.id)}`);
    const result = obj(m?.result);
    if (request && e.answers?.method === 'tools/call') {
      const task = obj(result?.task);
      if (typeof task?.taskId === 'string') {
        created.set(task.taskId, { t: e.t, ttl: task.ttl });
        tools.add(request.tool);
      } else if (m?.error !== undefined && !firstRefusal) {
        firstRefusal = { ordinal: request.ordinal, error: errorLine(obj(m.error)) };
      }
    }
    seen(result?.task);
    seen(result);
    seen(obj(m?.params));
    if (Array.isArray(result?.tasks)) result.tasks.forEach(seen);
  }
  const now = entries.at(-1)?.t ?? 0;
  let live = 0;
  let retained = 0;
  for (const [id, c] of created) {
    if (!isTerminal(status.get(id))) live++;
    if (c.ttl === null || typeof c.ttl !== 'number' || c.t + c.ttl > now) retained++;
  }
  return { requests, created: created.size, live, retained, tools, firstRefusal };
}

/** True when tasks/* requests were sent and every answer was -32601 (method not found). */
export function tasksMethodsUnknown(entries: WireEntry[]): boolean {
  const answers = entries.filter((e) => e.dir === 'recv' && e.answers?.method.startsWith('tasks/'));
  return answers.length > 0 && answers.every((e) => obj(obj(e.message)?.error)?.code === -32601);
}

/** True when some task-augmented tools/call was answered with a plain result (no task). */
export function plainAnswerToTask(entries: WireEntry[]): boolean {
  const creations = new Set(
    entries.filter((e) => e.dir === 'send' && isCreation(obj(e.message))).map((e) => `${e.connection}|${String(obj(e.message)?.id)}`),
  );
  return entries.some((e) => {
    const m = obj(e.message);
    return (
      e.dir === 'recv' &&
      creations.has(`${e.connection}|${String(m?.id)}`) &&
      obj(m?.result) !== undefined &&
      obj(obj(m?.result)?.task) === undefined
    );
  });
}

const NOT_FORWARDED =
  'tasks are declared but every tasks/* request answers -32601 and a task-augmented tools/call answers a plain result: no task is ever created (a proxy that does not forward tasks?)';
const notCreated = (detail: string) =>
  `a task-augmented tools/call answered no CreateTaskResult${detail}: no task was created (see T25-CRT-01)`;

/**
 * The one cause behind every creation failure of a target that never created a task although it
 * answered a task-augmented call plainly: its refusals and silences are consequences (a gate called
 * plainly blocks, an error tool errs directly), not causes of their own. Undefined when that is not so.
 */
export function noTaskEverCreated(entries: WireEntry[]): { kind: FindingKind; message: string } | undefined {
  if (creationStats(entries).created > 0 || !plainAnswerToTask(entries)) return undefined;
  return tasksMethodsUnknown(entries)
    ? { kind: 'tasks-not-forwarded', message: NOT_FORWARDED }
    : { kind: 'task-not-created', message: notCreated('') };
}

/** The key (one finding per key and target), kind and wording of a failed setup. */
export function describeSetupFailure(err: SetupError, entries: WireEntry[]): { key: string; kind: FindingKind; message: string } {
  const tool = String(err.request.params.name);
  const outcome = err.message.replace(/^could not create an? [\w-]+ task \([^)]*\): /, '');
  switch (err.failure) {
    case 'not-created':
      if (tasksMethodsUnknown(entries)) return { key: 'tasks-not-forwarded', kind: 'tasks-not-forwarded', message: NOT_FORWARDED };
      return { key: 'not-created', kind: 'task-not-created', message: notCreated(` (${tool}: ${outcome})`) };
    case 'refused': {
      const stats = creationStats(entries);
      const error = err.outcome?.kind === 'error' ? errorLine(err.outcome.error) : undefined;
      // Refused after tasks were created: for the same tool, or with the error the first refusal had.
      if (stats.firstRefusal && stats.created > 0 && (stats.tools.has(tool) || error === stats.firstRefusal.error)) {
        const { ordinal } = stats.firstRefusal;
        return {
          key: 'quota',
          kind: 'creation-quota',
          message: `task creation refused from request ${ordinal} on: ${stats.firstRefusal.error}, after ${stats.created} tasks (${stats.live} live, ${stats.retained} retained): a creation quota`,
        };
      }
      return { key: `refused:${tool}`, kind: 'creation-refused', message: `task creation for ${tool} is refused: ${outcome}` };
    }
    case 'no-response':
      return {
        key: `unanswered:${tool}`,
        kind: 'creation-unanswered',
        message: `a task-augmented tools/call (${tool}) is not answered: ${outcome}`,
      };
    case 'connection':
      return { key: 'unreachable', kind: 'target-unreachable', message: `the target stopped answering: ${outcome}` };
  }
}

/** "target exited (code 1) during T25-TTL-04, last sent `tools/call` with `task: {"ttl":1}` (…)". */
export function describeExit(exit: ExitInfo, during: string, mine: WireEntry[], afterwards: string, stderrTail: string): string {
  const sent = mine.filter((e) => e.dir === 'send' && obj(e.message)?.method !== undefined);
  const last = sent.at(-1);
  const lastTask = [...sent].reverse().find((e) => isCreation(obj(e.message)));
  const describe = (e: WireEntry) => {
    const m = obj(e.message);
    const task = obj(m?.params)?.task;
    return `\`${String(m?.method)}\`${task !== undefined ? ` with \`task: ${JSON.stringify(task)}\`` : ''} (seq ${e.seq}, ${(e.t / 1000).toFixed(1)} s)`;
  };
  const parts = [`target exited (${exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`}) during ${during}`];
  if (last) parts.push(`after ${describe(last)}`);
  if (lastTask && lastTask !== last) parts.push(`the last task it was asked to create: ${describe(lastTask)}`);
  // Work that outlives its task is a known crash trigger (SDK stores): name the shortest ttl that had run out.
  const now = mine.at(-1)?.t ?? 0;
  const expired = sent
    .map((e) => ({ e, ttl: obj(obj(obj(e.message)?.params)?.task)?.ttl }))
    .filter((x): x is { e: WireEntry; ttl: number } => typeof x.ttl === 'number' && x.e.t + x.ttl < now)
    .sort((a, b) => a.ttl - b.ttl)[0];
  if (expired && expired.e !== last)
    parts.push(`a task created with \`ttl: ${expired.ttl}\` (seq ${expired.e.seq}) had expired before the exit`);
  const tail = stderrTail.trim().split('\n').filter(Boolean).slice(-2).join(' | ');
  if (tail) parts.push(`stderr: ${truncate(tail, 240)}`);
  return `${parts.join('; ')}; ${afterwards}`;
}
