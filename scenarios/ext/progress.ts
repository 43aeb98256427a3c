// 2.K Progress and logging (EXT-PROG-01, EXT-PROG-02). Progress is not supported on tasks: once the
// CreateTaskResult is sent, nothing more flows on the tools/call's token (stdio: one ordered channel, so
// the order against the answer is reliable; HTTP: events after the answer on the same response stream).
// Progress that does flow (before the task exists, or on a direct call) must use the request's token and
// strictly increase.
import { fail, MODERN_ERA, pass, worst, type Verdict } from '../../harness/checks.js';
import type { ModernClient } from '../../harness/modern/client.js';
import { envelope, EXT, NOEXT } from '../../harness/modern/envelope.js';
import type { ReceivedNotification, RpcOutcome, ScenarioContext } from '../../harness/scenario.js';
import { describeOutcome, SetupError } from '../../harness/tasks.js';
import { j } from '../lib/format.js';
import { defineCheck, defineScenario } from '../lib/define.js';
import { isTerminal } from './lib/task-flow.js';

const STEPS = 5;

/** tools/call of E-PROGRESS with a progress token in the envelope. */
function callWithToken(
  ctx: ScenarioContext,
  client: ModernClient,
  token: string,
  caps: object,
  intervalSeconds: number,
): Promise<RpcOutcome> {
  const params = { name: ctx.fixtures.tool('F-PROGRESS'), arguments: ctx.fixtures.args('F-PROGRESS', { steps: STEPS, intervalSeconds }) };
  return client.request('tools/call', params, { meta: { ...envelope(caps as Record<string, unknown>), progressToken: token } });
}

/** The run-wide wire position at which this client received the answer to request `id`. */
function answerSeq(ctx: ScenarioContext, client: ModernClient, id: number | string): number | undefined {
  return ctx
    .wire()
    .find(
      (e) =>
        e.dir === 'recv' &&
        e.connection === client.name &&
        (e.message as { id?: unknown; method?: unknown } | undefined)?.id === id &&
        !(e.message as { method?: unknown }).method,
    )?.seq;
}

const progressOf = (client: ModernClient, token: string) =>
  client.notifications().filter((n) => n.method === 'notifications/progress' && n.params.progressToken === token);

/** Strictly increasing progress values (core/progress). */
function judgeMonotonic(what: string, seen: ReceivedNotification[]): Verdict | undefined {
  const values = seen.map((n) => n.params.progress);
  for (let i = 1; i < values.length; i++)
    if (!(typeof values[i] === 'number' && typeof values[i - 1] === 'number' && (values[i] as number) > (values[i - 1] as number)))
      return fail(
        `${what}: progress values ${j(values)} do not strictly increase (core/progress: progress MUST increase with each notification)`,
      );
  return undefined;
}

const PROG_01 = defineCheck(
  {
    id: 'EXT-PROG-01',
    name: 'No progress after the CreateTaskResult',
    description:
      'Once a tools/call has been answered with a CreateTaskResult, no notifications/progress (or notifications/message) follows on its progress token: the request is complete and progress is not supported on tasks.',
    level: 'MUST',
    specRefs: ['ext §Task Status Notifications', 'core/progress §Behavior'],
    fixtures: ['F-PROGRESS'],
  },
  async (ctx, c) => {
    // A client of its own, so every progress on the token is this call's.
    const client = await ctx.connectModern();
    try {
      const token = ctx.nonce('p');
      const o = await callWithToken(ctx, client, token, EXT, 0.05);
      if (o.kind !== 'result' || o.result.resultType !== 'task' || typeof o.result.taskId !== 'string')
        throw new SetupError(
          `tools/call ${ctx.fixtures.tool('F-PROGRESS')} declaring the extension did not create a task: ${describeOutcome(o)}`,
          o.kind === 'result' ? 'not-created' : 'refused',
          { method: 'tools/call', params: {} },
          o,
        );
      await client.poll(o.result.taskId, isTerminal);
      const answered = answerSeq(ctx, client, o.id);
      const after = (n: ReceivedNotification) => answered !== undefined && n.seq > answered;
      const late = progressOf(client, token).filter(after);
      // The client is this check's own: any log message after the answer is the task's.
      const logs = client.notifications().filter((n) => n.method === 'notifications/message' && after(n));
      c.note('afterCreate', { progress: late.length, logs: logs.length });
      if (late.length)
        return fail(
          `${late.length} notifications/progress on token ${token} arrived after the CreateTaskResult (e.g. ${j(late[0]!.params)}); the tools/call request is complete once the task is created`,
        );
      if (logs.length)
        return fail(
          `${logs.length} notifications/message arrived after the CreateTaskResult (e.g. ${j(logs[0]!.params)}); logging is not supported on tasks`,
        );
      return pass(`no progress on token ${token} followed the CreateTaskResult of the ${STEPS}-step task`);
    } finally {
      await client.close().catch(() => undefined);
    }
  },
);

const PROG_02 = defineCheck(
  {
    id: 'EXT-PROG-02',
    name: 'Progress that flows uses the token and increases',
    description:
      "Progress sent while a tools/call is in flight (a direct call without the extension, or before a CreateTaskResult) carries the request's progressToken and strictly increases.",
    level: 'MUST',
    specRefs: ['core/progress §Behavior'],
    fixtures: ['F-PROGRESS'],
  },
  async (ctx, c) => {
    const client = await ctx.connectModern();
    try {
      const verdicts: Verdict[] = [];
      const direct = ctx.nonce('pd');
      const d = await callWithToken(ctx, client, direct, NOEXT, 0);
      const directSeen = progressOf(client, direct);
      c.note(
        'directProgress',
        directSeen.map((n) => n.params.progress),
      );
      verdicts.push(
        judgeMonotonic(`the direct call (${describeOutcome(d)})`, directSeen) ??
          pass(`direct call: ${directSeen.length} progress notification(s), increasing`),
      );
      const stray = client.notifications().filter((n) => n.method === 'notifications/progress' && n.params.progressToken !== direct);
      if (stray.length)
        verdicts.push(
          fail(`progress arrived on token(s) ${j([...new Set(stray.map((n) => n.params.progressToken))])}, not the request's ${direct}`),
        );
      const task = ctx.nonce('pt');
      const t = await callWithToken(ctx, client, task, EXT, 0.05);
      const answered = t.kind === 'result' ? answerSeq(ctx, client, t.id) : undefined;
      const before = progressOf(client, task).filter((n) => answered === undefined || n.seq < answered);
      verdicts.push(
        judgeMonotonic('progress before the CreateTaskResult', before) ??
          pass(`${before.length} progress notification(s) before the task existed`),
      );
      if (t.kind === 'result' && typeof t.result.taskId === 'string') await client.poll(t.result.taskId, isTerminal);
      return worst(verdicts);
    } finally {
      await client.close().catch(() => undefined);
    }
  },
);

const scenario = defineScenario({
  name: 'ext-progress',
  description: '2.K Progress and logging (EXT-PROG-01, EXT-PROG-02)',
  era: MODERN_ERA,
  checks: [PROG_01, PROG_02],
});

export default scenario;
