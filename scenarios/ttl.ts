// 2.F TTL (T25-TTL-04, T25-TTL-05, T25-TTL-06): what ttl the server grants, what happens after it
// elapses, and that tasks are kept until it does. TTL-01/02/03/07 are passive: see wire-audit.
// These are the only checks that wait on the clock (the ttl is the server's timer; §4 rule 1 of docs/requirements-2025-11-25.md).
import { fail, info, pass, skip, warn, worst, type Verdict } from '../harness/checks.js';
import type { Task } from '../harness/protocol.js';
import type { CheckContext, JsonObject, RpcOutcome, ScenarioContext, Session } from '../harness/scenario.js';
import {
  callToolAsTask,
  cancelTask,
  describeOutcome,
  getTask,
  pollUntil,
  ProbeError,
  setupFailureOf,
  SetupError,
  sleep,
  taskResult,
  MAX_TIMER_MS,
} from '../harness/tasks.js';
import { at, j } from './lib/format.js';
import { createdTask } from './lib/task-setup.js';
import { defineCheck, defineScenario } from './lib/define.js';

const TTL_04 = defineCheck(
  {
    id: 'T25-TTL-04',
    name: 'Granted ttl',
    description: 'The receiver may override the requested ttl (the granted values are recorded and used for later expectations).',
    level: 'MAY',
    specRefs: ['tasks §TTL and Resource Management r3'],
    fixtures: ['F-ECHO'],
    requires: ['F-ECHO as task'],
  },
  async (ctx, c) => {
    const session = await ctx.session();
    const rows: string[] = [];
    const granted: JsonObject = {};
    for (const requested of [60_000, 1, 315_360_000_000]) {
      const o = await callToolAsTask(session, ctx.fixtures, 'F-ECHO', { seconds: 0, label: ctx.nonce('ttl04') }, { ttl: requested });
      const task = createdTask(o);
      if (!task) {
        rows.push(`ttl ${requested} → ${describeOutcome(o)}`);
        granted[String(requested)] = describeOutcome(o);
        continue;
      }
      // The ttl tasks/get reports is the binding one (r4); it may be gone already for ttl 1.
      const got = await getTask(session, task.taskId);
      const getTtl = got.kind === 'result' ? j(got.result.ttl) : describeOutcome(got);
      granted[String(requested)] = { created: task.ttl, get: got.kind === 'result' ? got.result.ttl : describeOutcome(got) };
      rows.push(`ttl ${requested} → ${j(task.ttl)} (tasks/get: ${getTtl})`);
    }
    c.note('granted', granted);
    return info(`requested → granted: ${rows.join('; ')}`);
  },
);

const TTL_05 = defineCheck(
  {
    id: 'T25-TTL-05',
    name: 'Expired tasks answer -32602',
    description:
      'Once ttl has elapsed (from createdAt) the receiver may delete the task and its result; after that tasks/get, tasks/result and tasks/cancel return -32602.',
    level: 'MAY',
    specRefs: ['tasks §TTL and Resource Management r5', 'tasks §Error Handling'],
    fixtures: ['F-ECHO'],
    requires: ['F-ECHO as task'],
  },
  async (ctx, c) => {
    const session = await ctx.session();
    const created = await createTimed(ctx, session, SHORT_TTL_MS);
    const ttl = created.task.ttl;
    c.note('grantedTtl', ttl);
    const unusable = ttlUsable(ttl);
    if (unusable) return unusable;
    const state = await awaitCompleted(ctx, session, created, ttl as number);
    c.note('beforeExpiry', state);
    // The server created the task before receivedAt, so createdAt + ttl has passed by then.
    const probeAt = created.receivedAt + (ttl as number) + EXPIRY_GRACE_MS;
    await sleep(Math.max(0, probeAt - Date.now()));

    const id = created.task.taskId;
    const get = await getTask(session, id);
    const result = await taskResult(session, id, ctx.timeouts.requestMs);
    c.note('tasks/get', describeOutcome(get));
    c.note('tasks/result', describeOutcome(result));
    const outcomes = [expiredOutcome('tasks/get', get), expiredOutcome('tasks/result', result)];
    if (outcomes[0]!.gone && at(session.serverCapabilities, ['tasks', 'cancel']) !== undefined) {
      const cancel = await cancelTask(session, id);
      c.note('tasks/cancel', describeOutcome(cancel));
      // A retained terminal task also answers -32602 to cancel (T25-CAN-05); only the code matters here.
      outcomes.push(expiredOutcome('tasks/cancel', cancel));
    }
    const failed = outcomes.filter((o) => o.verdict.status === 'FAILURE');
    if (failed.length) return fail(failed.map((o) => o.verdict.message).join('; '));
    const retained = outcomes.filter((o) => !o.gone).length;
    if (retained)
      return info(`the task was still retained ${EXPIRY_GRACE_MS} ms after createdAt + ttl (${ttl} ms); deletion is optional (A25-06)`);
    return pass(
      `after createdAt + ttl (${ttl} ms) + ${EXPIRY_GRACE_MS} ms, ${outcomes.map((_, i) => ['tasks/get', 'tasks/result', 'tasks/cancel'][i]).join(', ')} answered -32602`,
    );
  },
);

const TTL_06 = defineCheck(
  {
    id: 'T25-TTL-06',
    name: 'Tasks are kept until their ttl',
    description: 'A task that was not cancelled stays retrievable until createdAt + ttl.',
    level: 'SHOULD',
    specRefs: ['tasks §Data Types'],
    fixtures: ['F-ECHO'],
    requires: ['F-ECHO as task'],
  },
  async (ctx, c) => {
    const session = await ctx.session();
    const overflow = await hugeTtlKept(ctx, session);
    c.note('hugeTtl', overflow.message);
    return worst([overflow, await retainedUntilTtl(ctx, c, session)]);
  },
);

/**
 * A huge granted ttl must hold too: a store that arms setTimeout(delete, ttl) deletes the task after
 * ~1 ms once ttl exceeds 2^31-1 ms (Node's TimeoutOverflowWarning; TS SDK InMemoryTaskStore, FINDINGS
 * R11). So a task granted more than that is read again shortly after creation.
 */
async function hugeTtlKept(ctx: ScenarioContext, session: Session): Promise<Verdict> {
  const created = await createTimed(ctx, session, HUGE_TTL_MS);
  const ttl = created.task.ttl;
  if (typeof ttl !== 'number' || ttl <= MAX_TIMER_MS)
    return info(`a ttl of ${HUGE_TTL_MS} ms was granted as ${j(ttl)}: no timer overflow to probe`);
  await sleep(OVERFLOW_PROBE_MS);
  const o = await getTask(session, created.task.taskId);
  const after = Date.now() - created.sentAt;
  if (o.kind === 'error' && o.error.code === -32602) {
    return warn(
      `task ${created.task.taskId} was granted ttl ${ttl} ms but deleted after at most ${after} ms (tasks/get answered -32602): a timer overflow above 2^31-1 ms? (setTimeout fires such delays after 1 ms). Cap the granted ttl (T25-SEC-06) or schedule deletion without one long timer`,
    );
  }
  if (o.kind !== 'result') throw new ProbeError(`tasks/get of the task granted ttl ${ttl} failed: ${describeOutcome(o)}`, o);
  return info(`a ttl of ${ttl} ms (above 2^31-1) was granted and the task was still there ${after} ms later`);
}

/** The recipe: a completed task with ttl >= 10 s is read at 50% and 90% of its ttl. */
async function retainedUntilTtl(ctx: ScenarioContext, c: CheckContext, session: Session): Promise<Verdict> {
  {
    const created = await createTimed(ctx, session, RETENTION_TTL_MS);
    const ttl = created.task.ttl;
    c.note('grantedTtl', ttl);
    const unusable = ttlUsable(ttl, RETENTION_TTL_MS);
    if (unusable) return unusable;
    const t = ttl as number;
    const state = await awaitCompleted(ctx, session, created, t);
    // sentAt is a lower bound of createdAt: a -32602 received before sentAt + ttl is provably early.
    const deadline = created.sentAt + t;
    if (state === 'expired')
      return warn(`task ${created.task.taskId} was already gone before it was seen completed, within its ttl of ${t} ms`);
    const probes: string[] = [];
    for (const fraction of [0.5, 0.9]) {
      const offset = Math.max(0, Math.min(fraction * t, t - RETENTION_MARGIN_MS));
      await sleep(Math.max(0, created.sentAt + offset - Date.now()));
      const o = await getTask(session, created.task.taskId);
      const receivedAt = Date.now();
      const label = `${Math.round(fraction * 100)}% (${receivedAt - created.sentAt} ms after creation)`;
      if (o.kind === 'result') {
        probes.push(`${label}: ${String(o.result.status)}`);
        continue;
      }
      if (o.kind === 'error' && o.error.code === -32602) {
        probes.push(`${label}: -32602`);
        c.note('probes', probes);
        if (receivedAt < deadline) {
          return warn(
            `task ${created.task.taskId} (ttl ${t} ms, not cancelled) answered -32602 ${receivedAt - created.sentAt} ms after creation; it should stay retrievable until createdAt + ttl`,
          );
        }
        return info(
          `the probe arrived too late to judge (${receivedAt - created.sentAt} ms ≥ ttl ${t} ms): -32602 after expiry is allowed`,
        );
      }
      throw new ProbeError(`tasks/get during the task's ttl failed: ${describeOutcome(o)}`, o);
    }
    c.note('probes', probes);
    return pass(`the completed task (ttl ${t} ms) was retrievable at ${probes.join(', ')}`);
  }
}

/** TTL-06: a ttl no 32-bit timer holds (10 years), and the longest one that does. */
const HUGE_TTL_MS = 315_360_000_000;
/** TTL-06: how long after creation a task granted HUGE_TTL_MS is read again. */
const OVERFLOW_PROBE_MS = 200;

/** Requested ttl for the expiry checks: small, so the run stays short (the server may raise it). */
const SHORT_TTL_MS = 2_000;
/** Waiting budget: a granted ttl above it makes expiry checks SKIPPED (§4 rule 5). */
const TTL_BUDGET_MS = 120_000;
/** TTL-05: how long after createdAt + ttl the expired task is probed. */
const EXPIRY_GRACE_MS = 1_500;
/** TTL-06: the latest probe stays this far before createdAt + ttl. */
const RETENTION_MARGIN_MS = 500;
/**
 * TTL-06: requested ttl (the recipe's "ttl ≥ 10000"). With SHORT_TTL_MS the probes would come at 1 s and
 * 1.5 s, so a server that purges finished tasks a few seconds after they end, whatever their ttl, passed.
 */
const RETENTION_TTL_MS = 10_000;

interface Created {
  task: Task;
  /** Client clock: just before the tools/call was sent (a lower bound of createdAt). */
  sentAt: number;
  /** Client clock: when the CreateTaskResult arrived (an upper bound of createdAt). */
  receivedAt: number;
}

async function createTimed(ctx: ScenarioContext, session: Session, ttl: number): Promise<Created> {
  const sentAt = Date.now();
  const o = await callToolAsTask(session, ctx.fixtures, 'F-ECHO', { seconds: 0, label: ctx.nonce('ttl') }, { ttl });
  const receivedAt = Date.now();
  const task = createdTask(o);
  if (!task) {
    const request = { method: 'tools/call', params: { name: ctx.fixtures.tool('F-ECHO'), task: { ttl } } };
    throw new SetupError(`could not create an F-ECHO task with ttl ${ttl}: ${describeOutcome(o)}`, setupFailureOf(o), request, o);
  }
  return { task, sentAt, receivedAt };
}

/** SKIPPED unless the granted ttl is finite and within the waiting budget. */
function ttlUsable(ttl: unknown, requested = SHORT_TTL_MS): Verdict | undefined {
  if (ttl === null) return skip('not-applicable', 'the server granted ttl null (unlimited retention), so there is no expiry to observe');
  if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl < 0)
    return skip('not-applicable', `the server granted ttl ${j(ttl)}, which is not a usable duration (see T25-TTL-03)`);
  if (ttl > TTL_BUDGET_MS)
    return skip(
      'not-applicable',
      `the server granted ttl ${ttl} ms for a requested ${requested} ms, above the ${TTL_BUDGET_MS} ms waiting budget`,
    );
  return undefined;
}

/** Waits for `completed`, tolerating a -32602 that can only mean the task already expired. */
async function awaitCompleted(ctx: ScenarioContext, session: Session, created: Created, ttl: number): Promise<'completed' | 'expired'> {
  const polled = await pollUntil(session, created.task.taskId, (t) => t.status === 'completed', ctx.timeouts.settleMs);
  if (polled.reached) return 'completed';
  const f = polled.failure;
  if (f?.kind === 'error' && f.error.code === -32602 && Date.now() >= created.sentAt + ttl) return 'expired';
  throw new ProbeError(
    `the F-ECHO task (seconds 0) did not reach completed within ${ctx.timeouts.settleMs} ms: ${f ? describeOutcome(f) : `last status ${polled.observed.at(-1)?.status}`}`,
    f,
  );
}

/** -32602 is the only acceptable error for a task that may have been purged. */
function expiredOutcome(method: string, o: RpcOutcome): { verdict: Verdict; gone: boolean } {
  if (o.kind === 'result') return { verdict: info(`${method}: retained`), gone: false };
  if (o.kind === 'error' && o.error.code === -32602) return { verdict: pass(), gone: true };
  return {
    verdict: fail(
      `${method} on an expired task must answer either the task (still retained) or -32602 (Invalid params) once it is deleted; got ${describeOutcome(o)}`,
    ),
    gone: false,
  };
}

const scenario = defineScenario({
  name: 'ttl',
  description: '2.F TTL (T25-TTL-04..06)',
  checks: [TTL_04, TTL_05, TTL_06],
});

export default scenario;
