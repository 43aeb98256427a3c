// Message-level faults of the tasks/list response. Steps run in order, each on the previous one's output.
import { asError, pipe, resultOf, withResult, type Json, type Rewriter } from './message.js';
import { withEmptyMessage } from './rewrite-task-errors.js';

export const rewriteTasksList: Rewriter = (message, _params, f) =>
  pipe(
    message,
    // T25-CAP-04: tasks.list is declared but the method is not found.
    (m) => (resultOf(m) && f.has('T25-CAP-04') ? asError(m, -32601, 'Method not found: tasks/list') : m),
    (m) => withEmptyMessage(m, f),
    // Which tasks and pages: T25-LIST-04, CL-04, T25-LIST-01, T25-LIST-03.
    (m) => {
      const result = resultOf(m);
      if (!result || !Array.isArray(result.tasks)) return m;
      let tasks = result.tasks as Json[];
      if (f.has('T25-LIST-04')) tasks = tasks.filter((t) => t.status !== 'cancelled');
      // CL-04: only the tasks created through this instance.
      if (f.has('CL-04')) tasks = tasks.filter((t) => f.state.issuedIds.has(String(t.taskId)));
      if (f.has('T25-LIST-01')) tasks = tasks.map(({ lastUpdatedAt, ...t }) => (void lastUpdatedAt, t));
      const { nextCursor, ...rest } = result;
      const page = f.has('T25-LIST-03') ? rest : { ...rest, ...(nextCursor !== undefined && { nextCursor }) };
      return withResult(m, { ...page, tasks });
    },
    // Timestamps of the entries: T25-LIFE-04, T25-TTL-02.
    (m) => {
      const result = resultOf(m);
      if (!result || !Array.isArray(result.tasks) || !(f.has('T25-LIFE-04') || f.has('T25-TTL-02'))) return m;
      const tasks = (result.tasks as Json[]).map((t) => {
        let u = t;
        if (f.has('T25-LIFE-04') && typeof u.createdAt === 'string')
          u = { ...u, createdAt: new Date(Date.parse(u.createdAt) - 1000).toISOString() };
        if (f.has('T25-TTL-02') && typeof u.lastUpdatedAt === 'string')
          u = { ...u, lastUpdatedAt: new Date(Date.parse(u.lastUpdatedAt)).toString() };
        return u;
      });
      return withResult(m, { ...result, tasks });
    },
  );
