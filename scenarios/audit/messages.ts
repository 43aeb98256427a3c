// Message rules: JSON Schema of every server message (H25-SCHEMA), related-task _meta on results
// (T25-META-01, T25-META-03) and on status notifications (T25-NOTIF-02, T25-NOTIF-03).
import { fail, info, pass, warn, worst, type Verdict, type WireEntry } from '../../harness/checks.js';
import { RELATED_TASK, relatedTaskId } from '../../harness/protocol.js';
import { validateServerMessage, type RequestContext } from '../../harness/schema.js';
import { cite, noTaskObserved, notificationsOf, responsesTo } from './observations.js';

const MAX_CITED = 20;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * What a response should be validated as. A tools/call that carried `task` but was answered with a
 * plain CallToolResult (a server without task support, or a forbidden tool run anyway) is checked as a
 * CallToolResult: the shape mismatch is T25-CRT-01 / T25-TOOL-02's finding, not a schema finding.
 */
function requestContext(e: WireEntry): RequestContext | undefined {
  if (!e.answers) return undefined;
  const params = isObject(e.answers.params) ? e.answers.params : undefined;
  const result = (e.message as { result?: unknown }).result;
  if (e.answers.method === 'tools/call' && params && 'task' in params && isObject(result) && !('task' in result) && 'content' in result) {
    const { task, ...rest } = params;
    void task;
    return { method: 'tools/call', params: rest };
  }
  return { method: e.answers.method, params };
}

/** H25-SCHEMA: every server message validates against the official 2025-11-25 JSON Schema. */
export function schemaValid(all: WireEntry[], messages: WireEntry[]): Verdict {
  const bad: Array<Record<string, unknown>> = [];
  for (const e of messages) {
    const v = validateServerMessage(e.message, requestContext(e));
    if (v) bad.push({ ...cite(e, 400), def: v.def, errors: v.errors });
  }
  // Bodies of HTTP error statuses (e.g. 400 with {"id":null,...}) are transport-level answers, not checked here.
  const httpErrorBodies = all.filter((e) => e.dir === 'recv' && isObject(e.message) && e.http && e.http.status >= 300).length;
  const details = { checked: messages.length, ...(httpErrorBodies ? { skippedHttpErrorBodies: httpErrorBodies } : {}) };
  // stdio: stdout may carry only MCP messages (transports §stdio); the link records other lines as notes.
  const noise = all.filter(
    (e) =>
      e.dir === 'recv' &&
      e.transport === 'stdio' &&
      /^(non-JSON output from server|not a JSON-RPC message \(not an object\))/.test(e.note ?? ''),
  );
  const noiseText = noise.length
    ? `${noise.length} line(s) on the server's stdout were not JSON-RPC messages (the stdio transport allows only MCP messages on stdout; write logs to stderr); first: ${JSON.stringify(String(noise[0]!.message ?? noise[0]!.note)).slice(0, 200)}`
    : undefined;
  const noiseDetails = noise.length
    ? {
        stdoutNoise: noise.slice(0, MAX_CITED).map((e) => ({
          seq: e.seq,
          connection: e.connection,
          line: typeof e.message === 'string' ? e.message.slice(0, 300) : e.message,
        })),
      }
    : {};
  if (messages.length === 0)
    return noiseText ? fail(noiseText, { ...details, ...noiseDetails }) : info('no server message was recorded on this transport', details);
  if (bad.length) {
    const first = bad[0]!;
    return fail(
      `${bad.length} of ${messages.length} server message(s) violate the 2025-11-25 JSON Schema; first: seq ${String(first.seq)} against ${String(first.def)}: ${(first.errors as string[]).slice(0, 3).join('; ')}${noiseText ? `; also ${noiseText}` : ''}`,
      {
        ...details,
        violations: bad.slice(0, MAX_CITED),
        ...noiseDetails,
      },
    );
  }
  if (noiseText) return fail(noiseText, { ...details, ...noiseDetails });
  return pass(`all ${messages.length} server message(s) validate against the 2025-11-25 JSON Schema`, details);
}

/** T25-META-01: successful tasks/result responses carry related-task with the requested taskId. */
export function resultMeta(messages: WireEntry[]): Verdict {
  const results = responsesTo(messages, 'tasks/result');
  const errors = messages.filter((e) => e.answers?.method === 'tasks/result' && 'error' in (e.message as object)).length;
  if (results.length === 0) {
    const why = `no successful tasks/result response was observed (${errors} error response(s), which carry no _meta)`;
    return { ...noTaskObserved(), message: why, skip: { ...noTaskObserved().skip!, reason: why } };
  }
  const bad = results.filter((e) => {
    const wanted = (e.answers?.params as { taskId?: unknown } | undefined)?.taskId;
    const result = (e.message as { result?: { _meta?: unknown } }).result;
    return relatedTaskId(result?._meta) !== wanted;
  });
  if (bad.length) {
    const first = bad[0]!;
    const got = (first.message as { result?: { _meta?: Record<string, unknown> } }).result?._meta?.[RELATED_TASK];
    return fail(
      `${bad.length} of ${results.length} successful tasks/result response(s) lack _meta["${RELATED_TASK}"].taskId equal to the requested taskId; first (seq ${first.seq}) asked ${JSON.stringify((first.answers?.params as { taskId?: unknown } | undefined)?.taskId)}, got ${JSON.stringify(got ?? null)}`,
      { responses: bad.slice(0, MAX_CITED).map((e) => cite(e, 300)) },
    );
  }
  return pass(
    `all ${results.length} successful tasks/result response(s) carried related-task with the requested taskId${errors ? ` (${errors} error response(s) not applicable)` : ''}`,
  );
}

/** T25-META-03: results of tasks/get, tasks/list and tasks/cancel carry no related-task _meta. */
export function noRelatedOnTaskResults(messages: WireEntry[]): Verdict {
  const checked = [...responsesTo(messages, 'tasks/get'), ...responsesTo(messages, 'tasks/list'), ...responsesTo(messages, 'tasks/cancel')];
  if (checked.length === 0) return info('no tasks/get, tasks/list or tasks/cancel result was observed');
  const bad = checked.filter((e) => {
    const result = (e.message as { result?: Record<string, unknown> }).result;
    if (!isObject(result)) return false;
    if (isObject(result._meta) && RELATED_TASK in result._meta) return true;
    const tasks = Array.isArray(result.tasks) ? result.tasks : [];
    return tasks.some((t) => isObject(t) && isObject(t._meta) && RELATED_TASK in t._meta);
  });
  if (bad.length) {
    const methods = [...new Set(bad.map((e) => e.answers?.method))].join(', ');
    return warn(`${bad.length} ${methods} result(s) carry _meta["${RELATED_TASK}"] although the taskId is already in the result`, {
      results: bad.slice(0, MAX_CITED).map((e) => cite(e, 300)),
    });
  }
  return pass(`none of ${checked.length} tasks/get, tasks/list or tasks/cancel results carried related-task _meta`);
}

/** T25-NOTIF-02: each status notification is the full Task (schema TaskStatusNotification). */
export function statusNotificationSchema(messages: WireEntry[]): Verdict {
  const notes = notificationsOf(messages, 'notifications/tasks/status');
  if (notes.length === 0) return info('no notifications/tasks/status were received (they are optional)');
  const bad: Array<Record<string, unknown>> = [];
  for (const e of notes) {
    const v = validateServerMessage(e.message);
    if (v) bad.push({ ...cite(e, 400), errors: v.errors });
  }
  if (bad.length) {
    return fail(
      `${bad.length} of ${notes.length} status notification(s) are not a full Task (schema TaskStatusNotification): ${(bad[0]!.errors as string[]).slice(0, 3).join('; ')}`,
      { violations: bad.slice(0, MAX_CITED) },
    );
  }
  return pass(`all ${notes.length} status notification(s) carried a full Task`);
}

/** T25-NOTIF-03: status notifications carry no related-task _meta. */
export function statusNotificationMeta(messages: WireEntry[]): Verdict {
  const notes = notificationsOf(messages, 'notifications/tasks/status');
  if (notes.length === 0) return info('no notifications/tasks/status were received (they are optional)');
  const bad = notes.filter((e) => {
    const meta = (e.message as { params?: { _meta?: unknown } }).params?._meta;
    return isObject(meta) && RELATED_TASK in meta;
  });
  if (bad.length)
    return warn(
      `${bad.length} of ${notes.length} status notification(s) carry _meta["${RELATED_TASK}"] although params.taskId already names the task`,
      { notifications: bad.slice(0, MAX_CITED).map((e) => cite(e, 300)) },
    );
  return worst([pass(`none of ${notes.length} status notification(s) carried related-task _meta`)]);
}
