// 2.H tasks/update (EXT-UPD-01..08) and H-EXT-07 (update races): a task's outstanding inputRequests are
// answered through tasks/update with inputResponses built from each requestedSchema; the ack is empty, the
// answers apply eventually (POLL with T_SETTLE, §4 rule 2), keys that are not outstanding are ignored and
// a key is never reused. Result texts are compared only where the fixture promises one (expectedText).
import { fail, info, MODERN_ERA, pass, skip, warn, worst, type FixtureRole, type Verdict } from '../../harness/checks.js';
import type { ModernClient } from '../../harness/modern/client.js';
import type { JsonObject, ScenarioContext } from '../../harness/scenario.js';
import { describeOutcome } from '../../harness/tasks.js';
import { j } from '../lib/format.js';
import { defineCheck, defineScenario } from '../lib/define.js';
import { randomTaskId } from '../lib/task-setup.js';
import { ackOf, judgeAck, judgeUnknownTask } from './lib/acks.js';
import {
  createExtTask,
  firstText,
  getExt,
  inputKeys,
  isTerminal,
  settleExt,
  updateExt,
  withGatedTask,
  withWaitingTask,
} from './lib/task-flow.js';

/** The sequential-rounds fixture (E-SEQ): a contract tool of this era only, found by its name (no role mapping yet). */
const SEQ_TOOL = 'sequential_input';
const listsTool = (ctx: ScenarioContext, name: string) => ctx.fixtures.tools.some((t) => t.name === name);

/** Answers for `keys` of a task's inputRequests, built from their requestedSchema with `preferred` values. */
function answers(client: ModernClient, task: JsonObject, keys: string[], preferred: JsonObject = { name: 'Ada' }): JsonObject {
  const requests = (task.inputRequests ?? {}) as JsonObject;
  return client.inputResponses(Object.fromEntries(keys.map((k) => [k, requests[k]])), preferred);
}

/** Judges a terminal result text against what the fixture promises for `values` (FAIL on a mismatch). */
function judgeResultText(ctx: ScenarioContext, role: FixtureRole, values: JsonObject, done: JsonObject, what: string): Verdict {
  const expected = ctx.fixtures.expectedText(role, values);
  const actual = firstText(done.result);
  if (expected.kind === 'unknown')
    return info(`${what}: the task ended ${String(done.status)} with ${j(actual)} (the fixture promises no text: ${expected.why})`);
  const ok = expected.match === 'exact' ? actual === expected.text : actual?.includes(expected.text) === true;
  return ok
    ? pass(`${what}: the result says ${j(actual)}`)
    : fail(
        `${what}: the task ended ${String(done.status)} with ${j(actual ?? done.result ?? done.error)}, expected ${expected.match === 'exact' ? '' : 'a text containing '}${j(expected.text)}`,
      );
}

const UPD_01 = defineCheck(
  {
    id: 'EXT-UPD-01',
    name: 'tasks/update with outstanding keys is acknowledged',
    description:
      'tasks/update with responses for outstanding inputRequests keys is acknowledged with an empty result {resultType:"complete"} (_meta allowed).',
    level: 'MUST',
    specRefs: ['ext §Task Update Requests'],
    fixtures: ['F-ELICIT'],
  },
  async (ctx, c) =>
    withWaitingTask(ctx, 'F-ELICIT', async (client, w) => {
      const responses = answers(client, w.waiting, inputKeys(w.waiting));
      c.note('inputResponses', responses);
      return judgeAck(`tasks/update answering ${inputKeys(w.waiting).join(', ')}`, await updateExt(client, w.taskId, responses));
    }),
);

const UPD_02 = defineCheck(
  {
    id: 'EXT-UPD-02',
    name: 'An acknowledged answer is applied',
    description:
      'After the ack the task leaves input_required within T_SETTLE (eventual consistency, A-EXT-20) and ends with the answer applied (the fixture result text).',
    level: 'MUST',
    specRefs: ['ext §Task Update Requests'],
    fixtures: ['F-ELICIT'],
  },
  async (ctx, c) =>
    withWaitingTask(ctx, 'F-ELICIT', async (client, w) => {
      const responses = answers(client, w.waiting, inputKeys(w.waiting));
      const ack = await updateExt(client, w.taskId, responses);
      if (ackOf(ack).kind !== 'ack')
        return info(`tasks/update was not acknowledged (${describeOutcome(ack)}; EXT-UPD-01 judges it), so nothing was applied`);
      const p = await client.poll(w.taskId, (t) => t.status !== 'input_required' || !sameKeys(t, w.waiting));
      c.note('statusAfterUpdate', p.task?.status);
      if (!p.settled)
        return warn(
          `the task was still input_required with the answered key(s) ${inputKeys(w.waiting).join(', ')} ${ctx.timeouts.settleMs} ms after tasks/update was acknowledged (A-EXT-20)`,
        );
      const done = await settleExt(client, w.taskId, isTerminal, 'a terminal status');
      const content = Object.values(responses)[0] as { content?: JsonObject };
      return judgeResultText(ctx, 'F-ELICIT', content.content ?? {}, done, 'after the answer');
    }),
);

const sameKeys = (a: JsonObject, b: JsonObject) => j(inputKeys(a).sort()) === j(inputKeys(b).sort());

const UPD_03 = defineCheck(
  {
    id: 'EXT-UPD-03',
    name: 'tasks/update of an unknown task is -32602',
    description: 'tasks/update naming a taskId the server never issued gets JSON-RPC error -32602 (A-EXT-05: only a SHOULD).',
    level: 'SHOULD',
    specRefs: ['ext §Task Update Requests', 'ext §Protocol Errors'],
    fixtures: [],
  },
  async (ctx) => {
    const id = randomTaskId();
    return judgeUnknownTask(`tasks/update of the unknown taskId ${id}`, await updateExt(await ctx.modern(), id, {}));
  },
);

const UPD_04 = defineCheck(
  {
    id: 'EXT-UPD-04',
    name: 'Responses to keys that are not outstanding are ignored',
    description:
      'A response under a key never issued, or under a key already answered, is acknowledged and changes nothing: the task keeps its inputRequests, and the first answer of a key is the one applied.',
    level: 'SHOULD',
    specRefs: ['ext §Task Update Requests'],
    fixtures: ['F-ELICIT'],
  },
  async (ctx, c) =>
    withWaitingTask(ctx, 'F-ELICIT', async (client, w) => {
      const verdicts: Verdict[] = [];
      const bogus = `bogus-${randomTaskId()}`;
      const stray = await updateExt(client, w.taskId, { [bogus]: { action: 'accept', content: {} } });
      if (ackOf(stray).kind !== 'ack')
        verdicts.push(
          warn(`tasks/update with the never-issued key ${bogus} should be acknowledged and ignored; got ${describeOutcome(stray)}`),
        );
      const after = await getExt(client, w.taskId);
      c.note(
        'afterBogusKey',
        after.kind === 'result' ? { status: after.result.status, keys: inputKeys(after.result) } : describeOutcome(after),
      );
      if (after.kind === 'result' && (after.result.status !== 'input_required' || !sameKeys(after.result, w.waiting)))
        verdicts.push(
          warn(
            `a response under the never-issued key ${bogus} changed the task: now ${String(after.result.status)} with keys ${j(inputKeys(after.result))}`,
          ),
        );
      const keys = inputKeys(w.waiting);
      const first = answers(client, w.waiting, keys, { name: 'Ada' });
      const firstAck = await updateExt(client, w.taskId, first);
      if (ackOf(firstAck).kind !== 'ack')
        return info(`answering ${keys.join(', ')} was refused (${describeOutcome(firstAck)}; EXT-UPD-01 judges it)`);
      const again = await updateExt(client, w.taskId, answers(client, w.waiting, keys, { name: 'Eve' }));
      if (ackOf(again).kind !== 'ack')
        verdicts.push(
          warn(
            `a second answer to the already answered key(s) ${keys.join(', ')} should be acknowledged and ignored; got ${describeOutcome(again)}`,
          ),
        );
      const done = await settleExt(client, w.taskId, isTerminal, 'a terminal status');
      const applied = judgeResultText(ctx, 'F-ELICIT', { name: 'Ada' }, done, 'the first answer (name Ada) wins over the second (Eve)');
      verdicts.push(applied.status === 'FAILURE' ? warn(applied.message ?? '') : applied);
      return worst(verdicts);
    }),
);

const UPD_05 = defineCheck(
  {
    id: 'EXT-UPD-05',
    name: 'A partial update keeps the task input_required',
    description:
      'With two outstanding requests (E-MULTI), answering one keeps the task input_required until the other is answered (completing without it is a FAILURE; the answered key still listed a WARNING, A-EXT-17); answering the other ends it with both answers.',
    level: 'MAY',
    specRefs: ['ext §Task Update Requests'],
    fixtures: ['F-MULTI'],
  },
  async (ctx, c) =>
    withWaitingTask(
      ctx,
      'F-MULTI',
      async (client, w) => {
        const preferred = { a: 'A1', b: 'B2' };
        const [k1, ...rest] = inputKeys(w.waiting);
        const ack = await updateExt(client, w.taskId, answers(client, w.waiting, [k1!], preferred));
        if (ackOf(ack).kind !== 'ack')
          return info(`a partial tasks/update (key ${k1}) was refused: ${describeOutcome(ack)} (partial sets are a MAY)`);
        const p = await client.poll(w.taskId, (t) => t.status !== 'input_required' || !inputKeys(t).includes(k1!));
        c.note('afterPartialUpdate', { status: p.task?.status, keys: inputKeys(p.task) });
        if (p.task && isTerminal(p.task))
          return fail(
            `after answering only ${k1}, the task ended ${String(p.task.status)} (${j(firstText(p.task.result) ?? p.task.error)}) without the answer to ${rest.join(', ')}`,
          );
        const verdicts: Verdict[] = [];
        if (!p.settled)
          verdicts.push(
            warn(`the answered key ${k1} was still listed in inputRequests ${ctx.timeouts.settleMs} ms after the ack (A-EXT-17)`),
          );
        const current = p.task ?? w.waiting;
        const remaining = inputKeys(current).filter((k) => k !== k1);
        await updateExt(client, w.taskId, answers(client, current, remaining.length ? remaining : rest, preferred));
        const done = await settleExt(client, w.taskId, isTerminal, 'a terminal status');
        verdicts.push(judgeResultText(ctx, 'F-MULTI', preferred, done, 'after both answers'));
        return worst(verdicts);
      },
      2,
    ),
);

const UPD_06 = defineCheck(
  {
    id: 'EXT-UPD-06',
    name: 'inputRequests keys are never reused',
    description:
      'Over two sequential input rounds (E-SEQ), the keys of round 2 never repeat a key answered in round 1, and one key never names two different requests.',
    level: 'MUST',
    specRefs: ['ext §Task Update Requests'],
    fixtures: [],
  },
  async (ctx, c) => {
    if (!listsTool(ctx, SEQ_TOOL))
      return skip('missing-fixture', `the server lists no ${SEQ_TOOL} tool (E-SEQ: two input rounds one after the other)`, [
        `E-SEQ (${SEQ_TOOL})`,
      ]);
    return withWaitingTask(ctx, { tool: SEQ_TOOL }, async (client, w) => {
      const round1 = (w.waiting.inputRequests ?? {}) as JsonObject;
      const keys1 = Object.keys(round1);
      await updateExt(client, w.taskId, answers(client, w.waiting, keys1, { first: 'x' }));
      const next = await settleExt(
        client,
        w.taskId,
        (t) => isTerminal(t) || (t.status === 'input_required' && j(t.inputRequests, 1e6) !== j(round1, 1e6)),
        'its second input round',
      );
      c.note('rounds', { round1: keys1, round2: inputKeys(next) });
      if (isTerminal(next))
        return info(`the task ended ${String(next.status)} after one input round, so there was no second round to compare`);
      const reused = inputKeys(next).filter((k) => keys1.includes(k));
      const verdict = reused.length
        ? fail(
            `round 2 reuses the key(s) ${reused.join(', ')} answered in round 1 for a different request (${j((next.inputRequests as JsonObject)[reused[0]!])}); a key must never be reused in a task's life`,
          )
        : pass(`round 1 keys ${j(keys1)}, round 2 keys ${j(inputKeys(next))}: none reused`);
      await updateExt(client, w.taskId, answers(client, next, inputKeys(next), { second: 'y' }));
      return verdict;
    });
  },
);

const UPD_07 = defineCheck(
  {
    id: 'EXT-UPD-07',
    name: 'tasks/update of a task that is not input_required',
    description: 'tasks/update of a working or a terminal task (unspecified): expected an ack with no effect; the answers are recorded.',
    level: 'MAY',
    specRefs: ['ext §Task Update Requests'],
    fixtures: ['F-GATE', 'F-ECHO'],
  },
  async (ctx, c) =>
    withGatedTask(ctx, async (client, gated) => {
      const rows: string[] = [];
      const responses = { [`stray-${randomTaskId()}`]: { action: 'accept', content: {} } };
      const working = await updateExt(client, gated.taskId, responses);
      const afterWorking = await getExt(client, gated.taskId);
      rows.push(
        `working: ${describeOutcome(working)}, then ${afterWorking.kind === 'result' ? String(afterWorking.result.status) : describeOutcome(afterWorking)}`,
      );
      const done = await createExtTask(ctx, client, 'F-ECHO', { seconds: 0, label: ctx.nonce('u7') });
      await settleExt(client, done.taskId, isTerminal, 'a terminal status');
      const terminal = await updateExt(client, done.taskId, responses);
      const afterTerminal = await getExt(client, done.taskId);
      rows.push(
        `completed: ${describeOutcome(terminal)}, then ${afterTerminal.kind === 'result' ? String(afterTerminal.result.status) : describeOutcome(afterTerminal)}`,
      );
      c.note('answers', rows);
      return info(rows.join('; '));
    }),
);

const UPD_08 = defineCheck(
  {
    id: 'EXT-UPD-08',
    name: 'A declined elicitation lets the task end',
    description:
      'Answering the elicitation with action "decline" still lets the task reach a terminal status within T_SETTLE; which status is recorded.',
    level: 'SHOULD',
    specRefs: ['ext §Task Update Requests'],
    fixtures: ['F-ELICIT'],
  },
  async (ctx) =>
    withWaitingTask(ctx, 'F-ELICIT', async (client, w) => {
      const decline = Object.fromEntries(inputKeys(w.waiting).map((k) => [k, { action: 'decline' }]));
      const ack = await updateExt(client, w.taskId, decline);
      if (ackOf(ack).kind !== 'ack')
        return warn(`tasks/update declining ${inputKeys(w.waiting).join(', ')} was refused: ${describeOutcome(ack)}`);
      const p = await client.poll(w.taskId, isTerminal);
      if (!p.settled)
        return warn(
          `after a declined elicitation the task was still ${String(p.task?.status)} ${ctx.timeouts.settleMs} ms later; it should end (stuck tasks hold resources)`,
        );
      return pass(`after the decline the task ended ${String(p.task?.status)} (${j(firstText(p.task?.result) ?? p.task?.error)})`);
    }),
);

const H_EXT_07 = defineCheck(
  {
    id: 'H-EXT-07',
    name: 'Update races: the first answer wins, nothing is applied twice',
    description:
      'Three tasks/update calls for the same key at once (two values, one duplicated): each is answered, and the task ends with exactly one of the values applied.',
    level: 'SHOULD',
    specRefs: ['ext §Task Update Requests'],
    fixtures: ['F-ELICIT'],
  },
  async (ctx, c) =>
    withWaitingTask(ctx, 'F-ELICIT', async (client, w) => {
      const keys = inputKeys(w.waiting);
      const names = ['Ada', 'Bob', 'Ada'];
      const outcomes = await Promise.all(names.map((name) => updateExt(client, w.taskId, answers(client, w.waiting, keys, { name }))));
      c.note('updates', outcomes.map(describeOutcome));
      const done = await settleExt(client, w.taskId, isTerminal, 'a terminal status');
      const texts = ['Ada', 'Bob'].map((name) => ctx.fixtures.expectedText('F-ELICIT', { name }));
      const actual = firstText(done.result);
      if (texts.some((t) => t.kind === 'unknown'))
        return info(`the task ended ${String(done.status)} with ${j(actual)} (the fixture promises no text)`);
      const matched = texts.filter(
        (t) => t.kind === 'known' && actual !== undefined && (t.match === 'exact' ? actual === t.text : actual.includes(t.text)),
      );
      if (matched.length !== 1)
        return warn(
          `concurrent answers Ada/Bob/Ada to ${keys.join(', ')}: the task ended ${String(done.status)} with ${j(actual)}, not exactly one of the answers`,
        );
      return pass(
        `concurrent answers Ada/Bob/Ada: ${outcomes.map((o) => (o.kind === 'result' ? 'ack' : describeOutcome(o))).join(', ')}; the task applied one (${j(actual)})`,
      );
    }),
);

const scenario = defineScenario({
  name: 'ext-update',
  description: '2.H tasks/update (EXT-UPD-01..08), H-EXT-07',
  era: MODERN_ERA,
  checks: [UPD_01, UPD_02, UPD_03, UPD_04, UPD_05, UPD_06, UPD_07, UPD_08, H_EXT_07],
});

export default scenario;
