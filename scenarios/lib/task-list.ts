// Walking tasks/list page by page the way a well-behaved requestor does (cursors passed back verbatim,
// T25-CLI-08), recording page sizes, duplicates and where the walk broke off.
import type { Task } from '../../harness/protocol.js';
import type { RpcOutcome, Session } from '../../harness/scenario.js';
import { listTasks } from '../../harness/tasks.js';

export interface ListPageInfo {
  size: number;
  nextCursor?: string;
}

export interface ListWalk {
  pages: ListPageInfo[];
  /** Every listed task, in listing order (duplicates included). */
  tasks: Task[];
  ids: Set<string>;
  /** IDs seen on more than one page (or twice on one). */
  duplicates: string[];
  /** A tasks/list call that did not answer a ListTasksResult (the walk stopped there). */
  failure?: { page: number; cursor?: string; outcome: RpcOutcome };
  /** The walk stopped at the page cap while nextCursor was still present. */
  capped: boolean;
  /** A page carried a nextCursor that is not a string (it cannot be passed back; the walk stopped there). */
  badCursor?: { page: number; value: unknown };
}

/** Walks tasks/list from the start, passing every cursor back verbatim, up to `maxPages`. */
export async function walkTaskList(session: Session, maxPages = 100): Promise<ListWalk> {
  const walk: ListWalk = { pages: [], tasks: [], ids: new Set(), duplicates: [], capped: false };
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const o = await listTasks(session, cursor);
    const tasks = o.kind === 'result' ? o.result.tasks : undefined;
    if (o.kind !== 'result' || !Array.isArray(tasks)) {
      walk.failure = { page, cursor, outcome: o };
      return walk;
    }
    const nextCursor = typeof o.result.nextCursor === 'string' ? o.result.nextCursor : undefined;
    walk.pages.push({ size: tasks.length, nextCursor });
    for (const t of tasks as Task[]) {
      const id = t?.taskId;
      if (typeof id !== 'string') continue;
      if (walk.ids.has(id)) walk.duplicates.push(id);
      walk.ids.add(id);
      walk.tasks.push(t);
    }
    if (nextCursor === undefined) {
      if (o.result.nextCursor !== undefined) walk.badCursor = { page, value: o.result.nextCursor };
      return walk;
    }
    cursor = nextCursor;
  }
  walk.capped = true;
  return walk;
}

export function describeWalk(walk: ListWalk): string {
  const sizes = walk.pages.map((p) => p.size).join(', ');
  return `${walk.pages.length} page(s) of sizes [${sizes}], ${walk.ids.size} distinct task(s)`;
}
