// 2.M tasks/list (T25-LIST-*): shape, pagination, completeness across statuses, cursor errors.
import { fail, info, pass, skip, warn, type Verdict } from '../harness/checks.js';
import type { Task } from '../harness/protocol.js';
import type { Session } from '../harness/scenario.js';
import { validateDef } from '../harness/schema.js';
import { cancelTask, createTask, describeOutcome, listTasks, pollUntil, untilTerminal } from '../harness/tasks.js';
import { errorCode } from './lib/format.js';
import { declaresCancel, needTasksMember } from './lib/preconditions.js';
import { releaseQuietly } from './lib/cleanup.js';
import { createEchoTasks, createGated, statusOf } from './lib/task-setup.js';
import { describeWalk, walkTaskList, type ListWalk } from './lib/task-list.js';
import { defineCheck, defineScenario, type CheckScope } from './lib/define.js';

/** LIST-02 and LIST-03 list a population of more than one page, created by the first of them that runs. */
interface Population {
  population: () => Promise<void>;
}

/** Tasks kept alive long enough to be listed during the whole scenario, and no longer: a server with a creation quota gets their slots back (harness/run/quota-wait.ts). */
const LIST_TTL = 30_000;
/** Enough tasks that an unpaginated server must answer a page of more than 100 (T25-LIST-02). */
const POPULATION = 101;

const LIST_01 = defineCheck(
  {
    id: 'T25-LIST-01',
    name: 'tasks/list returns a ListTasksResult of full Tasks',
    description: 'tasks/list returns {tasks: Task[], nextCursor?: string}, and every entry is a full Task.',
    level: 'MUST',
    specRefs: ['tasks §Listing Tasks', 'schema ListTasksResult'],
    fixtures: ['F-ECHO'],
    requires: ['tasks.list', 'F-ECHO as task'],
  },
  async (ctx, c) => {
    const s = await ctx.session();
    await createTask(s, ctx.fixtures, 'F-ECHO', { seconds: 0, label: ctx.nonce('l') }, { ttl: LIST_TTL });
    const o = await listTasks(s);
    if (o.kind !== 'result') return fail(`tasks/list {} must answer a ListTasksResult; got ${describeOutcome(o)}`);
    const violation = validateDef('ListTasksResult', o.result);
    const tasks = Array.isArray(o.result.tasks) ? o.result.tasks : [];
    c.note('entries', tasks.length);
    if (violation)
      return fail(`the tasks/list result does not match the schema's ListTasksResult: ${violation.errors.join('; ')}`, { violation });
    if (tasks.length === 0) return fail('tasks/list returned no task although this requestor has just created one');
    return pass(
      `ListTasksResult with ${tasks.length} full Task entr${tasks.length === 1 ? 'y' : 'ies'}${o.result.nextCursor !== undefined ? ' and a nextCursor' : ''}`,
    );
  },
);

const LIST_02 = defineCheck(
  {
    id: 'T25-LIST-02',
    name: 'tasks/list pages are bounded',
    description: 'Receivers should use cursor-based pagination to limit the number of tasks returned in a single response.',
    level: 'SHOULD',
    specRefs: ['tasks §Task Listing r1'],
    fixtures: ['F-ECHO'],
    requires: ['tasks.list', 'F-ECHO as task'],
  },
  async (ctx, c, { shared }: CheckScope<Population>) => {
    const s = await ctx.session();
    await shared.population();
    const walk = await walkTaskList(s);
    c.note('pages', walk.pages);
    const broken = walkFailure(walk);
    if (broken) return broken;
    const first = walk.pages[0];
    if (first && walk.pages.length === 1 && first.size > 100) {
      return warn(
        `tasks/list answered all ${first.size} tasks in a single page without nextCursor; pages should be bounded with cursor-based pagination`,
      );
    }
    if (walk.pages.length > 1) return pass(`paginated: ${describeWalk(walk)}`);
    return info(`a single page of ${first?.size ?? 0} tasks (no more than 100, so boundedness cannot be judged): ${describeWalk(walk)}`);
  },
);

const LIST_03 = defineCheck(
  {
    id: 'T25-LIST-03',
    name: 'nextCursor is present whenever more tasks are available',
    description: 'Receivers must include a nextCursor in the tasks/list response if more tasks are available.',
    level: 'MUST',
    specRefs: ['tasks §Task Listing r2'],
    fixtures: ['F-ECHO'],
    requires: ['tasks.list', 'F-ECHO as task'],
  },
  async (ctx, c, { shared }: CheckScope<Population>) => {
    const s = await ctx.session();
    // The population makes the listing span several pages on a paginating server.
    await shared.population();
    const created = await createEchoTasks(ctx, s, 25, { ttl: LIST_TTL });
    const walk = await walkTaskList(s);
    c.note('walk', describeWalk(walk));
    const broken = walkFailure(walk) ?? badCursor(walk);
    if (broken) return broken;
    const missing = await missingButFetchable(s, walk, created);
    if (missing.length) {
      const last = walk.pages.at(-1);
      return fail(
        `the listing ended (last page of ${last?.size ?? 0} without nextCursor) while ${missing.length} of the 25 tasks just created were never listed but tasks/get still returns them (e.g. ${missing[0]?.taskId}); nextCursor must be present while more tasks are available`,
        { missing: missing.slice(0, 10) },
      );
    }
    if (walk.capped) return warn(`the walk stopped after ${walk.pages.length} pages while nextCursor was still present (a cursor loop?)`);
    if (walk.duplicates.length) {
      return warn(
        `every task was listed, but ${walk.duplicates.length} task ID(s) appeared on more than one page (e.g. ${walk.duplicates[0]})`,
        { duplicates: walk.duplicates.slice(0, 10) },
      );
    }
    return pass(`all 25 new tasks listed: ${describeWalk(walk)}`);
  },
);

const LIST_04 = defineCheck(
  {
    id: 'T25-LIST-04',
    name: 'Every fetchable task is listed, whatever its status',
    description:
      'If a task is retrievable via tasks/get for a requestor, it must be retrievable via tasks/list for that requestor (working, completed, failed and cancelled tasks alike).',
    level: 'MUST',
    specRefs: ['tasks §Task Listing r4'],
    fixtures: ['F-ECHO', 'F-TOOLERR', 'F-GATE', 'F-GATE-RELEASE'],
    requires: ['tasks.list', 'F-ECHO as task', 'F-TOOLERR as task', 'F-GATE as task'],
  },
  async (ctx, c) => {
    const s = await ctx.session();
    const gates: string[] = [];
    try {
      const working = await createGated(ctx, s, LIST_TTL);
      gates.push(working.gateId);
      const completed = await createTask(s, ctx.fixtures, 'F-ECHO', { seconds: 0, label: ctx.nonce('l') }, { ttl: LIST_TTL });
      const failed = await createTask(s, ctx.fixtures, 'F-TOOLERR', {}, { ttl: LIST_TTL });
      const covered: Task[] = [working.task, completed, failed];
      const notes: string[] = [];
      if (declaresCancel(s)) {
        const toCancel = await createGated(ctx, s, LIST_TTL);
        gates.push(toCancel.gateId);
        const o = await cancelTask(s, toCancel.task.taskId);
        if (o.kind === 'result') covered.push(toCancel.task);
        else notes.push(`tasks/cancel failed (${describeOutcome(o)}), so no cancelled task is covered`);
      } else {
        notes.push('tasks.cancel is not declared, so no cancelled task is covered');
      }
      for (const t of [completed, failed]) await pollUntil(s, t.taskId, untilTerminal, ctx.timeouts.settleMs);
      const statuses: Record<string, string> = {};
      for (const t of covered) statuses[t.taskId] = (await statusOf(s, t.taskId)).status ?? 'unreadable';
      c.note('statuses', statuses);
      const walk = await walkTaskList(s);
      const broken = walkFailure(walk) ?? badCursor(walk);
      if (broken) return broken;
      const missing = await missingButFetchable(s, walk, covered);
      if (missing.length) {
        return fail(
          `tasks/get returns ${missing.map((m) => `a ${m.status} task (${m.taskId})`).join(', ')} but the full tasks/list walk (${describeWalk(walk)}) never lists ${missing.length === 1 ? 'it' : 'them'}`,
          { missing },
        );
      }
      return pass(
        `tasks in ${[...new Set(Object.values(statuses))].join(', ')} are all listed${notes.length ? `; ${notes.join('; ')}` : ''}`,
      );
    } finally {
      for (const g of gates) await releaseQuietly(s, ctx, g);
    }
  },
);

const LIST_05 = defineCheck(
  {
    id: 'T25-LIST-05',
    name: 'An invalid tasks/list cursor is rejected with -32602',
    description: 'An invalid or nonexistent cursor in tasks/list returns JSON-RPC error -32602 (Invalid params).',
    level: 'MUST',
    specRefs: ['tasks §Protocol Errors'],
    fixtures: [],
    requires: ['tasks.list'],
  },
  async (ctx) => {
    const s = await ctx.session();
    const cursor = `invalid-${crypto.randomUUID()}`;
    const o = await listTasks(s, cursor);
    if (errorCode(o) === -32602) return pass(`tasks/list {cursor:"${cursor}"} was rejected with -32602`);
    if (o.kind === 'result') {
      return fail(
        `tasks/list with the unknown cursor "${cursor}" must fail with -32602, but it answered a result (${Array.isArray(o.result.tasks) ? o.result.tasks.length : '?'} tasks): unknown cursors must not restart the listing`,
      );
    }
    return fail(`tasks/list with the unknown cursor "${cursor}" must fail with -32602; got ${describeOutcome(o)}`);
  },
);

const LIST_06 = defineCheck(
  {
    id: 'T25-LIST-06',
    name: 'tasks/list without the tasks.list capability (observation)',
    description:
      'Behaviour of tasks/list when the server does not declare tasks.list is unspecified (A25-13); -32601 is expected. Recorded only.',
    level: 'MAY',
    specRefs: ['tasks §Capability Negotiation'],
    fixtures: [],
  },
  async (ctx) => {
    const s = await ctx.session();
    if (needTasksMember(s, 'list') === undefined) {
      return skip('not-applicable', 'the server declares capabilities.tasks.list; this observation concerns servers that do not');
    }
    const o = await listTasks(s);
    const expected = errorCode(o) === -32601 ? ' (the expected -32601)' : '';
    return info(`tasks/list without capabilities.tasks.list answered ${describeOutcome(o)}${expected}`, {
      outcome: o.kind === 'error' ? o.error : o.kind,
    });
  },
);

/** IDs from `created` missing from the walk that tasks/get can still fetch, with their status. */
async function missingButFetchable(s: Session, walk: ListWalk, created: Task[]): Promise<Array<{ taskId: string; status: string }>> {
  const out: Array<{ taskId: string; status: string }> = [];
  for (const t of created) {
    if (walk.ids.has(t.taskId)) continue;
    const { status } = await statusOf(s, t.taskId);
    if (status !== undefined && status !== 'not-found') out.push({ taskId: t.taskId, status });
  }
  return out;
}

/** A nextCursor that is not a string: the walk could not go on, which LIST-03/04 must not read as "no more pages". */
function badCursor(walk: ListWalk): Verdict | undefined {
  if (!walk.badCursor) return undefined;
  return fail(
    `tasks/list page ${walk.badCursor.page + 1} carried nextCursor ${JSON.stringify(walk.badCursor.value)}, which is not a string (ListTasksResult.nextCursor is an opaque string), so the listing cannot be continued`,
  );
}

function walkFailure(walk: ListWalk): Verdict | undefined {
  if (!walk.failure) return undefined;
  const { page, cursor, outcome } = walk.failure;
  return fail(
    page === 0
      ? `tasks/list {} did not answer a ListTasksResult: ${describeOutcome(outcome)}`
      : `tasks/list rejected the nextCursor it returned itself (page ${page + 1}, cursor ${JSON.stringify(cursor)}): ${describeOutcome(outcome)}`,
  );
}

const scenario = defineScenario<Population>({
  name: 'list',
  description: '2.M tasks/list (T25-LIST-*)',
  // One shared population of instant tasks, created at most once per run of the scenario.
  setup: (ctx) => {
    let populating: Promise<void> | undefined;
    const population = () => {
      populating ??= ctx.session().then(async (s) => {
        await createEchoTasks(ctx, s, POPULATION, { ttl: LIST_TTL });
      });
      return populating;
    };
    return { population };
  },
  checks: [LIST_01, LIST_02, LIST_03, LIST_04, LIST_05, LIST_06],
});

export default scenario;
