// 2.I Cancellation (EXT-CAN-01..06) and H-EXT-06 (cancel races). tasks/cancel is acknowledged with an
// empty result and is cooperative and eventually consistent: a check waits with POLL and T_SETTLE (§4
// rule 2), the gate fixture (which honours cancellation, the E-CANCEL contract) decides when work ends,
// and gate_state tells whether the work really stopped before a released gate could finish it.
import { fail, info, MODERN_ERA, pass, warn, worst, type Verdict } from '../../harness/checks.js';
import type { JsonObject } from '../../harness/scenario.js';
import { describeOutcome, mapLimit, sleep } from '../../harness/tasks.js';
import { j, tally } from '../lib/format.js';
import { defineCheck, defineScenario } from '../lib/define.js';
import { randomTaskId } from '../lib/task-setup.js';
import { ackOf, judgeAck, judgeUnknownTask } from './lib/acks.js';
import {
  cancelExt,
  createExtGated,
  createExtTask,
  createWaiting,
  extGateState,
  getExt,
  isTerminal,
  releaseModernGate,
  releaseExtQuietly,
  settleExt,
  withGatedTask,
} from './lib/task-flow.js';

const CAN_01 = defineCheck(
  {
    id: 'EXT-CAN-01',
    name: 'tasks/cancel is acknowledged with an empty result',
    description: 'tasks/cancel of a known, running task is acknowledged with {resultType:"complete"}; no Task object is returned.',
    level: 'MUST',
    specRefs: ['ext §Task Cancellation'],
    fixtures: ['F-GATE'],
  },
  async (ctx) =>
    withGatedTask(ctx, async (client, gated) => {
      return judgeAck(`tasks/cancel of the working task ${gated.taskId}`, await cancelExt(client, gated.taskId));
    }),
);

const CAN_02 = defineCheck(
  {
    id: 'EXT-CAN-02',
    name: 'tasks/cancel of an unknown task is -32602',
    description: 'tasks/cancel naming a taskId the server never issued gets JSON-RPC error -32602 (A-EXT-05: only a SHOULD).',
    level: 'SHOULD',
    specRefs: ['ext §Task Cancellation', 'ext §Protocol Errors'],
    fixtures: [],
  },
  async (ctx) => {
    const id = randomTaskId();
    return judgeUnknownTask(`tasks/cancel of the unknown taskId ${id}`, await cancelExt(await ctx.modern(), id));
  },
);

const CAN_03 = defineCheck(
  {
    id: 'EXT-CAN-03',
    name: 'A cancelled task that honours cancellation ends cancelled',
    description:
      'After the ack a task may stay non-terminal for a while and may end otherwise (cooperative); the gate fixture honours cancellation (E-CANCEL contract), so it should end cancelled within T_SETTLE.',
    level: 'MAY',
    specRefs: ['ext §Task Cancellation'],
    fixtures: ['F-GATE'],
  },
  async (ctx, c) =>
    withGatedTask(ctx, async (client, gated) => {
      const ack = await cancelExt(client, gated.taskId);
      if (ackOf(ack).kind !== 'ack') return info(`tasks/cancel was not acknowledged (${describeOutcome(ack)}; EXT-CAN-01 judges it)`);
      const p = await client.poll(gated.taskId, isTerminal);
      c.note('finalStatus', p.task?.status ?? (p.failure && describeOutcome(p.failure)));
      if (p.task?.status === 'cancelled') return pass('the gated task (the fixture honours cancellation) ended cancelled after the ack');
      if (!p.settled)
        return warn(
          `the gated task was still ${String(p.task?.status)} ${ctx.timeouts.settleMs} ms after tasks/cancel was acknowledged; the fixture contract says it honours cancellation (A-EXT-20, A-EXT-21)`,
        );
      return warn(
        `the gated task ended ${String(p.task?.status)} after tasks/cancel, though it honours cancellation and its gate was never released`,
      );
    }),
);

const CAN_04 = defineCheck(
  {
    id: 'EXT-CAN-04',
    name: 'cancelled never changes, even when the work ends later',
    description: 'Once a task is seen cancelled, releasing its gate (the work could finish now) never changes its status.',
    level: 'MUST',
    specRefs: ['ext §Task Status', 'ext §Task Cancellation'],
    fixtures: ['F-GATE', 'F-GATE-RELEASE'],
  },
  async (ctx, c) => {
    const client = await ctx.modern();
    const gated = await createExtGated(ctx, client);
    let released = false;
    try {
      await cancelExt(client, gated.taskId);
      const p = await client.poll(gated.taskId, isTerminal);
      if (p.task?.status !== 'cancelled')
        return info(`the task did not end cancelled (${String(p.task?.status)}; EXT-CAN-03 records it), so there is nothing to keep`);
      await releaseModernGate(ctx, client, gated.gateId);
      released = true;
      // gate_state says when the work has settled (finished: it ran on; aborted: it had stopped); else re-poll a few times.
      const deadline = Date.now() + ctx.timeouts.settleMs;
      while (Date.now() < deadline && !['finished', 'aborted', undefined].includes(await extGateState(ctx, client, gated.gateId)))
        await sleep(50);
      const seen: string[] = [];
      for (let i = 0; i < 3; i++) {
        const o = await getExt(client, gated.taskId);
        seen.push(o.kind === 'result' ? String(o.result.status) : describeOutcome(o));
        if (o.kind === 'result' && o.result.status !== 'cancelled')
          return fail(
            `task ${gated.taskId} was cancelled, then reported ${String(o.result.status)} after its gate was released: a terminal status must never change`,
          );
        if (i < 2) await sleep(REPOLL_MS);
      }
      c.note('afterRelease', seen);
      return pass(`the task stayed cancelled after its gate was released (${seen.join(', ')})`);
    } finally {
      if (!released) await releaseExtQuietly(ctx, client, gated.gateId);
    }
  },
);

/** EXT-CAN-04: spacing of the re-polls after the release. */
const REPOLL_MS = 300;

const CAN_05 = defineCheck(
  {
    id: 'EXT-CAN-05',
    name: 'tasks/cancel of an ended task',
    description:
      'tasks/cancel of a completed task (unspecified, A-EXT-04): an ack is expected (the official conformance suite), -32602 is a WARNING; the task stays completed; a second cancel is recorded.',
    level: 'SHOULD',
    specRefs: ['ext §Task Cancellation'],
    fixtures: ['F-ECHO'],
  },
  async (ctx, c) => {
    const client = await ctx.modern();
    const created = await createExtTask(ctx, client, 'F-ECHO', { seconds: 0, label: ctx.nonce('c5') });
    await settleExt(client, created.taskId, isTerminal, 'a terminal status');
    const first = await cancelExt(client, created.taskId);
    const second = await cancelExt(client, created.taskId);
    const after = await getExt(client, created.taskId);
    c.note('cancels', [describeOutcome(first), describeOutcome(second)]);
    const verdicts: Verdict[] = [];
    if (first.kind === 'error' && first.error.code === -32602)
      verdicts.push(
        warn(
          `tasks/cancel of the completed task answered -32602; acknowledging it unchanged is expected (A-EXT-04: the official conformance suite expects the ack)`,
        ),
      );
    else if (ackOf(first).kind !== 'ack')
      verdicts.push(warn(`tasks/cancel of the completed task answered ${describeOutcome(first)}; an ack (or -32602) is expected`));
    else verdicts.push(pass('tasks/cancel of the completed task was acknowledged'));
    if (after.kind === 'result' && after.result.status !== 'completed')
      verdicts.push(
        fail(`after tasks/cancel the completed task was reported ${String(after.result.status)}: a terminal status must never change`),
      );
    verdicts.push(info(`a second tasks/cancel answered ${ackOf(second).kind === 'ack' ? 'an ack' : describeOutcome(second)}`));
    return worst(verdicts);
  },
);

const CAN_06 = defineCheck(
  {
    id: 'EXT-CAN-06',
    name: 'Cancelling an input_required task ends its demand for input',
    description:
      'tasks/cancel of an input_required task is acknowledged, and the task does not stay input_required (T_SETTLE); its final status is recorded.',
    level: 'SHOULD',
    specRefs: ['ext §Task Cancellation'],
    fixtures: ['F-ELICIT'],
  },
  async (ctx, c) => {
    const client = await ctx.modern();
    const w = await createWaiting(ctx, client, 'F-ELICIT');
    const ack = await cancelExt(client, w.taskId);
    if (ackOf(ack).kind !== 'ack') return warn(`tasks/cancel of the input_required task was not acknowledged: ${describeOutcome(ack)}`);
    const p = await client.poll(w.taskId, (t) => t.status !== 'input_required');
    c.note('finalStatus', p.task?.status);
    if (!p.settled)
      return warn(
        `${ctx.timeouts.settleMs} ms after tasks/cancel was acknowledged the task still demanded input (input_required, keys ${j(Object.keys((p.task?.inputRequests ?? {}) as JsonObject))})`,
      );
    return pass(`after tasks/cancel the input_required task moved on to ${String(p.task?.status)}`);
  },
);

/** H-EXT-06: tasks cancelled near their completion, and the offsets tried (ms after creation). */
const RACES = 50;
const RACE_WORK_SECONDS = 0.05;

const H_EXT_06 = defineCheck(
  {
    id: 'H-EXT-06',
    name: 'Cancel races near completion',
    description: `${RACES} tasks of ${RACE_WORK_SECONDS * 1000} ms work cancelled at random offsets around their completion: every one ends terminal and stays so; the outcome distribution is reported.`,
    level: 'SHOULD',
    specRefs: ['ext §Task Cancellation', 'ext §Task Status'],
    fixtures: ['F-ECHO'],
  },
  async (ctx, c) => {
    const client = await ctx.modern();
    const problems: string[] = [];
    const finals = await mapLimit(
      Array.from({ length: RACES }, (_, i) => i),
      10,
      async (i) => {
        const created = await createExtTask(ctx, client, 'F-ECHO', { seconds: RACE_WORK_SECONDS, label: ctx.nonce(`race${i}`) });
        await sleep(Math.random() * RACE_WORK_SECONDS * 2000);
        await cancelExt(client, created.taskId);
        const p = await client.poll(created.taskId, isTerminal);
        if (!p.settled || !p.task) {
          problems.push(`${created.taskId}: ${p.task ? `still ${String(p.task.status)}` : describeOutcome(p.failure!)}`);
          return 'not terminal';
        }
        const again = await getExt(client, created.taskId);
        if (again.kind === 'result' && again.result.status !== p.task.status)
          problems.push(`${created.taskId}: ${String(p.task.status)} then ${String(again.result.status)}`);
        return String(p.task.status);
      },
    );
    const distribution = tally(finals);
    c.note('distribution', distribution);
    if (problems.length)
      return warn(
        `${problems.length} of ${RACES} cancel races did not end in one stable terminal status: ${problems.slice(0, 5).join('; ')}`,
        { distribution },
      );
    return pass(`${RACES} cancels near completion all ended terminal and stable: ${j(distribution)}`, { distribution });
  },
);

const scenario = defineScenario({
  name: 'ext-cancel',
  description: '2.I Cancellation (EXT-CAN-01..06), H-EXT-06',
  era: MODERN_ERA,
  checks: [CAN_01, CAN_02, CAN_03, CAN_04, CAN_05, CAN_06, H_EXT_06],
});

export default scenario;
