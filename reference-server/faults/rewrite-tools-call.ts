// Message-level faults of the tools/call response, mostly of the CreateTaskResult. Steps run in order.
import { asError, isObject, pipe, resultOf, withResult, type Rewriter } from './message.js';

export const rewriteToolsCall: Rewriter = (message, params, f) => {
  const { state } = f;
  return pipe(
    message,
    // T25-TTL-05: remember when the task expires.
    (m) => {
      const task = resultOf(m)?.task;
      if (f.has('T25-TTL-05') && isObject(task) && typeof task.taskId === 'string' && typeof task.ttl === 'number')
        state.expiresAt.set(task.taskId, Date.parse(String(task.createdAt)) + task.ttl);
      return m;
    },
    // The CreateTaskResult itself: T25-CRT-03, T25-ID-02, T25-ID-03, T25-LIFE-01, T25-CRT-05.
    (m) => {
      const result = resultOf(m);
      if (!result || !isObject(result.task)) return m;
      const requested = isObject(params.task) ? params.task : {};
      if (f.has('T25-CRT-03') && requested.ttl === undefined) return asError(m, -32602, 'params.task.ttl is required');
      let t = result.task;
      let meta = isObject(result._meta) ? result._meta : undefined;
      if (f.has('T25-ID-02') && typeof requested.taskId === 'string') t = { ...t, taskId: requested.taskId };
      if (f.has('T25-ID-03')) {
        const previous = state.lastCreatedId;
        state.lastCreatedId = String(t.taskId);
        if (++state.created % 5 === 0 && previous !== undefined) t = { ...t, taskId: previous };
      }
      if (f.has('T25-LIFE-01')) t = { ...t, status: 'input_required' };
      if (f.has('T25-CRT-05')) meta = { ...meta, 'io.modelcontextprotocol/model-immediate-response': 42 };
      return t === result.task && meta === result._meta ? m : withResult(m, { ...result, task: t, ...(meta && { _meta: meta }) });
    },
    // T25-CAN-06, H25-02 and CL-04: remember the ids issued (here, on this instance) and the tool of each task.
    (m) => {
      const task = resultOf(m)?.task;
      const created = isObject(task) && typeof task.taskId === 'string' ? task.taskId : undefined;
      if (created && (f.has('T25-CAN-06') || f.has('H25-02') || f.has('CL-04'))) {
        state.issuedIds.add(created);
        if (typeof params.name === 'string') state.toolOfTask.set(created, params.name);
      }
      return m;
    },
    // T25-CRT-01: a flat Task instead of {task: Task}.
    (m) => {
      const result = resultOf(m);
      if (!result || !f.has('T25-CRT-01') || !isObject(result.task)) return m;
      const { task, ...rest } = result;
      return withResult(m, { ...rest, ...task });
    },
  );
};
