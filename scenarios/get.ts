// 2.G tasks/get (T25-GET-01..04): shape, truthfulness, availability while tasks/result blocks, and
// (HTTP) a plain JSON response rather than an SSE stream.
import { fail, pass, warn } from '../harness/checks.js';
import { isTerminal } from '../harness/protocol.js';
import { validateDef } from '../harness/schema.js';
import {
  createTask,
  describeOutcome,
  getTask,
  pollUntil,
  ProbeError,
  releaseGate,
  sleep,
  taskResult,
  untilTerminal,
  within,
  TIMED_OUT,
} from '../harness/tasks.js';
import { closeQuietly, releaseQuietly } from './lib/cleanup.js';
import { j } from './lib/format.js';
import { defineCheck, defineScenario } from './lib/define.js';

const GET_01 = defineCheck(
  {
    id: 'T25-GET-01',
    name: 'tasks/get returns a flat Task',
    description: 'tasks/get {taskId} returns a GetTaskResult: a flat Task (no task wrapper) for that taskId.',
    level: 'MUST',
    specRefs: ['tasks §Getting Tasks', 'schema GetTaskResult'],
    fixtures: ['F-ECHO'],
    requires: ['F-ECHO as task'],
  },
  async (ctx, c) => {
    const session = await ctx.session();
    const task = await createTask(session, ctx.fixtures, 'F-ECHO', { seconds: 0, label: ctx.nonce('get01') });
    // A second, newer task: asking for the older one exposes a server that answers its latest task.
    await createTask(session, ctx.fixtures, 'F-ECHO', { seconds: 0, label: ctx.nonce('get01b') });
    const o = await getTask(session, task.taskId);
    c.note('tasks/get', describeOutcome(o));
    if (o.kind !== 'result')
      return fail(`tasks/get of the task just created (${task.taskId}) must return a GetTaskResult, got ${describeOutcome(o)}`);
    const r = o.result;
    if (r.task !== undefined && r.taskId === undefined)
      return fail(`tasks/get answered a wrapped {task: ...}; GetTaskResult is the flat Task: ${j(r, 300)}`);
    if (r.taskId !== task.taskId) return fail(`tasks/get {taskId: ${j(task.taskId)}} answered taskId ${j(r.taskId)}`);
    const bad = validateDef('GetTaskResult', r);
    if (bad) return fail(`tasks/get result violates schema GetTaskResult: ${bad.errors.join('; ')}`);
    return pass(`flat Task for ${task.taskId} (status ${String(r.status)})`);
  },
);

const GET_02 = defineCheck(
  {
    id: 'T25-GET-02',
    name: 'tasks/get reports the real state',
    description: 'tasks/get reports the real state: working while the work is blocked, completed once it finished.',
    level: 'MUST',
    specRefs: ['tasks §Getting Tasks'],
    fixtures: ['F-GATE', 'F-GATE-RELEASE'],
    requires: ['F-GATE as task'],
  },
  async (ctx, c) => {
    const session = await ctx.session();
    const gateId = ctx.nonce('g');
    try {
      const task = await createTask(session, ctx.fixtures, 'F-GATE', { gateId });
      // BLOCKED_POLLS observations at the server's pollInterval, stopping early on a (wrong) terminal one.
      let n = 0;
      const gated = await pollUntil(session, task.taskId, (t) => ++n >= BLOCKED_POLLS || isTerminal(t.status), ctx.timeouts.settleMs);
      if (gated.failure)
        throw new ProbeError(`tasks/get of gated task ${task.taskId} failed: ${describeOutcome(gated.failure)}`, gated.failure);
      const blocked = gated.observed.map((t) => String(t.status));
      const early = blocked.find((s) => isTerminal(s));
      if (early) {
        c.note('whileGateClosed', blocked);
        return fail(`tasks/get reported ${early} for a gated job whose gate is still closed; it must report the real (non-terminal) state`);
      }
      c.note('whileGateClosed', blocked);
      await releaseGate(session, ctx.fixtures, gateId);
      const polled = await pollUntil(session, task.taskId, untilTerminal, ctx.timeouts.settleMs);
      c.note(
        'afterRelease',
        polled.observed.map((t) => t.status),
      );
      if (polled.failure) throw new ProbeError(`tasks/get failed after release_gate: ${describeOutcome(polled.failure)}`, polled.failure);
      if (!polled.reached)
        return fail(
          `after release_gate the task never became terminal within ${ctx.timeouts.settleMs} ms (last status ${polled.observed.at(-1)?.status})`,
        );
      if (polled.reached.status !== 'completed')
        return fail(`after release_gate (outcome success) tasks/get reports ${polled.reached.status}; expected completed`);
      return pass(`${blocked.join(', ')} while gated; completed after release`);
    } finally {
      await releaseQuietly(session, ctx, gateId);
    }
  },
);

const GET_03 = defineCheck(
  {
    id: 'T25-GET-03',
    name: 'tasks/get answers while tasks/result blocks',
    description: 'tasks/get is still answered while a tasks/result for the same task is blocked.',
    level: 'MUST',
    specRefs: ['tasks §Retrieving Task Results'],
    fixtures: ['F-GATE', 'F-GATE-RELEASE'],
    requires: ['F-GATE as task'],
  },
  async (ctx, c) => {
    let session = await ctx.session();
    const gateId = ctx.nonce('g');
    try {
      const task = await createTask(session, ctx.fixtures, 'F-GATE', { gateId });
      const pending = taskResult(session, task.taskId, ctx.timeouts.settleMs + GET_ANSWER_MS + 5_000);
      // Ordering only: lets the tasks/result reach the server first (HTTP POSTs are independent).
      await sleep(RESULT_HEAD_START_MS);
      const early = await within(pending, 0);
      if (early !== TIMED_OUT)
        throw new ProbeError(
          `tasks/result on the gated task answered before the gate was released (${describeOutcome(early)}), so it was not blocked (see T25-RES-03)`,
          early,
        );
      const o = await getTask(session, task.taskId, GET_ANSWER_MS);
      c.note('tasks/get', describeOutcome(o));
      if (o.kind === 'timeout') {
        // The connection is wedged behind the blocked tasks/result: drop it so later checks get a
        // fresh one, and release the gate from there (HTTP sessions share the server).
        await closeQuietly(session);
        session = await ctx.session();
        return fail(
          `tasks/get got no answer within ${GET_ANSWER_MS} ms while a tasks/result for the same task was blocked: the server serialises requests or deadlocks (on stdio, handle requests concurrently)`,
        );
      }
      if (o.kind !== 'result') return fail(`tasks/get while tasks/result is blocked must answer the task, got ${describeOutcome(o)}`);
      if (o.result.status !== 'working') return fail(`tasks/get while the gate is closed must report working, got ${j(o.result.status)}`);
      await releaseQuietly(session, ctx, gateId);
      const r = await within(pending, ctx.timeouts.settleMs);
      c.note('tasks/result', r === TIMED_OUT ? 'no answer after release' : describeOutcome(r));
      return pass(`tasks/get answered working in ${Math.round(o.ms)} ms while tasks/result was blocked`);
    } finally {
      await releaseQuietly(session, ctx, gateId);
    }
  },
);

const GET_04 = defineCheck(
  {
    id: 'T25-GET-04',
    name: 'tasks/get is not answered with SSE',
    description: 'The server should not answer tasks/get with an SSE stream (Content-Type application/json, not text/event-stream).',
    level: 'SHOULD',
    specRefs: ['tasks §Input Required Status'],
    fixtures: ['F-ECHO'],
    transports: ['http'],
    requires: ['F-ECHO as task'],
  },
  async (ctx, c) => {
    const session = await ctx.session();
    const task = await createTask(session, ctx.fixtures, 'F-ECHO', { seconds: 0, label: ctx.nonce('get04') });
    const o = await getTask(session, task.taskId);
    if (o.kind !== 'result' && o.kind !== 'error') throw new ProbeError(`tasks/get got no response: ${describeOutcome(o)}`, o);
    const http = o.http;
    c.note('http', http ?? null);
    if (!http)
      throw new ProbeError('the HTTP session did not report the status and Content-Type of the tasks/get POST response (harness bug)');
    const type = http.contentType ?? '';
    if (/text\/event-stream/i.test(type))
      return warn(
        `tasks/get was answered with an SSE stream (Content-Type ${type}); the server should answer a plain application/json response because the client is polling`,
      );
    return pass(`tasks/get answered with Content-Type ${type || '(none)'} (HTTP ${http.status})`);
  },
);

/** GET-02: non-terminal polls required while the gate is closed. */
const BLOCKED_POLLS = 3;
/** GET-03: head start of tasks/result before the tasks/get, and the bound for the tasks/get answer. */
const RESULT_HEAD_START_MS = 200;
const GET_ANSWER_MS = 2_000;

const scenario = defineScenario({
  name: 'get',
  description: '2.G tasks/get (T25-GET-01..04)',
  checks: [GET_01, GET_02, GET_03, GET_04],
});

export default scenario;
