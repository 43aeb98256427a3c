// 2.B Method surface and polymorphic results of the 2026-07-28 extension (EXT-DISP-*): the removed
// methods, the ignored legacy `task` parameter, and resultType on every result. EXT-DISP-04..08 judge
// every 2026-07-28 response of the run (this scenario runs last), after an exercise of their own.
import { fail, pass, warn, worst, type Verdict, type WireEntry } from '../../harness/checks.js';
import { EXT, NOEXT } from '../../harness/modern/envelope.js';
import type { JsonObject, RpcOutcome, ScenarioContext } from '../../harness/scenario.js';
import { describeOutcome } from '../../harness/tasks.js';
import { j } from '../lib/format.js';
import { defineCheck, defineScenario } from '../lib/define.js';
import { callRole, codeOf, httpStatusOf, looksLikeTask } from './lib/tasks.js';
import { createExtTask } from './lib/task-flow.js';

/** A removed method must be unknown: -32601, HTTP 404. */
function unknownMethod(ctx: ScenarioContext, method: string, o: RpcOutcome): string | undefined {
  if (codeOf(o) !== -32601) return `${method} must answer -32601 (it is removed), but it ${describeOutcome(o)}`;
  if (ctx.transport === 'http' && httpStatusOf(o) !== 404) return `${method}: -32601 must come with HTTP 404, got ${httpStatusOf(o)}`;
  return undefined;
}

const DISP_01 = defineCheck(
  {
    id: 'EXT-DISP-01',
    name: 'tasks/result is removed',
    description: 'tasks/result on a real task, otherwise valid (envelope, headers), answers -32601 with HTTP 404.',
    level: 'MUST',
    specRefs: ['SEP §Backward Compatibility'],
    fixtures: ['F-ECHO'],
  },
  async (ctx) => {
    const c = await ctx.modern();
    const { task } = await createExtTask(ctx, c, 'F-ECHO', { seconds: 0, label: ctx.nonce('res') }, { caps: EXT });
    const problem = unknownMethod(ctx, 'tasks/result', await c.request('tasks/result', { taskId: task.taskId }, { caps: EXT }));
    return problem ? fail(problem) : pass('tasks/result: -32601');
  },
);

const DISP_02 = defineCheck(
  {
    id: 'EXT-DISP-02',
    name: 'tasks/list does not exist',
    description: 'tasks/list is removed (changelog; the tasks/ prefix is reserved for the extension): -32601 with HTTP 404.',
    level: 'SHOULD',
    specRefs: ['ext §Reservations'],
    fixtures: [],
  },
  async (ctx) => {
    const problem = unknownMethod(ctx, 'tasks/list', await (await ctx.modern()).request('tasks/list', {}, { caps: EXT }));
    // A-EXT-15: the removal is only in the changelog and the design rationale.
    return problem ? warn(`${problem} (A-EXT-15: the removal is stated only in the changelog)`) : pass('tasks/list: -32601');
  },
);

const DISP_03 = defineCheck(
  {
    id: 'EXT-DISP-03',
    name: 'The legacy task parameter is ignored',
    description:
      'A 2025-11-25 `task` parameter on tools/call never causes an error and never opts the client in: no task without the extension, the same result with it on a direct tool.',
    level: 'MUST',
    specRefs: ['SEP §Backward Compatibility'],
    fixtures: ['F-ECHO', 'F-SYNC'],
  },
  async (ctx, c) => {
    const client = await ctx.modern();
    const legacy = { task: { ttl: 60_000 } };
    const echo = { name: ctx.fixtures.tool('F-ECHO'), arguments: ctx.fixtures.args('F-ECHO', { seconds: 0, label: 'sep1686-disp' }) };
    const verdicts: Verdict[] = [];
    const a = await client.request('tools/call', { ...echo, ...legacy }, { caps: NOEXT });
    const aPlain = await client.request('tools/call', echo, { caps: NOEXT });
    c.note('(a) with task, without the extension', describeOutcome(a));
    if (a.kind === 'result' && looksLikeTask(a.result))
      verdicts.push(fail(`(a) the legacy task parameter opted a client without the extension in: ${j(a.result)}`));
    else if (a.kind !== aPlain.kind)
      verdicts.push(fail(`(a) with task the call ${describeOutcome(a)}, without it ${describeOutcome(aPlain)}`));
    const sync = { name: ctx.fixtures.tool('F-SYNC'), arguments: ctx.fixtures.args('F-SYNC', { name: 'Ada' }) };
    const b = await client.request('tools/call', { ...sync, ...legacy }, { caps: EXT });
    const bPlain = await client.request('tools/call', sync, { caps: EXT });
    c.note('(b) direct tool with task, with the extension', describeOutcome(b));
    if (b.kind !== 'result') verdicts.push(fail(`(b) tools/call ${sync.name} with a task parameter ${describeOutcome(b)}`));
    else if (typeof b.result.task === 'object' && b.result.task !== null)
      verdicts.push(fail(`(c) the result has the 2025-11-25 shape {task:{...}}`));
    else if (bPlain.kind === 'result' && JSON.stringify(b.result.content) !== JSON.stringify(bPlain.result.content))
      verdicts.push(fail(`(b) with task the content is ${j(b.result.content)}, without it ${j(bPlain.result.content)}`));
    return verdicts.length ? worst(verdicts) : pass('the task parameter changed nothing');
  },
);

/** 2026-07-28 responses of this transport (the wire is already this era's only). */
function modernResults(ctx: ScenarioContext): Array<{ e: WireEntry; result: JsonObject; method: string }> {
  const out: Array<{ e: WireEntry; result: JsonObject; method: string }> = [];
  for (const e of ctx.wire()) {
    if (e.dir !== 'recv' || e.transport !== ctx.transport || !e.answers) continue;
    const result = (e.message as { result?: unknown } | undefined)?.result;
    if (result && typeof result === 'object' && !Array.isArray(result))
      out.push({ e, result: result as JsonObject, method: e.answers.method });
  }
  return out;
}

/** The exercise EXT-DISP-04..08 judge (with whatever else the run exchanged): one of every result kind. */
async function exercise(ctx: ScenarioContext): Promise<void> {
  const c = await ctx.modern();
  try {
    await c.discover();
    const tools = await c.request('tools/list', {}, { caps: EXT });
    for (const method of ['prompts/list', 'resources/list', 'resources/templates/list']) await c.request(method, {}, { caps: EXT });
    if (tools.kind !== 'result') return;
    const { task } = await createExtTask(ctx, c, 'F-ECHO', { seconds: 0, label: ctx.nonce('disp') }, { caps: EXT });
    await c.request('tasks/get', { taskId: task.taskId }, { caps: EXT });
    await c.request('tasks/update', { taskId: task.taskId, inputResponses: {} }, { caps: EXT });
    await c.request('tasks/cancel', { taskId: task.taskId }, { caps: EXT });
    await callRole(ctx, c, 'F-SYNC', { name: 'Ada' }, { caps: EXT });
  } catch (e) {
    ctx.log(`ext-dispatch exercise failed: ${(e as Error).message}`);
  }
}

const at = (e: WireEntry) => `seq ${e.seq}`;

const DISP_04 = defineCheck(
  {
    id: 'EXT-DISP-04',
    name: 'A CreateTaskResult carries resultType "task"',
    description:
      'Every task-creating response has resultType "task"; a CreateTaskResult-like body (top-level taskId and status) with another resultType fails.',
    level: 'MUST',
    specRefs: ['ext §Polymorphic Results'],
    fixtures: ['F-ECHO'],
  },
  async (ctx) => {
    const bad = modernResults(ctx).filter(
      ({ result, method }) =>
        method === 'tools/call' && typeof result.taskId === 'string' && 'status' in result && result.resultType !== 'task',
    );
    if (bad.length)
      return fail(`${bad.length} task-creating tools/call results carry resultType ${j(bad[0]!.result.resultType)} (${at(bad[0]!.e)})`);
    return pass();
  },
);

const DISP_05 = defineCheck(
  {
    id: 'EXT-DISP-05',
    name: 'resultType "task" only on tools/call',
    description:
      'resultType "task" appears only on a CreateTaskResult of tools/call: never on discover, lists, reads, prompts or the task methods.',
    level: 'MUST',
    specRefs: ['ext §Polymorphic Results', 'ext §Supported Methods'],
    fixtures: [],
  },
  async (ctx) => {
    const bad = modernResults(ctx).filter(({ result, method }) => result.resultType === 'task' && method !== 'tools/call');
    if (bad.length)
      return fail(
        `${bad
          .map(({ method, e }) => `${method} (${at(e)})`)
          .slice(0, 5)
          .join(', ')} answered resultType "task"`,
      );
    return pass();
  },
);

const DISP_06 = defineCheck(
  {
    id: 'EXT-DISP-06',
    name: 'Every result carries resultType',
    description:
      'Every result includes resultType; synchronous tools/call results and tasks/get, tasks/update, tasks/cancel use "complete".',
    level: 'MUST',
    specRefs: ['core §ResultType'],
    fixtures: [],
  },
  async (ctx) => {
    const all = modernResults(ctx);
    const missing = all.filter(({ result }) => typeof result.resultType !== 'string');
    const task = all.filter(
      ({ result, method }) => method.startsWith('tasks/') && typeof result.resultType === 'string' && result.resultType !== 'complete',
    );
    const verdicts: Verdict[] = [];
    if (missing.length)
      verdicts.push(
        fail(
          `${missing.length} results have no resultType: ${missing
            .slice(0, 5)
            .map(({ method, e }) => `${method} (${at(e)})`)
            .join(', ')}`,
        ),
      );
    if (task.length)
      verdicts.push(fail(`${task[0]!.method} answered resultType ${j(task[0]!.result.resultType)}, not "complete" (${at(task[0]!.e)})`));
    return verdicts.length ? worst(verdicts) : pass(`${all.length} results, each with resultType`);
  },
);

const DISP_07 = defineCheck(
  {
    id: 'EXT-DISP-07',
    name: 'Task methods never answer input_required',
    description:
      'tasks/get, tasks/update and tasks/cancel never return an InputRequiredResult; only prompts/get, resources/read and tools/call may.',
    level: 'MUST',
    specRefs: ['mrtr §Supported Requests'],
    fixtures: [],
  },
  async (ctx) => {
    const bad = modernResults(ctx).filter(
      ({ result, method }) => result.resultType === 'input_required' && !['tools/call', 'prompts/get', 'resources/read'].includes(method),
    );
    return bad.length ? fail(`${bad[0]!.method} answered resultType "input_required" (${at(bad[0]!.e)})`) : pass();
  },
);

const DISP_08 = defineCheck(
  {
    id: 'EXT-DISP-08',
    name: 'Only known resultType values',
    description: 'No resultType outside "complete", "input_required" and the advertised extension\'s "task".',
    level: 'MUST',
    specRefs: ['core §ResultType'],
    fixtures: [],
  },
  async (ctx) => {
    const known = new Set(['complete', 'input_required', 'task']);
    const bad = modernResults(ctx).filter(({ result }) => typeof result.resultType === 'string' && !known.has(result.resultType));
    return bad.length ? fail(`${bad[0]!.method} answered resultType ${j(bad[0]!.result.resultType)} (${at(bad[0]!.e)})`) : pass();
  },
);

export default defineScenario({
  name: 'ext-dispatch',
  description: '2026-07-28 method surface and polymorphic results (EXT-DISP-*)',
  era: '2026-07-28',
  runs: 'last',
  setup: exercise,
  checks: [DISP_01, DISP_02, DISP_03, DISP_04, DISP_05, DISP_06, DISP_07, DISP_08],
});
