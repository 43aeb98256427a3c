// Message-level faults of the tasks/cancel response. Steps run in order, each on the previous one's output.
import { asError, errorOf, pipe, resultOf, withResult, type Rewriter } from './message.js';
import { expiredAsInternalError, withEmptyMessage } from './rewrite-task-errors.js';

export const rewriteTasksCancel: Rewriter = (message, params, f) => {
  const { state } = f;
  const taskId = params.taskId;
  return pipe(
    message,
    expiredAsInternalError(params, f),
    // The first of T25-ERR-03 (non-string taskId), T25-CAN-06 (an id never issued), T25-ERR-05.
    (m) => {
      if (!errorOf(m)) return m;
      if (f.has('T25-ERR-03') && typeof taskId !== 'string') return asError(m, -32603, 'Internal error');
      if (f.has('T25-CAN-06') && typeof taskId === 'string' && !state.issuedIds.has(taskId))
        return asError(m, -32603, 'Internal error: lookup failed');
      return withEmptyMessage(m, f);
    },
    // T25-CAN-02: remember when the task was cancelled.
    (m) => {
      const result = resultOf(m);
      if (result && f.has('T25-CAN-02') && typeof result.taskId === 'string') state.cancelledAt.set(result.taskId, Date.now());
      return m;
    },
    // T25-CAN-01: the response still says working.
    (m) => {
      const result = resultOf(m);
      return result && f.has('T25-CAN-01') ? withResult(m, { ...result, status: 'working' }) : m;
    },
  );
};
