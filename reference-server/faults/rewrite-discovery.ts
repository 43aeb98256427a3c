// Message-level faults of what a client discovers first: the initialize result, tools/list and
// resources/read.
import { asError, isObject, pipe, resultOf, withResult, type Json, type Rewriter } from './message.js';

export const rewriteInitialize: Rewriter = (message, _params, f) =>
  pipe(
    message,
    // T25-CAP-02: capabilities.tasks.list is a string.
    (m) => {
      const r = resultOf(m);
      const caps = r?.capabilities;
      if (!r || !f.has('T25-CAP-02') || !isObject(caps) || !isObject(caps.tasks)) return m;
      return withResult(m, { ...r, capabilities: { ...caps, tasks: { ...caps.tasks, list: 'yes' } } });
    },
    // H25-SCHEMA: serverInfo lacks its version.
    (m) => {
      const r = resultOf(m);
      if (!r || !f.has('H25-SCHEMA') || !isObject(r.serverInfo)) return m;
      const { version, ...serverInfo } = r.serverInfo;
      void version;
      return withResult(m, { ...r, serverInfo });
    },
    // T25-CAP-01: no tasks.requests.tools.call.
    (m) => {
      const r = resultOf(m);
      const caps = r?.capabilities;
      if (!r || !f.has('T25-CAP-01') || !isObject(caps) || !isObject(caps.tasks)) return m;
      const { requests, ...tasks } = caps.tasks;
      void requests;
      return withResult(m, { ...r, capabilities: { ...caps, tasks } });
    },
  );

export const rewriteToolsList: Rewriter = (message, _params, f) =>
  pipe(
    message,
    // T25-TOOL-01: greet advertises taskSupport "sometimes".
    (m) => {
      const r = resultOf(m);
      if (!r || !f.has('T25-TOOL-01') || !Array.isArray(r.tools)) return m;
      const tools = (r.tools as Json[]).map((t) => (t.name === 'greet' ? { ...t, execution: { taskSupport: 'sometimes' } } : t));
      return withResult(m, { ...r, tools });
    },
    // H25-22: 17 MiB of padding, over the harness's default message limit.
    (m) => {
      const r = resultOf(m);
      if (!r || !f.has('H25-22')) return m;
      return withResult(m, { ...r, _meta: { padding: 'x'.repeat(17 * 1024 * 1024) } });
    },
  );

/** H25-21: ping answered with a tools/list-shaped result. */
export const rewritePing: Rewriter = (message, _params, f) =>
  resultOf(message) && f.has('H25-21') ? withResult(message, { tools: [] }) : message;

export const rewriteResourcesRead: Rewriter = (message, params, f) =>
  // T25-SUP-01: a task field is rejected.
  resultOf(message) && f.has('T25-SUP-01') && params.task !== undefined
    ? asError(message, -32602, 'resources/read does not accept a task field')
    : message;
