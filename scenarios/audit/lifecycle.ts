// Lifecycle rules over task timelines: valid statuses and edges (T25-LIFE-02), notifications that agree
// with the lifecycle (T25-NOTIF-04), stable identity (T25-LIFE-04), notification coverage (T25-NOTIF-01).
import { fail, info, pass, warn, worst, type TransportName, type Verdict } from '../../harness/checks.js';
import { isTerminal, TaskStatus } from '../../harness/protocol.js';
import { describeObservation, noTaskObserved, ordering, timelines, type TaskObservation } from './observations.js';

const MAX_CITED = 10;

interface Regression {
  before: TaskObservation;
  after: TaskObservation;
  order: 'certain' | 'likely';
}

/**
 * Every later observation of a task that differs from an earlier terminal one. Reachability makes this
 * the whole edge rule: working and input_required reach every status, a terminal status only itself.
 */
function regressions(obs: TaskObservation[], transport: TransportName): Regression[] {
  const out: Regression[] = [];
  for (const list of timelines(obs).values()) {
    for (let j = 0; j < list.length; j++) {
      const after = list[j]!;
      // The best-ordered earlier terminal observation: a certain one outranks one a notification makes likely.
      let found: Regression | undefined;
      for (let i = 0; i < j && found?.order !== 'certain'; i++) {
        const before = list[i]!;
        if (!isTerminal(before.status) || before.status === after.status) continue;
        const order = ordering(before, after, transport);
        if (order !== 'unknown' && (!found || order === 'certain')) found = { before, after, order };
      }
      if (found) out.push(found);
    }
  }
  return out;
}

function describeRegression(r: Regression): string {
  return `task ${String(r.after.taskId)}: "${String(r.before.status)}" in ${describeObservation(r.before)}, then "${String(r.after.status)}" in ${describeObservation(r.after)}`;
}

const citeRegression = (r: Regression) => ({
  taskId: r.after.taskId,
  from: r.before.status,
  to: r.after.status,
  fromSeq: r.before.seq,
  toSeq: r.after.seq,
  fromObservation: describeObservation(r.before),
  toObservation: describeObservation(r.after),
  order: r.order,
});

/** Regressions as verdicts: FAIL where the order is certain, WARN where a notification makes it only likely. */
function regressionVerdicts(regs: Regression[]): Verdict[] {
  const verdicts: Verdict[] = [];
  const strict = regs.filter((r) => r.order === 'certain');
  const viaNotification = regs.filter((r) => r.order === 'likely');
  if (strict.length) {
    verdicts.push(
      fail(`a terminal task changed status: ${strict.slice(0, 3).map(describeRegression).join('; ')}`, {
        regressions: strict.slice(0, MAX_CITED).map(citeRegression),
      }),
    );
  }
  if (viaNotification.length) {
    verdicts.push(
      warn(
        `a terminal task changed status according to observations involving a notification (on HTTP their order is likely, not certain: streams are not ordered against each other, A25-22): ${viaNotification.slice(0, 3).map(describeRegression).join('; ')}`,
        {
          notificationRegressions: viaNotification.slice(0, MAX_CITED).map(citeRegression),
        },
      ),
    );
  }
  return verdicts;
}

/** T25-LIFE-02: statuses in the enum; no edge out of a terminal status. */
export function lifecycleEdges(obs: TaskObservation[], transport: TransportName): Verdict {
  if (obs.length === 0) return noTaskObserved();
  const verdicts: Verdict[] = [];
  const invalid = obs.filter((o) => !TaskStatus.safeParse(o.status).success);
  if (invalid.length) {
    verdicts.push(
      fail(
        `${invalid.length} observation(s) with a status outside working|input_required|completed|failed|cancelled: ${invalid
          .slice(0, 3)
          .map((o) => `${JSON.stringify(o.status)} in ${describeObservation(o)}`)
          .join('; ')}`,
        { invalidStatuses: invalid.slice(0, MAX_CITED).map((o) => ({ seq: o.seq, taskId: o.taskId, status: o.status, kind: o.kind })) },
      ),
    );
  }
  verdicts.push(...regressionVerdicts(regressions(obs, transport)));
  const tasks = timelines(obs).size;
  verdicts.push(pass(`${obs.length} observation(s) of ${tasks} task(s): every status valid, no transition out of a terminal status`));
  return worst(verdicts);
}

/**
 * T25-LIFE-03 over the whole run: every task's timeline, built from every response and notification of
 * every session on this transport (stdio: per server process; HTTP: per server), never leaves a
 * terminal status. Complements the status scenario's own probe of three terminal kinds.
 */
export function terminalStaysTerminal(obs: TaskObservation[], transport: TransportName): Verdict {
  if (obs.length === 0) return noTaskObserved();
  const all = timelines(obs);
  const terminal = [...all.values()].filter((list) => list.some((o) => isTerminal(o.status))).length;
  return worst([
    ...regressionVerdicts(regressions(obs, transport)),
    pass(`${terminal} of ${all.size} task(s) were seen terminal over the run, and none of them changed status afterwards`),
  ]);
}

/** T25-NOTIF-04: notifications never contradict the lifecycle (FAIL on stdio, WARN on HTTP). */
export function notificationsAgree(obs: TaskObservation[], transport: TransportName): Verdict {
  const notes = obs.filter((o) => o.kind === 'notification');
  if (notes.length === 0) return info('no notifications/tasks/status were received; nothing to compare');
  const regs = regressions(obs, transport).filter((r) => r.before.kind === 'notification' || r.after.kind === 'notification');
  if (regs.length) {
    const message = `status notification(s) contradict the lifecycle: ${regs.slice(0, 3).map(describeRegression).join('; ')}`;
    const details = { regressions: regs.slice(0, MAX_CITED).map(citeRegression) };
    return transport === 'stdio'
      ? fail(message, details)
      : warn(`${message} (HTTP: notifications are not ordered against other streams, A25-22)`, details);
  }
  return pass(`${notes.length} status notification(s) agree with the lifecycle`);
}

/** T25-LIFE-04: taskId and createdAt are the same in every representation of a task. */
export function stableIdentity(obs: TaskObservation[]): Verdict {
  if (obs.length === 0) return noTaskObserved();
  const verdicts: Verdict[] = [];
  const wrongId = obs.filter(
    (o) => (o.kind === 'get' || o.kind === 'cancel') && o.requestedTaskId !== undefined && o.taskId !== o.requestedTaskId,
  );
  if (wrongId.length) {
    verdicts.push(
      fail(
        `${wrongId.length} tasks/get or tasks/cancel result(s) name another task than requested: ${wrongId
          .slice(0, 3)
          .map((o) => `asked ${JSON.stringify(o.requestedTaskId)}, got ${JSON.stringify(o.taskId)} (seq ${o.seq})`)
          .join('; ')}`,
        {
          wrongTaskId: wrongId.slice(0, MAX_CITED).map((o) => ({ seq: o.seq, requested: o.requestedTaskId, got: o.taskId })),
        },
      ),
    );
  }
  const drift: Array<{ taskId: unknown; values: Array<{ createdAt: unknown; kind: string; seq: number }> }> = [];
  for (const list of timelines(obs).values()) {
    const parsed = list.filter((o) => typeof o.task.createdAt === 'string' && !Number.isNaN(Date.parse(o.task.createdAt)));
    const instants = new Set(parsed.map((o) => Date.parse(o.task.createdAt as string)));
    if (instants.size > 1) {
      const seen = new Map<number, TaskObservation>();
      for (const o of parsed) if (!seen.has(Date.parse(o.task.createdAt as string))) seen.set(Date.parse(o.task.createdAt as string), o);
      drift.push({
        taskId: list[0]!.taskId,
        values: [...seen.values()].map((o) => ({ createdAt: o.task.createdAt, kind: o.kind, seq: o.seq })),
      });
    }
  }
  if (drift.length) {
    verdicts.push(
      fail(
        `createdAt changed between representations of ${drift.length} task(s): ${drift
          .slice(0, 3)
          .map((d) => `${String(d.taskId)}: ${d.values.map((v) => `${String(v.createdAt)} (${v.kind})`).join(' vs ')}`)
          .join('; ')}`,
        {
          createdAtDrift: drift.slice(0, MAX_CITED),
        },
      ),
    );
  }
  verdicts.push(pass(`taskId and createdAt were stable across ${obs.length} observation(s)`));
  return worst(verdicts);
}

/** "POST 12" -> "POST (request streams)": which kind of stream carried a notification. */
const streamKind = (channel: string | undefined) => (channel?.startsWith('POST') ? 'POST (request streams)' : (channel ?? '?'));

/**
 * T25-NOTIF-01 (INFO): which observed transitions produced a status notification, and on which streams.
 * Transitions come from responses in request-send order (a response shows the state between its send
 * and its receipt), so a notification overtaking a response on another HTTP stream does not invent one.
 */
export function notificationCoverage(obs: TaskObservation[]): Verdict {
  const transitions: Record<string, { observed: number; notified: number }> = {};
  const channels: Record<string, number> = {};
  let notifications = 0;
  for (const list of timelines(obs).values()) {
    const notified = new Set(list.filter((o) => o.kind === 'notification').map((o) => o.status));
    for (const o of list) {
      if (o.kind !== 'notification') continue;
      notifications++;
      channels[streamKind(o.channel)] = (channels[streamKind(o.channel)] ?? 0) + 1;
    }
    const ordered = list.filter((o) => o.kind !== 'notification').sort((a, b) => (a.sentSeq ?? a.seq) - (b.sentSeq ?? b.seq));
    let prev: unknown;
    for (const o of ordered) {
      if (prev !== undefined && o.status !== prev) {
        const row = (transitions[`${String(prev)}->${String(o.status)}`] ??= { observed: 0, notified: 0 });
        row.observed++;
        if (notified.has(o.status)) row.notified++;
      }
      prev = o.status;
    }
  }
  const details = { notifications, tasks: timelines(obs).size, transitions, channels };
  if (notifications === 0) return info('no notifications/tasks/status were received (they are optional)', details);
  const summary = Object.entries(transitions)
    .map(([edge, r]) => `${edge} ${r.notified}/${r.observed}`)
    .join(', ');
  return info(
    `${notifications} status notification(s); transitions notified/observed: ${summary || 'none observed'}; streams: ${Object.keys(channels).join(', ')}`,
    details,
  );
}
