// 2.C Task creation (T25-CRT-*): the shape and timing of CreateTaskResult, ttl-less augmentation,
// read-after-create, the immediate-response hint, and invalid task-augmented calls.
import { fail, info, pass, warn, type Verdict } from '../harness/checks.js';
import { isTerminal, MODEL_IMMEDIATE_RESPONSE, type Task } from '../harness/protocol.js';
import type { JsonObject, ScenarioContext, Session } from '../harness/scenario.js';
import { validateDef } from '../harness/schema.js';
import { callToolAsTask, describeOutcome, getTask, pollUntil, sleep, untilTerminal, within, TIMED_OUT } from '../harness/tasks.js';
import { cancelQuietly, releaseQuietly } from './lib/cleanup.js';
import { createdTask, creationFailed, requireCreated, requirePlainEchoTask } from './lib/task-setup.js';
import { slowTaskRole } from './lib/preconditions.js';
import { j } from './lib/format.js';
import { defineCheck, defineScenario } from './lib/define.js';

const CRT_01 = defineCheck(
  {
    id: 'T25-CRT-01',
    name: 'Accepted task calls return CreateTaskResult',
    description:
      'When the server accepts a task-augmented request, the response is a CreateTaskResult {task: Task}: task is nested and there is no content; it is neither the tool result nor a flat Task.',
    level: 'MUST',
    specRefs: ['tasks §Result Retrieval r1', 'tasks §Creating Tasks', 'schema CreateTaskResult'],
    fixtures: ['F-ECHO'],
    requires: ['F-ECHO as task'],
  },
  async (ctx, c) => {
    const session = await ctx.session();
    const o = await callToolAsTask(session, ctx.fixtures, 'F-ECHO', { seconds: 1.5, label: ctx.nonce('crt01') }, { ttl: 60_000 });
    c.note('outcome', describeOutcome(o));
    if (o.kind !== 'result')
      return fail(`expected a CreateTaskResult for a task-augmented call of an optional tool, got ${describeOutcome(o)}`);
    const r = o.result;
    if (r.task === undefined) {
      if (typeof r.taskId === 'string')
        return fail(`the result is a flat Task (result.taskId ${j(r.taskId)}); a CreateTaskResult nests the Task under "task"`);
      if (Array.isArray(r.content))
        return fail('the result is a CallToolResult (the tool result itself); a task-augmented call must answer a CreateTaskResult {task}');
      return fail(`the result has no "task" member: ${j(r, 300)}`);
    }
    const problems: string[] = [];
    if (r.content !== undefined) problems.push('the result also carries "content" (a CreateTaskResult contains task data only)');
    const bad = validateDef('CreateTaskResult', r);
    if (bad) problems.push(`schema CreateTaskResult: ${bad.errors.join('; ')}`);
    if (problems.length) return fail(problems.join('; '));
    return pass(`CreateTaskResult with task ${j(r.task)}`);
  },
);

const CRT_02 = defineCheck(
  {
    id: 'T25-CRT-02',
    name: 'CreateTaskResult is returned before the work finishes',
    description: 'The CreateTaskResult is returned as soon as possible after acceptance, not after the work finishes.',
    level: 'SHOULD',
    specRefs: ['tasks §Result Retrieval r1'],
    fixtures: [],
  },
  async (ctx, c) => {
    const session = await ctx.session();
    const role = slowTaskRole(ctx, session);
    if (typeof role !== 'string') return role;
    return role === 'F-GATE' ? promptCreateGated(ctx, session, c.note) : promptCreateTimed(ctx, session, c.note);
  },
);

const CRT_03 = defineCheck(
  {
    id: 'T25-CRT-03',
    name: 'task: {} is a valid augmentation',
    description:
      'task: {} (no ttl) is a valid augmentation; ttl is optional for requestors. The CreateTaskResult carries ttl as a number or null.',
    level: 'MUST',
    specRefs: ['tasks §Creating Tasks', 'schema TaskMetadata'],
    fixtures: ['F-ECHO'],
    requires: ['F-ECHO as task'],
  },
  async (ctx, c) => {
    const session = await ctx.session();
    const o = await callToolAsTask(session, ctx.fixtures, 'F-ECHO', { seconds: 0, label: ctx.nonce('crt03') }, {});
    c.note('outcome', describeOutcome(o));
    const task = createdTask(o);
    if (!task) {
      // Refusing task: {} is this rule's violation only if a task with a ttl is accepted; a server that
      // creates no task at all fails T25-CRT-01, and this check did not get to run.
      await requirePlainEchoTask(ctx, session, ctx.nonce('crt03'));
      return fail(
        `task: {} (no ttl) is a valid augmentation and must be accepted with a CreateTaskResult, got ${describeOutcome(o)} (task: {ttl: 60000} was accepted)`,
      );
    }
    const ttl = (task as { ttl?: unknown }).ttl;
    if (ttl !== null && typeof ttl !== 'number')
      return fail(`task.ttl must be a number or null, got ${ttl === undefined ? 'no ttl key' : j(ttl)}`);
    return pass(`task: {} accepted; the server chose ttl ${j(ttl)}`);
  },
);

const CRT_04 = defineCheck(
  {
    id: 'T25-CRT-04',
    name: 'A new task can be fetched at once',
    description: 'A newly created task can be fetched straight away: tasks/get sent right after the CreateTaskResult succeeds.',
    level: 'MUST',
    specRefs: ['tasks §Getting Tasks', 'tasks §Error Handling'],
    fixtures: ['F-ECHO'],
    requires: ['F-ECHO as task'],
  },
  async (ctx, c) => {
    const session = await ctx.session();
    const late: string[] = [];
    for (let i = 0; i < 10; i++) {
      const augmentation = { ttl: 60_000 };
      const o = await callToolAsTask(session, ctx.fixtures, 'F-ECHO', { seconds: 0.5, label: ctx.nonce('crt04') }, augmentation);
      const task = requireCreated(ctx, 'F-ECHO', o, augmentation);
      const first = await getTask(session, task.taskId);
      if (first.kind === 'result') continue;
      c.note(`iteration ${i + 1} first tasks/get`, describeOutcome(first));
      if (first.kind !== 'error' || first.error.code !== -32602)
        return fail(`tasks/get right after creating ${task.taskId} must succeed, got ${describeOutcome(first)}`);
      const visibleAfter = await retryGet(session, task.taskId, VISIBLE_WITHIN_MS);
      if (visibleAfter === undefined)
        return fail(
          `tasks/get of ${task.taskId} still answered -32602 ${VISIBLE_WITHIN_MS} ms after the CreateTaskResult; a created task must be fetchable`,
        );
      late.push(`${task.taskId} (visible after ${visibleAfter} ms)`);
    }
    if (late.length)
      return warn(`tasks/get right after the CreateTaskResult first answered -32602 for ${late.join(', ')} (eventual consistency, A25-26)`);
    return pass('10 of 10 tasks were fetchable by the first tasks/get after their CreateTaskResult');
  },
);

const CRT_05 = defineCheck(
  {
    id: 'T25-CRT-05',
    name: 'model-immediate-response is a string',
    description: 'If present, _meta["io.modelcontextprotocol/model-immediate-response"] on a CreateTaskResult is a string.',
    level: 'MAY',
    specRefs: ['tasks §Creating Tasks'],
    fixtures: ['F-ECHO'],
    requires: ['F-ECHO as task'],
  },
  async (ctx, c) => {
    const session = await ctx.session();
    const augmentation = { ttl: 60_000 };
    const o = await callToolAsTask(session, ctx.fixtures, 'F-ECHO', { seconds: 0, label: ctx.nonce('crt05') }, augmentation);
    requireCreated(ctx, 'F-ECHO', o, augmentation);
    if (o.kind !== 'result') return fail(`expected a CreateTaskResult to inspect, got ${describeOutcome(o)}`);
    const meta = o.result._meta as JsonObject | undefined;
    const hint = meta?.[MODEL_IMMEDIATE_RESPONSE];
    c.note('_meta', meta ?? null);
    if (hint === undefined) return info(`${MODEL_IMMEDIATE_RESPONSE} is not present on the CreateTaskResult`);
    if (typeof hint !== 'string') return warn(`_meta["${MODEL_IMMEDIATE_RESPONSE}"] should be a string, got ${j(hint)}`);
    return info(`${MODEL_IMMEDIATE_RESPONSE} is present: ${j(hint)}`);
  },
);

const CRT_06 = defineCheck(
  {
    id: 'T25-CRT-06',
    name: 'Invalid task-augmented calls',
    description:
      'A task-augmented call to an unknown tool, or with arguments that fail the schema, gets an immediate JSON-RPC error or a CreateTaskResult for a task that later ends failed (recorded).',
    level: 'MAY',
    specRefs: ['tasks §Creating Tasks', 'tools'],
    fixtures: ['F-ECHO'],
    requires: ['F-ECHO as task'],
  },
  async (ctx, c) => {
    const session = await ctx.session();
    // Arguments the tool's inputSchema rejects: the mapping's invalid:, or derived from the schema (sent as they are).
    const invalid = ctx.fixtures.invalidArguments('F-ECHO');
    c.note('invalidArguments', invalid);
    const cases: Array<{ label: string; params: JsonObject }> = [
      { label: 'unknown tool', params: { name: `no_such_tool_${ctx.nonce('x')}`, arguments: {}, task: {} } },
    ];
    if (invalid.kind === 'known')
      cases.push({
        label: 'invalid arguments',
        params: { name: ctx.fixtures.tool('F-ECHO'), arguments: invalid.arguments, task: {} },
      });
    const observed: string[] = invalid.kind === 'unknown' ? [`invalid arguments: not probed (${invalid.why})`] : [];
    const warnings: string[] = [];
    for (const k of cases) {
      const o = await session.request('tools/call', k.params);
      const task = createdTask(o);
      if (!task) {
        observed.push(`${k.label}: immediate ${describeOutcome(o)}`);
        continue;
      }
      const end = await settle(ctx, session, task);
      observed.push(`${k.label}: task ${task.taskId} created, ended ${end ?? 'not terminal'}`);
      if (end !== 'failed')
        warnings.push(
          `${k.label}: the server created task ${task.taskId} for an invalid call; it should end "failed", but ${end ? `ended "${end}"` : `was not terminal within ${ctx.timeouts.settleMs} ms`}`,
        );
    }
    c.note('observed', observed);
    if (warnings.length) return warn(warnings.join('; '));
    return info(observed.join('; '));
  },
);

/** CRT-02 waits this long for a CreateTaskResult while the gate is closed (the value of the checklist row, docs/requirements-2025-11-25.md). */
const PROMPT_CREATE_MS = 2_000;
/** CRT-04: how long a first-poll -32602 may take to resolve before it is a FAIL. */
const VISIBLE_WITHIN_MS = 2_000;

const scenario = defineScenario({
  name: 'create',
  description: '2.C Task creation (T25-CRT-*)',
  checks: [CRT_01, CRT_02, CRT_03, CRT_04, CRT_05, CRT_06],
});

/** CRT-02 with the gate: the CreateTaskResult must not wait for the gate. */
async function promptCreateGated(ctx: ScenarioContext, session: Session, note: (k: string, v: unknown) => void): Promise<Verdict> {
  const gateId = ctx.nonce('g');
  try {
    const pending = callToolAsTask(session, ctx.fixtures, 'F-GATE', { gateId }, { ttl: 60_000 });
    const early = await within(pending, PROMPT_CREATE_MS);
    if (early !== TIMED_OUT) {
      note('outcome', describeOutcome(early));
      requireCreated(ctx, 'F-GATE', early, { ttl: 60_000 });
      return pass(`CreateTaskResult arrived in ${Math.round(early.ms)} ms with the gate still closed`);
    }
    await releaseQuietly(session, ctx, gateId);
    const late = await within(pending, ctx.timeouts.settleMs);
    note('outcome', late === TIMED_OUT ? 'no response' : describeOutcome(late));
    // A plain answer after the release is no task at all (T25-CRT-01's subject), not a slow one.
    if (late !== TIMED_OUT && late.kind === 'result' && !createdTask(late)) throw creationFailed(ctx, 'F-GATE', late, { ttl: 60_000 });
    if (late !== TIMED_OUT && createdTask(late)) {
      return warn(
        `no CreateTaskResult within ${PROMPT_CREATE_MS} ms while the gate was closed; it arrived only after release_gate (synchronous task creation)`,
      );
    }
    return warn(
      `no CreateTaskResult within ${PROMPT_CREATE_MS} ms while the gate was closed, nor after release_gate: ${late === TIMED_OUT ? 'no response' : describeOutcome(late)}`,
    );
  } finally {
    // Releasing lets the gated task finish on its own.
    await releaseQuietly(session, ctx, gateId);
  }
}

/** CRT-02 without a gate (fallback): F-ECHO of 3 s must be acknowledged well before it finishes. */
async function promptCreateTimed(ctx: ScenarioContext, session: Session, note: (k: string, v: unknown) => void): Promise<Verdict> {
  const o = await callToolAsTask(session, ctx.fixtures, 'F-ECHO', { seconds: 3, label: ctx.nonce('crt02') }, { ttl: 60_000 });
  note('outcome', describeOutcome(o));
  requireCreated(ctx, 'F-ECHO', o, { ttl: 60_000 });
  if (o.ms >= 1_500)
    return warn(`the CreateTaskResult for a 3 s F-ECHO took ${Math.round(o.ms)} ms; it should arrive as soon as the task is accepted`);
  return pass(`CreateTaskResult for a 3 s F-ECHO arrived in ${Math.round(o.ms)} ms`);
}

/** Retries tasks/get until it succeeds or `withinMs` passes; returns the elapsed ms, or undefined. */
async function retryGet(session: Session, taskId: string, withinMs: number): Promise<number | undefined> {
  const start = Date.now();
  while (Date.now() - start < withinMs) {
    await sleep(100);
    const o = await getTask(session, taskId);
    if (o.kind === 'result') return Date.now() - start;
  }
  return undefined;
}

/** Polls a task to terminal; returns its terminal status, or undefined (and cancels it) when it does not settle. */
async function settle(ctx: ScenarioContext, session: Session, task: Task): Promise<string | undefined> {
  if (isTerminal(task.status)) return task.status;
  const polled = await pollUntil(session, task.taskId, untilTerminal, ctx.timeouts.settleMs);
  if (polled.reached) return polled.reached.status;
  await cancelQuietly(session, task.taskId);
  return undefined;
}

export default scenario;
