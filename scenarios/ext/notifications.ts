// 2.J Status notifications (EXT-NOTIF-01..09) and H-EXT-12 (notification latency): subscriptions/listen with
// notifications.taskIds, its acknowledgement, and the notifications/tasks of one stream. Ordering is judged
// within one subscription stream only (ordered on both transports, §4 rule 5). Gates decide when tasks end.
// A server without subscriptions/listen (-32601) gets EXT-NOTIF-01 INFO and the rest SKIPPED.
import { fail, info, MODERN_ERA, pass, skip, warn, worst, type Verdict } from '../../harness/checks.js';
import { META, NOEXT } from '../../harness/modern/envelope.js';
import type { JsonObject, ReceivedNotification } from '../../harness/scenario.js';
import { describeOutcome, within, TIMED_OUT } from '../../harness/tasks.js';
import { j } from '../lib/format.js';
import { defineCheck, defineScenario } from '../lib/define.js';
import { judgeMissingCapability } from './lib/required-capability.js';
import { isAck, listenSupport, QUIET_MS, unlessUnsupported, withSubscribedGate, type Shared } from './lib/subscription-setup.js';
import { createExtGated, createExtTask, getExt, isTerminal, releaseModernGate, releaseExtQuietly, settleExt } from './lib/task-flow.js';
import { isTaskNotification } from './lib/timeline.js';

const NOTIF_01 = defineCheck<Shared>(
  {
    id: 'EXT-NOTIF-01',
    name: 'Task status notifications are offered',
    description: 'The server may push notifications/tasks to subscribers of subscriptions/listen; whether it does is recorded.',
    level: 'MAY',
    specRefs: ['ext §Task Status Notifications'],
    fixtures: ['F-GATE'],
  },
  async (ctx, _c, { shared }) => {
    const why = await listenSupport(ctx, shared);
    return info(why ? `not offered: ${why}` : 'subscriptions/listen with notifications.taskIds is acknowledged');
  },
);

const NOTIF_02 = defineCheck<Shared>(
  {
    id: 'EXT-NOTIF-02',
    name: 'Listening for tasks needs the extension (-32021)',
    description:
      'subscriptions/listen asking for notifications.taskIds in a request whose clientCapabilities lack the extension gets -32021 with data.requiredCapabilities naming it (HTTP 400).',
    level: 'MUST',
    specRefs: ['ext §Task Status Notifications', 'ext §Protocol Errors'],
    fixtures: ['F-GATE'],
  },
  async (ctx, c, { shared }) =>
    (await unlessUnsupported(ctx, shared)) ??
    withSubscribedGate(
      ctx,
      async (_client, _gated, sub, first) => {
        if (first)
          return fail(
            `subscriptions/listen for taskIds without the extension in clientCapabilities was served (first message ${first.method}); it must answer -32021`,
          );
        const answer = await within(sub.answer, ctx.timeouts.requestMs);
        if (answer === TIMED_OUT)
          return fail('subscriptions/listen for taskIds without the extension was neither refused nor acknowledged');
        c.note('answer', describeOutcome(answer));
        return judgeMissingCapability('subscriptions/listen for taskIds without the extension', answer);
      },
      { caps: NOEXT },
    ),
);

const NOTIF_03 = defineCheck<Shared>(
  {
    id: 'EXT-NOTIF-03',
    name: 'The acknowledgement comes first',
    description:
      'The first message of a subscription is notifications/subscriptions/acknowledged with _meta subscriptionId equal to the listen request id; its notifications.taskIds is a subset of those requested.',
    level: 'MUST',
    specRefs: ['core/subscriptions §Acknowledgment', 'ext §Task Status Notifications'],
    fixtures: ['F-GATE'],
  },
  async (ctx, c, { shared }) => {
    const unsupported = await unlessUnsupported(ctx, shared);
    if (unsupported) return unsupported;
    const unknown = crypto.randomUUID();
    return withSubscribedGate(
      ctx,
      async (_client, gated, sub, first) => {
        if (!first)
          return fail(`no message arrived on the subscription within ${ctx.timeouts.settleMs} ms; the acknowledgement must come first`);
        c.note('first', first);
        if (!isAck(first))
          return fail(
            `the first message of the subscription was ${first.method} (${j(first.params)}), not notifications/subscriptions/acknowledged`,
          );
        const verdicts: Verdict[] = [];
        const sid = (first.params._meta as JsonObject | undefined)?.[META.subscriptionId];
        if (sid !== sub.id)
          verdicts.push(fail(`the acknowledgement carries _meta subscriptionId ${j(sid)}, not the listen request id ${j(sub.id)}`));
        const acked = (first.params.notifications as JsonObject | undefined)?.taskIds;
        if (acked !== undefined && (!Array.isArray(acked) || acked.some((id) => id !== gated.taskId && id !== unknown)))
          verdicts.push(fail(`the acknowledged taskIds ${j(acked)} are not a subset of the requested ${j([gated.taskId, unknown])}`));
        else if (!Array.isArray(acked) || !acked.includes(gated.taskId))
          verdicts.push(info(`the server declined to notify about ${gated.taskId} (acknowledged taskIds ${j(acked)})`));
        else verdicts.push(pass(`acknowledged first, subscriptionId ${j(sid)}, taskIds ${j(acked)} of ${j([gated.taskId, unknown])}`));
        return worst(verdicts);
      },
      { alsoTaskIds: [unknown] },
    );
  },
);

const NOTIF_04 = defineCheck<Shared>(
  {
    id: 'EXT-NOTIF-04',
    name: 'Every notification carries the subscriptionId',
    description:
      'Every notification of a subscription carries _meta["io.modelcontextprotocol/subscriptionId"] equal to the listen request id.',
    level: 'MUST',
    specRefs: ['core/basic/index §_meta', 'core/subscriptions §Receiving'],
    fixtures: ['F-GATE', 'F-GATE-RELEASE'],
  },
  async (ctx, _c, { shared }) =>
    (await unlessUnsupported(ctx, shared)) ??
    withSubscribedGate(ctx, async (client, gated, sub) => {
      await releaseModernGate(ctx, client, gated.gateId);
      await settleExt(client, gated.taskId, isTerminal, 'a terminal status');
      await sub.next((n) => isTaskNotification(n, gated.taskId) && isTerminal(n.params), QUIET_MS);
      // stdio: a notification without the id cannot be told apart by the client, so look for the task's ones too.
      const bySeq = new Map<number, ReceivedNotification>();
      for (const n of [...sub.messages(), ...client.notifications().filter((m) => isTaskNotification(m, gated.taskId))])
        bySeq.set(n.seq, n);
      const seen = [...bySeq.values()];
      const bad = seen.filter((n) => (n.params._meta as JsonObject | undefined)?.[META.subscriptionId] !== sub.id);
      if (bad.length)
        return fail(
          `${bad.length} notification(s) about the subscription's task lack _meta subscriptionId ${j(sub.id)}: e.g. ${bad[0]!.method} ${j(bad[0]!.params)}`,
        );
      return pass(`all ${seen.length} notifications carried subscriptionId ${j(sub.id)}`);
    }),
);

/** What a taskIds-only subscription may carry: its acknowledgement and notifications/tasks; progress and log messages are EXT-NOTIF-07's. */
const REQUESTED_OR_JUDGED_ELSEWHERE = new Set([
  'notifications/subscriptions/acknowledged',
  'notifications/tasks',
  'notifications/progress',
  'notifications/message',
]);

const NOTIF_05 = defineCheck<Shared>(
  {
    id: 'EXT-NOTIF-05',
    name: 'notifications/tasks only for acknowledged tasks',
    description:
      'With T1 and T2 running and a subscription to T1 only, releasing both sends no notifications/tasks about T2 on that subscription, nor any notification type that was not requested.',
    level: 'MUST',
    specRefs: ['core/subscriptions §Opening a Stream'],
    fixtures: ['F-GATE', 'F-GATE-RELEASE'],
  },
  async (ctx, c, { shared }) =>
    (await unlessUnsupported(ctx, shared)) ??
    withSubscribedGate(ctx, async (client, one, sub) => {
      const two = await createExtGated(ctx, client);
      try {
        await releaseModernGate(ctx, client, two.gateId);
        await releaseModernGate(ctx, client, one.gateId);
        await settleExt(client, two.taskId, isTerminal, 'a terminal status');
        await sub.next((n) => isTaskNotification(n, one.taskId) && isTerminal(n.params), ctx.timeouts.settleMs);
        await sub.next((n) => isTaskNotification(n, two.taskId), QUIET_MS);
        const leaked = sub.messages().filter((n) => isTaskNotification(n, two.taskId));
        const unrequested = sub.messages().filter((n) => !REQUESTED_OR_JUDGED_ELSEWHERE.has(n.method));
        c.note('subscriptionMessages', sub.messages().length);
        if (leaked.length)
          return fail(`the subscription for ${one.taskId} only received ${leaked.length} notifications/tasks about ${two.taskId}`);
        if (unrequested.length)
          return fail(
            `the subscription asked only for notifications.taskIds, yet received ${unrequested.length} unrequested notification(s) of type ${[...new Set(unrequested.map((n) => n.method))].join(', ')} (e.g. ${j(unrequested[0]!.params)})`,
          );
        return pass(
          `no notification about the other task (${two.taskId}) and no unrequested type arrived on the subscription to ${one.taskId}`,
        );
      } finally {
        await releaseExtQuietly(ctx, client, two.gateId);
      }
    }),
);

const TASK_FIELDS = ['taskId', 'status', 'createdAt', 'lastUpdatedAt', 'ttlMs'];

const NOTIF_06 = defineCheck<Shared>(
  {
    id: 'EXT-NOTIF-06',
    name: 'notifications/tasks carry the complete DetailedTask',
    description:
      'Each notifications/tasks carries the Task fields (FAILURE when missing); a terminal one arrives within T_SETTLE of the release, carries result or error (A-EXT-02) and matches a later tasks/get (WARNING otherwise).',
    level: 'MUST',
    specRefs: ['ext §Task Status Notifications', 'ext schema TaskStatusNotificationParams'],
    fixtures: ['F-GATE', 'F-GATE-RELEASE'],
  },
  async (ctx, c, { shared }) =>
    (await unlessUnsupported(ctx, shared)) ??
    withSubscribedGate(ctx, async (client, gated, sub, first) => {
      if (!first || !isAck(first)) return skip('setup-failed', 'the subscription was not acknowledged (EXT-NOTIF-03)');
      const acked = (first.params.notifications as JsonObject | undefined)?.taskIds;
      if (!Array.isArray(acked) || !acked.includes(gated.taskId))
        return skip('not-applicable', `the server declined to notify about ${gated.taskId}`);
      await releaseModernGate(ctx, client, gated.gateId);
      const done = await sub.next((n) => isTaskNotification(n, gated.taskId) && isTerminal(n.params), ctx.timeouts.settleMs);
      const verdicts: Verdict[] = [];
      for (const n of sub.messages().filter((m) => isTaskNotification(m, gated.taskId))) {
        const missing = TASK_FIELDS.filter((f) => !(f in n.params));
        if (missing.length)
          verdicts.push(
            fail(`notifications/tasks (status ${j(n.params.status)}) lacks the Task field(s) ${missing.join(', ')}: ${j(n.params)}`),
          );
      }
      if (!done)
        return worst([
          ...verdicts,
          warn(`the task was acknowledged but no terminal notifications/tasks arrived within ${ctx.timeouts.settleMs} ms of the release`),
        ]);
      c.note('terminalNotification', done.params);
      const got = await getExt(client, gated.taskId);
      if (got.kind === 'result') {
        for (const f of ['taskId', 'status', 'createdAt', 'result', 'error'])
          if (j(got.result[f], 1e6) !== j(done.params[f], 1e6))
            verdicts.push(warn(`the terminal notification's ${f} ${j(done.params[f])} differs from tasks/get's ${j(got.result[f])}`));
      }
      if (done.params.status === 'completed' && !('result' in done.params))
        verdicts.push(warn('the completed notification carries no result (the schema says DetailedTask, A-EXT-02)'));
      if (done.params.status === 'failed' && !('error' in done.params))
        verdicts.push(warn('the failed notification carries no error (A-EXT-02)'));
      return verdicts.length
        ? worst(verdicts)
        : pass(`the terminal notification (${String(done.params.status)}) is the complete DetailedTask tasks/get returns`);
    }),
);

const NOTIF_07 = defineCheck<Shared>(
  {
    id: 'EXT-NOTIF-07',
    name: 'No progress or log messages on the listen stream',
    description:
      'While a progress-reporting task (E-PROGRESS) runs, its subscription carries no notifications/progress or notifications/message.',
    level: 'MUST',
    specRefs: ['ext §Task Status Notifications'],
    fixtures: ['F-PROGRESS'],
  },
  async (ctx, c, { shared }) => {
    const unsupported = await unlessUnsupported(ctx, shared);
    if (unsupported) return unsupported;
    // A client of its own: on stdio every progress or log message it gets during the subscription is the task's.
    const client = await ctx.connectModern();
    try {
      const created = await createExtTask(ctx, client, 'F-PROGRESS', { steps: PROGRESS_STEPS, intervalSeconds: 0.05 });
      const sub = await client.listen({ taskIds: [created.taskId] });
      const from = client.wireSeq();
      await sub.next((n) => isTaskNotification(n, created.taskId) && isTerminal(n.params), ctx.timeouts.settleMs + PROGRESS_STEPS * 50);
      await sub.close();
      const onStream = (n: ReceivedNotification) => n.method === 'notifications/progress' || n.method === 'notifications/message';
      const seen =
        client.transport === 'stdio' ? client.notifications().filter((n) => n.seq > from && onStream(n)) : sub.messages().filter(onStream);
      c.note('progressOrLog', seen.length);
      if (seen.length)
        return fail(
          `${seen.length} ${seen[0]!.method} message(s) arrived on the listen stream of the task (e.g. ${j(seen[0]!.params)}); progress is not supported on tasks`,
        );
      return pass(`no progress or log message arrived on the subscription while the ${PROGRESS_STEPS}-step task ran`);
    } finally {
      await client.close().catch(() => undefined);
    }
  },
);

const PROGRESS_STEPS = 40;

const NOTIF_08 = defineCheck<Shared>(
  {
    id: 'EXT-NOTIF-08',
    name: 'Nothing follows a terminal notification',
    description:
      'On one subscription stream, statuses follow the lifecycle: after a terminal notifications/tasks only an identical terminal one may follow.',
    level: 'MUST',
    specRefs: ['ext §Task Status'],
    fixtures: ['F-GATE', 'F-GATE-RELEASE'],
  },
  async (ctx, _c, { shared }) =>
    (await unlessUnsupported(ctx, shared)) ??
    withSubscribedGate(ctx, async (client, gated, sub) => {
      await releaseModernGate(ctx, client, gated.gateId);
      const done = await sub.next((n) => isTaskNotification(n, gated.taskId) && isTerminal(n.params), ctx.timeouts.settleMs);
      if (!done) return skip('setup-failed', `no terminal notification arrived within ${ctx.timeouts.settleMs} ms (EXT-NOTIF-06)`);
      await sub.next((n) => n.seq > done.seq && isTaskNotification(n, gated.taskId), QUIET_MS);
      const later = sub.messages().filter((n) => n.seq > done.seq && isTaskNotification(n, gated.taskId));
      const changed = later.filter((n) => n.params.status !== done.params.status);
      if (changed.length)
        return fail(
          `after the terminal notification (${String(done.params.status)}) the stream reported ${String(changed[0]!.params.status)}: terminal statuses never change`,
        );
      return pass(`nothing but the terminal status followed on the stream (${later.length} repeat(s))`);
    }),
);

const NOTIF_09 = defineCheck(
  {
    id: 'EXT-NOTIF-09',
    name: 'Graceful subscription closure answers the listen request',
    description:
      'When the server tears a subscription down gracefully it answers the listen request with a result carrying subscriptionId (observable only at server shutdown).',
    level: 'SHOULD',
    specRefs: ['core/subscriptions §Graceful Closure'],
    fixtures: [],
  },
  async () =>
    skip(
      'not-applicable',
      'only observable when the server shuts down while a subscription is open; the harness does not stop servers mid-run',
      ['S-RESTART'],
    ),
);

const H_EXT_12 = defineCheck<Shared>(
  {
    id: 'H-EXT-12',
    name: 'Notification latency and coverage',
    description: 'Delay from release_gate until the terminal notifications/tasks arrives, and which statuses were pushed.',
    level: 'MAY',
    specRefs: ['ext §Task Status Notifications'],
    fixtures: ['F-GATE', 'F-GATE-RELEASE'],
  },
  async (ctx, c, { shared }) =>
    (await unlessUnsupported(ctx, shared)) ??
    withSubscribedGate(ctx, async (client, gated, sub) => {
      const released = performance.now();
      await releaseModernGate(ctx, client, gated.gateId);
      const done = await sub.next((n) => isTaskNotification(n, gated.taskId) && isTerminal(n.params), ctx.timeouts.settleMs);
      const ms = Math.round(performance.now() - released);
      const statuses = sub
        .messages()
        .filter((n) => isTaskNotification(n, gated.taskId))
        .map((n) => String(n.params.status));
      c.note('latencyMs', done ? ms : null);
      c.note('statuses', statuses);
      return info(
        done
          ? `terminal notification ${ms} ms after release_gate was sent; statuses pushed: ${statuses.join(' → ')}`
          : `no terminal notification within ${ctx.timeouts.settleMs} ms; statuses pushed: ${statuses.join(' → ') || 'none'}`,
      );
    }),
);

const scenario = defineScenario<Shared>({
  name: 'ext-notifications',
  description: '2.J Status notifications (EXT-NOTIF-01..09), H-EXT-12',
  era: MODERN_ERA,
  setup: () => ({}),
  checks: [NOTIF_01, NOTIF_02, NOTIF_03, NOTIF_04, NOTIF_05, NOTIF_06, NOTIF_07, NOTIF_08, NOTIF_09, H_EXT_12],
});

export default scenario;
