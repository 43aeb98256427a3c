// "Beyond the connection" for the 2026-07-28 era (LC-EXT-*): the lifecycle-profile promises that no
// checklist row covers, checked as scenarios/lifecycle.ts checks them for 2025-11-25. The protocol is
// stateless, so "another connection" is the normal case: a task created on one connection is read,
// released and finished from a fresh one (LC-EXT-01), several clients watch one task (LC-EXT-02), and
// cancellation and ttl expiry really stop the work (LC-EXT-03, LC-EXT-04, by gate_state).
//
// stdio: the target is one server process per connection, and closing the connection ends that process.
// A second client is a second process, not the same server, so the connection promises (LC-EXT-01,
// LC-EXT-02) are HTTP-only: "not applicable" on stdio, where H-EXT-08 (a restart) is the honest question.
//
// Most promises are not spec MUSTs: a "no" is INFO, or WARNING where a SHOULD is broken (a closed
// connection treated as cancellation, a task another connection cannot read), a FAILURE only where a
// rule is contradicted (watchers see an illegal sequence or different results). Each check records its
// answer as its `profile` (harness/profile.ts).
import { isDeepStrictEqual } from 'node:util';
import { fail, info, MODERN_ERA, pass, warn, type Verdict } from '../../harness/checks.js';
import type { ModernClient } from '../../harness/modern/client.js';
import { EXT } from '../../harness/modern/envelope.js';
import { ALLOWED_EDGES, type TaskStatus } from '../../harness/protocol.js';
import type { JsonObject, ScenarioContext } from '../../harness/scenario.js';
import { describeOutcome, sleep } from '../../harness/tasks.js';
import { judgeWorkAfterCancel } from '../lib/cancel-stops-work.js';
import { j } from '../lib/format.js';
import { promised } from '../lib/expected-result.js';
import { quietWindowMs } from '../lib/task-setup.js';
import { defineCheck, defineScenario } from '../lib/define.js';
import { look, observeExtWorkAfterCancel, releasedResult, watchQuiet, withProperty } from './lib/lifecycle.js';
import { createExtGated, extGateState, isTerminal, releaseExtQuietly, releaseModernGate } from './lib/task-flow.js';

type Disconnect = 'close' | 'listen-drop';

type AfterDisconnect =
  | { kind: 'survived' }
  | { kind: 'invisible'; what: string }
  | { kind: 'ended'; status: string; statusMessage?: unknown }
  | { kind: 'broken'; what: string };

/** Client A creates a gated task and goes away; a fresh client B must find it working and finish it. */
async function disconnectVariant(ctx: ScenarioContext, how: Disconnect): Promise<AfterDisconnect> {
  const a = await ctx.connectModern();
  const gated = await createExtGated(ctx, a);
  if (how === 'listen-drop') {
    // A listen stream on the task, dropped without a goodbye (every stream of A is aborted).
    await a.listen({ taskIds: [gated.taskId] });
    await sleep(DROP_AFTER_MS);
    await a.drop();
  } else await a.close();
  const b = await ctx.connectModern();
  try {
    const seen = await watchQuiet(ctx, b, gated.taskId);
    if (seen.kind !== 'task')
      return {
        kind: seen.kind === 'gone' ? 'invisible' : 'broken',
        what: `tasks/get from a fresh connection ${describeOutcome(seen.outcome)}`,
      };
    if (isTerminal(seen.task)) return { kind: 'ended', status: String(seen.task.status), statusMessage: seen.task.statusMessage };
    await releaseModernGate(ctx, b, gated.gateId);
    const end = await b.poll(gated.taskId, isTerminal, { caps: EXT });
    if (!end.settled)
      return {
        kind: 'broken',
        what: end.failure ? `polling failed: ${describeOutcome(end.failure)}` : `the task did not end within T_SETTLE after its release`,
      };
    if (releasedResult(ctx, gated.gateId, end.task)) return { kind: 'survived' };
    return {
      kind: 'broken',
      what: `after the release the task ended ${j(end.task?.status)} with result ${j(end.task?.result, 200)} instead of ${promised(ctx, 'F-GATE', { gateId: gated.gateId })}`,
    };
  } finally {
    await releaseExtQuietly(ctx, b, gated.gateId);
    await b.close().catch(() => undefined);
  }
}

const LC_EXT_01 = defineCheck(
  {
    id: 'LC-EXT-01',
    name: 'Disconnect while working: another connection finishes the task',
    description:
      'Client A creates a gated task and goes away, once by closing its connection and once by dropping a subscriptions/listen stream on the task. A fresh connection B reads the task working, releases its gate and reads the completed task with its result. A closed connection is not a cancellation.',
    level: 'SHOULD',
    specRefs: ['core §Statelessness', 'ext §Task Polling'],
    fixtures: ['F-GATE', 'F-GATE-RELEASE'],
    transports: ['http'],
  },
  async (ctx, c) => {
    const verdicts: Verdict[] = [];
    for (const how of ['close', 'listen-drop'] as const) {
      const label = how === 'close' ? 'after client A closed its connection' : 'after client A dropped its subscriptions/listen stream';
      const r = await disconnectVariant(ctx, how);
      c.note(how, r);
      if (r.kind === 'survived')
        verdicts.push(pass(`${label}, the task kept working and a fresh connection released it and read its result`));
      else if (r.kind === 'ended')
        verdicts.push(
          warn(
            `${label}, the task was ${r.status}${r.statusMessage ? ` (${j(r.statusMessage)})` : ''} although nobody cancelled it: a closed connection is not a cancellation`,
          ),
        );
      else if (r.kind === 'invisible')
        verdicts.push(warn(`${label}, ${r.what}: in a stateless protocol task operations work from any connection (EXT-HTTP-05)`));
      else verdicts.push(warn(`${label}: ${r.what}`));
    }
    const holds = verdicts.every((v) => v.status === 'SUCCESS');
    const top = verdicts.find((v) => v.status !== 'SUCCESS') ?? verdicts[0]!;
    return withProperty({ ...top, message: verdicts.map((v) => v.message).join('; ') }, 'survivesDisconnect', holds);
  },
);

interface Watch {
  name: string;
  statuses: string[];
  final?: JsonObject;
  failure?: string;
}

/** Polls until terminal plus READS_AFTER_TERMINAL reads; `onFirst` fires after the first read (or on failure). */
async function watch(ctx: ScenarioContext, w: ModernClient, taskId: string, onFirst: () => void): Promise<Watch> {
  const out: Watch = { name: w.name, statuses: [] };
  const deadline = Date.now() + ctx.timeouts.settleMs * 2;
  let afterTerminal = -1;
  try {
    while (Date.now() < deadline && afterTerminal < READS_AFTER_TERMINAL) {
      const seen = await look(w, taskId);
      if (seen.kind !== 'task') {
        out.failure = describeOutcome(seen.outcome);
        return out;
      }
      out.statuses.push(String(seen.task.status));
      onFirst();
      if (afterTerminal >= 0 || isTerminal(seen.task)) {
        afterTerminal++;
        out.final ??= seen.task;
      }
      await sleep(100);
    }
    return out;
  } finally {
    onFirst();
  }
}

/** Edges outside the lifecycle in one observed sequence (a terminal status has no way out). */
function sequenceProblems(statuses: string[]): string[] {
  const collapsed = statuses.filter((s, i) => i === 0 || s !== statuses[i - 1]);
  return collapsed.slice(1).flatMap((to, i) => {
    const from = collapsed[i] as TaskStatus;
    return (ALLOWED_EDGES[from] ?? []).includes(to as TaskStatus) ? [] : [`${from} → ${to}`];
  });
}

/** The fields every watcher must agree on once the task is terminal (ttlMs, pollIntervalMs and _meta may vary). */
const terminalFacts = (t: JsonObject) => ({ status: t.status, result: t.result, error: t.error });

const LC_EXT_02 = defineCheck(
  {
    id: 'LC-EXT-02',
    name: 'Several clients watch one task and see one outcome',
    description:
      'Four clients, each on its own connection, poll one gated task while it is released (every one read it working first), and a fifth holds a subscriptions/listen on it: each poller sees a legal status sequence, and all of them and the subscription see the same terminal status and result.',
    level: 'MUST',
    specRefs: ['ext §Task Status', 'ext §Task Polling'],
    fixtures: ['F-GATE', 'F-GATE-RELEASE'],
    transports: ['http'],
  },
  async (ctx, c) => {
    const owner = await ctx.modern();
    const gated = await createExtGated(ctx, owner);
    const clients: ModernClient[] = [];
    try {
      for (let i = 0; i <= WATCHERS; i++) clients.push(await ctx.connectModern());
      const listener = clients.pop()!;
      const sub = await listener.listen({ taskIds: [gated.taskId] });
      let seen = 0;
      let allSeen!: () => void;
      const everyoneLooked = new Promise<void>((r) => (allSeen = r));
      const runs = clients.map((w) => {
        let counted = false;
        return watch(ctx, w, gated.taskId, () => {
          if (!counted && (counted = true) && ++seen === clients.length) allSeen();
        });
      });
      await everyoneLooked;
      await releaseModernGate(ctx, owner, gated.gateId);
      const watches = await Promise.all(runs);
      const pushed = await sub.next((n) => n.method === 'notifications/tasks' && isTerminal(n.params), ctx.timeouts.settleMs);
      await sub.close();
      c.note(
        'watchers',
        watches.map((w) => ({ client: w.name, statuses: w.statuses.join(' → '), failure: w.failure })),
      );
      c.note(
        'subscription',
        pushed ? `${listener.name}: notifications/tasks ${j(pushed.params.status)}` : 'no terminal notifications/tasks',
      );

      if (watches.every((w) => w.statuses.length === 0))
        return withProperty(
          warn(`no other connection can read the task (${watches[0]!.failure}), so several clients cannot watch it (EXT-HTTP-05)`),
          'multiClient',
          false,
        );
      const illegal = watches.map((w) => ({ w, problems: sequenceProblems(w.statuses) })).filter((x) => x.problems.length);
      if (illegal.length)
        return withProperty(
          fail(
            `${illegal.length} of ${watches.length} watchers saw an illegal status sequence, e.g. ${illegal[0]!.w.name}: ${illegal[0]!.w.statuses.join(' → ')} (${illegal[0]!.problems.join(', ')}); a terminal status never changes`,
          ),
          'multiClient',
          false,
        );
      const unfinished = watches.filter((w) => !w.final);
      if (unfinished.length)
        return withProperty(
          warn(
            `${unfinished.length} of ${watches.length} watchers did not see the task end within ${ctx.timeouts.settleMs * 2} ms of the release, e.g. ${unfinished[0]!.name}: ${unfinished[0]!.statuses.join(' → ')}${unfinished[0]!.failure ? `, then ${unfinished[0]!.failure}` : ''}`,
          ),
          'multiClient',
          false,
        );
      const reference = terminalFacts(watches[0]!.final!);
      const differing = watches.filter((w) => !isDeepStrictEqual(terminalFacts(w.final!), reference));
      const pushedDiffers = pushed && !isDeepStrictEqual(terminalFacts(pushed.params), reference);
      if (differing.length || pushedDiffers || !releasedResult(ctx, gated.gateId, watches[0]!.final))
        return withProperty(
          fail(
            `the watchers saw different outcomes of one task: ${[...watches.map((w) => `${w.name} ${j(terminalFacts(w.final!), 160)}`), ...(pushed ? [`the subscription ${j(terminalFacts(pushed.params), 160)}`] : [])].join('; ')}; expected ${promised(ctx, 'F-GATE', { gateId: gated.gateId })} for everyone`,
          ),
          'multiClient',
          false,
        );
      return withProperty(
        pass(
          `${watches.length} clients on their own connections watched the task (e.g. ${watches[0]!.statuses.filter((s, i, all) => i === 0 || s !== all[i - 1]).join(' → ')}) and saw the same ${j(reference.status)} result${pushed ? ', as did the subscription' : ' (the subscription sent no terminal notification; EXT-NOTIF-* judge it)'}`,
        ),
        'multiClient',
        true,
      );
    } finally {
      await releaseExtQuietly(ctx, owner, gated.gateId);
      await Promise.all(clients.map((w) => w.close().catch(() => undefined)));
    }
  },
);

const LC_EXT_03 = defineCheck(
  {
    id: 'LC-EXT-03',
    name: 'tasks/cancel really stops the work',
    description:
      'After tasks/cancel of a running gated task, gate_state reports the work aborted within 2 s (or it never finishes after a later release). The extension form of LC-07.',
    level: 'SHOULD',
    specRefs: ['ext §Task Cancellation'],
    fixtures: ['F-GATE', 'F-GATE-RELEASE'],
  },
  // The judgement is T25-CAN-04's and LC-07's (scenarios/lib/cancel-stops-work.ts); only the probe speaks the extension.
  async (ctx, c) => {
    const { verdict, holds } = judgeWorkAfterCancel(await observeExtWorkAfterCancel(ctx, c));
    return withProperty(verdict, 'cancelStopsWork', holds);
  },
);

const LC_EXT_04 = defineCheck(
  {
    id: 'LC-EXT-04',
    name: 'TTL expiry frees the task and stops its work',
    description:
      'A gated task created with ttlMs 2000 (the fixture control) and never released: once createdAt + ttlMs has passed, tasks/get answers -32602 and gate_state reports the work aborted. Keeping the task is allowed (INFO); removing it while its work runs on is a leak (WARNING). The extension form of LC-08.',
    level: 'SHOULD',
    specRefs: ['ext §Task Polling', 'ext §Task Cancellation'],
    fixtures: ['F-GATE', 'F-GATE-RELEASE', 'F-GATE-STATE'],
  },
  async (ctx, c) => {
    const client = await ctx.modern();
    const gated = await createExtGated(ctx, client, { controls: { ttlMs: TTL_MS } });
    try {
      const ttl = gated.task.ttlMs;
      c.note('granted', { requestedTtlMs: TTL_MS, ttlMs: ttl, createdAt: gated.task.createdAt });
      if (ttl === null)
        return withProperty(info('the server granted ttlMs null (unlimited): there is no expiry to honour'), 'ttlHonoured', null);
      if (typeof ttl !== 'number' || ttl > TTL_BUDGET_MS)
        return withProperty(
          info(`the server granted ttlMs ${j(ttl)} for a requested ${TTL_MS}; not a duration this check waits out (${TTL_BUDGET_MS} ms)`),
          'ttlHonoured',
          null,
        );
      // receivedAt bounds createdAt from above, whatever the clock skew.
      await sleep(Math.max(0, gated.receivedAt + ttl + quietWindowMs(ctx) - Date.now()));
      const seen = await look(client, gated.taskId);
      const state = await extGateState(ctx, client, gated.gateId);
      c.note('afterTtl', { tasksGet: seen.kind === 'task' ? seen.task.status : describeOutcome(seen.outcome), gateState: state });
      if (seen.kind === 'gone') {
        if (state === 'waiting')
          return withProperty(
            warn(
              `the ttl (${ttl} ms) elapsed and the task is gone (-32602), but its work is still running (gate_state "waiting"): expired tasks leak their work`,
            ),
            'ttlHonoured',
            false,
          );
        return withProperty(
          pass(`the ttl (${ttl} ms) elapsed: the task is gone (-32602) and its work stopped (gate_state ${j(state)})`),
          'ttlHonoured',
          true,
        );
      }
      return withProperty(
        info(
          `the task is kept past its ttl (${ttl} ms): tasks/get answered ${seen.kind === 'task' ? j(seen.task.status) : describeOutcome(seen.outcome)}, gate_state ${j(state)}. Allowed, but its resources are not freed at the ttl`,
        ),
        'ttlHonoured',
        false,
      );
    } finally {
      await releaseExtQuietly(ctx, client, gated.gateId);
    }
  },
);

/** LC-EXT-01: how long a listen stream stays open before it is dropped. */
const DROP_AFTER_MS = 300;
/** LC-EXT-02: polling clients (one more listens). */
const WATCHERS = 4;
const READS_AFTER_TERMINAL = 2;
const TTL_MS = 2000;
/** Longest granted ttlMs LC-EXT-04 waits out, well inside the default 60 s check deadline. */
const TTL_BUDGET_MS = 30_000;

export default defineScenario({
  name: 'ext-lifecycle-profile',
  description:
    '2026-07-28 lifecycle profile: another connection finishes a task, several clients watch one, cancel and ttl stop the work (LC-EXT-01..04)',
  era: MODERN_ERA,
  runs: 'first',
  checks: [LC_EXT_01, LC_EXT_02, LC_EXT_03, LC_EXT_04],
});
