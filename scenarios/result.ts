// 2.H tasks/result (T25-RES-*): what tasks/result returns, and that it blocks exactly until the task is terminal.
import { isDeepStrictEqual } from 'node:util';
import { fail, pass, skip, warn, worst, type Verdict } from '../harness/checks.js';
import { isTerminal, type Task } from '../harness/protocol.js';
import type { CheckContext, RpcOutcome, ScenarioContext, Session } from '../harness/scenario.js';
import {
  callTool,
  cancelTask,
  createTask,
  describeOutcome,
  getTask,
  omitMeta,
  pollUntil,
  ProbeError,
  releaseGate,
  taskResult,
  TIMED_OUT,
  untilTerminal,
  within,
} from '../harness/tasks.js';
import { defineCheck, defineScenario } from './lib/define.js';
import { judgeText } from './lib/expected-result.js';
import { j } from './lib/format.js';
import { slowTaskRole } from './lib/preconditions.js';

const RES_01 = defineCheck(
  {
    id: 'T25-RES-01',
    name: 'tasks/result returns the final result of a completed task',
    description:
      'For a terminal task, tasks/result returns the final result of the underlying request. For a completed tools/call task that is the CallToolResult, as a successful JSON-RPC response.',
    level: 'MUST',
    specRefs: ['tasks §Result Retrieval r2'],
    fixtures: ['F-ECHO'],
    requires: ['F-ECHO as task'],
  },
  (ctx, c) => resultOfCompleted(ctx, c),
);

const RES_02 = defineCheck(
  {
    id: 'T25-RES-02',
    name: 'tasks/result is exactly what the direct call returns',
    description: 'The result of tasks/result is exactly what the underlying request would have returned (compared without _meta).',
    level: 'MUST',
    specRefs: ['tasks §Result Retrieval r4', 'tasks §Task Execution Errors'],
    fixtures: ['F-ECHO'],
    requires: ['F-ECHO as task'],
  },
  (ctx, c) => sameAsDirect(ctx, c),
);

const RES_03 = defineCheck(
  {
    id: 'T25-RES-03',
    name: 'tasks/result blocks until the task is terminal',
    description:
      'For a task in working or input_required, tasks/result blocks until the task reaches a terminal status, then returns the final result. Without the gate fixture, a long F-ECHO task stands in (the verdict then rests on timing).',
    level: 'MUST',
    specRefs: ['tasks §Result Retrieval r3'],
    fixtures: [],
    requires: ['tasks.requests.tools.call'],
  },
  async (ctx, c) => {
    const role = slowTaskRole(ctx, await ctx.session());
    if (typeof role !== 'string') return role;
    return role === 'F-GATE' ? blocksUntilTerminal(ctx, c) : blocksOnTimedWork(ctx, c);
  },
);

const RES_04 = defineCheck(
  {
    id: 'T25-RES-04',
    name: 'tasks/result returns the same JSON-RPC error',
    description:
      'If the underlying request ended in a JSON-RPC error, tasks/result returns that same JSON-RPC error as an error response, not as a result.',
    level: 'MUST',
    specRefs: ['tasks §Result Retrieval r2', 'tasks §Result Retrieval r4', 'tasks §Task Execution Errors'],
    fixtures: ['F-RPCERR'],
    requires: ['F-RPCERR as task'],
  },
  (ctx, c) => sameRpcError(ctx, c),
);

const RES_05 = defineCheck(
  {
    id: 'T25-RES-05',
    name: 'tasks/result returns an isError tool result as a successful response',
    description:
      'If the tool finished with isError:true, tasks/result returns that CallToolResult as a successful JSON-RPC response; it is not turned into a JSON-RPC error.',
    level: 'MUST',
    specRefs: ['tasks §Result Retrieval r4'],
    fixtures: ['F-TOOLERR'],
    requires: ['F-TOOLERR as task'],
  },
  (ctx, c) => toolErrorAsResult(ctx, c),
);

const RES_06 = defineCheck(
  {
    id: 'T25-RES-06',
    name: 'tasks/result on a cancelled task returns without blocking',
    description: 'A cancelled task is terminal, so tasks/result for it returns at once (its content is unspecified).',
    level: 'MUST',
    specRefs: ['tasks §Result Retrieval r2'],
    fixtures: ['F-GATE', 'F-GATE-RELEASE'],
    requires: ['F-GATE as task'],
  },
  (ctx, c) => cancelledReturns(ctx, c),
);

const RES_07 = defineCheck(
  {
    id: 'T25-RES-07',
    name: 'A pending tasks/result is answered when the task is cancelled',
    description:
      'A tasks/result that is waiting when the task reaches a terminal status (here: through tasks/cancel) is answered promptly.',
    level: 'MUST',
    specRefs: ['tasks §Result Retrieval r3'],
    fixtures: ['F-GATE', 'F-GATE-RELEASE'],
    requires: ['F-GATE as task'],
  },
  (ctx, c) => pendingAnsweredOnCancel(ctx, c),
);

/** protocol_error_job's documented JSON-RPC error code (docs/fixtures.md). */
const RPCERR_CODE = -32603;
/** tasks/result on a terminal task must answer "at once": the recipe's bound. */
const PROMPT_MS = 2000;

const quietMs = (ctx: ScenarioContext) => 1500 + (ctx.transport === 'http' ? 250 : 0);
/** RES-03 without a gate: the F-ECHO work outlasts the quiet window by this much. */
const TIMED_WORK_EXTRA_MS = 2000;

/** Polls to terminal; throws ProbeError (the check cannot run) when the task never gets there. */
async function settle(ctx: ScenarioContext, s: Session, task: Task): Promise<Task> {
  const poll = await pollUntil(s, task.taskId, untilTerminal, ctx.timeouts.settleMs);
  if (poll.failure)
    throw new ProbeError(`tasks/get on ${task.taskId} failed while polling: ${describeOutcome(poll.failure)}`, poll.failure);
  if (!poll.reached) {
    const last = poll.observed.at(-1)?.status;
    throw new ProbeError(
      `task ${task.taskId} did not reach a terminal status within ${ctx.timeouts.settleMs} ms (last status: ${last ?? 'none'})`,
    );
  }
  return poll.reached;
}

async function resultOfCompleted(ctx: ScenarioContext, c: CheckContext): Promise<Verdict> {
  const s = await ctx.session();
  const values = { seconds: 0.2, label: ctx.nonce('res') };
  const task = await createTask(s, ctx.fixtures, 'F-ECHO', values);
  const final = await settle(ctx, s, task);
  if (final.status !== 'completed')
    throw new ProbeError(`F-ECHO task ended "${final.status}", not "completed"; cannot check the result of a completed task`);
  const o = await taskResult(s, task.taskId);
  c.note('tasksResult', describeOutcome(o));
  if (o.kind !== 'result')
    return fail(
      `tasks/result on the completed task ${task.taskId} answered ${describeOutcome(o)}; expected a successful response carrying the CallToolResult`,
    );
  if (!Array.isArray(o.result.content))
    return fail(`tasks/result answered a result without a content array (${describeOutcome(o)}); expected the CallToolResult of F-ECHO`);
  const judged = judgeText(ctx, 'F-ECHO', values, o.result);
  c.note('expectedText', judged);
  if (judged.kind === 'mismatch')
    return fail(
      `tasks/result content does not contain ${j(judged.expected)} (${judged.source}) (got ${JSON.stringify(o.result.content).slice(0, 300)})`,
    );
  if (judged.kind === 'match') return pass(`tasks/result answered the CallToolResult containing ${j(judged.expected)} (${judged.source})`);
  // Nothing promised: the shape is what this rule can judge; the content is compared with the direct call as evidence
  // (T25-RES-02 judges that equality, so a tool that answers differently each time is not failed twice).
  const direct = await callTool(s, ctx.fixtures, 'F-ECHO', values);
  const same = direct.kind === 'result' && isDeepStrictEqual(omitMeta(direct.result), omitMeta(o.result));
  c.note('directCall', describeOutcome(direct));
  const basis = same ? 'it equals the direct call with the same arguments' : 'T25-RES-02 compares it with the direct call';
  return pass(`tasks/result answered a CallToolResult (result text not compared: ${judged.why}; ${basis})`);
}

async function sameAsDirect(ctx: ScenarioContext, c: CheckContext): Promise<Verdict> {
  const s = await ctx.session();
  const label = ctx.nonce('res');
  const args = { seconds: 0, label };
  const direct = await callTool(s, ctx.fixtures, 'F-ECHO', args);
  if (direct.kind !== 'result') throw new ProbeError(`direct tools/call of slow_compute failed: ${describeOutcome(direct)}`, direct);
  const task = await createTask(s, ctx.fixtures, 'F-ECHO', args);
  await settle(ctx, s, task);
  const viaTask = await taskResult(s, task.taskId);
  if (viaTask.kind !== 'result') return fail(`tasks/result answered ${describeOutcome(viaTask)}, but the direct call answered a result`);
  const a = omitMeta(viaTask.result);
  const b = omitMeta(direct.result);
  c.note('direct', b);
  c.note('viaTask', a);
  if (!isDeepStrictEqual(a, b)) {
    return fail(
      `tasks/result ${JSON.stringify(a).slice(0, 300)} differs from the direct call's result ${JSON.stringify(b).slice(0, 300)} (compared without _meta)`,
    );
  }
  return pass('tasks/result equals the direct call result (without _meta)');
}

/** RES-03 without a gate: F-ECHO work that outlasts the quiet window, so the task is provably still working. */
async function blocksOnTimedWork(ctx: ScenarioContext, c: CheckContext): Promise<Verdict> {
  const s = await ctx.session();
  const window = quietMs(ctx);
  const workMs = window + TIMED_WORK_EXTRA_MS;
  const label = ctx.nonce('res03');
  const task = await createTask(s, ctx.fixtures, 'F-ECHO', { seconds: workMs / 1000, label });
  const basis = `no gate fixture: F-ECHO work of ${workMs} ms stands in, so this verdict rests on timing`;
  c.note('basis', basis);
  const pending = taskResult(s, task.taskId, workMs + ctx.timeouts.settleMs + ctx.timeouts.requestMs);
  const early = await within(pending, window);
  if (early !== TIMED_OUT) {
    // Proof that the task was still running: tasks/get says so after the early answer.
    const mid = await getTask(s, task.taskId);
    c.note('tasksGetAfterEarlyAnswer', describeOutcome(mid));
    const stillRunning = mid.kind === 'result' && !isTerminal(mid.result.status);
    if (stillRunning && (early.kind !== 'closed' || ctx.transport !== 'http')) {
      return fail(
        `tasks/result answered within ${window} ms although the task was still ${j(mid.result.status)} (its ${workMs} ms of work had not elapsed, and a tasks/get sent afterwards still showed it): ${describeOutcome(early)}; it must block until the task is terminal (${basis})`,
      );
    }
    if (!stillRunning)
      return skip(
        'missing-fixture',
        `the F-ECHO task ended within ${window} ms (tasks/get: ${describeOutcome(mid)}), so nothing blocked: ${basis}`,
        ['F-GATE', 'F-GATE-RELEASE'],
      );
  }
  const settled = await within(pending, workMs + ctx.timeouts.settleMs);
  const final = settled === TIMED_OUT || settled.kind === 'closed' ? await taskResult(s, (await settle(ctx, s, task)).taskId) : settled;
  c.note('tasksResult', describeOutcome(final));
  if (final.kind !== 'result')
    return fail(`once the work ended, tasks/result answered ${describeOutcome(final)}; expected the final CallToolResult`);
  const after = await getTask(s, task.taskId);
  if (after.kind === 'result' && !isTerminal(after.result.status))
    return fail(`tasks/result returned the final result, but a tasks/get sent afterwards still shows "${String(after.result.status)}"`);
  return pass(`tasks/result stayed unanswered for ${window} ms while the task worked, then returned its result (${basis})`);
}

async function blocksUntilTerminal(ctx: ScenarioContext, c: CheckContext): Promise<Verdict> {
  const s = await ctx.session();
  const gateId = ctx.nonce('g');
  const task = await createTask(s, ctx.fixtures, 'F-GATE', { gateId });
  let released = false;
  try {
    const window = quietMs(ctx);
    const pending = taskResult(s, task.taskId, window + ctx.timeouts.settleMs + ctx.timeouts.requestMs);
    const early = await within(pending, window);
    const verdicts: Verdict[] = [];
    let finalOutcome: RpcOutcome | undefined;
    if (early !== TIMED_OUT) {
      if (early.kind !== 'closed' || ctx.transport !== 'http') {
        return fail(
          `tasks/result answered within ${window} ms while the gate was closed and the task was still running: ${describeOutcome(early)}; it must block until the task is terminal`,
        );
      }
      // HTTP: the SSE stream closed without a response; the transport allows that, the client asks again.
      verdicts.push(warn(`the tasks/result SSE stream closed without a response (${early.reason}); asked again after the release`));
    }
    const mid = await getTask(s, task.taskId);
    c.note('tasksGetWhileBlocked', describeOutcome(mid));
    if (mid.kind === 'result' && isTerminal(mid.result.status)) {
      return fail(`tasks/get showed "${String(mid.result.status)}" while the gate was closed, yet tasks/result had not answered`);
    }
    try {
      await releaseGate(s, ctx.fixtures, gateId);
    } catch (e) {
      if (!(e instanceof ProbeError) || e.outcome?.kind !== 'timeout') throw e;
      // The connection is wedged behind the blocked tasks/result: drop it so later checks get a fresh one.
      released = true;
      await s.close().catch(() => undefined);
      return fail(
        `release_gate got no answer while tasks/result was pending (${describeOutcome(e.outcome)}): the server handles requests one at a time, so a blocked tasks/result blocks every other request (on stdio, handle requests concurrently)`,
      );
    }
    released = true;
    if (early === TIMED_OUT) {
      const settled = await within(pending, ctx.timeouts.settleMs);
      if (settled === TIMED_OUT)
        return fail(`tasks/result did not answer within ${ctx.timeouts.settleMs} ms after release_gate ended the task`);
      finalOutcome = settled;
      if (settled.kind === 'closed' && ctx.transport === 'http') {
        verdicts.push(warn(`the tasks/result SSE stream closed without a response (${settled.reason}); asked again`));
        finalOutcome = undefined;
      }
    }
    if (!finalOutcome) {
      await settle(ctx, s, task);
      finalOutcome = await taskResult(s, task.taskId);
    }
    c.note('tasksResult', describeOutcome(finalOutcome));
    if (finalOutcome.kind !== 'result')
      return fail(`after release, tasks/result answered ${describeOutcome(finalOutcome)}; expected the final CallToolResult`);
    const judged = judgeText(ctx, 'F-GATE', { gateId }, finalOutcome.result);
    c.note('expectedText', judged);
    if (judged.kind === 'mismatch')
      return fail(`tasks/result answered ${describeOutcome(finalOutcome)}; expected text ${j(judged.expected)} (${judged.source})`);
    const answered = judged.kind === 'match' ? j(judged.expected) : `its result (text not compared: ${judged.why})`;
    const after = await getTask(s, task.taskId);
    if (after.kind === 'result' && !isTerminal(after.result.status)) {
      return fail(`tasks/result returned the final result, but a tasks/get sent afterwards still shows "${String(after.result.status)}"`);
    }
    verdicts.push(pass(`tasks/result stayed pending for ${window} ms while the task was working and answered ${answered} after release`));
    return worst(verdicts);
  } finally {
    if (!released) await releaseGate(s, ctx.fixtures, gateId).catch(() => undefined);
  }
}

async function sameRpcError(ctx: ScenarioContext, c: CheckContext): Promise<Verdict> {
  const s = await ctx.session();
  const direct = await callTool(s, ctx.fixtures, 'F-RPCERR', {});
  c.note('direct', describeOutcome(direct));
  const task = await createTask(s, ctx.fixtures, 'F-RPCERR', {});
  const final = await settle(ctx, s, task);
  c.note('terminalStatus', final.status);
  const o = await taskResult(s, task.taskId);
  c.note('tasksResult', describeOutcome(o));
  if (o.kind === 'result') {
    return fail(
      `tasks/result answered a successful result (${describeOutcome(o)}), but the tool ended with JSON-RPC error ${RPCERR_CODE}; tasks/result must return that same error`,
    );
  }
  if (o.kind !== 'error') return fail(`tasks/result answered ${describeOutcome(o)}; expected JSON-RPC error ${RPCERR_CODE}`);
  const verdicts: Verdict[] = [];
  // The direct call is the reference; the contract's documented code only stands in when it gave no error.
  if (o.error.code !== RPCERR_CODE && direct.kind !== 'error')
    verdicts.push(fail(`tasks/result error code ${o.error.code} differs from the fixture's documented code ${RPCERR_CODE}`));
  if (direct.kind === 'error') {
    if (direct.error.code !== o.error.code) {
      verdicts.push(fail(`tasks/result error code ${o.error.code} differs from the direct call's code ${direct.error.code}`));
    } else if (direct.error.message !== o.error.message || !isDeepStrictEqual(direct.error.data, o.error.data)) {
      // A25-15: only the code is clearly required to match.
      verdicts.push(
        warn(
          `tasks/result error has the same code but a different message/data than the direct call ("${o.error.message}" vs "${direct.error.message}")`,
        ),
      );
    }
  } else {
    c.note('directNotAnError', 'the direct call did not answer a JSON-RPC error; compared with the documented code only');
  }
  verdicts.push(pass(`tasks/result answered JSON-RPC error ${o.error.code}, as the direct call did`));
  return worst(verdicts);
}

async function toolErrorAsResult(ctx: ScenarioContext, c: CheckContext): Promise<Verdict> {
  const s = await ctx.session();
  const task = await createTask(s, ctx.fixtures, 'F-TOOLERR', {});
  const final = await settle(ctx, s, task);
  c.note('terminalStatus', final.status);
  const o = await taskResult(s, task.taskId);
  c.note('tasksResult', describeOutcome(o));
  if (o.kind !== 'result') {
    return fail(
      `tasks/result answered ${describeOutcome(o)}; a tool result with isError:true must come back as a successful response carrying that CallToolResult`,
    );
  }
  if (o.result.isError !== true)
    return fail(
      `tasks/result answered a result without isError:true (${describeOutcome(o)}); expected failing_job's isError CallToolResult`,
    );
  // The role's tool may be taskSupport "required", so there is no direct call to compare with: only a
  // promised text (the contract's, or the mapping's expect:) is a reference for the content.
  const judged = judgeText(ctx, 'F-TOOLERR', {}, o.result);
  c.note('expectedText', judged);
  if (judged.kind === 'mismatch')
    return warn(
      `tasks/result content ${JSON.stringify(o.result.content).slice(0, 300)} differs from the promised text ${j(judged.expected)} (${judged.source})`,
    );
  const content = judged.kind === 'unknown' ? ` (content not compared: ${judged.why})` : '';
  return pass(`tasks/result answered the isError CallToolResult as a successful response${content}`);
}

async function cancelledReturns(ctx: ScenarioContext, c: CheckContext): Promise<Verdict> {
  const s = await ctx.session();
  const gateId = ctx.nonce('g');
  const task = await createTask(s, ctx.fixtures, 'F-GATE', { gateId });
  try {
    const cancel = await cancelTask(s, task.taskId);
    if (cancel.kind !== 'result') throw new ProbeError(`tasks/cancel of the running task failed: ${describeOutcome(cancel)}`, cancel);
    const bound = PROMPT_MS + (ctx.transport === 'http' ? 250 : 0);
    const o = await within(taskResult(s, task.taskId, bound + ctx.timeouts.requestMs), bound);
    if (o === TIMED_OUT)
      return fail(
        `tasks/result on the cancelled task ${task.taskId} did not answer within ${bound} ms; a cancelled task is terminal, so it must not block`,
      );
    c.note('tasksResult', describeOutcome(o));
    if (o.kind === 'timeout' || o.kind === 'closed')
      return fail(`tasks/result on the cancelled task did not answer: ${describeOutcome(o)}`);
    return pass(`tasks/result on the cancelled task answered at once: ${describeOutcome(o as RpcOutcome)}`);
  } finally {
    await releaseGate(s, ctx.fixtures, gateId).catch(() => undefined);
  }
}

async function pendingAnsweredOnCancel(ctx: ScenarioContext, c: CheckContext): Promise<Verdict> {
  const s = await ctx.session();
  const gateId = ctx.nonce('g');
  const task = await createTask(s, ctx.fixtures, 'F-GATE', { gateId });
  try {
    const pending = taskResult(s, task.taskId, 2 * ctx.timeouts.settleMs + ctx.timeouts.requestMs);
    // Give the tasks/result time to reach the server before cancelling (HTTP POSTs may race).
    const early = await within(pending, 300 + (ctx.transport === 'http' ? 250 : 0));
    if (early !== TIMED_OUT) {
      throw new ProbeError(
        `tasks/result answered before the task was terminal (${describeOutcome(early)}), so no pending tasks/result could be observed (see T25-RES-03)`,
      );
    }
    const cancel = await cancelTask(s, task.taskId);
    if (cancel.kind !== 'result') throw new ProbeError(`tasks/cancel of the running task failed: ${describeOutcome(cancel)}`, cancel);
    const o = await within(pending, ctx.timeouts.settleMs);
    if (o === TIMED_OUT)
      return fail(
        `the tasks/result pending since before the cancel did not answer within ${ctx.timeouts.settleMs} ms after tasks/cancel made the task terminal`,
      );
    c.note('tasksResult', describeOutcome(o));
    if (o.kind === 'timeout') return fail(`the pending tasks/result never answered: ${describeOutcome(o)}`);
    return pass(`the pending tasks/result answered after the cancel: ${describeOutcome(o)}`);
  } finally {
    await releaseGate(s, ctx.fixtures, gateId).catch(() => undefined);
  }
}

const scenario = defineScenario({
  name: 'result',
  description: '2.H tasks/result (T25-RES-*)',
  checks: [RES_01, RES_02, RES_03, RES_04, RES_05, RES_06, RES_07],
});

export default scenario;
