// 2.C Task creation under the 2026-07-28 extension (EXT-CRT-*): the flat CreateTaskResult, durable before
// it is sent, its initial status, and the MRTR rounds that may precede creation.
import { fail, info, pass, skip, warn, worst, type Verdict } from '../../harness/checks.js';
import type { ModernClient } from '../../harness/modern/client.js';
import { EXT, EXT_E } from '../../harness/modern/envelope.js';
import type { JsonObject, RpcOutcome, ScenarioContext } from '../../harness/scenario.js';
import { describeOutcome, ProbeError } from '../../harness/tasks.js';
import { textOf } from '../../harness/protocol.js';
import { j } from '../lib/format.js';
import { defineCheck, defineScenario } from '../lib/define.js';
import { callRole, codeOf } from './lib/tasks.js';
import { createExtTask, isTerminal, settleExt } from './lib/task-flow.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const STATUSES = new Set(['working', 'input_required', 'completed', 'failed', 'cancelled']);

/** Why a CreateTaskResult is not the flat Result & Task, or warnings about keys that do not belong to it. */
export function flatTaskProblems(r: JsonObject): { fails: string[]; warns: string[] } {
  const fails: string[] = [];
  const warns: string[] = [];
  if (typeof r.taskId !== 'string') fails.push('taskId is not a top-level string');
  if (!STATUSES.has(String(r.status))) fails.push(`status ${j(r.status)} is not one of the five statuses`);
  for (const k of ['createdAt', 'lastUpdatedAt'])
    if (typeof r[k] !== 'string' || !ISO.test(r[k] as string)) fails.push(`${k} ${j(r[k])} is not an ISO 8601 time`);
  if (!('ttlMs' in r)) fails.push('ttlMs is missing' + ('ttl' in r ? ' (only the legacy ttl is present)' : ''));
  else if (r.ttlMs !== null && !Number.isInteger(r.ttlMs)) fails.push(`ttlMs ${j(r.ttlMs)} is not an integer or null`);
  if (r.pollIntervalMs !== undefined && !Number.isInteger(r.pollIntervalMs))
    fails.push(`pollIntervalMs ${j(r.pollIntervalMs)} is not an integer`);
  if (r.statusMessage !== undefined && typeof r.statusMessage !== 'string') fails.push('statusMessage is not a string');
  if (typeof r.task === 'object' && r.task !== null) warns.push('it nests a "task" object (the 2025-11-25 shape; the result is flat)');
  for (const k of ['ttl', 'pollInterval']) if (k in r) warns.push(`it carries the legacy key ${k}`);
  for (const k of ['requestState', 'result', 'error'])
    if (k in r) warns.push(`it carries ${k}, which does not belong to a CreateTaskResult`);
  return { fails, warns };
}

const CRT_01 = defineCheck(
  {
    id: 'EXT-CRT-01',
    name: 'A CreateTaskResult is the flat Result & Task',
    description:
      'taskId, status, createdAt and lastUpdatedAt (ISO 8601) and ttlMs (integer or null) at the top level, optionally statusMessage and pollIntervalMs; no nested task, legacy ttl/pollInterval, requestState, result or error.',
    level: 'MUST',
    specRefs: ['ext §Task Creation'],
    fixtures: ['F-ECHO'],
  },
  async (ctx, c) => {
    const o = await callRole(ctx, await ctx.modern(), 'F-ECHO', { seconds: 1.5, label: ctx.nonce('crt') }, { caps: EXT });
    if (o.kind !== 'result') throw new ProbeError(`tools/call with the extension ${describeOutcome(o)}`, o);
    c.note('result', o.result);
    if (o.result.resultType !== 'task' && !('taskId' in o.result) && !('task' in o.result))
      return skip('not-applicable', `the server answered synchronously (resultType ${j(o.result.resultType)}), which it may (EXT-NEG-09)`);
    const { fails, warns } = flatTaskProblems(o.result);
    if (fails.length) return fail(`the CreateTaskResult is not the flat Result & Task: ${fails.join('; ')}`);
    if (warns.length) return warn(`the CreateTaskResult is flat, but ${warns.join('; ')}`);
    return pass(`flat CreateTaskResult, status ${j(o.result.status)}, ttlMs ${j(o.result.ttlMs)}`);
  },
);

const CRT_02 = defineCheck(
  {
    id: 'EXT-CRT-02',
    name: 'A task is durable before its CreateTaskResult is sent',
    description: 'A tasks/get sent the moment the CreateTaskResult arrives succeeds, every time (20 creations).',
    level: 'MUST',
    specRefs: ['ext §Task Creation', 'SEP §Task Creation Consistency'],
    fixtures: ['F-ECHO'],
  },
  async (ctx, c) => {
    const creator = await ctx.modern();
    // The lookup goes through another client: another process would not share a stdio server, so HTTP only.
    const reader = ctx.transport === 'http' ? await ctx.connectModern() : creator;
    const misses: string[] = [];
    for (let i = 0; i < 20; i++) {
      const { task } = await createExtTask(ctx, creator, 'F-ECHO', { seconds: 1, label: ctx.nonce('dur') }, { caps: EXT });
      const o = await reader.request('tasks/get', { taskId: task.taskId }, { caps: EXT });
      if (o.kind !== 'result') misses.push(`#${i + 1} ${String(task.taskId)}: ${describeOutcome(o)}`);
    }
    c.note('misses', misses);
    return misses.length
      ? fail(`${misses.length} of 20 tasks could not be read at once after their CreateTaskResult: ${misses.slice(0, 3).join('; ')}`)
      : pass('20 of 20 tasks were readable the moment their CreateTaskResult arrived');
  },
);

const CRT_03 = defineCheck(
  {
    id: 'EXT-CRT-03',
    name: 'Initial status (typically working)',
    description: 'The initial status is usually working but may be any status; a CreateTaskResult never inlines result or error.',
    level: 'MAY',
    specRefs: ['ext §Task Creation'],
    fixtures: ['F-ECHO'],
  },
  async (ctx) => {
    const { task } = await createExtTask(ctx, await ctx.modern(), 'F-ECHO', { seconds: 0, label: ctx.nonce('init') }, { caps: EXT });
    return info(`initial status ${j(task.status)} (A-EXT-13: "typically" working)`);
  },
);

const MRTR_TOOL = 'test_tool_with_task';

function mrtrTool(ctx: ScenarioContext): string | undefined {
  return ctx.fixtures.tools.some((t) => t.name === MRTR_TOOL) ? MRTR_TOOL : undefined;
}
const NO_MRTR = skip('missing-fixture', `needs E-MRTR (a tool named ${MRTR_TOOL})`, [`E-MRTR (${MRTR_TOOL})`]);

/** Round 1 of E-MRTR, then the retry with every input answered and requestState echoed. */
async function mrtrRounds(c: ModernClient, name: string): Promise<{ first: RpcOutcome; retry?: RpcOutcome; inputRequests?: unknown }> {
  const first = await c.callTool(name, {}, { caps: EXT_E });
  if (first.kind !== 'result' || first.result.resultType !== 'input_required') return { first };
  const { inputRequests, requestState } = first.result;
  const retry = await c.request(
    'tools/call',
    { name, arguments: {}, inputResponses: c.inputResponses(inputRequests), ...(requestState !== undefined ? { requestState } : {}) },
    { caps: EXT_E },
  );
  return { first, retry, inputRequests };
}

const CRT_04 = defineCheck(
  {
    id: 'EXT-CRT-04',
    name: 'MRTR rounds before creation are settled before the task',
    description:
      'An InputRequiredResult (no taskId) comes first; the retry with every input answered creates the task, whose tasks/get does not ask again and whose result contains the answer.',
    level: 'SHOULD',
    specRefs: ['ext §Task Creation', 'SEP §Composition with MRTR'],
    fixtures: [],
  },
  async (ctx, c) => {
    const name = mrtrTool(ctx);
    if (!name) return NO_MRTR;
    const client = await ctx.modern();
    const { first, retry } = await mrtrRounds(client, name);
    c.note('round 1', describeOutcome(first));
    if (first.kind !== 'result') return fail(`tools/call ${name} ${describeOutcome(first)}`);
    if (first.result.resultType === 'task')
      return warn(`tools/call ${name} created its task at once instead of settling its input round first (resultType "task")`);
    if (first.result.resultType !== 'input_required') return info(`tools/call ${name} answered resultType ${j(first.result.resultType)}`);
    if ('taskId' in first.result) return fail('the InputRequiredResult carries a taskId');
    const task = retry?.kind === 'result' && retry.result.resultType === 'task' ? retry.result : undefined;
    if (!task) return fail(`the retry with every input answered did not create a task: ${retry ? describeOutcome(retry) : 'not sent'}`);
    const firstGet = await client.request('tasks/get', { taskId: task.taskId }, { caps: EXT_E });
    const verdicts: Verdict[] = [];
    if (firstGet.kind === 'result' && firstGet.result.status === 'input_required')
      verdicts.push(warn('the first tasks/get asks for input again after the MRTR round answered it'));
    const done = await settleExt(client, task.taskId as string, isTerminal, 'a terminal status', { caps: EXT_E });
    const text = textOf(done.result);
    if (!text?.includes('Ada')) verdicts.push(fail(`the task result ${j(done.result)} does not contain the MRTR answer "Ada"`));
    return verdicts.length ? worst(verdicts) : pass(`round 1 input_required, then a task whose result is ${j(text)}`);
  },
);

const CRT_05 = defineCheck(
  {
    id: 'EXT-CRT-05',
    name: 'InputRequiredResult asks only for declared capabilities',
    description:
      'An InputRequiredResult has inputRequests and/or requestState; it asks elicitation/create only of a request that declared elicitation.',
    level: 'MUST',
    specRefs: ['mrtr §Server Requirements'],
    fixtures: [],
  },
  async (ctx, c) => {
    const name = mrtrTool(ctx);
    if (!name) return NO_MRTR;
    const client = await ctx.modern();
    const bare = await client.callTool(name, {}, { caps: EXT });
    c.note('without elicitation', describeOutcome(bare));
    const verdicts: Verdict[] = [];
    if (bare.kind === 'result' && bare.result.resultType === 'input_required') {
      const asks = Object.values((bare.result.inputRequests ?? {}) as JsonObject).filter(
        (r) => (r as JsonObject | undefined)?.method === 'elicitation/create',
      );
      if (asks.length) verdicts.push(fail('a request that did not declare elicitation was asked elicitation/create in inputRequests'));
    } else if (bare.kind === 'error' && codeOf(bare) !== -32021)
      verdicts.push(warn(`without elicitation tools/call ${name} answered error ${codeOf(bare)} (-32021 was expected)`));
    const from = client.wireSeq();
    const withE = await client.callTool(name, {}, { caps: EXT_E });
    if (withE.kind === 'result' && withE.result.resultType === 'input_required') {
      if (withE.result.inputRequests === undefined && withE.result.requestState === undefined)
        verdicts.push(fail('the InputRequiredResult has neither inputRequests nor requestState'));
      const bad = client.violations(from).map((v) => v.violation);
      if (bad.length) verdicts.push(fail(`the InputRequiredResult violates the schema: ${bad.join('; ')}`));
    }
    return verdicts.length ? worst(verdicts) : pass();
  },
);

export default defineScenario({
  name: 'ext-create',
  description: '2026-07-28 task creation (EXT-CRT-*)',
  era: '2026-07-28',
  checks: [CRT_01, CRT_02, CRT_03, CRT_04, CRT_05],
});
