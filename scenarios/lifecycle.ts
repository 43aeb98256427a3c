// "Beyond the connection": the promises tasks exist for, checked for this server. Connection
// independence (LC-01, LC-04), cross-session access (H25-12), repeatable results (LC-02), several
// watchers (LC-03), a crashing client (LC-05), a server restart (LC-06), cancellation and TTL that
// really free resources (LC-07, LC-08), and a durability summary (H25-10).
//
// Most of these are not spec MUSTs: a promise that does not hold is a clear "no" (INFO, or WARNING where
// a SHOULD is broken), a FAILURE only where a spec rule is contradicted. Every check records its answer
// as its `profile` (harness/profile.ts), from which report.json and report.md derive the profile.
//
// stdio: every session is its own server process, and a disconnect ends that process. Checks about
// another session or a vanished client are therefore HTTP-only (their property is null, "not
// applicable", on stdio), and cross-session reads on stdio count only when they work (a durable store
// shared by the processes); otherwise they are null, not "no".
//
// Longer than most modules (~900 lines): ten checks of one scenario that share its session helpers
// (watching, releasing, disconnect variants) and whose verdicts H25-10 summarises.
import { isDeepStrictEqual } from 'node:util';
import { fail, info, pass, warn, worst, type Verdict } from '../harness/checks.js';
import { property, type ProfileProperty, type PropertyValue } from '../harness/profile.js';
import { ALLOWED_EDGES, isTerminal, type Task, type TaskStatus } from '../harness/protocol.js';
import type { RpcOutcome, ScenarioContext, Session } from '../harness/scenario.js';
import {
  cancelTask,
  createTask,
  describeOutcome,
  gateState,
  getTask,
  omitMeta,
  pollDelay,
  pollUntil,
  releaseGate,
  sleep,
  taskResult,
  untilTerminal,
} from '../harness/tasks.js';
import { cancelQuietly, closeQuietly, releaseQuietly } from './lib/cleanup.js';
import { isPromisedResult, promised } from './lib/expected-result.js';
import { j } from './lib/format.js';
import { hasGate, needTaskTool, needTasksMember } from './lib/preconditions.js';
import { blockingTimeoutMs, createGated, quietWindowMs, statusOf, terminalTask } from './lib/task-setup.js';
import { ttlShorterThanWork } from './lib/ttl-shorter-than-work.js';
import { judgeWorkAfterCancel, observeWorkAfterCancel } from './lib/cancel-stops-work.js';
import { defineCheck, defineScenario } from './lib/define.js';

const LC_01 = defineCheck(
  {
    id: 'LC-01',
    name: 'Disconnect while working: the work goes on',
    description:
      'Session A creates a gated task and goes away, once with a DELETE of its session and once by just dropping its connections. The work goes on: a new session B reads the task by id, releases the gate and gets the result. A dropped connection SHOULD NOT be treated as cancellation.',
    level: 'SHOULD',
    specRefs: ['transports §Sending Messages r6', 'tasks §Task Isolation and Access Control'],
    fixtures: ['F-GATE', 'F-GATE-RELEASE'],
    transports: ['http'],
    requires: ['tasks', 'F-GATE as task'],
  },
  async (ctx, c) => {
    const verdicts: Verdict[] = [];
    let holds = true;
    for (const how of ['terminate', 'drop'] as const) {
      const label = how === 'terminate' ? 'after session A was deleted (DELETE)' : 'after session A just dropped its connections';
      const r = await disconnectVariant(ctx, how);
      c.note(how === 'terminate' ? 'afterDelete' : 'afterDrop', r);
      if (r.kind === 'survived') {
        verdicts.push(pass(`${label}, the task kept working and a new session released its gate and got the result`));
        continue;
      }
      holds = false;
      if (r.kind === 'invisible') {
        verdicts.push(
          info(
            `${label}, a new session cannot see the task (tasks/get answered ${describeOutcome(r.outcome)}): tasks are bound to the session that created them (see H25-12), so a client cannot come back for its work`,
          ),
        );
      } else if (r.kind === 'ended') {
        const why = `${label}, the task was ${r.status}${r.statusMessage ? ` ("${r.statusMessage}")` : ''} although nobody cancelled it`;
        // A DELETE is an explicit goodbye (cleaning up is the server's call); a mere disconnect is not a cancel.
        verdicts.push(
          how === 'drop'
            ? warn(`${why}; a dropped connection SHOULD NOT be treated as cancellation`)
            : info(`${why}: the server ends a session's tasks with the session`),
        );
      } else {
        verdicts.push(warn(`${label}: ${r.what}`));
      }
    }
    return withProperty(combineParts(verdicts), 'survivesDisconnect', holds);
  },
);

// ---- H25-12
const H25_12 = defineCheck(
  {
    id: 'H25-12',
    name: 'Cross-session access to a task by id',
    description:
      "While session A stays connected, can a second session B read A's task (tasks/get), fetch its result (tasks/result) and cancel another of A's tasks (tasks/cancel) by id? Implementation-defined (A25-08); recorded and documented. On stdio session B is another server process.",
    level: 'MAY',
    specRefs: ['tasks §Task Isolation and Access Control'],
    fixtures: ['F-GATE', 'F-GATE-RELEASE'],
    requires: ['tasks', 'F-GATE as task'],
  },
  async (ctx, c) => {
    const a = await ctx.session();
    const one = await createGated(ctx, a);
    const two = await createGated(ctx, a);
    let b: Session | undefined;
    try {
      b = await ctx.connect();
      const seen = await statusOf(b, one.task.taskId);
      const canGet = seen.outcome.kind === 'result';
      await releaseGate(a, ctx.fixtures, one.gateId);
      const done = await pollUntil(a, one.task.taskId, untilTerminal, ctx.timeouts.settleMs);
      const fetched = done.reached ? await taskResult(b, one.task.taskId, blockingTimeoutMs(ctx)) : undefined;
      const canResult = fetched !== undefined && released(ctx, one.gateId, fetched);
      const cancelled = needTasksMember(a, 'cancel') ? undefined : await cancelTask(b, two.task.taskId);
      const canCancel = cancelled?.kind === 'result' && cancelled.result.status === 'cancelled';
      const observed = {
        get: describeOutcome(seen.outcome),
        result: fetched ? describeOutcome(fetched) : 'not tried (the task did not finish)',
        cancel: cancelled ? describeOutcome(cancelled) : 'not tried (no tasks.cancel capability)',
      };
      c.note('sessionB', observed);
      const auth = ctx.principals > 0 ? ' (both sessions authenticate as the same principal)' : ' (no authorization context)';
      const yes = (v: boolean) => (v ? 'yes' : 'no');
      const summary = `session B can get: ${yes(canGet)}, result: ${yes(canResult)}, cancel: ${cancelled ? yes(canCancel) : 'n/a'}${auth}`;
      const readable = canGet && canResult;
      if (ctx.transport === 'stdio' && !canGet) {
        return withProperty(
          info(
            `on stdio session B is another server process; it cannot see the task (${observed.get}), as expected without a store shared between processes (not applicable)`,
          ),
          'crossSession',
          null,
        );
      }
      if (readable)
        return withProperty(
          info(
            `a task is reachable by id from another session: ${summary}. Without auth, anyone who learns a task id can use it (mitigated by unguessable ids, T25-SEC-03/04)`,
          ),
          'crossSession',
          true,
        );
      return withProperty(
        info(
          `tasks are not reachable from another session: ${summary}; a client can only come back for its task on the session that created it`,
        ),
        'crossSession',
        false,
      );
    } finally {
      await releaseQuietly(a, ctx, one.gateId);
      await releaseQuietly(a, ctx, two.gateId);
      await cancelQuietly(a, two.task.taskId);
      await closeQuietly(b);
    }
  },
);

// ---- LC-02
const LC_02 = defineCheck(
  {
    id: 'LC-02',
    name: 'Repeated result retrieval gives the same payload',
    description:
      'On one finished task, tasks/result called 20 times in a row, 5 times concurrently, and from 5 other sessions at once returns deep-equal payloads (_meta aside). A payload that differs contradicts "exactly what the underlying request would have returned"; a later call that fails before the ttl is a WARNING (A25-23, as H25-03).',
    level: 'MUST',
    specRefs: ['tasks §Result Retrieval r4', 'tasks §Result Retrieval r2'],
    fixtures: ['F-ECHO'],
    requires: ['tasks', 'F-ECHO as task'],
  },
  async (ctx, c) => {
    const s = await ctx.session();
    const t = await terminalTask(ctx, s, 'F-ECHO');
    const timeout = blockingTimeoutMs(ctx);
    const first = await taskResult(s, t.taskId, timeout);
    if (first.kind !== 'result') {
      return withProperty(
        warn(`the first tasks/result of the ${t.status} task ${t.taskId} did not answer a result: ${describeOutcome(first)}`),
        'repeatableResult',
        false,
      );
    }
    const reference = omitMeta(first.result);
    const sequential: RpcOutcome[] = [];
    for (let i = 1; i < REPEATS; i++) sequential.push(await taskResult(s, t.taskId, timeout));
    const concurrent = await Promise.all(Array.from({ length: CONCURRENT }, () => taskResult(s, t.taskId, timeout)));
    const others = await Promise.all(Array.from({ length: CONCURRENT }, () => ctx.connect()));
    let crossSession: RpcOutcome[];
    try {
      crossSession = await Promise.all(others.map((o) => taskResult(o, t.taskId, timeout)));
    } finally {
      await Promise.all(others.map(closeQuietly));
    }

    const differs: string[] = [];
    const failed: string[] = [];
    const judge = (o: RpcOutcome, where: string) => {
      if (o.kind !== 'result') failed.push(`${where}: ${describeOutcome(o)}`);
      else if (!isDeepStrictEqual(omitMeta(o.result), reference)) differs.push(`${where}: ${j(omitMeta(o.result), 300)}`);
    };
    sequential.forEach((o, i) => judge(o, `call ${i + 2} of ${REPEATS}`));
    concurrent.forEach((o, i) => judge(o, `concurrent call ${i + 1} of ${CONCURRENT}`));
    // Another session that cannot see the task at all is about cross-session access (H25-12), not repeatability.
    const invisible = crossSession.filter((o) => o.kind === 'error' && o.error.code === -32602).length;
    const crossVisible = invisible < crossSession.length;
    if (crossVisible) crossSession.forEach((o, i) => judge(o, `session ${i + 1} of ${CONCURRENT}`));
    c.note('first', j(reference, 500));
    c.note(
      'crossSession',
      crossVisible
        ? `${crossSession.length} other sessions fetched the result`
        : `other sessions cannot see the task (-32602), so only same-session fetches count`,
    );
    const total = REPEATS + CONCURRENT + (crossVisible ? CONCURRENT : 0);
    if (differs.length) {
      return withProperty(
        fail(
          `tasks/result of the same finished task returned different payloads (${differs.length} of ${total} differ from the first ${j(reference, 200)}), e.g. ${differs.slice(0, 2).join('; ')}. A terminal task's tasks/result MUST return exactly what the underlying request returned, every time`,
          { differs: differs.slice(0, 10) },
        ),
        'repeatableResult',
        false,
      );
    }
    if (failed.length) {
      return withProperty(
        warn(
          `tasks/result of a finished task worked once but ${failed.length} of ${total} later calls failed before the ttl, e.g. ${failed.slice(0, 2).join('; ')}. Keep the result retrievable until the ttl so clients can fetch it again (A25-23)`,
          { failed: failed.slice(0, 10) },
        ),
        'repeatableResult',
        false,
      );
    }
    const where = crossVisible
      ? `${REPEATS} times in a row, ${CONCURRENT} times concurrently and from ${CONCURRENT} other sessions`
      : `${REPEATS} times in a row and ${CONCURRENT} times concurrently (other sessions cannot see the task)`;
    return withProperty(pass(`tasks/result returned the same payload ${where}`), 'repeatableResult', true);
  },
);

const LC_03 = defineCheck(
  {
    id: 'LC-03',
    name: 'Many watchers see one consistent task',
    description:
      'Five sessions poll one task concurrently while it finishes: each sees a legal, monotone status sequence (no edge outside the lifecycle, nothing after a terminal status) and tasks/result gives every one of them the same final result.',
    level: 'MUST',
    specRefs: ['tasks §Task Status Lifecycle', 'tasks §Result Retrieval r4'],
    fixtures: ['F-GATE', 'F-GATE-RELEASE'],
    transports: ['http'],
    requires: ['tasks', 'F-GATE as task'],
  },
  async (ctx, c) => {
    const a = await ctx.session();
    const { task, gateId } = await createGated(ctx, a);
    const watchers: Session[] = [];
    try {
      for (let i = 0; i < WATCHERS; i++) watchers.push(await ctx.connect());
      let seen = 0;
      let allSeen!: () => void;
      const everyoneLooked = new Promise<void>((r) => (allSeen = r));
      const runs = watchers.map((w) => {
        let counted = false;
        return watch(ctx, w, task.taskId, () => {
          if (!counted && (counted = true) && ++seen === watchers.length) allSeen();
        });
      });
      await everyoneLooked;
      await releaseGate(a, ctx.fixtures, gateId);
      const results = await Promise.all(runs);
      c.note(
        'watchers',
        results.map((r) => ({
          session: r.name,
          statuses: r.statuses.join(' → '),
          result: r.result ? describeOutcome(r.result) : undefined,
          failure: r.failure ? describeOutcome(r.failure) : undefined,
        })),
      );

      const invisible = results.filter((r) => r.statuses.length === 0 && r.failure?.kind === 'error' && r.failure.error.code === -32602);
      if (invisible.length === results.length) {
        return withProperty(
          info(
            `other sessions cannot see the task (tasks/get answered ${describeOutcome(invisible[0]!.failure!)}), so several clients cannot watch one task (see H25-12)`,
          ),
          'multiClient',
          false,
        );
      }
      const illegal = results.map((r) => ({ r, problems: sequenceProblems(r.statuses) })).filter((x) => x.problems.length);
      if (illegal.length) {
        const e = illegal[0]!;
        return withProperty(
          fail(
            `${illegal.length} of ${results.length} watchers saw an illegal status sequence, e.g. ${e.r.name}: ${e.r.statuses.join(' → ')} (${e.problems.join(', ')}). Statuses only move along the lifecycle and a terminal status never changes`,
          ),
          'multiClient',
          false,
        );
      }
      const unfinished = results.filter((r) => !r.result);
      if (unfinished.length) {
        const e = unfinished[0]!;
        return withProperty(
          warn(
            `${unfinished.length} of ${results.length} watchers did not see the task finish within ${ctx.timeouts.settleMs * 2} ms after the release, e.g. ${e.name}: ${e.statuses.join(' → ') || 'no status'}${e.failure ? `, then ${describeOutcome(e.failure)}` : ''}`,
          ),
          'multiClient',
          false,
        );
      }
      const reference = results[0]!.result!;
      const mismatch = results.filter(
        (r) =>
          r.result!.kind !== 'result' ||
          !released(ctx, gateId, r.result!) ||
          (reference.kind === 'result' &&
            r.result!.kind === 'result' &&
            !isDeepStrictEqual(omitMeta(r.result!.result), omitMeta(reference.result))),
      );
      if (mismatch.length) {
        const e = mismatch[0]!;
        return withProperty(
          fail(
            `the watchers got different final results: ${e.name} got ${describeOutcome(e.result!)}, expected ${promised(ctx, 'F-GATE', { gateId })} for everyone. tasks/result MUST return the task's one result to every requestor`,
          ),
          'multiClient',
          false,
        );
      }
      return withProperty(
        pass(
          `${results.length} sessions watched the task concurrently; each saw a legal sequence (e.g. ${results[0]!.statuses.filter((s, i, all) => i === 0 || s !== all[i - 1]).join(' → ')}) and the same result`,
        ),
        'multiClient',
        true,
      );
    } finally {
      await releaseQuietly(a, ctx, gateId);
      await Promise.all(watchers.map(closeQuietly));
    }
  },
);

// ---- LC-04
const LC_04 = defineCheck(
  {
    id: 'LC-04',
    name: 'A dropped tasks/result stream does not cancel the task',
    description:
      'A watcher session drops the HTTP stream of its pending tasks/result (the laptop closes); the task keeps working, and after the gate opens a third session (the phone) gets the result. The cross-session form of T25-HTTP-01.',
    level: 'SHOULD',
    specRefs: ['transports §Sending Messages r6', 'tasks §Retrieving Task Results'],
    fixtures: ['F-GATE', 'F-GATE-RELEASE'],
    transports: ['http'],
    requires: ['tasks', 'F-GATE as task'],
  },
  async (ctx, c) => {
    const a = await ctx.session();
    const { task, gateId } = await createGated(ctx, a);
    let laptop: Session | undefined;
    let phone: Session | undefined;
    try {
      laptop = await ctx.connect();
      let dropper = laptop;
      const dropOn = async (s: Session) => {
        const abort = new AbortController();
        const pending = taskResult(s, task.taskId, blockingTimeoutMs(ctx), abort.signal);
        await sleep(DROP_AFTER_MS);
        abort.abort();
        return pending;
      };
      let dropped = await dropOn(laptop);
      if (dropped.kind === 'error' && dropped.error.code === -32602) {
        // Tasks are bound to their session (H25-12): drop the creator's own stream instead.
        c.note('watcherCannotSee', describeOutcome(dropped));
        dropper = a;
        dropped = await dropOn(a);
      }
      c.note('dropped', `${dropper.name}: ${describeOutcome(dropped)}`);
      if (dropped.kind === 'result' || dropped.kind === 'error') {
        return withProperty(
          warn(
            `tasks/result of the working task answered before its stream was dropped (${describeOutcome(dropped)}); it must block until the task ends`,
          ),
          'survivesDisconnect',
          false,
        );
      }
      const after = await watchQuiet(ctx, a, task.taskId);
      c.note('statusAfterDrop', after.status ?? describeOutcome(after.outcome));
      if (after.status !== 'working') {
        return withProperty(
          warn(
            `dropping the HTTP stream of a pending tasks/result (${dropper.name}) changed the task: tasks/get now shows ${after.status ? `"${after.status}"` : describeOutcome(after.outcome)} instead of "working". A dropped stream SHOULD NOT be treated as cancellation`,
          ),
          'survivesDisconnect',
          false,
        );
      }
      await releaseGate(a, ctx.fixtures, gateId);
      phone = await ctx.connect();
      let reader = phone;
      let final = await taskResult(phone, task.taskId, blockingTimeoutMs(ctx));
      if (final.kind === 'error' && final.error.code === -32602) {
        reader = a;
        final = await taskResult(a, task.taskId, blockingTimeoutMs(ctx));
      }
      c.note('final', `${reader.name}: ${describeOutcome(final)}`);
      if (!released(ctx, gateId, final)) {
        return withProperty(
          warn(
            `after the dropped stream and the release, a new tasks/result should return ${promised(ctx, 'F-GATE', { gateId })}; ${reader.name} got ${describeOutcome(final)}`,
          ),
          'survivesDisconnect',
          false,
        );
      }
      const where = reader === phone && dropper === laptop ? 'a third session' : `${reader.name} (sessions are bound, see H25-12)`;
      return withProperty(
        pass(`the task kept working after ${dropper.name} dropped its tasks/result stream, and ${where} got the result`),
        'survivesDisconnect',
        true,
      );
    } finally {
      await releaseQuietly(a, ctx, gateId);
      await closeQuietly(laptop);
      await closeQuietly(phone);
    }
  },
);

// ---- LC-05
const LC_05 = defineCheck(
  {
    id: 'LC-05',
    name: 'Client crash: the work goes on',
    description:
      'A client in a separate OS process creates a gated task, waits in tasks/result and is killed (SIGKILL: every connection breaks, no DELETE). The server is unaffected, the task keeps working, and another session releases the gate and gets the result.',
    level: 'SHOULD',
    specRefs: ['transports §Sending Messages r6', 'tasks §Retrieving Task Results'],
    fixtures: ['F-GATE', 'F-GATE-RELEASE'],
    transports: ['http'],
    requires: ['tasks', 'F-GATE as task'],
  },
  async (ctx, c) => {
    const a = await ctx.session();
    const gateId = ctx.nonce('g');
    const far = await ctx.connect({ separateProcess: true });
    let taskId: string | undefined;
    try {
      const task = await createTask(far, ctx.fixtures, 'F-GATE', { gateId }, { ttl: 60_000 });
      taskId = task.taskId;
      const pending = taskResult(far, taskId, blockingTimeoutMs(ctx));
      await sleep(DROP_AFTER_MS);
      await far.drop();
      c.note(
        'crashedClient',
        `${far.name} (separate process) was killed with SIGKILL while its tasks/result was pending: ${describeOutcome(await pending)}`,
      );
      const after = await watchQuiet(ctx, a, taskId);
      const ping = await a.request('ping', {});
      if (ping.kind !== 'result')
        return withProperty(
          warn(`after the client crash the server no longer answers ping on another session: ${describeOutcome(ping)}`),
          'survivesClientCrash',
          false,
        );
      c.note('statusAfterCrash', after.status ?? describeOutcome(after.outcome));
      if (after.status === 'not-found') {
        return withProperty(
          info(
            `after the client crashed, its task cannot be reached from another session (${describeOutcome(after.outcome)}; see H25-12): the client's work is lost to it`,
          ),
          'survivesClientCrash',
          false,
        );
      }
      if (after.status !== 'working') {
        return withProperty(
          warn(
            `the client crash changed its task: tasks/get shows ${after.status ? `"${after.status}"` : describeOutcome(after.outcome)} instead of "working". A client that vanishes SHOULD NOT be treated as cancelling its task`,
          ),
          'survivesClientCrash',
          false,
        );
      }
      const end = await releaseAndFetch(ctx, a, taskId, gateId);
      if (!end.result || !released(ctx, gateId, end.result)) {
        return withProperty(
          warn(
            `after the crash and the release, the task should complete with ${promised(ctx, 'F-GATE', { gateId })}; got ${end.result ? describeOutcome(end.result) : end.failure ? describeOutcome(end.failure) : `no terminal status within ${ctx.timeouts.settleMs} ms`}`,
          ),
          'survivesClientCrash',
          false,
        );
      }
      return withProperty(
        pass("the crashed client's task kept working; another session released the gate and got the result"),
        'survivesClientCrash',
        true,
      );
    } finally {
      await releaseQuietly(a, ctx, gateId);
      await cancelQuietly(a, taskId);
      await closeQuietly(far);
    }
  },
);

// ---- LC-06
const LC_06 = defineCheck(
  {
    id: 'LC-06',
    name: 'Server restart: results kept or cleanly gone, nothing stuck',
    description:
      "The harness kills the server hard while one task is finished and another is running, and starts it again. The finished task's result is still retrievable (same payload) or cleanly gone (-32602); the running task is never left working forever: it is failed with a statusMessage, resumed, or gone.",
    level: 'SHOULD',
    specRefs: ['tasks §Task Status Lifecycle', 'tasks §TTL and Resource Management', 'tasks §Task Isolation and Access Control'],
    fixtures: ['F-ECHO', 'F-GATE', 'F-GATE-RELEASE', 'S-RESTART'],
    requires: ['tasks', 'F-ECHO as task', 'F-GATE as task'],
  },
  async (ctx, c) => {
    const s = await ctx.session();
    const finished = await terminalTask(ctx, s, 'F-ECHO');
    const before = await taskResult(s, finished.taskId, blockingTimeoutMs(ctx));
    if (before.kind !== 'result')
      throw new Error(`tasks/result of the finished task failed before the restart: ${describeOutcome(before)}`);
    const running = await createGated(ctx, s);
    await ctx.restart();
    const fresh = await ctx.session();
    const problems: Verdict[] = [];

    // The finished task: kept with the same result, or cleanly gone.
    let kept: boolean;
    const after = await taskResult(fresh, finished.taskId, blockingTimeoutMs(ctx));
    c.note('finishedAfterRestart', describeOutcome(after));
    if (after.kind === 'result') {
      kept = true;
      if (!isDeepStrictEqual(omitMeta(after.result), omitMeta(before.result))) {
        kept = false;
        problems.push(
          warn(
            `after the restart tasks/result of the finished task answered a different payload: ${j(omitMeta(after.result))} instead of ${j(omitMeta(before.result))}`,
          ),
        );
      }
    } else if (after.kind === 'error' && after.error.code === -32602) {
      kept = false;
    } else {
      kept = false;
      problems.push(
        warn(`after the restart tasks/result of a finished task answered ${describeOutcome(after)}; expected its result or -32602 (gone)`),
      );
    }

    // The running task: failed with a reason, resumed, or gone; never working forever.
    let inFlight: string;
    let stuck = false;
    try {
      const seen = await statusOf(fresh, running.task.taskId);
      const t = seen.outcome.kind === 'result' ? (seen.outcome.result as unknown as Task) : undefined;
      if (seen.status === 'not-found') inFlight = 'gone (-32602)';
      else if (seen.status === 'failed') {
        inFlight = `failed${t?.statusMessage ? ` ("${t.statusMessage}")` : ''}`;
        if (!t?.statusMessage)
          problems.push(
            warn(
              'after the restart the task that was running is failed without a statusMessage; say why (e.g. "server restarted while the task was running")',
            ),
          );
      } else if (seen.status === 'working' || seen.status === 'input_required') {
        // Resumed work would finish once its gate opens; lost work stays working.
        await releaseGate(fresh, ctx.fixtures, running.gateId);
        const polled = await pollUntil(fresh, running.task.taskId, untilTerminal, ctx.timeouts.settleMs);
        if (polled.reached) inFlight = `resumed, then ${polled.reached.status}`;
        else {
          stuck = true;
          inFlight = `still ${polled.observed.at(-1)?.status ?? seen.status} ${ctx.timeouts.settleMs} ms after its gate was released`;
          problems.push(
            warn(
              `after the restart the task that was running is still reported "${seen.status}" and never finishes (gate released, ${ctx.timeouts.settleMs} ms): its work was lost but the task claims to be working. Fail such tasks with a statusMessage at start-up`,
            ),
          );
        }
      } else if (seen.status === undefined) {
        inFlight = describeOutcome(seen.outcome);
        problems.push(warn(`after the restart tasks/get of the task that was running answered ${inFlight}; expected the task or -32602`));
      } else inFlight = seen.status;
    } finally {
      await releaseQuietly(fresh, ctx, running.gateId);
    }
    c.note('runningAfterRestart', inFlight);
    const holds = kept && !stuck;
    if (problems.length) return withProperty(worst(problems), 'survivesRestart', false);
    if (kept)
      return withProperty(
        pass(
          `after a hard restart the finished task's result was still retrievable (same payload) and the task that was running is ${inFlight}`,
        ),
        'survivesRestart',
        holds,
      );
    return withProperty(
      info(
        `a hard restart loses every task: the finished task is gone (-32602) and the task that was running is ${inFlight}. Use a durable task store if clients must get results across restarts`,
      ),
      'survivesRestart',
      false,
    );
  },
);

// ---- LC-07
const LC_07 = defineCheck(
  {
    id: 'LC-07',
    name: 'tasks/cancel really stops the work',
    description:
      'After tasks/cancel of a running gated task, gate_state reports the work aborted within 2 s (or it never finishes after a later release). The profile form of T25-CAN-04.',
    level: 'SHOULD',
    specRefs: ['tasks §Task Cancellation r2'],
    fixtures: [],
    requires: ['tasks', 'tasks.cancel'],
  },
  // The probe and its reading are T25-CAN-04's (scenarios/cancel.ts); this check adds the profile property.
  async (ctx, c) => {
    const { verdict, holds } = judgeWorkAfterCancel(await observeWorkAfterCancel(ctx, await ctx.session(), c));
    return withProperty(verdict, 'cancelStopsWork', holds);
  },
);

// ---- LC-08
const LC_08 = defineCheck(
  {
    id: 'LC-08',
    name: 'TTL expiry frees the task and stops its work',
    description:
      'A gated task created with ttl 2000 ms and never released: once createdAt + ttl has passed, tasks/get answers -32602 and gate_state reports the work aborted. Keeping the task is allowed (deletion is a MAY: INFO); removing it while its work keeps running is a leak (WARNING). Without the gate fixtures, an F-ECHO task whose work outlasts its ttl: deleted or kept, and what its blocked tasks/result answers.',
    level: 'SHOULD',
    specRefs: ['tasks §TTL and Resource Management r5', 'tasks §Resource Management'],
    fixtures: [],
    requires: ['tasks'],
  },
  async (ctx, c) => {
    const s = await ctx.session();
    // Without gate_state, a timed F-ECHO whose work outlasts its ttl shows what it can.
    if (!ctx.fixtures.has('F-GATE-STATE') || !hasGate(ctx) || needTaskTool(ctx, s, 'F-GATE')) {
      const unmet = needTaskTool(ctx, s, 'F-ECHO');
      return unmet ?? ttlShorterThanWork(ctx, s, c, LC08_TTL_MS, TTL_BUDGET_MS);
    }
    const gateId = ctx.nonce('g');
    const sent = Date.now();
    const task = await createTask(s, ctx.fixtures, 'F-GATE', { gateId }, { ttl: LC08_TTL_MS });
    try {
      c.note('granted', { requestedTtl: LC08_TTL_MS, ttl: task.ttl, createdAt: task.createdAt });
      if (task.ttl === null || task.ttl === undefined)
        return withProperty(
          info('the server granted an unlimited ttl (null): tasks are never expired, so there is no expiry to honour'),
          'ttlHonoured',
          null,
        );
      if (task.ttl > TTL_BUDGET_MS)
        return withProperty(
          info(
            `the server granted ttl ${task.ttl} ms for a requested ${LC08_TTL_MS} ms; longer than this check waits (${TTL_BUDGET_MS} ms)`,
          ),
          'ttlHonoured',
          null,
        );
      // Measured from our send time: createdAt minus the clock skew is the send time (§4 rule 1).
      const wait = sent + task.ttl + quietWindowMs(ctx) - Date.now();
      if (wait > 0) await sleep(wait);
      const seen = await statusOf(s, task.taskId);
      const state = await gateState(s, ctx.fixtures, gateId);
      c.note('afterTtl', { tasksGet: seen.status ?? describeOutcome(seen.outcome), gateState: state });
      if (seen.status === 'not-found') {
        if (state === 'waiting') {
          return withProperty(
            warn(
              `the ttl (${task.ttl} ms) elapsed and the task is gone (-32602), but its work is still running (gate_state "waiting"): expired tasks leak their work. Stop the work when a task expires`,
            ),
            'ttlHonoured',
            false,
          );
        }
        return withProperty(
          pass(`the ttl (${task.ttl} ms) elapsed: the task is gone (-32602) and its work stopped (gate_state ${j(state)})`),
          'ttlHonoured',
          true,
        );
      }
      return withProperty(
        info(
          `the task is retained ${Date.now() - sent - task.ttl} ms past its ttl (${task.ttl} ms): tasks/get answered ${seen.status ? `"${seen.status}"` : describeOutcome(seen.outcome)}, gate_state ${j(state)}. Allowed (deletion is a MAY, A25-06), but resources are not freed at the ttl`,
        ),
        'ttlHonoured',
        false,
      );
    } finally {
      await releaseQuietly(s, ctx, gateId);
    }
  },
);

const H25_10 = defineCheck(
  {
    id: 'H25-10',
    name: 'Durability summary',
    description:
      'What survives a new HTTP session (LC-01, H25-12), a dropped stream (LC-04), a crashing client (LC-05) and a server restart (LC-06, opt-in: needs a server the harness starts), as observed by the checks above.',
    level: 'MAY',
    specRefs: ['tasks §Task Isolation and Access Control'],
    fixtures: [],
  },
  // Reads the verdicts of the checks above (they run first), so it needs no traffic of its own.
  async (ctx, _c, { earlier }) => {
    /** yes / no / not applicable from a check's property; why it is unknown otherwise. */
    const answer = (id: string): { value: PropertyValue; text: string } => {
      const v = earlier.get(id);
      if (v?.profile?.value === true) return { value: true, text: `yes (${id})` };
      if (v?.profile?.value === false) return { value: false, text: `no (${id})` };
      if (v?.status === 'SKIPPED' && v.skip)
        return { value: null, text: `${v.skip.kind === 'not-applicable' ? 'not applicable' : 'not checked'} (${id}: ${v.skip.reason})` };
      return { value: null, text: `unknown (${id} ${v ? `ended ${v.status}` : 'did not run'})` };
    };
    const rows = {
      newSession: answer(ctx.transport === 'http' ? 'LC-01' : 'H25-12'),
      droppedStream: answer('LC-04'),
      clientCrash: answer('LC-05'),
      serverRestart: answer('LC-06'),
    };
    return info(
      `what survives — a new session: ${rows.newSession.text}; a dropped stream: ${rows.droppedStream.text}; a crashing client: ${rows.clientCrash.text}; a server restart: ${rows.serverRestart.text}`,
      { survives: Object.fromEntries(Object.entries(rows).map(([k, r]) => [k, r.value])) },
    );
  },
);

/** How long a dropped request stays open first (recipe of T25-HTTP-01: ~300 ms). */
const DROP_AFTER_MS = 300;
const WATCHERS = 5;
const REPEATS = 20;
const CONCURRENT = 5;
/** Reads of a finished task each watcher makes after it first saw it terminal (a status must not move). */
const READS_AFTER_TERMINAL = 3;
const LC08_TTL_MS = 2000;
/** Longest granted ttl LC-08 waits out (§4 rule 5), kept well inside the default 60 s check deadline. */
const TTL_BUDGET_MS = 30_000;

/** The gated task's final result: the promised text (contract or mapping expect:), or any result without isError. */
const released = (ctx: ScenarioContext, gateId: string, o: RpcOutcome) => isPromisedResult(ctx, 'F-GATE', { gateId }, o);

/**
 * Combines the parts of a check where a "no" (INFO) must outrank a "yes" (SUCCESS), unlike worst():
 * FAILURE > WARNING > INFO > SUCCESS; every part's message is kept as evidence.
 */
function combineParts(parts: Verdict[]): Verdict {
  const rank = { FAILURE: 4, WARNING: 3, INFO: 2, SUCCESS: 1, SKIPPED: 0 } as const;
  const top = [...parts].sort((x, y) => rank[y.status] - rank[x.status])[0] ?? pass();
  return {
    ...top,
    message: parts
      .map((p) => p.message)
      .filter(Boolean)
      .join('; '),
  };
}

/** A verdict carrying the property observation of the check. */
function withProperty(v: Verdict, name: ProfileProperty, value: PropertyValue): Verdict {
  return { ...v, profile: property(name, value) };
}

/**
 * "The disconnect did not end the task" is a negative observation (§4 rule 3): watch the task for the
 * quiet window and stop at the first status that is not `working` (or the first failed read).
 */
async function watchQuiet(ctx: ScenarioContext, s: Session, taskId: string): Promise<Awaited<ReturnType<typeof statusOf>>> {
  const deadline = Date.now() + quietWindowMs(ctx);
  for (;;) {
    const seen = await statusOf(s, taskId);
    if (seen.status !== 'working' || Date.now() >= deadline) return seen;
    await sleep(250);
  }
}

/** Releases the gate from `s` and waits until the task is terminal there; the final tasks/result. */
async function releaseAndFetch(
  ctx: ScenarioContext,
  s: Session,
  taskId: string,
  gateId: string,
): Promise<{ final?: Task; result: RpcOutcome | undefined; failure?: RpcOutcome }> {
  await releaseGate(s, ctx.fixtures, gateId);
  const polled = await pollUntil(s, taskId, untilTerminal, ctx.timeouts.settleMs);
  if (!polled.reached) return { result: undefined, failure: polled.failure };
  return { final: polled.reached, result: await taskResult(s, taskId, blockingTimeoutMs(ctx)) };
}

// ---- LC-01

type AfterDisconnect =
  | { kind: 'survived' }
  | { kind: 'invisible'; outcome: RpcOutcome }
  | { kind: 'ended'; status: string; statusMessage?: string }
  | { kind: 'broken'; what: string };

async function disconnectVariant(ctx: ScenarioContext, how: 'terminate' | 'drop'): Promise<AfterDisconnect> {
  const a = await ctx.connect();
  const { task, gateId } = await createGated(ctx, a);
  if (how === 'terminate') await a.terminate();
  else await a.drop();
  const b = await ctx.connect();
  try {
    const seen = await watchQuiet(ctx, b, task.taskId);
    if (seen.status === 'not-found') return { kind: 'invisible', outcome: seen.outcome };
    if (seen.status === undefined)
      return { kind: 'broken', what: `tasks/get from the new session answered ${describeOutcome(seen.outcome)}` };
    if (isTerminal(seen.status)) {
      const t = seen.outcome.kind === 'result' ? (seen.outcome.result as unknown as Task) : undefined;
      return { kind: 'ended', status: seen.status, statusMessage: t?.statusMessage };
    }
    const end = await releaseAndFetch(ctx, b, task.taskId, gateId);
    if (!end.final)
      return {
        kind: 'broken',
        what: end.failure
          ? `polling failed: ${describeOutcome(end.failure)}`
          : `the task did not finish within ${ctx.timeouts.settleMs} ms after its gate was released`,
      };
    if (end.result && released(ctx, gateId, end.result)) return { kind: 'survived' };
    return {
      kind: 'broken',
      what: `after the release the task ended ${end.final.status} and tasks/result answered ${end.result ? describeOutcome(end.result) : 'nothing'} instead of ${promised(ctx, 'F-GATE', { gateId })}`,
    };
  } finally {
    await releaseQuietly(b, ctx, gateId);
    await closeQuietly(b);
  }
}

// ---- LC-03

interface Watch {
  name: string;
  statuses: string[];
  failure?: RpcOutcome;
  result?: RpcOutcome;
}

/** Polls until terminal plus a few reads more, then fetches the result; `onFirst` fires after the first read. */
async function watch(ctx: ScenarioContext, w: Session, taskId: string, onFirst: () => void): Promise<Watch> {
  const out: Watch = { name: w.name, statuses: [] };
  const deadline = Date.now() + ctx.timeouts.settleMs * 2;
  let afterTerminal = -1;
  try {
    while (Date.now() < deadline && afterTerminal < READS_AFTER_TERMINAL) {
      const o = await getTask(w, taskId);
      if (o.kind !== 'result') {
        out.failure = o;
        return out;
      }
      const t = o.result as unknown as Task;
      out.statuses.push(String(t.status));
      onFirst();
      if (afterTerminal >= 0 || isTerminal(t.status)) afterTerminal++;
      await sleep(pollDelay(t));
    }
    if (afterTerminal >= 0) out.result = await taskResult(w, taskId, blockingTimeoutMs(ctx));
    return out;
  } finally {
    onFirst();
  }
}

/** Problems of one observed sequence: an edge outside the lifecycle, or a change after a terminal status. */
function sequenceProblems(statuses: string[]): string[] {
  const problems: string[] = [];
  const collapsed = statuses.filter((s, i) => i === 0 || s !== statuses[i - 1]);
  for (let i = 1; i < collapsed.length; i++) {
    const from = collapsed[i - 1] as TaskStatus;
    const to = collapsed[i] as TaskStatus;
    if (!(ALLOWED_EDGES[from] ?? []).includes(to)) problems.push(`${from} → ${to}`);
  }
  return problems;
}

// ---- H25-10

const scenario = defineScenario({
  name: 'lifecycle',
  description:
    'Beyond the connection: disconnects, other sessions, repeated results, watchers, client crash, restart, cancel and TTL (LC-01..08, H25-10, H25-12)',
  checks: [LC_01, H25_12, LC_02, LC_03, LC_04, LC_05, LC_06, LC_07, LC_08, H25_10],
  runs: 'first', // the longest scenario; its LC-06 restart also waits for the others to finish
});

export default scenario;
