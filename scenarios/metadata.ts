// 2.J related-task metadata (T25-META-02, T25-META-04). META-01 and META-03 are passive: see wire-audit.
import { isDeepStrictEqual } from 'node:util';
import { fail, pass, warn, worst, type Verdict } from '../harness/checks.js';
import { RELATED_TASK, type Task } from '../harness/protocol.js';
import type { CheckContext, JsonObject, ScenarioContext, Session } from '../harness/scenario.js';
import {
  createTask,
  DEFAULT_TTL_MS,
  describeOutcome,
  omitMeta,
  pollUntil,
  ProbeError,
  releaseGate,
  sleep,
  TIMED_OUT,
  untilTerminal,
  within,
} from '../harness/tasks.js';
import { judgeText, promised } from './lib/expected-result.js';
import { progressNotifications } from './lib/progress.js';
import { defineCheck, defineScenario } from './lib/define.js';

const META_02 = defineCheck(
  {
    id: 'T25-META-02',
    name: 'params.taskId decides the target; related-task _meta in the request is ignored',
    description:
      'For tasks/get, tasks/result and tasks/cancel, params.taskId is the source of truth for the target task; related-task _meta in the request is ignored.',
    level: 'MUST',
    specRefs: ['tasks §Associating Task-Related Messages r2'],
    fixtures: ['F-GATE', 'F-GATE-RELEASE', 'F-ECHO'],
    requires: ['F-GATE as task', 'F-ECHO as task'],
  },
  (ctx, c) => paramsWin(ctx, c),
);

const META_04 = defineCheck(
  {
    id: 'T25-META-04',
    name: 'Progress notifications of a task carry related-task',
    description:
      'Task-related notifications emitted after creation (notifications/progress, notifications/message) carry related-task _meta with the task id (literal reading; a violation only WARNs, A25-11).',
    level: 'MUST',
    specRefs: ['tasks §Associating Task-Related Messages r1'],
    fixtures: ['F-PROGRESS'],
    requires: ['F-PROGRESS as task'],
  },
  (ctx, c) => progressCarriesRelated(ctx, c),
);

/** tasks/result on a completed task must not wait on the task named only in _meta. */
const PROMPT_MS = 2000;

const related = (taskId: string): JsonObject => ({ _meta: { [RELATED_TASK]: { taskId } } });

function send(s: Session, method: string, taskId: string, metaTaskId: string, timeoutMs?: number) {
  return s.request(method, { taskId, ...related(metaTaskId) }, { timeoutMs });
}

/** One round: A is a running gated task, B a completed slow_compute; `metaFor` picks the misleading meta id. */
async function round(
  ctx: ScenarioContext,
  s: Session,
  label: string,
  metaFor: (a: Task, b: Task) => { get: string; result: string; cancel: string },
): Promise<Verdict[]> {
  const gateId = ctx.nonce('g');
  const a = await createTask(s, ctx.fixtures, 'F-GATE', { gateId });
  const verdicts: Verdict[] = [];
  try {
    const echoLabel = ctx.nonce('meta');
    const b = await createTask(s, ctx.fixtures, 'F-ECHO', { seconds: 0, label: echoLabel });
    const done = await pollUntil(s, b.taskId, untilTerminal, ctx.timeouts.settleMs);
    if (done.reached?.status !== 'completed')
      throw new ProbeError(`slow_compute task ${b.taskId} did not complete (${done.reached?.status ?? 'not terminal'})`);
    const meta = metaFor(a, b);

    const g = await send(s, 'tasks/get', a.taskId, meta.get);
    if (g.kind !== 'result')
      verdicts.push(fail(`${label}: tasks/get {taskId:A, _meta related-task ${meta.get}} answered ${describeOutcome(g)}; expected task A`));
    else if (g.result.taskId !== a.taskId || g.result.status !== 'working') {
      verdicts.push(
        fail(
          `${label}: tasks/get {taskId:A} with related-task ${meta.get} answered taskId ${JSON.stringify(g.result.taskId)} status ${JSON.stringify(g.result.status)}; expected A (${a.taskId}) "working"`,
        ),
      );
    }

    const bound = PROMPT_MS + (ctx.transport === 'http' ? 250 : 0);
    const r = await within(send(s, 'tasks/result', b.taskId, meta.result, bound + ctx.timeouts.requestMs), bound);
    if (r === TIMED_OUT)
      verdicts.push(
        fail(
          `${label}: tasks/result {taskId:B (completed), _meta related-task ${meta.result}} did not answer within ${bound} ms although B is completed; the task named in _meta must not hold up or redirect the answer`,
        ),
      );
    else {
      // B's result: the promised text when there is one; otherwise what a plain tasks/result of B answers.
      const values = { seconds: 0, label: echoLabel };
      const judged = r.kind === 'result' ? judgeText(ctx, 'F-ECHO', values, r.result) : undefined;
      const plain = judged?.kind === 'unknown' ? await s.request('tasks/result', { taskId: b.taskId }) : undefined;
      const same = plain?.kind === 'result' && r.kind === 'result' && isDeepStrictEqual(omitMeta(plain.result), omitMeta(r.result));
      if (!judged || judged.kind === 'mismatch' || (plain && !same)) {
        const expected =
          judged?.kind === 'unknown'
            ? `what tasks/result {taskId:B} without _meta answers (${describeOutcome(plain!)})`
            : promised(ctx, 'F-ECHO', values);
        verdicts.push(
          fail(
            `${label}: tasks/result {taskId:B, _meta related-task ${meta.result}} answered ${describeOutcome(r)}; expected B's result, ${expected}`,
          ),
        );
      }
    }

    const cancel = await send(s, 'tasks/cancel', a.taskId, meta.cancel);
    if (cancel.kind !== 'result' || cancel.result.taskId !== a.taskId) {
      verdicts.push(
        fail(
          `${label}: tasks/cancel {taskId:A, _meta related-task ${meta.cancel}} answered ${describeOutcome(cancel)}; expected A (${a.taskId}) cancelled`,
        ),
      );
    }
    const afterA = await s.request('tasks/get', { taskId: a.taskId });
    if (afterA.kind === 'result' && afterA.result.status !== 'cancelled') {
      verdicts.push(fail(`${label}: after tasks/cancel {taskId:A}, A is "${String(afterA.result.status)}"; expected "cancelled"`));
    }
    const afterB = await s.request('tasks/get', { taskId: b.taskId });
    if (afterB.kind !== 'result' || afterB.result.status !== 'completed') {
      verdicts.push(
        fail(
          `${label}: after tasks/cancel {taskId:A, _meta related-task ${meta.cancel}}, B answered ${describeOutcome(afterB)}; expected it unchanged ("completed")`,
        ),
      );
    }
    return verdicts;
  } finally {
    await releaseGate(s, ctx.fixtures, gateId).catch(() => undefined);
  }
}

async function paramsWin(ctx: ScenarioContext, c: CheckContext): Promise<Verdict> {
  const s = await ctx.session();
  const bogus = `bogus-${ctx.nonce('task')}`;
  const crossed = await round(ctx, s, 'crossed meta', (a, b) => ({ get: b.taskId, result: a.taskId, cancel: b.taskId }));
  const unknown = await round(ctx, s, 'bogus meta', () => ({ get: bogus, result: bogus, cancel: bogus }));
  c.note('rounds', {
    crossed: crossed.length === 0 ? 'ok' : crossed.map((v) => v.message),
    bogus: unknown.length === 0 ? 'ok' : unknown.map((v) => v.message),
  });
  return worst([
    ...crossed,
    ...unknown,
    pass('params.taskId decided the target of tasks/get, tasks/result and tasks/cancel; the related-task _meta was ignored'),
  ]);
}

async function progressCarriesRelated(ctx: ScenarioContext, c: CheckContext): Promise<Verdict> {
  const s = await ctx.session();
  const token = `p-${ctx.nonce('meta')}`;
  const startSeq = s.wireSeq();
  const task = await createTask(
    s,
    ctx.fixtures,
    'F-PROGRESS',
    { steps: 3, intervalSeconds: 0.05 },
    { ttl: DEFAULT_TTL_MS },
    { _meta: { progressToken: token } },
  );
  const createdSeq = s.wireSeq();
  const poll = await pollUntil(s, task.taskId, untilTerminal, ctx.timeouts.settleMs);
  if (!poll.reached)
    throw new ProbeError(`progress_job task ${task.taskId} did not reach a terminal status within ${ctx.timeouts.settleMs} ms`);
  await sleep(250); // notifications still in flight on another stream (HTTP)
  const mine = progressNotifications(ctx, s, startSeq).filter((e) => e.token === token && e.seq >= createdSeq);
  c.note(
    'progress',
    mine.map((n) => ({ progress: n.progress, relatedTask: n.relatedTask ?? null, channel: n.channel })),
  );
  if (mine.length === 0)
    return pass('no progress notification arrived after the CreateTaskResult; nothing to check (T25-PROG-04 records this)');
  const bad = mine.filter((n) => n.relatedTask !== task.taskId);
  if (bad.length) {
    return warn(
      `${bad.length} of ${mine.length} progress notification(s) for task ${task.taskId} lack params._meta["${RELATED_TASK}"].taskId equal to it (seen: ${[...new Set(bad.map((n) => JSON.stringify(n.relatedTask ?? null)))].join(', ')})`,
    );
  }
  return pass(`all ${mine.length} progress notification(s) after creation carried related-task ${task.taskId}`);
}

const scenario = defineScenario({
  name: 'metadata',
  description: '2.J related-task metadata (T25-META-02, T25-META-04)',
  checks: [META_02, META_04],
});

export default scenario;
