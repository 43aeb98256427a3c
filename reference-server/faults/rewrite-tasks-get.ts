// Message-level faults of the tasks/get response. Steps run in order, each on the previous one's output.
import { asError, errorOf, isObject, pipe, RELATED_TASK, resultOf, withResult, type Rewriter } from './message.js';
import { expiredAsInternalError, withEmptyMessage } from './rewrite-task-errors.js';
import { MAX_TIMER_MS } from '../expiry-schedule.js';

const TERMINAL = ['completed', 'failed', 'cancelled'];

export const rewriteTasksGet: Rewriter = (message, params, f) => {
  const { state } = f;
  return pipe(
    message,
    expiredAsInternalError(params, f),
    // T25-TTL-05 (remember the expiry), then the first of T25-CRT-04, T25-TTL-06, T25-GET-01, T25-GET-02, T25-LIFE-03.
    (m) => {
      const result = resultOf(m);
      if (!result) return m;
      if (f.has('T25-TTL-05') && typeof result.taskId === 'string' && typeof result.ttl === 'number')
        state.expiresAt.set(result.taskId, Date.parse(String(result.createdAt)) + result.ttl);
      const age = Date.now() - Date.parse(String(result.createdAt));
      if (f.has('T25-CRT-04') && age < 3_000) return asError(m, -32602, `Task not found: ${String(result.taskId)}`);
      if (f.has('T25-TTL-06') && typeof result.ttl === 'number' && (age >= result.ttl / 2 || result.ttl > MAX_TIMER_MS))
        return asError(m, -32602, `Task not found: ${String(result.taskId)}`);
      if (f.has('T25-GET-01')) return withResult(m, { task: result });
      if (f.has('T25-GET-02')) return withResult(m, { ...result, status: 'working' });
      if (f.has('T25-LIFE-03') && result.status === 'completed') {
        const seen = (state.terminalGets.get(String(result.taskId)) ?? 0) + 1;
        state.terminalGets.set(String(result.taskId), seen);
        if (seen >= 2) return withResult(m, { ...result, status: 'failed' });
      }
      return m;
    },
    // T25-ERR-01 (a non-string taskId answers -32603), else T25-ERR-05.
    (m) => {
      if (!errorOf(m)) return m;
      if (f.has('T25-ERR-01') && typeof params.taskId !== 'string') return asError(m, -32603, 'Internal error');
      return withEmptyMessage(m, f);
    },
    // T25-CAN-02 (cancelled reads as working for 1 s), else T25-ERR-06 (a failed task has no statusMessage).
    (m) => {
      const result = resultOf(m);
      if (!result) return m;
      const since = typeof result.taskId === 'string' ? state.cancelledAt.get(result.taskId) : undefined;
      if (f.has('T25-CAN-02') && result.status === 'cancelled' && since !== undefined && Date.now() - since < 1000)
        return withResult(m, { ...result, status: 'working' });
      if (f.has('T25-ERR-06') && result.status === 'failed' && 'statusMessage' in result) {
        const { statusMessage, ...rest } = result;
        void statusMessage;
        return withResult(m, rest);
      }
      return m;
    },
    // The shape of the Task: T25-LIFE-02, T25-TTL-01, T25-TTL-03, T25-TTL-07, T25-META-03.
    (m) => {
      const result = resultOf(m);
      if (!result) return m;
      let r = result;
      if (f.has('T25-LIFE-02') && r.status === 'working') r = { ...r, status: 'submitted' };
      if (f.has('T25-TTL-01') && typeof r.createdAt === 'string') r = { ...r, createdAt: Date.parse(r.createdAt) };
      if (f.has('T25-TTL-03')) {
        const { ttl, ...rest } = r;
        void ttl;
        r = rest;
      }
      if (f.has('T25-TTL-07') && r.pollInterval !== undefined) r = { ...r, pollInterval: String(r.pollInterval) };
      if (f.has('T25-META-03')) r = { ...r, _meta: { ...(isObject(r._meta) ? r._meta : {}), [RELATED_TASK]: { taskId: r.taskId } } };
      return r === result ? m : withResult(m, r);
    },
    // CL-06: the first answer for a task is cached here and answered again ever after.
    (m) => {
      const result = resultOf(m);
      if (!result || !f.has('CL-06')) return m;
      const cached = state.firstGet.get(String(result.taskId));
      if (!cached) state.firstGet.set(String(result.taskId), result);
      return cached ? withResult(m, cached) : m;
    },
    // LC-03: every 3rd tasks/get of a finished task reports it as working (a lagging replica).
    (m) => {
      const result = resultOf(m);
      if (!result || !f.has('LC-03') || !TERMINAL.includes(String(result.status))) return m;
      const taskId = String(params.taskId);
      const n = (state.finishedGets.get(taskId) ?? 0) + 1;
      state.finishedGets.set(taskId, n);
      return n % 3 === 0 ? withResult(m, { ...result, status: 'working' }) : m;
    },
  );
};
