// 2.P Security (T25-SEC-*): binding to the authorization context (S-AUTH, HTTP), unguessable task IDs,
// listing without requestor identity, rate limiting, maximum ttl, and the manual documentation items.
import { fail, info, pass, skip, warn, worst, type Verdict } from '../harness/checks.js';
import type { RpcOutcome } from '../harness/scenario.js';
import { cancelTask, createTask, describeOutcome, getTask, mapLimit, taskResult } from '../harness/tasks.js';
import { analyzeIds, summarizeIds } from './lib/id-stats.js';
import { closeQuietly, releaseQuietly } from './lib/cleanup.js';
import { j, outcomeLabel, tally } from './lib/format.js';
import { needTaskTool, needTasksMember } from './lib/preconditions.js';
import { createEchoTasks, createGated, randomTaskId, statusOf } from './lib/task-setup.js';
import { walkTaskList } from './lib/task-list.js';
import { defineCheck, defineScenario } from './lib/define.js';

const SEC_01 = defineCheck(
  {
    id: 'T25-SEC-01',
    name: 'Another principal cannot get, fetch or cancel a task',
    description:
      'When an authorization context exists, tasks are bound to it: tasks/get, tasks/result and tasks/cancel from a different principal are rejected, and the owner still sees the task unchanged.',
    level: 'MUST',
    specRefs: ['tasks §Task Isolation and Access Control'],
    fixtures: ['S-AUTH', 'F-GATE', 'F-GATE-RELEASE'],
    transports: ['http'],
  },
  async (ctx, c) => {
    const a = await ctx.connect({ principal: 0 });
    const b = await ctx.connect({ principal: 1 });
    try {
      const pre = needTaskTool(ctx, a, 'F-GATE');
      if (pre) return pre;
      const { task, gateId } = await createGated(ctx, a);
      try {
        const verdicts = [
          rejection('tasks/get', await getTask(b, task.taskId)),
          // A blocked tasks/result means the server accepted it; 3 s is ample for a rejection.
          rejection('tasks/result', await taskResult(b, task.taskId, 3000)),
          rejection('tasks/cancel', await cancelTask(b, task.taskId)),
        ];
        c.note(
          'principal B',
          verdicts.map((v) => v.message),
        );
        const owner = await statusOf(a, task.taskId);
        if (owner.status !== 'working') {
          verdicts.push(
            fail(
              `after principal B's attempts, principal A's task must still be "working"; tasks/get shows ${owner.status ? `"${owner.status}"` : describeOutcome(owner.outcome)}`,
            ),
          );
        }
        const bad = verdicts.filter((v) => v.status === 'FAILURE');
        return bad.length
          ? worst(bad)
          : pass(`principal B was refused on every operation (${verdicts.map((v) => v.message).join('; ')}) and A's task is still working`);
      } finally {
        await releaseQuietly(a, ctx, gateId);
      }
    } finally {
      await closeQuietly(a);
      await closeQuietly(b);
    }
  },
);

const SEC_02 = defineCheck(
  {
    id: 'T25-SEC-02',
    name: "tasks/list shows only the caller's principal's tasks",
    description: "With an authorization context, tasks/list returns only the tasks of the requestor's context (and all of them).",
    level: 'MUST',
    specRefs: ['tasks §Task Isolation and Access Control'],
    fixtures: ['S-AUTH', 'F-ECHO'],
    transports: ['http'],
  },
  async (ctx, c) => {
    const a = await ctx.connect({ principal: 0 });
    const b = await ctx.connect({ principal: 1 });
    try {
      const pre = needTasksMember(b, 'list') ?? needTaskTool(ctx, a, 'F-ECHO');
      if (pre) return pre;
      const ofA = await createEchoTasks(ctx, a, 3);
      const ofB = await createEchoTasks(ctx, b, 3);
      const walk = await walkTaskList(b);
      if (walk.failure) return fail(`principal B's tasks/list failed: ${describeOutcome(walk.failure.outcome)}`);
      const leaked = ofA.filter((t) => walk.ids.has(t.taskId)).map((t) => t.taskId);
      const missing = ofB.filter((t) => !walk.ids.has(t.taskId)).map((t) => t.taskId);
      c.note('listed for B', walk.ids.size);
      const verdicts: Verdict[] = [];
      if (leaked.length)
        verdicts.push(
          fail(
            `principal B's tasks/list contains ${leaked.length} of principal A's 3 tasks (e.g. ${leaked[0]}); it must list only B's own tasks`,
            { leaked },
          ),
        );
      if (missing.length)
        verdicts.push(fail(`principal B's tasks/list lacks ${missing.length} of B's own 3 tasks (e.g. ${missing[0]})`, { missing }));
      return verdicts.length
        ? worst(verdicts)
        : pass(`principal B's list (${walk.ids.size} tasks) holds all 3 of B's tasks and none of A's`);
    } finally {
      await closeQuietly(a);
      await closeQuietly(b);
    }
  },
);

const SEC_03 = defineCheck(
  {
    id: 'T25-SEC-03',
    name: 'Task IDs are unguessable',
    description:
      'Without context binding, task IDs must be cryptographically secure with enough entropy to prevent guessing. Heuristic over 50 IDs: length >= 16, estimated entropy >= 96 bits, no counter, not time-ordered.',
    level: 'MUST',
    specRefs: ['tasks §Task Isolation and Access Control'],
    fixtures: ['F-ECHO'],
    requires: ['F-ECHO as task'],
  },
  async (ctx, c) => {
    const s = await ctx.session();
    // One at a time, so the order of the IDs is the creation order (needed to spot counters and clocks).
    const tasks = await createEchoTasks(ctx, s, ID_SAMPLE, { concurrency: 1 });
    const stats = analyzeIds(tasks.map((t) => t.taskId));
    c.note('id statistics', stats);
    const summary = summarizeIds(stats);
    // The MUST applies without context binding; with auth principals a guessable ID is a weakness, not a violation.
    const bound = ctx.transport === 'http' && ctx.principals >= 2;
    const verdicts: Verdict[] = [];
    if (stats.sequential) {
      const msg = `task IDs are guessable: ${stats.sequential}`;
      verdicts.push(
        bound
          ? warn(`${msg} (the target authenticates requestors, so binding should protect them; still, use random IDs)`)
          : fail(`${msg}; IDs must be cryptographically random`),
      );
    }
    if (stats.timeOrdered) verdicts.push(warn(`task IDs are time-based (${stats.timeOrdered}); a time-ordered ID is partly predictable`));
    if (stats.length.min < 16) verdicts.push(warn(`task IDs are short (${stats.length.min} characters; at least 16 expected)`));
    if (stats.entropyBits < 96) verdicts.push(warn(`estimated entropy of ~${Math.round(stats.entropyBits)} bits is below 96 bits`));
    if (stats.distinct < stats.count)
      verdicts.push(fail(`${stats.count - stats.distinct} task IDs repeat within ${stats.count} new tasks`));
    return verdicts.length ? worst(verdicts.map((v) => ({ ...v, message: `${v.message} [${summary}]` }))) : pass(summary);
  },
);

const SEC_04 = defineCheck(
  {
    id: 'T25-SEC-04',
    name: 'No tasks.list without requestor identity',
    description:
      'A receiver that cannot identify requestors should not declare tasks.list: a fresh HTTP session must not see the tasks of another session in tasks/list.',
    level: 'SHOULD',
    specRefs: ['tasks §Task Isolation and Access Control'],
    fixtures: ['F-ECHO'],
    transports: ['http'],
  },
  async (ctx, c) => {
    if (ctx.principals > 0) {
      return skip(
        'not-applicable',
        'the target authenticates requestors (bearer tokens); listing per authorization context is checked by T25-SEC-02',
      );
    }
    const a = await ctx.session();
    if (needTasksMember(a, 'list') !== undefined)
      return pass('the server does not declare tasks.list, as recommended for a receiver that cannot identify requestors');
    const pre = needTaskTool(ctx, a, 'F-ECHO');
    if (pre) return pre;
    const [task] = await createEchoTasks(ctx, a, 1);
    const b = await ctx.connect();
    try {
      const walk = await walkTaskList(b);
      if (walk.failure)
        return pass(`a fresh session's tasks/list failed (${describeOutcome(walk.failure.outcome)}), so it exposes nothing`);
      c.note('listed for the fresh session', walk.ids.size);
      if (task && walk.ids.has(task.taskId)) {
        return warn(
          `without authentication, a fresh session's tasks/list shows the task ${task.taskId} of another session: the list leaks task metadata to any requestor. Do not declare tasks.list without a way to identify requestors, or scope the list per session`,
        );
      }
      return pass(`a fresh session's tasks/list (${walk.ids.size} tasks) does not show the other session's task`);
    } finally {
      await closeQuietly(b);
    }
  },
);

const SEC_05 = defineCheck(
  {
    id: 'T25-SEC-05',
    name: 'Rate limiting of task operations (observation)',
    description:
      'Receivers should rate-limit task operations. A small burst of tasks/get calls for an unknown ID records whether and how the server throttles.',
    level: 'SHOULD',
    specRefs: ['tasks §Task Isolation and Access Control'],
    fixtures: [],
    requires: ['tasks'],
  },
  async (ctx, c) => {
    const s = await ctx.session();
    const id = randomTaskId();
    const tooMany = (o: RpcOutcome) => 'http' in o && o.http?.status === 429;
    const label = (o: RpcOutcome) => (tooMany(o) ? 'HTTP 429' : outcomeLabel(o));
    // The same request once at rest: a server whose normal not-found answer is not -32602 (T25-ERR-01)
    // answers the burst the same way, which is no sign of throttling.
    const atRest = label(await getTask(s, id));
    c.note('atRest', atRest);
    const started = Date.now();
    const outcomes = await mapLimit(Array.from({ length: BURST }), 10, () => getTask(s, id));
    const ms = Date.now() - started;
    const labels = outcomes.map(label);
    const counts = tally(labels);
    c.note('outcomes', counts);
    const throttled = labels.filter((l) => l !== atRest).length;
    const rate = Math.round((BURST / Math.max(ms, 1)) * 1000);
    return info(
      throttled
        ? `${throttled} of ${BURST} tasks/get calls for an unknown ID (~${rate}/s) were answered differently from the same call at rest (${atRest}), which suggests throttling: ${j(counts)}`
        : `no throttling seen: ${BURST} tasks/get calls for an unknown ID (~${rate}/s) all answered as the same call at rest (${atRest}): ${j(counts)} (a small burst; real rate limits may sit higher)`,
    );
  },
);

const SEC_06 = defineCheck(
  {
    id: 'T25-SEC-06',
    name: 'A maximum ttl is enforced',
    description:
      'Receivers should enforce a maximum ttl (and limit concurrent tasks per requestor): a request for ttl 315360000000 (10 years) is granted a smaller ttl.',
    level: 'SHOULD',
    specRefs: ['tasks §Resource Management r1.1', 'tasks §Resource Management r1.2'],
    fixtures: ['F-ECHO'],
    requires: ['F-ECHO as task'],
  },
  async (ctx, c) => {
    const s = await ctx.session();
    let created;
    try {
      created = await createTask(s, ctx.fixtures, 'F-ECHO', { seconds: 0, label: ctx.nonce('l') }, { ttl: TEN_YEARS_MS });
    } catch (err) {
      return pass(`a task with ttl ${TEN_YEARS_MS} was refused (${(err as Error).message}): the server enforces a limit`);
    }
    const { outcome } = await statusOf(s, created.taskId);
    // tasks/get is where the actual ttl MUST appear; fall back to the CreateTaskResult.
    const granted = outcome.kind === 'result' ? outcome.result.ttl : created.ttl;
    c.note('ttl', {
      requested: TEN_YEARS_MS,
      inCreateTaskResult: created.ttl,
      inTasksGet: outcome.kind === 'result' ? outcome.result.ttl : describeOutcome(outcome),
    });
    if (granted === null)
      return warn(
        `a request for ttl ${TEN_YEARS_MS} ms (10 years) was granted an unlimited ttl (null): enforce and document a maximum ttl`,
      );
    if (granted === TEN_YEARS_MS)
      return warn(`a request for ttl ${TEN_YEARS_MS} ms (10 years) was granted unchanged: enforce and document a maximum ttl`);
    return pass(
      `a request for ttl ${TEN_YEARS_MS} ms was capped to ${j(granted)} ms (the concurrency limit is opt-in and not probed here)`,
    );
  },
);

const SEC_07 = defineCheck(
  {
    id: 'T25-SEC-07',
    name: 'Limits documented, cleanup, audit logging (manual)',
    description:
      'Limits (max ttl, max concurrent tasks) should be documented, expired tasks cleaned up promptly, and task operations audit-logged. Not testable black-box: a manual checklist item.',
    level: 'SHOULD',
    specRefs: ['tasks §Resource Management', 'tasks §Audit and Logging'],
    fixtures: [],
  },
  async () =>
    info(
      'manual item: check that the server documents its maximum ttl and maximum concurrent tasks per requestor, cleans up expired tasks promptly, and logs task creation, completion and retrieval (with the auth context) for audit',
    ),
);

/** Number of IDs the entropy heuristic needs (recipe: >= 50). */
const ID_SAMPLE = 50;
/** Size of the opt-in-style burst, kept small so normal runs stay fast and polite. */
const BURST = 100;
const TEN_YEARS_MS = 315_360_000_000;

/** A request from another principal counts as rejected on any JSON-RPC error or HTTP-level refusal. */
function rejection(method: string, o: RpcOutcome): Verdict {
  switch (o.kind) {
    case 'error':
      return o.error.code === -32602
        ? pass(`${method}: -32602`)
        : pass(`${method}: rejected with ${o.error.code} (-32602 is recommended so existence is not leaked)`);
    case 'closed':
      return pass(`${method}: refused at the HTTP level (${o.reason})`);
    case 'timeout':
      return fail(`${method} from principal B was accepted: it blocked on principal A's running task instead of being rejected`);
    case 'result':
      return fail(`${method} from principal B succeeded on principal A's task (${describeOutcome(o)}); it must be rejected`);
  }
}

const scenario = defineScenario({
  name: 'security',
  description: '2.P Security (T25-SEC-*)',
  checks: [SEC_01, SEC_02, SEC_03, SEC_04, SEC_05, SEC_06, SEC_07],
});

export default scenario;
