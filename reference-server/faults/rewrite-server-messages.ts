// Message-level faults of what the server sends on its own: elicitation/create requests, progress and
// status notifications.
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { isObject, pipe, RELATED_TASK, stripRelated, withParams, type ActiveFaults, type Json, type Rewriter } from './message.js';

const changed = (message: JSONRPCMessage, before: Json, after: Json) => (after === before ? message : withParams(message, after));

export const rewriteElicitationCreate: Rewriter = (message, _params, f) =>
  pipe(
    message,
    // T25-CAP-05: a task-related elicitation carries params.task.
    (m) => {
      const p = (m as Json).params;
      return f.has('T25-CAP-05') && isObject(p) && isObject(p._meta) ? withParams(m, { ...p, task: { ttl: 60_000 } }) : m;
    },
    // T25-INP-02: no related-task _meta.
    (m) => {
      const p = (m as Json).params;
      return f.has('T25-INP-02') && isObject(p) && isObject(p._meta) ? withParams(m, stripRelated(p)) : m;
    },
  );

export const rewriteProgress: Rewriter = (message, p, f: ActiveFaults) => {
  let q = p;
  const taskId = isObject(p._meta) && isObject(p._meta[RELATED_TASK]) ? p._meta[RELATED_TASK].taskId : undefined;
  if (f.has('T25-PROG-01') && taskId !== undefined) q = { ...q, progressToken: `task:${String(taskId)}` };
  if (f.has('T25-PROG-03') && typeof q.progress === 'number' && typeof q.total === 'number')
    q = { ...q, progress: q.total - q.progress + 1 };
  if (f.has('T25-META-04') && isObject(q._meta)) q = stripRelated(q);
  return changed(message, p, q);
};

export const rewriteTaskStatus: Rewriter = (message, p, f) => {
  let q = p;
  if (f.has('T25-ID-01') && typeof q.taskId === 'string')
    q = { ...q, taskId: Number.parseInt(q.taskId.replace(/[^0-9a-f]/gi, '').slice(0, 8), 16) };
  if (f.has('T25-NOTIF-02')) q = { ...q, statusMessage: { text: q.statusMessage ?? q.status } };
  if (f.has('T25-NOTIF-03')) q = { ...q, _meta: { ...(isObject(q._meta) ? q._meta : {}), [RELATED_TASK]: { taskId: p.taskId } } };
  return changed(message, p, q);
};
