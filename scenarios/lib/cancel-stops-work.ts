// The probe behind T25-CAN-04 and LC-07: does tasks/cancel really stop the work? A gated task is
// cancelled once gate_state shows its work running; then the work must report "aborted", or at least
// never finish after its gate is released later. One observation, one reading of it, for both checks.
// Without gate_state (any third-party server) whether the work stopped cannot be told; what is observable
// is still flagged: progress or status notifications for the task after the cancel, or a later status
// other than cancelled.
import { pass, skip, warn, type Verdict } from '../../harness/checks.js';
import type { CheckContext, RpcOutcome, ScenarioContext, Session } from '../../harness/scenario.js';
import { relatedTaskId } from '../../harness/protocol.js';
import { cancelTask, createTask, describeOutcome, gateState, releaseGate, sleep } from '../../harness/tasks.js';
import { releaseQuietly } from './cleanup.js';
import { j } from './format.js';
import { slowTaskRole } from './preconditions.js';
import { createGated, quietWindowMs, statusOf } from './task-setup.js';

/** How long the work has to report "aborted" after the cancel (plus 250 ms grace on HTTP). */
const ABORT_WITHIN_MS = 2000;

export type WorkAfterCancel =
  /** gate_state never showed the work running, so the fixture cannot tell. */
  | { kind: 'not-started'; gateId: string; state: string | undefined }
  | { kind: 'cancel-failed'; taskId: string; outcome: RpcOutcome }
  | { kind: 'stopped'; when: 'at-cancel' | 'after-release' }
  /** The work ran to its end: by itself (`released` false) or once its gate was released. */
  | { kind: 'ran-on'; released: boolean; stateBefore: string | undefined }
  | { kind: 'never-finished'; state: string | undefined }
  /** No gate_state: `signs` are what the wire showed of the work going on after the cancel (none: cannot tell). */
  | { kind: 'unobservable'; role: string; signs: string[] };

/** Polls `read` (a gate_state probe) until it is one of `want` or `ms` pass; returns the last state seen. */
async function waitForState(read: () => Promise<string | undefined>, want: string[], ms: number): Promise<string | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const state = await read();
    if ((state && want.includes(state)) || Date.now() >= deadline) return state;
    await sleep(100);
  }
}

/** What the probe does to one running gated task, in either protocol era. */
export interface GatedCancelOps {
  /** The gated task and its gate. */
  taskId: string;
  gateId: string;
  /** The gate's gate_state (undefined when it could not be read). */
  gateState(): Promise<string | undefined>;
  /** tasks/cancel of the task. */
  cancel(): Promise<RpcOutcome>;
  /** release_gate of the gate. */
  release(): Promise<void>;
}

/**
 * The probe itself on a gated task the caller created (and releases in the end): cancel once the work
 * provably runs (the gate is waiting, or "aborted" could never show), then watch gate_state.
 */
export async function probeGatedCancel(ctx: ScenarioContext, c: CheckContext, task: GatedCancelOps): Promise<WorkAfterCancel> {
  const started = await waitForState(task.gateState, ['waiting'], ctx.timeouts.settleMs);
  c.note('gateBeforeCancel', started);
  if (started !== 'waiting') return { kind: 'not-started', gateId: task.gateId, state: started };
  const cancelled = await task.cancel();
  if (cancelled.kind !== 'result') return { kind: 'cancel-failed', taskId: task.taskId, outcome: cancelled };
  const grace = ctx.transport === 'http' ? 250 : 0;
  const after = await waitForState(task.gateState, ['aborted', 'finished'], ABORT_WITHIN_MS + grace);
  c.note('gateAfterCancel', after);
  if (after === 'aborted') return { kind: 'stopped', when: 'at-cancel' };
  if (after === 'finished') return { kind: 'ran-on', released: false, stateBefore: after };
  await task.release();
  const late = await waitForState(task.gateState, ['finished', 'aborted'], quietWindowMs(ctx));
  c.note('gateAfterRelease', late);
  if (late === 'finished') return { kind: 'ran-on', released: true, stateBefore: after };
  if (late === 'aborted') return { kind: 'stopped', when: 'after-release' };
  return { kind: 'never-finished', state: late };
}

/** F-ECHO work that outlasts the watch after the cancel, when no gate holds the task open. */
const LONG_WORK_S = 30;

/** Without gate_state: cancel a running task (gate or long F-ECHO) and watch what it still does. */
async function observeWithoutGateState(
  ctx: ScenarioContext,
  s: Session,
  c: CheckContext,
  role: 'F-GATE' | 'F-ECHO',
): Promise<WorkAfterCancel> {
  const gateId = ctx.nonce('g');
  const args = role === 'F-GATE' ? { gateId } : { seconds: LONG_WORK_S, label: ctx.nonce('can04') };
  const progressToken = `p-${ctx.nonce('can04')}`;
  const task = await createTask(s, ctx.fixtures, role, args, { ttl: 60_000 }, { _meta: { progressToken } });
  try {
    const sentAt = s.wireSeq();
    const cancelled = await cancelTask(s, task.taskId);
    if (cancelled.kind !== 'result') return { kind: 'cancel-failed', taskId: task.taskId, outcome: cancelled };
    const answeredAt = s.wireSeq();
    await sleep(quietWindowMs(ctx));
    // Causal order: a notification counts once the cancel took effect (its answer, or a "cancelled" notification, came first).
    const signs: string[] = [];
    let inEffect = false;
    for (const n of s.notifications().filter((x) => x.seq > sentAt)) {
      const about =
        n.params.taskId === task.taskId || relatedTaskId(n.params._meta) === task.taskId || n.params.progressToken === progressToken;
      if (!about) continue;
      inEffect ||= n.seq > answeredAt;
      if (n.method === 'notifications/tasks/status') {
        if (n.params.status === 'cancelled') inEffect = true;
        else if (inEffect) signs.push(`a status notification "${String(n.params.status)}" (seq ${n.seq})`);
      }
      if (n.method === 'notifications/progress' && inEffect) signs.push(`a progress notification (seq ${n.seq})`);
    }
    const later = await statusOf(s, task.taskId);
    c.note('statusAfterCancel', later.status ?? describeOutcome(later.outcome));
    if (later.status && later.status !== 'cancelled' && later.status !== 'not-found')
      signs.push(`tasks/get reports "${later.status}" ${quietWindowMs(ctx)} ms after the cancel`);
    return { kind: 'unobservable', role: ctx.fixtures.tool(role), signs };
  } finally {
    if (role === 'F-GATE') await releaseQuietly(s, ctx, gateId);
  }
}

/** Runs the probe on a fresh gated task of `s`; the gate is released in the end whatever happens. */
export async function observeWorkAfterCancel(ctx: ScenarioContext, s: Session, c: CheckContext): Promise<WorkAfterCancel | Verdict> {
  const role = slowTaskRole(ctx, s);
  if (typeof role !== 'string') return role;
  if (role === 'F-ECHO' || !ctx.fixtures.has('F-GATE-STATE')) return observeWithoutGateState(ctx, s, c, role);
  const { task, gateId } = await createGated(ctx, s);
  try {
    return await probeGatedCancel(ctx, c, {
      taskId: task.taskId,
      gateId,
      gateState: () => gateState(s, ctx.fixtures, gateId),
      cancel: () => cancelTask(s, task.taskId),
      release: () => releaseGate(s, ctx.fixtures, gateId),
    });
  } finally {
    await releaseQuietly(s, ctx, gateId);
  }
}

/** The verdict on an observation, and whether "cancel stops the work" holds (null: could not tell). */
export function judgeWorkAfterCancel(o: WorkAfterCancel | Verdict): { verdict: Verdict; holds: boolean | null } {
  if ('status' in o) return { verdict: o, holds: null };
  switch (o.kind) {
    case 'unobservable':
      if (o.signs.length)
        return {
          verdict: warn(
            `after tasks/cancel the cancelled task's work still showed signs of running: ${o.signs.join('; ')}. Abort the work on cancel (without the gate_state fixture this is all that can be seen)`,
          ),
          holds: false,
        };
      return {
        verdict: skip(
          'missing-fixture',
          `cannot tell whether tasks/cancel stops the work of ${o.role} without the gate_state fixture; nothing observable contradicted it (no progress or status notification for the task after the cancel, and it stayed cancelled)`,
          ['F-GATE-STATE'],
        ),
        holds: null,
      };
    case 'not-started':
      return {
        verdict: skip(
          'missing-fixture',
          `gate_state never reported "waiting" for gate ${o.gateId} (last: ${j(o.state)}), so the fixture cannot show whether work stops`,
          ['F-GATE-STATE'],
        ),
        holds: null,
      };
    case 'cancel-failed':
      return {
        verdict: warn(
          `tasks/cancel of the running task ${o.taskId} failed (${describeOutcome(o.outcome)}), so whether cancellation stops the work cannot be told; see T25-CAN-01`,
        ),
        holds: null,
      };
    case 'stopped':
      return {
        verdict: pass(
          o.when === 'at-cancel'
            ? 'gate_state reports "aborted" after tasks/cancel: the work was stopped'
            : 'the work stopped (gate_state "aborted") once released after the cancel',
        ),
        holds: true,
      };
    case 'ran-on':
      return {
        verdict: warn(
          o.released
            ? `tasks/cancel did not stop the work: gate_state stayed ${j(o.stateBefore)} for ${ABORT_WITHIN_MS} ms and the work ran to the end ("finished") once released. Abort the work on cancel to free its resources`
            : 'the work finished after tasks/cancel although its gate was never released',
        ),
        holds: false,
      };
    case 'never-finished':
      return { verdict: pass(`the work never finished after tasks/cancel and a later release (gate_state ${j(o.state)})`), holds: true };
  }
}
