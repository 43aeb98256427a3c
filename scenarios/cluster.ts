// Cluster (CL-01..CL-06): several endpoints of one deployment (`--url` given several times, or
// `--http-command --instances N`) must act as one task server: a task created through one endpoint is
// read, fetched, listed and cancelled through any other, tasks/result wakes as fast everywhere, an
// instance that dies leaves no task working for good, and clients spread over the endpoints (a
// non-sticky load balancer placing each new session) see one consistent task world. Not applicable to a
// target with one endpoint (CheckSpec.minEndpoints). Rules: docs/requirements-cluster.md.
import { isDeepStrictEqual } from 'node:util';
import { fail, pass, warn } from '../harness/checks.js';
import { property } from '../harness/profile.js';
import { isTerminal } from '../harness/protocol.js';
import type { ScenarioContext, Session } from '../harness/scenario.js';
import {
  cancelTask,
  createTask,
  describeOutcome,
  gateState,
  omitMeta,
  ProbeError,
  releaseGate,
  sleep,
  taskResult,
} from '../harness/tasks.js';
import { releaseQuietly } from './lib/cleanup.js';
import { defineCheck, defineScenario, type CheckRun } from './lib/define.js';
import { describeReading, endpointName, Endpoints, readTask, waitFor } from './lib/endpoints.js';
import { j } from './lib/format.js';
import { instanceLoss } from './lib/instance-loss.js';
import { walkTaskList } from './lib/task-list.js';
import { blockingTimeoutMs, createGated, settleTask } from './lib/task-setup.js';

const CLUSTER = { transports: ['http' as const], minEndpoints: 2 };

/** The checks that observe the crossInstance profile property: it holds where they pass. */
function crossInstance(run: CheckRun<Endpoints>): CheckRun<Endpoints> {
  return async (ctx, c, scope) => {
    const v = await run(ctx, c, scope);
    const holds = v.status === 'SUCCESS' ? true : v.status === 'FAILURE' || v.status === 'WARNING' ? false : null;
    return { ...v, profile: property('crossInstance', holds) };
  };
}

/** tasks/result of `taskId` on `s`, as the payload to compare (without _meta), or a ProbeError naming the endpoint. */
async function resultOn(ctx: ScenarioContext, s: Session, taskId: string, where: string) {
  const o = await taskResult(s, taskId, blockingTimeoutMs(ctx));
  if (o.kind !== 'result') throw new ProbeError(`tasks/result of task ${taskId} on ${where} answered ${describeOutcome(o)}`, o);
  return omitMeta(o.result);
}

const CL_01 = defineCheck<Endpoints>(
  {
    id: 'CL-01',
    name: 'A task created on one endpoint is read and fetched on every other',
    description:
      'A task created through endpoint A is known on every other endpoint of the deployment: tasks/get there answers it with the status it has on A, and tasks/result with the same payload as on A.',
    level: 'MUST',
    specRefs: ['tasks §Getting Tasks', 'tasks §Result Retrieval'],
    fixtures: ['F-ECHO'],
    ...CLUSTER,
    requires: ['tasks', 'F-ECHO as task'],
  },
  crossInstance(async (ctx, c, { shared: at }) => {
    const a = await at.on(0);
    const created = await createTask(a, ctx.fixtures, 'F-ECHO', { seconds: 0, label: ctx.nonce('cl01') });
    const onA = await settleTask(ctx, a, created.taskId);
    const payload = await resultOn(ctx, a, created.taskId, at.label(0, a));
    const problems: string[] = [];
    const seen: Record<string, string> = { [endpointName(0)]: onA.status };
    for (let i = 1; i < at.count; i++) {
      const s = await at.on(i);
      const read = await readTask(s, created.taskId);
      seen[endpointName(i)] = describeReading(read);
      if (!read.task) {
        problems.push(`tasks/get on ${at.label(i, s)} answered ${describeReading(read)} for the task created on A`);
        continue;
      }
      if (read.task.status !== onA.status) problems.push(`tasks/get on ${at.label(i, s)} says "${read.task.status}", on A "${onA.status}"`);
      const there = await taskResult(s, created.taskId, blockingTimeoutMs(ctx));
      if (there.kind !== 'result') problems.push(`tasks/result on ${at.label(i, s)} answered ${describeOutcome(there)}`);
      else if (!isDeepStrictEqual(omitMeta(there.result), payload))
        problems.push(`tasks/result on ${at.label(i, s)} answered ${j(omitMeta(there.result))}, on A ${j(payload)}`);
    }
    c.note('statusByEndpoint', seen);
    if (problems.length)
      return fail(
        `a task created through endpoint A is not the same task on every endpoint: ${problems.join('; ')}. Keep tasks in a store every instance reads`,
      );
    return pass(`the task created on A (${onA.status}) was read and fetched with the same payload on ${at.count - 1} other endpoint(s)`);
  }),
);

/** CL-02: releases measured, and how much later than the fastest endpoint the slowest may answer (median over rounds). */
const WAKE_ROUNDS = 5;
const WAKE_MARGIN_MS = 250;
/** Time for the blocked tasks/result requests to reach their instances before the gate opens. */
const REACH_MS = 500;

const CL_02 = defineCheck<Endpoints>(
  {
    id: 'CL-02',
    name: 'tasks/result wakes as fast on every endpoint',
    description: `A blocked tasks/result on every endpoint waits for one gated task; once the gate opens, each answers within ${WAKE_MARGIN_MS} ms of the fastest (median of ${WAKE_ROUNDS} releases). An instance that learns of other instances' changes by re-reading the store on a timer answers on its ticks.`,
    level: 'SHOULD',
    specRefs: ['tasks §Result Retrieval r3'],
    fixtures: ['F-GATE', 'F-GATE-RELEASE'],
    ...CLUSTER,
    requires: ['tasks', 'F-GATE as task'],
  },
  async (ctx, c, { shared: at }) => {
    const sessions: Session[] = [];
    for (let i = 0; i < at.count; i++) sessions.push(await at.on(i));
    const rounds: Array<Record<string, number>> = [];
    const spreads: number[] = [];
    const slowest: string[] = [];
    for (let round = 0; round < WAKE_ROUNDS; round++) {
      const { task, gateId } = await createGated(ctx, sessions[0]!);
      try {
        const answered = new Map<number, number>();
        const waits = sessions.map((s, i) =>
          taskResult(s, task.taskId, blockingTimeoutMs(ctx)).then((o) => (answered.set(i, performance.now()), o)),
        );
        await sleep(REACH_MS);
        const early = [...answered.keys()];
        const released = performance.now();
        await releaseGate(sessions[0]!, ctx.fixtures, gateId);
        const outcomes = await Promise.all(waits);
        const bad = outcomes.findIndex((o) => o.kind !== 'result');
        if (bad >= 0)
          return fail(
            `tasks/result on ${at.label(bad, sessions[bad])} answered ${describeOutcome(outcomes[bad]!)} for a gated task created on A`,
          );
        if (early.length)
          return fail(
            `tasks/result on ${at.label(early[0]!, sessions[early[0]!])} answered before the gated task's work ended (gate still closed)`,
          );
        const late = sessions.map((_, i) => Math.round(answered.get(i)! - released));
        rounds.push(Object.fromEntries(late.map((ms, i) => [endpointName(i), ms])));
        const min = Math.min(...late);
        spreads.push(Math.max(...late) - min);
        slowest.push(endpointName(late.indexOf(Math.max(...late))));
      } finally {
        await releaseQuietly(sessions[0]!, ctx, gateId);
      }
    }
    c.note('msAfterReleaseByRound', rounds);
    const median = [...spreads].sort((x, y) => x - y)[Math.floor(spreads.length / 2)]!;
    c.note('medianSpreadMs', median);
    if (median > WAKE_MARGIN_MS)
      return warn(
        `tasks/result does not wake as fast everywhere: the slowest endpoint answered a median ${median} ms after the fastest (slowest per round: ${slowest.join(', ')}; ms after the release: ${rounds.map((r) => j(r)).join(' ')}). Wake waiting requests on a change made by another instance (publish/subscribe), not on a store poll`,
      );
    return pass(`tasks/result answered on all ${at.count} endpoints within a median ${median} ms of each other (${WAKE_ROUNDS} releases)`);
  },
);

/** CL-03: how long the work has to report "aborted" after a cancel on another endpoint. */
const ABORT_WITHIN_MS = 2250;

const CL_03 = defineCheck<Endpoints>(
  {
    id: 'CL-03',
    name: 'tasks/cancel on any endpoint stops the work wherever it runs',
    description: `Gated tasks are created one after the other on the endpoints in turn, and each is cancelled through an endpoint chosen so that cancels come from other instances than the ones running the work; tasks/cancel answers cancelled and gate_state reports the work aborted within ${ABORT_WITHIN_MS} ms.`,
    level: 'SHOULD',
    specRefs: ['tasks §Task Cancellation r2'],
    fixtures: ['F-GATE', 'F-GATE-RELEASE', 'F-GATE-STATE'],
    ...CLUSTER,
    requires: ['tasks', 'tasks.cancel', 'F-GATE as task'],
  },
  crossInstance(async (ctx, c, { shared: at }) => {
    const n = at.count;
    const made: Array<{ taskId: string; gateId: string; on: number; cancelOn: number }> = [];
    const failures: string[] = [];
    const goneOn: string[] = [];
    try {
      // Created one at a time, so a deployment that hands work out in turn runs them on its instances in
      // turn; the cancelling endpoint shifts by one after the first n, so whatever the turn, some cancel
      // comes from an instance that does not run the work.
      for (let i = 0; i < 2 * n; i++) {
        const on = i % n;
        const s = await at.on(on);
        const { task, gateId } = await createGated(ctx, s);
        made.push({ taskId: task.taskId, gateId, on, cancelOn: (i + Math.floor(i / n)) % n });
        if (!(await waitFor(async () => (await gateState(s, ctx.fixtures, gateId)) === 'waiting', ctx.timeouts.settleMs)))
          throw new ProbeError(`gate_state on ${at.label(on, s)} never reported the gated task's work waiting`);
      }
      const cancelled: typeof made = [];
      for (const t of made) {
        const o = await cancelTask(await at.on(t.cancelOn), t.taskId);
        const where = `task created on ${endpointName(t.on)}, cancelled on ${endpointName(t.cancelOn)}`;
        if (o.kind === 'result') cancelled.push(t);
        else
          (o.kind === 'error' && o.error.code === -32602 ? goneOn : failures).push(`${where}: tasks/cancel answered ${describeOutcome(o)}`);
      }
      // One window for all: each task's work has ABORT_WITHIN_MS from the last cancel to report "aborted".
      const states = await Promise.all(
        cancelled.map(async (t) => {
          const creator = await at.on(t.on);
          const aborted = await waitFor(async () => (await gateState(creator, ctx.fixtures, t.gateId)) === 'aborted', ABORT_WITHIN_MS);
          return aborted
            ? undefined
            : `task created on ${endpointName(t.on)}, cancelled on ${endpointName(t.cancelOn)}: gate_state still "${await gateState(creator, ctx.fixtures, t.gateId)}"`;
        }),
      );
      failures.push(...states.filter((x): x is string => x !== undefined));
    } finally {
      for (const t of made) await releaseQuietly(await at.on(t.on), ctx, t.gateId);
    }
    c.note('tasks', made);
    if (goneOn.length)
      return fail(
        `tasks/cancel on another endpoint does not know the task: ${goneOn.join('; ')}. Keep tasks in a store every instance reads`,
      );
    if (failures.length)
      return warn(
        `tasks/cancel did not stop the work of ${failures.length} of ${made.length} tasks within ${ABORT_WITHIN_MS} ms: ${failures.join('; ')}. Forward a cancel to the instance that runs the work`,
      );
    return pass(`all ${made.length} tasks, cancelled through ${n} endpoints in turn, had their work aborted`);
  }),
);

const CL_04 = defineCheck<Endpoints>(
  {
    id: 'CL-04',
    name: "tasks/list on any endpoint lists the principal's tasks from every endpoint",
    description:
      'Tasks created by one principal through endpoint A appear in tasks/list (all pages) of a new session of the same principal on every other endpoint.',
    level: 'MUST',
    specRefs: ['tasks §Listing Tasks', 'tasks §Task Isolation and Access Control'],
    fixtures: ['F-ECHO', 'S-AUTH'],
    ...CLUSTER,
    requires: ['tasks', 'tasks.list', 'F-ECHO as task'],
  },
  crossInstance(async (ctx, c, { shared: at }) => {
    const a = await at.on(0);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await createTask(a, ctx.fixtures, 'F-ECHO', { seconds: 0, label: ctx.nonce('cl04') })).taskId);
    const missing: string[] = [];
    for (let i = 1; i < at.count; i++) {
      const s = await at.fresh(i);
      const walk = await walkTaskList(s);
      if (walk.failure) throw new ProbeError(`tasks/list on ${at.label(i, s)} failed: ${describeOutcome(walk.failure.outcome)}`);
      const listed = new Set(walk.tasks.map((t) => t.taskId));
      const absent = ids.filter((id) => !listed.has(id));
      if (absent.length)
        missing.push(`${at.label(i, s)} lists ${walk.tasks.length} task(s) but not ${absent.length} of the 3 created on A`);
    }
    c.note('createdOnA', ids);
    if (missing.length) return fail(`tasks/list does not show the principal's tasks created on another endpoint: ${missing.join('; ')}`);
    return pass(`the 3 tasks created on A were listed on ${at.count - 1} other endpoint(s) for the same principal`);
  }),
);

const CL_05 = defineCheck<Endpoints>(
  {
    id: 'CL-05',
    name: 'An instance killed mid-task leaves no task working',
    description:
      'The harness starts the instances (--instances N): with gated tasks running on every instance it kills the last one hard, releases every gate through endpoint A and reads every task there. Each ends (completed, or failed/cancelled with a statusMessage) or is taken over, within the check deadline; none is lost (-32602) or stays working.',
    level: 'SHOULD',
    specRefs: ['tasks §Task Status Lifecycle', 'tasks §TTL and Resource Management'],
    fixtures: ['F-GATE', 'F-GATE-RELEASE', 'F-GATE-STATE', 'S-RESTART'],
    ...CLUSTER,
    requires: ['tasks', 'F-GATE as task'],
  },
  async (ctx, c, { shared: at }) => instanceLoss(ctx, c, at),
);

const CL_06 = defineCheck<Endpoints>(
  {
    id: 'CL-06',
    name: 'Sessions spread over the endpoints see one consistent task world',
    description:
      'New sessions placed on the endpoints in turn (as a non-sticky load balancer would) each read a gated task created on A while it works, create a task the next one reads at once, and after the task ended (tasks/result on A) every one reads the same terminal status and fetches the same payload: no endpoint answers a stale status.',
    level: 'MUST',
    specRefs: ['tasks §Task Status Lifecycle r2.3', 'tasks §Getting Tasks'],
    fixtures: ['F-ECHO', 'F-GATE', 'F-GATE-RELEASE'],
    ...CLUSTER,
    requires: ['tasks', 'F-ECHO as task', 'F-GATE as task'],
  },
  crossInstance(async (ctx, c, { shared: at }) => {
    const sessions: Array<{ i: number; s: Session }> = [];
    for (let k = 0; k < 2 * at.count; k++) sessions.push({ i: k % at.count, s: await at.fresh(k % at.count) });
    const where = ({ i, s }: { i: number; s: Session }) => at.label(i, s);
    const { task, gateId } = await createGated(ctx, sessions[0]!.s);
    const problems: string[] = [];
    try {
      let previous: { taskId: string; by: string } | undefined;
      for (const x of sessions) {
        const read = await readTask(x.s, task.taskId);
        if (!read.task || isTerminal(read.task.status)) problems.push(`${where(x)} read the working task as ${describeReading(read)}`);
        if (previous) {
          const other = await readTask(x.s, previous.taskId);
          if (!other.task) problems.push(`${where(x)} answered ${describeReading(other)} for the task just created on ${previous.by}`);
        }
        const mine = await createTask(x.s, ctx.fixtures, 'F-ECHO', { seconds: 0, label: ctx.nonce('cl06') });
        previous = { taskId: mine.taskId, by: where(x) };
      }
      await releaseGate(sessions[0]!.s, ctx.fixtures, gateId);
      // tasks/result answers once the task ended: from then on every endpoint must read one terminal status.
      const payload = await resultOn(ctx, sessions[0]!.s, task.taskId, where(sessions[0]!));
      const statuses = new Set<string>();
      for (const x of sessions) {
        const read = await readTask(x.s, task.taskId);
        if (read.task && isTerminal(read.task.status)) statuses.add(read.task.status);
        else problems.push(`after tasks/result on A answered the task's result, ${where(x)} read it as ${describeReading(read)}`);
        const there = await taskResult(x.s, task.taskId, blockingTimeoutMs(ctx));
        if (there.kind !== 'result' || !isDeepStrictEqual(omitMeta(there.result), payload))
          problems.push(`${where(x)} fetched ${there.kind === 'result' ? j(omitMeta(there.result)) : describeOutcome(there)}`);
      }
      if (statuses.size > 1) problems.push(`the endpoints read different terminal statuses: ${[...statuses].join(', ')}`);
    } finally {
      await releaseQuietly(sessions[0]!.s, ctx, gateId);
    }
    if (problems.length)
      return fail(
        `sessions on different endpoints see different task worlds (${problems.length} inconsistencies): ${problems.slice(0, 6).join('; ')}`,
      );
    return pass(
      `${sessions.length} sessions over ${at.count} endpoints read the same statuses and payloads and each other's new tasks at once`,
    );
  }),
);

export default defineScenario<Endpoints>({
  name: 'cluster',
  description:
    'Several endpoints of one deployment act as one task server: cross-endpoint reads, results, cancels and lists, wake-up latency, instance loss, round-robin sessions (needs --url twice or --instances N)',
  setup: (ctx) => new Endpoints(ctx),
  checks: [CL_01, CL_02, CL_03, CL_04, CL_05, CL_06],
});
