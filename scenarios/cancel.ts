// 2.N Cancellation (T25-CAN-*): tasks/cancel moves a running task to cancelled before answering, the
// status sticks, work stops, terminal tasks and unknown IDs are rejected with -32602, and cancelling in
// input_required releases a pending tasks/result.
import { fail, info, pass, skip, warn, worst, type Verdict } from '../harness/checks.js';
import { relatedTaskId, RELATED_TASK } from '../harness/protocol.js';
import type { JsonObject, RpcOutcome, ServerRequest, Session } from '../harness/scenario.js';
import { validateDef } from '../harness/schema.js';
import {
  cancelTask,
  createTask,
  describeOutcome,
  pollDelay,
  pollUntil,
  releaseGate,
  sleep,
  taskResult,
  TIMED_OUT,
  within,
} from '../harness/tasks.js';
import { closeQuietly, releaseQuietly } from './lib/cleanup.js';
import { errorCode, j } from './lib/format.js';
import { needTaskTool, needTasksMember, slowTaskRole } from './lib/preconditions.js';
import { blockingTimeoutMs, createGated, deferred, quietWindowMs, randomTaskId, statusOf, terminalTask } from './lib/task-setup.js';
import { observeWorkAfterCancel, judgeWorkAfterCancel } from './lib/cancel-stops-work.js';
import { defineCheck, defineScenario } from './lib/define.js';

const CAN_01 = defineCheck(
  {
    id: 'T25-CAN-01',
    name: 'tasks/cancel answers a cancelled Task',
    description:
      'tasks/cancel on a non-terminal task moves it to cancelled before responding; the response is a CancelTaskResult (a flat Task) with status "cancelled" and the same taskId.',
    level: 'MUST',
    specRefs: ['tasks §Task Cancellation r2', 'tasks §Cancelling Tasks', 'schema CancelTaskResult'],
    fixtures: ['F-GATE', 'F-GATE-RELEASE'],
    requires: ['tasks.cancel', 'F-GATE as task'],
  },
  async (ctx) => {
    const s = await ctx.session();
    const { task, gateId } = await createGated(ctx, s);
    try {
      const o = await cancelTask(s, task.taskId);
      if (o.kind !== 'result')
        return fail(`tasks/cancel of the running task ${task.taskId} must answer a CancelTaskResult; got ${describeOutcome(o)}`);
      const r = o.result;
      if (r.taskId === undefined && typeof r.task === 'object')
        return fail(`the CancelTaskResult must be a flat Task, but the Task is wrapped in "task": ${j(r)}`);
      const verdicts: Verdict[] = [];
      if (r.status !== 'cancelled')
        verdicts.push(
          fail(`the CancelTaskResult must carry status "cancelled" (the task moves to cancelled before the response), got ${j(r.status)}`),
        );
      if (r.taskId !== task.taskId) verdicts.push(fail(`the CancelTaskResult must carry taskId ${task.taskId}, got ${j(r.taskId)}`));
      const violation = validateDef('CancelTaskResult', r);
      if (violation) verdicts.push(fail(`the CancelTaskResult does not match the schema: ${violation.errors.join('; ')}`));
      return verdicts.length ? worst(verdicts) : pass(`tasks/cancel answered the flat Task ${task.taskId} with status "cancelled"`);
    } finally {
      await releaseQuietly(s, ctx, gateId);
    }
  },
);

const CAN_02 = defineCheck(
  {
    id: 'T25-CAN-02',
    name: 'A cancelled task reads back as cancelled (or gone)',
    description:
      'After a successful tasks/cancel, tasks/get shows the task as cancelled, or as not found (-32602) because cancelled tasks may be deleted.',
    level: 'MUST',
    specRefs: ['tasks §Task Cancellation r2', 'tasks §Task Cancellation r4'],
    fixtures: ['F-GATE', 'F-GATE-RELEASE'],
    requires: ['tasks.cancel', 'F-GATE as task'],
  },
  async (ctx) => {
    const s = await ctx.session();
    const { task, gateId } = await createGated(ctx, s);
    try {
      await mustCancel(s, task.taskId);
      const { status, outcome } = await statusOf(s, task.taskId);
      if (status === 'cancelled') return pass('tasks/get right after tasks/cancel shows "cancelled"');
      if (status === 'not-found')
        return pass('tasks/get right after tasks/cancel answers -32602: the cancelled task was deleted (allowed)');
      return fail(
        `right after a successful tasks/cancel, tasks/get must show "cancelled" (or -32602 if deleted); got ${status ? `status "${status}"` : describeOutcome(outcome)}`,
      );
    } finally {
      await releaseQuietly(s, ctx, gateId);
    }
  },
);

const CAN_03 = defineCheck(
  {
    id: 'T25-CAN-03',
    name: 'Cancelled stays cancelled when the work finishes later',
    description: 'Once a task is cancelled it must remain cancelled even if execution continues to completion or fails.',
    level: 'MUST',
    specRefs: ['tasks §Task Cancellation r3'],
    fixtures: ['F-GATE', 'F-GATE-RELEASE'],
    requires: ['tasks.cancel', 'F-GATE as task'],
  },
  async (ctx, c) => {
    const s = await ctx.session();
    const verdicts: Verdict[] = [];
    for (const outcome of ['success', 'protocol_error'] as const) {
      const { task, gateId } = await createGated(ctx, s);
      try {
        const cancelled = await mustCancel(s, task.taskId);
        // The release lets the work run to its end if cancellation did not stop it.
        await releaseGate(s, ctx.fixtures, gateId, outcome);
        await sleep(2 * pollDelay(cancelled) + 1000);
        const { status, outcome: o } = await statusOf(s, task.taskId);
        c.note(`after release (${outcome})`, status ?? describeOutcome(o));
        if (status === 'cancelled' || status === 'not-found') continue;
        verdicts.push(
          fail(
            `task ${task.taskId} was cancelled, then its gate was released with outcome "${outcome}"; it must stay cancelled, but tasks/get now shows ${status ? `"${status}"` : describeOutcome(o)}`,
          ),
        );
      } finally {
        await releaseQuietly(s, ctx, gateId);
      }
    }
    return verdicts.length
      ? worst(verdicts)
      : pass(
          'both cancelled tasks stayed cancelled (or were deleted) after their work was released with success and with a protocol error',
        );
  },
);

const CAN_04 = defineCheck(
  {
    id: 'T25-CAN-04',
    name: 'Cancellation stops the work',
    description:
      'Upon a valid cancellation request the receiver should attempt to stop the task execution (gate_state reports "aborted", or the work never finishes after a later release).',
    level: 'SHOULD',
    specRefs: ['tasks §Task Cancellation r2'],
    fixtures: [],
    requires: ['tasks.cancel'],
  },
  // The probe and its reading are shared with LC-07 (scenarios/lifecycle.ts), which adds the profile property.
  async (ctx, c) => judgeWorkAfterCancel(await observeWorkAfterCancel(ctx, await ctx.session(), c)).verdict,
);

const CAN_05 = defineCheck(
  {
    id: 'T25-CAN-05',
    name: 'Cancelling a terminal task fails with -32602',
    description: 'Receivers must reject cancellation of tasks already completed, failed or cancelled with error -32602 (Invalid params).',
    level: 'MUST',
    specRefs: ['tasks §Task Cancellation r1', 'tasks §Protocol Errors'],
    fixtures: ['F-ECHO', 'F-TOOLERR'],
    requires: ['tasks.cancel', 'F-ECHO as task', 'F-TOOLERR as task'],
  },
  async (ctx, c) => {
    const s = await ctx.session();
    const verdicts: Verdict[] = [];
    const roles: Array<'F-ECHO' | 'F-TOOLERR' | 'F-RPCERR'> = ['F-ECHO', 'F-TOOLERR'];
    if (needTaskTool(ctx, s, 'F-RPCERR') === undefined) roles.push('F-RPCERR');
    for (const role of roles) {
      const t = await terminalTask(ctx, s, role);
      const v = expect32602(`tasks/cancel of a ${t.status} task (${ctx.fixtures.tool(role)})`, await cancelTask(s, t.taskId));
      c.note(`${ctx.fixtures.tool(role)} (${t.status})`, v.status);
      verdicts.push(v);
    }
    // The cancelled case needs a task still running when the first cancel comes: the gate, else long F-ECHO work.
    const slow = slowTaskRole(ctx, s);
    if (slow === 'F-GATE') {
      const { task, gateId } = await createGated(ctx, s);
      try {
        await mustCancel(s, task.taskId);
        verdicts.push(expect32602('a second tasks/cancel of a cancelled task', await cancelTask(s, task.taskId)));
      } finally {
        await releaseQuietly(s, ctx, gateId);
      }
    } else if (slow === 'F-ECHO') {
      const task = await createTask(s, ctx.fixtures, 'F-ECHO', { seconds: LONG_WORK_S, label: ctx.nonce('can05') });
      await mustCancel(s, task.taskId);
      verdicts.push(expect32602('a second tasks/cancel of a cancelled task (a long F-ECHO task)', await cancelTask(s, task.taskId)));
    } else {
      c.note('cancelled case', `not run: ${slow.message ?? 'no task tool that stays running'}`);
    }
    const failed = verdicts.filter((v) => v.status === 'FAILURE');
    return failed.length
      ? worst(failed)
      : pass(`every cancel of a terminal task was rejected with -32602 (${verdicts.map((v) => v.message).join('; ')})`);
  },
);

/** F-ECHO work that outlasts any check when no gate can hold a task open (it is cancelled at once). */
const LONG_WORK_S = 30;

const CAN_06 = defineCheck(
  {
    id: 'T25-CAN-06',
    name: 'Cancelling an unknown taskId fails with -32602',
    description: 'tasks/cancel with a nonexistent taskId returns error -32602 (Invalid params).',
    level: 'MUST',
    specRefs: ['tasks §Protocol Errors'],
    fixtures: [],
    requires: ['tasks.cancel'],
  },
  async (ctx) => {
    const s = await ctx.session();
    const id = randomTaskId();
    return expect32602(`tasks/cancel of the unknown taskId ${id}`, await cancelTask(s, id));
  },
);

const CAN_07 = defineCheck(
  {
    id: 'T25-CAN-07',
    name: 'Retention of cancelled tasks (observation)',
    description:
      'Receivers may delete cancelled tasks at any time, including immediately; records whether the cancelled task was retained.',
    level: 'MAY',
    specRefs: ['tasks §Task Cancellation r4'],
    fixtures: ['F-GATE', 'F-GATE-RELEASE'],
    requires: ['tasks.cancel', 'F-GATE as task'],
  },
  async (ctx, c) => {
    const s = await ctx.session();
    const { task, gateId } = await createGated(ctx, s);
    try {
      await mustCancel(s, task.taskId);
      const { status, outcome } = await statusOf(s, task.taskId);
      const res = await taskResult(s, task.taskId, blockingTimeoutMs(ctx));
      c.note('tasks/result of the cancelled task', describeOutcome(res));
      const kept =
        status === 'cancelled'
          ? 'retained (tasks/get shows "cancelled")'
          : status === 'not-found'
            ? 'deleted at once (tasks/get answers -32602)'
            : `in an unexpected state (${describeOutcome(outcome)})`;
      return info(`the cancelled task was ${kept}; its tasks/result answered ${describeOutcome(res)}`);
    } finally {
      await releaseQuietly(s, ctx, gateId);
    }
  },
);

const CAN_08 = defineCheck(
  {
    id: 'T25-CAN-08',
    name: 'Cancelling in input_required releases tasks/result',
    description:
      'Cancelling a task that waits for input makes it cancelled, answers a pending tasks/result, keeps it cancelled when the old elicitation is answered late, and (SHOULD) sends no new server-to-client requests for it.',
    level: 'MUST',
    specRefs: ['tasks §Task Cancellation r2', 'tasks §Result Retrieval r3'],
    fixtures: ['F-ELICIT'],
    requires: ['tasks.cancel', 'F-ELICIT as task'],
  },
  async (ctx, c) => {
    // A session of its own: its elicitations are held unanswered, which would stall other checks.
    const s = await ctx.connect();
    const answer = deferred<JsonObject>();
    s.onServerRequest((req) => (req.method === 'elicitation/create' ? answer.promise : undefined));
    let taskId: string | undefined;
    try {
      const task = await createTask(s, ctx.fixtures, 'F-ELICIT', {});
      taskId = task.taskId;
      // The server may deliver the elicitation only while tasks/result is open (A25-10).
      const pending = taskResult(s, task.taskId, blockingTimeoutMs(ctx));
      const elicit = await s.waitForServerRequest(isElicitFor(task.taskId), ctx.timeouts.settleMs);
      if (!elicit) {
        const { status } = await statusOf(s, task.taskId);
        return skip(
          'missing-fixture',
          `${ctx.fixtures.tool('F-ELICIT')} sent no elicitation/create for task ${task.taskId} within ${ctx.timeouts.settleMs} ms (status ${j(status)}), so there is no input_required state to cancel in`,
          ['F-ELICIT'],
        );
      }
      const waiting = await pollUntil(s, task.taskId, (t) => t.status !== 'working', 5000, { holdInput: true });
      c.note('status before cancel', waiting.reached?.status ?? waiting.observed.at(-1)?.status);
      const requestsBefore = s.serverRequests().filter(isElicitFor(task.taskId)).length;
      const verdicts: Verdict[] = [];

      const cancel = await cancelTask(s, task.taskId);
      if (cancel.kind !== 'result' || cancel.result.status !== 'cancelled') {
        return fail(
          `tasks/cancel of the task waiting for input (${task.taskId}) must answer a Task with status "cancelled"; got ${describeOutcome(cancel)}`,
        );
      }
      const released = await within(pending, ctx.timeouts.settleMs);
      if (released === TIMED_OUT) {
        verdicts.push(
          fail(
            `the pending tasks/result for ${task.taskId} did not answer within ${ctx.timeouts.settleMs} ms after the task was cancelled in input_required`,
          ),
        );
      } else {
        c.note('pending tasks/result answered', describeOutcome(released));
      }

      // The old elicitation is answered late: it must not revive the task.
      answer.resolve({ action: 'accept', content: { name: 'Ada' }, _meta: { [RELATED_TASK]: { taskId: task.taskId } } });
      await sleep(quietWindowMs(ctx));
      const { status, outcome } = await statusOf(s, task.taskId);
      if (status !== 'cancelled' && status !== 'not-found') {
        verdicts.push(
          fail(
            `after the late answer to its elicitation, the cancelled task must stay cancelled; tasks/get shows ${status ? `"${status}"` : describeOutcome(outcome)}`,
          ),
        );
      }
      const newRequests = s.serverRequests().filter(isElicitFor(task.taskId)).length - requestsBefore;
      if (newRequests > 0)
        verdicts.push(warn(`${newRequests} new elicitation/create request(s) for task ${task.taskId} arrived after it was cancelled`));
      return verdicts.length
        ? worst(verdicts)
        : pass(
            'cancelled in input_required: the pending tasks/result answered, the late elicitation answer left it cancelled, and no new requests followed',
          );
    } finally {
      answer.resolve({ action: 'cancel', _meta: taskId ? { [RELATED_TASK]: { taskId } } : {} });
      await closeQuietly(s);
    }
  },
);

const CAN_09 = defineCheck(
  {
    id: 'T25-CAN-09',
    name: 'tasks/cancel without the tasks.cancel capability (observation)',
    description:
      'Behaviour of tasks/cancel when the server does not declare tasks.cancel is unspecified (A25-13); -32601 is expected. Recorded only.',
    level: 'MAY',
    specRefs: ['tasks §Capability Negotiation'],
    fixtures: [],
  },
  async (ctx) => {
    const s = await ctx.session();
    if (needTasksMember(s, 'cancel') === undefined) {
      return skip('not-applicable', 'the server declares capabilities.tasks.cancel; this observation concerns servers that do not');
    }
    const id = randomTaskId();
    const o = await cancelTask(s, id);
    const expected = errorCode(o) === -32601 ? ' (the expected -32601)' : '';
    return info(`tasks/cancel {taskId:"${id}"} without capabilities.tasks.cancel answered ${describeOutcome(o)}${expected}`, {
      outcome: o.kind === 'error' ? o.error : o.kind,
    });
  },
);

/** Cancels and expects success; anything else is a precondition failure of the calling check. */
async function mustCancel(s: Session, taskId: string): Promise<JsonObject> {
  const o = await cancelTask(s, taskId);
  if (o.kind !== 'result')
    throw new Error(
      `tasks/cancel of the running task ${taskId} failed (${describeOutcome(o)}), so this check cannot proceed; see T25-CAN-01`,
    );
  return o.result;
}

function expect32602(what: string, o: RpcOutcome): Verdict {
  if (errorCode(o) === -32602) return pass(`${what}: -32602`);
  if (o.kind === 'result') return fail(`${what} must be rejected with -32602, but it succeeded (status ${j(o.result.status)})`);
  return fail(`${what} must be rejected with -32602; got ${describeOutcome(o)}`);
}

const isElicitFor = (taskId: string) => (r: ServerRequest) => r.method === 'elicitation/create' && relatedTaskId(r.params._meta) === taskId;

const scenario = defineScenario({
  name: 'cancel',
  description: '2.N Cancellation (T25-CAN-*)',
  checks: [CAN_01, CAN_02, CAN_03, CAN_04, CAN_05, CAN_06, CAN_07, CAN_08, CAN_09],
});

export default scenario;
