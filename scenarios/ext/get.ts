// 2.E tasks/get of the 2026-07-28 extension (EXT-GET-*): the GetTaskResult, one DetailedTask variant per
// status with its result, error or inputRequests inlined, unknown ids, snapshots, and the inlined result
// equal to the direct one.
import { fail, pass, skip, warn, worst, type Verdict } from '../../harness/checks.js';
import type { ModernClient } from '../../harness/modern/client.js';
import { EXT, EXT_E, NOEXT } from '../../harness/modern/envelope.js';
import { textOf } from '../../harness/protocol.js';
import type { JsonObject, ScenarioContext } from '../../harness/scenario.js';
import { describeOutcome, ProbeError } from '../../harness/tasks.js';
import { textMatches } from '../../harness/fixtures.js';
import { j } from '../lib/format.js';
import { defineCheck, defineScenario } from '../lib/define.js';
import { codeOf } from './lib/tasks.js';
import { createExtTask, isTerminal, settleExt, withGatedTask } from './lib/task-flow.js';

const INPUT_METHODS = new Set(['elicitation/create', 'sampling/createMessage', 'roots/list']);

/** tasks/get that must succeed (a ProbeError otherwise: the check's subject is the body, not the call). */
async function read(c: ModernClient, taskId: unknown, caps = EXT): Promise<JsonObject> {
  const o = await c.request('tasks/get', { taskId }, { caps });
  if (o.kind !== 'result') throw new ProbeError(`tasks/get ${String(taskId)} ${describeOutcome(o)}`, o);
  return o.result;
}

const GET_01 = defineCheck(
  {
    id: 'EXT-GET-01',
    name: 'tasks/get answers a GetTaskResult',
    description:
      'Every tasks/get answers resultType "complete" plus the DetailedTask variant of the current status, with the requested taskId (every tasks/get of the run).',
    level: 'MUST',
    specRefs: ['ext §Task Polling'],
    fixtures: ['F-ECHO'],
  },
  async (ctx) => {
    const c = await ctx.modern();
    const { task } = await createExtTask(ctx, c, 'F-ECHO', { seconds: 0, label: ctx.nonce('get') }, { caps: EXT });
    await settleExt(c, task.taskId as string, isTerminal, 'a terminal status');
    const verdicts: Verdict[] = [];
    let reads = 0;
    for (const e of ctx.wire()) {
      if (e.dir !== 'recv' || e.transport !== ctx.transport || e.answers?.method !== 'tasks/get') continue;
      const result = (e.message as { result?: JsonObject } | undefined)?.result;
      if (!result) continue;
      reads++;
      const asked = (e.answers.params as JsonObject | undefined)?.taskId;
      if (result.resultType === 'task')
        verdicts.push(
          fail(
            `tasks/get answered resultType "task" (seq ${e.seq}); the normative text and schema say "complete" (A-EXT-01: only the spec's error examples show "task")`,
          ),
        );
      else if (result.resultType !== 'complete')
        verdicts.push(fail(`tasks/get answered resultType ${j(result.resultType)} (seq ${e.seq})`));
      if (result.taskId !== asked) verdicts.push(fail(`tasks/get of ${j(asked)} answered taskId ${j(result.taskId)} (seq ${e.seq})`));
      if (verdicts.length >= 3) break;
    }
    const violations = c.violations().filter((v) => v.violation.includes('tasks/get'));
    if (violations.length)
      verdicts.push(
        fail(
          `tasks/get results violate GetTaskResult: ${violations
            .slice(0, 3)
            .map((v) => v.violation)
            .join('; ')}`,
        ),
      );
    return verdicts.length ? worst(verdicts) : pass(`${reads} tasks/get results`);
  },
);

const GET_02 = defineCheck(
  {
    id: 'EXT-GET-02',
    name: 'A working task reads working',
    description: 'While the gate is closed, three polls answer status working, without result, error or inputRequests.',
    level: 'MUST',
    specRefs: ['ext §Task Polling'],
    fixtures: ['F-GATE', 'F-GATE-RELEASE'],
  },
  async (ctx) =>
    withGatedTask(ctx, async (c, { task }) => {
      const verdicts: Verdict[] = [];
      for (let i = 0; i < 3; i++) {
        const t = await read(c, task.taskId);
        if (t.status !== 'working') return fail(`poll ${i + 1} of a task blocked on its gate answered status ${j(t.status)}, not working`);
        const extra = ['result', 'error', 'inputRequests'].filter((k) => k in t);
        if (extra.length) verdicts.push(warn(`a working task carries ${extra.join(', ')}`));
      }
      return verdicts.length ? verdicts[0]! : pass('3 polls: working');
    }),
);

/** Polls an elicitation task to input_required (with the keys `ready` wants). */
async function awaitingInput(ctx: ScenarioContext, c: ModernClient, role: 'F-ELICIT' | 'F-MULTI', keys = 1) {
  const { task } = await createExtTask(ctx, c, role, {}, { caps: EXT_E });
  const p = await c.poll(
    task.taskId as string,
    (t) => t.status === 'input_required' && Object.keys((t.inputRequests ?? {}) as JsonObject).length >= keys,
    { caps: EXT_E },
  );
  return { taskId: task.taskId as string, poll: p };
}

const GET_03 = defineCheck(
  {
    id: 'EXT-GET-03',
    name: 'An input_required task inlines all outstanding inputRequests',
    description:
      'An input_required task has a non-empty inputRequests holding every outstanding request, each {method: elicitation/create | sampling/createMessage | roots/list, params}; E-MULTI shows both at once.',
    level: 'MUST',
    specRefs: ['ext §Task Polling'],
    fixtures: ['F-ELICIT'],
  },
  async (ctx) => {
    const c = await ctx.modern();
    const { taskId, poll } = await awaitingInput(ctx, c, 'F-ELICIT');
    const t = poll.task;
    if (t?.status !== 'input_required')
      return skip('setup-failed', `the elicitation task never reached input_required (last status ${j(t?.status)})`);
    const verdicts: Verdict[] = [];
    const reqs = t.inputRequests as JsonObject | undefined;
    if (!reqs || typeof reqs !== 'object' || !Object.keys(reqs).length)
      verdicts.push(fail(`input_required task ${taskId} has inputRequests ${j(reqs)}`));
    else
      for (const [k, v] of Object.entries(reqs))
        if (!INPUT_METHODS.has(String((v as JsonObject | undefined)?.method)))
          verdicts.push(fail(`inputRequests["${k}"] has method ${j((v as JsonObject | undefined)?.method)}`));
    if (ctx.fixtures.has('F-MULTI')) {
      const multi = await awaitingInput(ctx, c, 'F-MULTI', 2);
      const n = Object.keys((multi.poll.task?.inputRequests ?? {}) as JsonObject).length;
      if (n < 2) verdicts.push(fail(`E-MULTI never showed both outstanding requests at once (saw ${n})`));
      await c.request('tasks/cancel', { taskId: multi.taskId }, { caps: EXT });
    }
    await c.request('tasks/cancel', { taskId }, { caps: EXT });
    return verdicts.length ? worst(verdicts) : pass(`inputRequests keys ${j(Object.keys(reqs ?? {}))}`);
  },
);

const GET_04 = defineCheck(
  {
    id: 'EXT-GET-04',
    name: 'A completed task inlines its result',
    description: 'A completed task carries result: the final CallToolResult of the original request.',
    level: 'MUST',
    specRefs: ['ext §Task Polling'],
    fixtures: ['F-ECHO'],
  },
  async (ctx) => {
    const c = await ctx.modern();
    const label = ctx.nonce('res');
    const args = { seconds: 0, label };
    const { task } = await createExtTask(ctx, c, 'F-ECHO', args, { caps: EXT });
    const done = await settleExt(c, task.taskId as string, isTerminal, 'a terminal status');
    if (done.status !== 'completed') return skip('setup-failed', `the task ended ${j(done.status)}, not completed`);
    if (!done.result || typeof done.result !== 'object') return fail(`the completed task has no result (${j(done)})`);
    const expected = ctx.fixtures.expectedText('F-ECHO', args);
    const text = textOf(done.result);
    if (expected.kind === 'known' && !textMatches(expected, text)) return fail(`result text ${j(text)}, expected ${j(expected.text)}`);
    return pass(`result text ${j(text)}`);
  },
);

const GET_05 = defineCheck(
  {
    id: 'EXT-GET-05',
    name: 'A failed task inlines its error',
    description: 'A failed task carries error: the JSON-RPC error object (integer code, string message, optional data).',
    level: 'MUST',
    specRefs: ['ext §Task Execution Errors'],
    fixtures: ['F-RPCERR'],
  },
  async (ctx) => {
    const c = await ctx.modern();
    const { task } = await createExtTask(ctx, c, 'F-RPCERR', {}, { caps: EXT });
    const done = await settleExt(c, task.taskId as string, isTerminal, 'a terminal status');
    if (done.status !== 'failed') return skip('setup-failed', `the task ended ${j(done.status)}, not failed`);
    const e = done.error as JsonObject | undefined;
    if (!e || !Number.isInteger(e.code) || typeof e.message !== 'string')
      return fail(`the failed task's error is ${j(e)}, not a JSON-RPC error`);
    return pass(`error ${j(e.code)} ${j(e.message)}`);
  },
);

const GET_06 = defineCheck(
  {
    id: 'EXT-GET-06',
    name: 'A cancelled task reads cancelled',
    description: 'A task cancelled through tasks/cancel (and honouring it) is reported with status cancelled.',
    level: 'MUST',
    specRefs: ['ext §Task Polling'],
    fixtures: ['F-GATE', 'F-GATE-RELEASE'],
  },
  async (ctx) =>
    withGatedTask(ctx, async (c, { task }) => {
      const ack = await c.request('tasks/cancel', { taskId: task.taskId }, { caps: EXT });
      if (ack.kind !== 'result') throw new ProbeError(`tasks/cancel ${describeOutcome(ack)}`, ack);
      const p = await c.poll(task.taskId as string, (t) => t.status !== 'working', { caps: EXT });
      if (p.task?.status === 'working')
        return skip('not-applicable', 'the task stayed working after tasks/cancel (cancellation is cooperative)');
      return p.task?.status === 'cancelled'
        ? pass('cancelled')
        : fail(`after an honoured tasks/cancel the task reads ${j(p.task?.status)}, not cancelled`);
    }),
);

const GET_07 = defineCheck(
  {
    id: 'EXT-GET-07',
    name: 'Unknown task ids get -32602',
    description: 'tasks/get of a random UUID, "" and a 10 KB string answers -32602 each.',
    level: 'MUST',
    specRefs: ['ext §Protocol Errors'],
    fixtures: [],
  },
  async (ctx) => {
    const c = await ctx.modern();
    const bad: string[] = [];
    for (const [label, id] of [
      ['a random UUID', crypto.randomUUID()],
      ['""', ''],
      ['a 10 KB string', 'x'.repeat(10_240)],
    ] as const) {
      const o = await c.request('tasks/get', { taskId: id }, { caps: EXT });
      if (codeOf(o) !== -32602) bad.push(`${label}: ${describeOutcome(o)}`);
    }
    return bad.length ? fail(`tasks/get of unknown ids must answer -32602: ${bad.join('; ')}`) : pass('-32602 for each unknown id');
  },
);

const GET_08 = defineCheck(
  {
    id: 'EXT-GET-08',
    name: 'inputRequests is a stable snapshot',
    description: 'Repeated polls of an input_required task show the same keys with deep-equal requests; polling consumes nothing.',
    level: 'MUST',
    specRefs: ['ext §Task Update Requests'],
    fixtures: ['F-ELICIT'],
  },
  async (ctx) => {
    const c = await ctx.modern();
    const { taskId, poll } = await awaitingInput(ctx, c, 'F-ELICIT');
    if (poll.task?.status !== 'input_required') return skip('setup-failed', `the elicitation task never reached input_required`);
    try {
      const snaps = [poll.task.inputRequests as JsonObject];
      for (let i = 0; i < 3; i++) snaps.push((await read(c, taskId, EXT_E)).inputRequests as JsonObject);
      const first = snaps[0] ?? {};
      for (const s of snaps.slice(1)) {
        for (const [k, v] of Object.entries(s ?? {}))
          if (k in first && JSON.stringify(first[k]) !== JSON.stringify(v))
            return fail(`key ${k} names two different requests across polls: ${j(first[k])} then ${j(v)}`);
        if (JSON.stringify(Object.keys(s ?? {}).sort()) !== JSON.stringify(Object.keys(first).sort()))
          return warn(`the key set changed with no update sent: ${j(Object.keys(first))} then ${j(Object.keys(s ?? {}))}`);
      }
      return pass(`4 polls, identical inputRequests ${j(Object.keys(first))}`);
    } finally {
      await c.request('tasks/cancel', { taskId }, { caps: EXT });
    }
  },
);

const GET_09 = defineCheck(
  {
    id: 'EXT-GET-09',
    name: 'The inlined result is the direct result',
    description:
      'The result of a completed task equals what the same call returns synchronously without the extension, _meta and resultType stripped (A-EXT-14).',
    level: 'MUST',
    specRefs: ['ext §Task Execution Errors'],
    fixtures: ['F-ECHO'],
  },
  async (ctx, c) => {
    const client = await ctx.modern();
    const args = { seconds: 0, label: ctx.nonce('same') };
    const direct = await client.callTool(ctx.fixtures.tool('F-ECHO'), ctx.fixtures.args('F-ECHO', args), { caps: NOEXT });
    if (direct.kind !== 'result') throw new ProbeError(`the direct call ${describeOutcome(direct)}`, direct);
    const { task } = await createExtTask(ctx, client, 'F-ECHO', args, { caps: EXT });
    const done = await settleExt(client, task.taskId as string, isTerminal, 'a terminal status');
    const strip = (r: unknown) => {
      const { _meta, resultType, ...rest } = (r ?? {}) as JsonObject;
      void _meta;
      void resultType;
      return rest;
    };
    c.note('direct', direct.result);
    c.note('task result', done.result);
    const a = JSON.stringify(strip(done.result));
    const b = JSON.stringify(strip(direct.result));
    return a === b
      ? pass('the inlined result equals the direct one')
      : fail(`the task's result ${a.slice(0, 300)} differs from the direct result ${b.slice(0, 300)}`);
  },
);

export default defineScenario({
  name: 'ext-get',
  description: '2026-07-28 tasks/get (EXT-GET-*)',
  era: '2026-07-28',
  checks: [GET_01, GET_02, GET_03, GET_04, GET_05, GET_06, GET_07, GET_08, GET_09],
});
