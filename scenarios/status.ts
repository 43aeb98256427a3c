// 2.E Status lifecycle (T25-LIFE-01, T25-LIFE-03): tasks start in working and terminal statuses never
// change. LIFE-02 (allowed edges) and LIFE-04 (stable identity) are passive: see wire-audit.
import { fail, pass, skip, type Verdict } from '../harness/checks.js';
import { isTerminal, type Task } from '../harness/protocol.js';
import type { FixtureRole } from '../harness/checks.js';
import type { JsonObject, ScenarioContext, Session } from '../harness/scenario.js';
import {
  cancelTask,
  createTask,
  describeOutcome,
  getTask,
  pollDelay,
  pollUntil,
  ProbeError,
  sleep,
  untilTerminal,
} from '../harness/tasks.js';
import { at } from './lib/format.js';
import { needTaskTool, slowTaskRole } from './lib/preconditions.js';
import { releaseQuietly } from './lib/cleanup.js';
import { defineCheck, defineScenario } from './lib/define.js';

const LIFE_01 = defineCheck(
  {
    id: 'T25-LIFE-01',
    name: 'Tasks begin in working',
    description: 'A task begins in the working status: the CreateTaskResult of a task that cannot have finished says working.',
    level: 'MUST',
    specRefs: ['tasks §Task Status Lifecycle r1'],
    fixtures: [],
  },
  async (ctx, c) => {
    const session = await ctx.session();
    const role = slowTaskRole(ctx, session);
    if (typeof role !== 'string') return role;
    const gateId = ctx.nonce('g');
    try {
      // Slow enough that the first snapshot cannot legitimately be terminal (A25-12).
      const args = role === 'F-GATE' ? { gateId } : { seconds: 1.5, label: ctx.nonce('life01') };
      const task = await createTask(session, ctx.fixtures, role, args);
      c.note('createdStatus', task.status);
      if (task.status === 'working')
        return pass(`the CreateTaskResult of ${role === 'F-GATE' ? 'a gated job (gate closed)' : 'a 1.5 s F-ECHO'} says working`);
      return fail(
        `a new task must begin in "working"; the CreateTaskResult of ${role === 'F-GATE' ? 'a gated job whose gate is still closed' : 'a 1.5 s F-ECHO'} says ${JSON.stringify(task.status)}`,
      );
    } finally {
      if (role === 'F-GATE') await releaseQuietly(session, ctx, gateId);
    }
  },
);

const LIFE_03 = defineCheck(
  {
    id: 'T25-LIFE-03',
    name: 'Terminal statuses never change',
    description: 'A task in completed, failed or cancelled never changes status.',
    level: 'MUST',
    specRefs: ['tasks §Task Status Lifecycle r2.3'],
    fixtures: [],
    requires: ['tasks.requests.tools.call'],
  },
  async (ctx, c) => {
    const session = await ctx.session();
    const verdicts: Verdict[] = [];
    const skipped: string[] = [];
    for (const kind of KINDS) {
      const missing = [kind.role, ...kind.also].filter((r) => !ctx.fixtures.has(r));
      const pre = missing.length ? `fixture ${missing.join(', ')} not exposed` : needTaskTool(ctx, session, kind.role)?.message;
      const cancelMissing = kind.expect === 'cancelled' && at(session.serverCapabilities, ['tasks', 'cancel']) === undefined;
      if (pre || cancelMissing) {
        skipped.push(`${kind.expect}: ${pre ?? 'tasks.cancel is not declared'}`);
        continue;
      }
      verdicts.push(await terminalStaysPut(ctx, session, kind, c.note));
    }
    if (skipped.length) c.note('notExercised', skipped);
    if (!verdicts.length)
      return skip('missing-fixture', `no terminal kind could be exercised (${skipped.join('; ')})`, ['F-ECHO', 'F-TOOLERR', 'F-GATE']);
    const failed = verdicts.filter((v) => v.status === 'FAILURE');
    if (failed.length) return fail(failed.map((v) => v.message).join('; '));
    return pass(verdicts.map((v) => v.message).join('; '));
  },
);

/** LIFE-03: polls after the first terminal observation, at least this far apart. */
const STABLE_POLLS = 3;
const STABLE_GAP_MS = 500;

interface TerminalKind {
  expect: string;
  role: FixtureRole;
  /** Roles besides `role` the kind needs. */
  also: FixtureRole[];
}

const KINDS: TerminalKind[] = [
  { expect: 'completed', role: 'F-ECHO', also: [] },
  { expect: 'failed', role: 'F-TOOLERR', also: [] },
  { expect: 'cancelled', role: 'F-GATE', also: ['F-GATE-RELEASE'] },
];

const scenario = defineScenario({
  name: 'status',
  description: '2.E Status lifecycle (T25-LIFE-01, T25-LIFE-03)',
  checks: [LIFE_01, LIFE_03],
});

/** Drives one task to its first terminal observation, then re-reads it STABLE_POLLS times. */
async function terminalStaysPut(
  ctx: ScenarioContext,
  session: Session,
  kind: TerminalKind,
  note: (k: string, v: unknown) => void,
): Promise<Verdict> {
  const gateId = ctx.nonce('g');
  const args: JsonObject = kind.role === 'F-GATE' ? { gateId } : kind.role === 'F-ECHO' ? { seconds: 0, label: ctx.nonce('life03') } : {};
  try {
    const task = await createTask(session, ctx.fixtures, kind.role, args);
    let first: Task | undefined;
    if (kind.expect === 'cancelled') {
      const o = await cancelTask(session, task.taskId);
      if (o.kind !== 'result') throw new ProbeError(`tasks/cancel of a running gated task failed: ${describeOutcome(o)}`, o);
      first = o.result as unknown as Task;
    } else {
      const polled = await pollUntil(session, task.taskId, untilTerminal, ctx.timeouts.settleMs);
      if (polled.failure)
        throw new ProbeError(`tasks/get failed while waiting for ${kind.expect}: ${describeOutcome(polled.failure)}`, polled.failure);
      first = polled.reached;
      if (!first)
        throw new ProbeError(
          `the ${kind.role} task was not terminal within ${ctx.timeouts.settleMs} ms (last status ${polled.observed.at(-1)?.status})`,
        );
    }
    if (!isTerminal(first.status))
      return fail(`${kind.expect}: expected a terminal status, first observation says ${JSON.stringify(first.status)}`);

    const seen: string[] = [first.status];
    let gone = false;
    for (let i = 0; i < STABLE_POLLS; i++) {
      await sleep(Math.max(pollDelay(first), STABLE_GAP_MS));
      const o = await getTask(session, task.taskId);
      if (o.kind === 'error' && o.error.code === -32602) {
        // Deleted (a cancelled task may go at once, A25-07): not a status change.
        seen.push('(not found)');
        gone = true;
        continue;
      }
      if (o.kind !== 'result') throw new ProbeError(`tasks/get of terminal task ${task.taskId} failed: ${describeOutcome(o)}`, o);
      const status = (o.result as { status?: unknown }).status;
      seen.push(String(status));
      if (status !== first.status) {
        note(`${kind.expect}Timeline`, seen);
        return fail(
          `task ${task.taskId} was ${first.status} and later reported ${JSON.stringify(status)}${gone ? ' (after a -32602)' : ''}; a terminal status must never change (timeline ${seen.join(' → ')})`,
        );
      }
    }
    note(`${kind.expect}Timeline`, seen);
    return pass(`${first.status} stayed ${first.status} over ${STABLE_POLLS} polls`);
  } finally {
    if (kind.role === 'F-GATE') await releaseQuietly(session, ctx, gateId);
  }
}

export default scenario;
