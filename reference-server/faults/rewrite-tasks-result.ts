// Message-level faults of the tasks/result response. Steps run in order, each on the previous one's output.
import { asError, asResult, errorOf, pipe, RELATED_TASK, resultOf, stripRelated, withResult, type Json, type Rewriter } from './message.js';
import { expiredAsInternalError, withEmptyMessage } from './rewrite-task-errors.js';

export const rewriteTasksResult: Rewriter = (message, params, f) => {
  const { state } = f;
  const taskId = params.taskId;
  return pipe(
    message,
    expiredAsInternalError(params, f),
    (m) => withEmptyMessage(m, f),
    // H25-03 (a result is delivered once), H25-02 (a result cache keyed by tool).
    (m) => {
      const result = resultOf(m);
      if (!result || typeof taskId !== 'string') return m;
      if (f.has('H25-03')) {
        if (state.resultServed.has(taskId)) return asError(m, -32602, `Task not found: the result of task ${taskId} was already delivered`);
        state.resultServed.add(taskId);
      }
      const tool = state.toolOfTask.get(taskId);
      if (f.has('H25-02') && tool !== undefined) {
        const first = state.firstResultOfTool.get(tool);
        if (!first) state.firstResultOfTool.set(tool, result);
        else return withResult(m, { ...first, _meta: result._meta });
      }
      return m;
    },
    // T25-RES-04: a -32603 outcome answers an isError CallToolResult instead.
    (m) => {
      const e = errorOf(m);
      if (!e || !f.has('T25-RES-04') || e.code !== -32603) return m;
      const result = { content: [{ type: 'text', text: e.message ?? '' }], isError: true, _meta: { [RELATED_TASK]: { taskId } } };
      return asResult(m, result);
    },
    // T25-RES-05 (an isError result answers -32603), else T25-RES-01 (no content) and T25-META-01 (no related-task).
    (m) => {
      const result = resultOf(m);
      if (!result) return m;
      if (f.has('T25-RES-05') && result.isError === true) {
        const text = Array.isArray(result.content) ? (result.content as Array<{ text?: unknown }>).map((c) => c.text).join(' ') : '';
        return asError(m, -32603, `Internal error: ${text}`);
      }
      let r: Json = result;
      if (f.has('T25-RES-01') && r.isError !== true && Array.isArray(r.content)) r = { ...r, content: [] };
      if (f.has('T25-META-01')) r = stripRelated(r);
      return r === result ? m : withResult(m, r);
    },
    // LC-02: every delivery appends "delivery #<n>".
    (m) => {
      const result = resultOf(m);
      if (!result || !f.has('LC-02') || !Array.isArray(result.content)) return m;
      const key = String(taskId);
      const n = (state.deliveries.get(key) ?? 0) + 1;
      state.deliveries.set(key, n);
      return withResult(m, { ...result, content: [...result.content, { type: 'text', text: `delivery #${n}` }] });
    },
    // T25-RES-02: the payload differs from the direct call.
    (m) => {
      const result = resultOf(m);
      if (!result || !f.has('T25-RES-02') || !Array.isArray(result.content)) return m;
      return withResult(m, { ...result, content: [...result.content, { type: 'text', text: '(via task)' }] });
    },
  );
};
