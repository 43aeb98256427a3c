// Task observations extracted from the wire log: every Task the server showed us, wherever it appeared
// (CreateTaskResult, tasks/get, tasks/cancel, tasks/list entries, notifications/tasks/status), with
// what is needed to order them. Pure functions over WireEntry[]; the passive checks build on these.
import { skip, type TransportName, type Verdict, type WireEntry } from '../../harness/checks.js';

export type ObservationKind = 'create' | 'get' | 'cancel' | 'list' | 'notification';

export interface TaskObservation {
  kind: ObservationKind;
  /** The Task object as received (unvalidated). */
  task: Record<string, unknown>;
  taskId: unknown;
  status: unknown;
  /** Timeline key: one server's view of one task (stdio: per process, HTTP: per server). */
  key: string;
  seq: number;
  t: number;
  connection: string;
  channel?: string;
  /** Responses: wire seq of the request they answer (to order HTTP exchanges). */
  sentSeq?: number;
  /** tasks/get and tasks/cancel: the taskId the request asked for. */
  requestedTaskId?: unknown;
  entry: WireEntry;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A message the server sent: received, a JSON object, and not the body of an HTTP error status. */
export function isServerMessage(e: WireEntry): boolean {
  return e.dir === 'recv' && isObject(e.message) && !(e.http && e.http.status >= 300);
}

/** Received entries of one transport that are server messages, in wire order. */
export function serverMessages(entries: WireEntry[], transport: TransportName): WireEntry[] {
  return entries.filter((e) => e.transport === transport && isServerMessage(e));
}

/** Successful responses answering `method`. */
export function responsesTo(messages: WireEntry[], method: string): WireEntry[] {
  return messages.filter((e) => e.answers?.method === method && 'result' in (e.message as object));
}

export function notificationsOf(messages: WireEntry[], method: string): WireEntry[] {
  return messages.filter((e) => {
    const m = e.message as Record<string, unknown>;
    return m.method === method && !('id' in m);
  });
}

/** Compact evidence for one wire entry. */
export function cite(e: WireEntry, maxChars = 600): Record<string, unknown> {
  const text = JSON.stringify(e.message);
  return {
    seq: e.seq,
    connection: e.connection,
    ...(e.channel ? { channel: e.channel } : {}),
    ...(e.eventId !== undefined ? { eventId: e.eventId } : {}),
    ...(e.answers ? { answers: e.answers.method } : {}),
    message: text && text.length > maxChars ? `${text.slice(0, maxChars)}… (${text.length} chars)` : e.message,
  };
}

export function keyOf(transport: TransportName, connection: string, taskId: unknown): string {
  const id = typeof taskId === 'string' ? taskId : JSON.stringify(taskId);
  // A stdio connection is its own server process: equal ids from two processes are two tasks.
  return transport === 'stdio' ? `${connection} ${id}` : id;
}

/** Every Task observation on `transport`, in wire order. */
export function taskObservations(entries: WireEntry[], transport: TransportName): TaskObservation[] {
  const sends = new Map<string, number>();
  const out: TaskObservation[] = [];
  for (const e of entries) {
    if (e.transport !== transport) continue;
    if (e.dir === 'send') {
      const m = e.message as Record<string, unknown> | undefined;
      if (isObject(m) && typeof m.method === 'string' && m.id !== undefined) sends.set(`${e.connection} ${JSON.stringify(m.id)}`, e.seq);
      continue;
    }
    if (!isServerMessage(e)) continue;
    const m = e.message as Record<string, unknown>;
    const add = (kind: ObservationKind, task: unknown, extra: Partial<TaskObservation> = {}) => {
      if (!isObject(task)) return;
      out.push({
        kind,
        task,
        taskId: task.taskId,
        status: task.status,
        key: keyOf(transport, e.connection, task.taskId),
        seq: e.seq,
        t: e.t,
        connection: e.connection,
        channel: e.channel,
        entry: e,
        ...extra,
      });
    };
    if (m.method === 'notifications/tasks/status' && !('id' in m)) {
      add('notification', m.params);
      continue;
    }
    if (!('result' in m) || !e.answers || !isObject(m.result)) continue;
    const result = m.result;
    const sentSeq = sends.get(`${e.connection} ${JSON.stringify(m.id)}`);
    const params = e.answers.params as Record<string, unknown> | undefined;
    switch (e.answers.method) {
      case 'tools/call':
        if (params && 'task' in params && 'task' in result) add('create', result.task, { sentSeq });
        break;
      case 'tasks/get':
        add('get', result, { sentSeq, requestedTaskId: params?.taskId });
        break;
      case 'tasks/cancel':
        add('cancel', result, { sentSeq, requestedTaskId: params?.taskId });
        break;
      case 'tasks/list':
        if (Array.isArray(result.tasks)) for (const t of result.tasks) add('list', t, { sentSeq });
        break;
    }
  }
  return out;
}

/** Observations grouped by timeline key, each group in wire order. */
export function timelines(obs: TaskObservation[]): Map<string, TaskObservation[]> {
  const map = new Map<string, TaskObservation[]>();
  for (const o of obs) {
    const list = map.get(o.key) ?? [];
    list.push(o);
    map.set(o.key, list);
  }
  return map;
}

/**
 * How sure is it that `a` (received first) shows an earlier server state than `b`? Causal order, not
 * arrival order: a response shows the state at some instant between its request's send and its own
 * receipt, so it is later than `a` only if `a` arrived before that request went out. A response to a
 * request sent before a notification arrived may legitimately carry an older state than that
 * notification (the server read the task, the task moved and notified, then the response was written).
 * - `certain`: `b` is a response whose request was sent after `a` arrived; or, on stdio, `b` is a
 *   notification (one ordered pipe: the server wrote `a` before it notified `b`).
 * - `likely` (HTTP, a notification involved; WARN only, A25-22): both on one SSE stream (a stream is
 *   ordered); or we received notification `a` before sending request `b`; or `b` is a notification whose
 *   lastUpdatedAt is later than a's.
 * - `unknown`: overlapping exchanges, or a notification that may simply have been delivered late.
 */
export type Ordering = 'certain' | 'likely' | 'unknown';

const updatedAt = (o: TaskObservation) => (typeof o.task.lastUpdatedAt === 'string' ? Date.parse(o.task.lastUpdatedAt) : NaN);

/** Was `a` received before `b`'s request was sent (so `b` shows a state at least as late as `a`)? */
const sentAfter = (a: TaskObservation, b: TaskObservation) => b.sentSeq !== undefined && a.seq < b.sentSeq;

export function ordering(a: TaskObservation, b: TaskObservation, transport: TransportName): Ordering {
  const an = a.kind === 'notification';
  const bn = b.kind === 'notification';
  if (transport === 'stdio') return bn || sentAfter(a, b) ? 'certain' : 'unknown';
  if (!an && !bn) return sentAfter(a, b) ? 'certain' : 'unknown';
  if (a.connection === b.connection && a.channel !== undefined && a.channel === b.channel) return 'likely';
  if (an && !bn) return sentAfter(a, b) ? 'likely' : 'unknown';
  return updatedAt(b) > updatedAt(a) ? 'likely' : 'unknown';
}

export function describeObservation(o: TaskObservation): string {
  const what =
    o.kind === 'notification'
      ? 'notifications/tasks/status'
      : o.kind === 'create'
        ? 'CreateTaskResult'
        : o.kind === 'list'
          ? 'tasks/list entry'
          : `tasks/${o.kind} result`;
  return `${what} (seq ${o.seq}, ${o.connection}${o.channel && o.channel !== 'stdio' ? ` ${o.channel}` : ''})`;
}

/**
 * A passive rule with no Task to read proved nothing: it could not run, and says what would let it (a
 * MUST that only "passed" on an empty record would make the report look greener than it is).
 */
export function noTaskObserved(): Verdict {
  return skip(
    'missing-fixture',
    'no Task was observed on this transport, so there was nothing to check: a task tool (F-ECHO slow_compute or F-GATE gated_job) lets the harness create some',
    ['F-ECHO (tool slow_compute)', 'F-GATE (tool gated_job)'],
  );
}
