// 2.L progress notifications of task-augmented requests (T25-PROG-*), driven by F-PROGRESS (progress_job).
import { fail, info, pass, warn, worst, type Verdict, type WireEntry } from '../harness/checks.js';
import { isTerminal, type Task } from '../harness/protocol.js';
import type { CheckContext, ScenarioContext, Session } from '../harness/scenario.js';
import { createTask, DEFAULT_TTL_MS, pollUntil, ProbeError, sleep, untilTerminal } from '../harness/tasks.js';
import { issuedProgressTokens, progressNotifications, sameToken, type ProgressSeen } from './lib/progress.js';
import { defineCheck, defineScenario } from './lib/define.js';

const PROG_01 = defineCheck(
  {
    id: 'T25-PROG-01',
    name: 'Task progress uses the original progressToken',
    description:
      'If the task-augmented request carried _meta.progressToken, every progress notification for the task, including those after the CreateTaskResult, uses exactly that token (same JSON type).',
    level: 'MUST',
    specRefs: ['progress §Behavior Requirements r3', 'tasks §Task Progress Notifications'],
    fixtures: ['F-PROGRESS'],
    requires: ['F-PROGRESS as task'],
  },
  (ctx, c) => sameToken01(ctx, c),
);

const PROG_02 = defineCheck(
  {
    id: 'T25-PROG-02',
    name: 'Task progress stops once the task is terminal',
    description: 'Progress notifications for a task stop once the task has reached a terminal status.',
    level: 'MUST',
    specRefs: ['progress §Behavior Requirements r3'],
    fixtures: ['F-PROGRESS'],
    requires: ['F-PROGRESS as task'],
  },
  (ctx, c) => stopsAtTerminal(ctx, c),
);

const PROG_03 = defineCheck(
  {
    id: 'T25-PROG-03',
    name: 'Progress strictly increases',
    description: 'The progress value strictly increases from one notification to the next for the same token.',
    level: 'MUST',
    specRefs: ['progress §Progress Flow'],
    fixtures: ['F-PROGRESS'],
    requires: ['F-PROGRESS as task'],
  },
  (ctx, c) => increases(ctx, c),
);

const PROG_04 = defineCheck(
  {
    id: 'T25-PROG-04',
    name: 'Whether the task sends progress at all',
    description: 'The receiver may send no progress notifications at all (recorded: how many arrived for how many fixture steps).',
    level: 'MAY',
    specRefs: ['progress §Behavior Requirements r2'],
    fixtures: ['F-PROGRESS'],
    requires: ['F-PROGRESS as task'],
  },
  (ctx, c) => anyProgress(ctx, c),
);

const HTTP_GRACE_MS = 250;
const quietMs = (ctx: ScenarioContext) => 1500 + (ctx.transport === 'http' ? HTTP_GRACE_MS : 0);

interface ProgressRun {
  s: Session;
  task: Task;
  token: string | number;
  startSeq: number;
  /** The tasks/get response that first showed a terminal status. */
  terminal: WireEntry;
}

/** A distinct integer token (progress tokens must be unique across active requests). */
function integerToken(): number {
  return 100_000_000 + Math.floor(Math.random() * 800_000_000);
}

async function runProgress(ctx: ScenarioContext, token: string | number, steps: number, intervalSeconds: number): Promise<ProgressRun> {
  const s = await ctx.session();
  const startSeq = s.wireSeq();
  const task = await createTask(
    s,
    ctx.fixtures,
    'F-PROGRESS',
    { steps, intervalSeconds },
    { ttl: DEFAULT_TTL_MS },
    { _meta: { progressToken: token } },
  );
  const poll = await pollUntil(s, task.taskId, untilTerminal, ctx.timeouts.settleMs + steps * intervalSeconds * 1000);
  if (!poll.reached)
    throw new ProbeError(
      `progress_job task ${task.taskId} did not reach a terminal status (last: ${poll.observed.at(-1)?.status ?? 'none'})`,
    );
  const terminal = ctx
    .wire()
    .find(
      (e) =>
        e.seq >= startSeq &&
        e.dir === 'recv' &&
        e.connection === s.name &&
        e.answers?.method === 'tasks/get' &&
        (e.answers.params as { taskId?: unknown } | undefined)?.taskId === task.taskId &&
        isTerminal((e.message as { result?: { status?: unknown } }).result?.status),
    );
  if (!terminal) throw new ProbeError(`the terminal tasks/get response for ${task.taskId} is not in the wire log`);
  return { s, task, token, startSeq, terminal };
}

const mineOf = (run: ProgressRun, all: ProgressSeen[]) => all.filter((n) => sameToken(n.token, run.token));

async function sameToken01(ctx: ScenarioContext, c: CheckContext): Promise<Verdict> {
  const verdicts: Verdict[] = [];
  let total = 0;
  for (const token of [`p-${ctx.nonce('prog')}`, integerToken()]) {
    const run = await runProgress(ctx, token, 3, 0.05);
    await sleep(HTTP_GRACE_MS);
    const all = progressNotifications(ctx, run.s, run.startSeq);
    const issued = issuedProgressTokens(ctx);
    const foreign = all.filter((n) => !issued.some((t) => sameToken(t, n.token)));
    const relatedButOther = all.filter((n) => n.relatedTask === run.task.taskId && !sameToken(n.token, token));
    const mine = mineOf(run, all);
    total += mine.length;
    c.note(`token ${JSON.stringify(token)}`, {
      matching: mine.length,
      foreign: foreign.map((n) => n.token),
      relatedWithOtherToken: relatedButOther.map((n) => n.token),
    });
    if (foreign.length) {
      verdicts.push(
        fail(
          `progress notification(s) with token(s) ${[...new Set(foreign.map((n) => JSON.stringify(n.token)))].join(', ')} that the harness never issued (task ${run.task.taskId} was created with ${JSON.stringify(token)})`,
        ),
      );
    }
    if (relatedButOther.length) {
      verdicts.push(
        fail(
          `progress notification(s) related to task ${run.task.taskId} used token(s) ${[...new Set(relatedButOther.map((n) => JSON.stringify(n.token)))].join(', ')} instead of ${JSON.stringify(token)}`,
        ),
      );
    }
  }
  if (total === 0 && verdicts.length === 0) return info('no progress notifications arrived for the task (allowed, see T25-PROG-04)');
  verdicts.push(pass(`${total} progress notification(s) all used the request's progressToken (string and integer tokens)`));
  return worst(verdicts);
}

async function stopsAtTerminal(ctx: ScenarioContext, c: CheckContext): Promise<Verdict> {
  const run = await runProgress(ctx, `p-${ctx.nonce('prog')}`, 4, 0.3);
  await sleep(quietMs(ctx));
  const mine = mineOf(run, progressNotifications(ctx, run.s, run.startSeq));
  const after = mine.filter((n) => n.seq > run.terminal.seq);
  c.note('terminalSeenAt', { seq: run.terminal.seq, t: run.terminal.t });
  c.note(
    'progress',
    mine.map((n) => ({ progress: n.progress, seq: n.seq, t: n.t, channel: n.channel })),
  );
  if (after.length === 0) return pass(`no progress notification after the task was seen terminal (${mine.length} before)`);
  const describe = (list: ProgressSeen[]) =>
    list.map((n) => `progress ${String(n.progress)} +${Math.round(n.t - run.terminal.t)} ms`).join(', ');
  if (ctx.transport === 'stdio') {
    return fail(
      `${after.length} progress notification(s) arrived after tasks/get showed the task "${(run.terminal.message as { result: Task }).result.status}": ${describe(after)}`,
    );
  }
  // HTTP: progress and the tasks/get response travel on different streams; allow a short grace.
  const late = after.filter((n) => n.t - run.terminal.t > HTTP_GRACE_MS);
  if (late.length)
    return warn(
      `${late.length} progress notification(s) arrived more than ${HTTP_GRACE_MS} ms after tasks/get showed the task terminal: ${describe(late)}`,
    );
  return pass(`no progress notification later than ${HTTP_GRACE_MS} ms after the task was seen terminal`);
}

async function increases(ctx: ScenarioContext, c: CheckContext): Promise<Verdict> {
  const run = await runProgress(ctx, `p-${ctx.nonce('prog')}`, 5, 0.05);
  await sleep(HTTP_GRACE_MS);
  const mine = mineOf(run, progressNotifications(ctx, run.s, run.startSeq));
  c.note(
    'progress',
    mine.map((n) => ({ progress: n.progress, channel: n.channel })),
  );
  if (mine.length === 0) return info('no progress notifications arrived; nothing to compare (T25-PROG-04)');
  const verdicts: Verdict[] = [];
  const nonNumbers = mine.filter((n) => typeof n.progress !== 'number');
  if (nonNumbers.length)
    verdicts.push(fail(`progress value(s) that are not numbers: ${nonNumbers.map((n) => JSON.stringify(n.progress)).join(', ')}`));
  const strict: string[] = [];
  const acrossStreams: string[] = [];
  for (let i = 1; i < mine.length; i++) {
    const prev = mine[i - 1]!;
    const cur = mine[i]!;
    if (typeof prev.progress !== 'number' || typeof cur.progress !== 'number' || cur.progress > prev.progress) continue;
    // Receipt order across two HTTP streams is not the send order.
    const list = ctx.transport === 'http' && prev.channel !== cur.channel ? acrossStreams : strict;
    list.push(`${prev.progress} -> ${cur.progress} (notifications ${i} and ${i + 1})`);
  }
  const values = mine.map((n) => String(n.progress)).join(', ');
  if (strict.length)
    verdicts.push(
      fail(
        `progress did not strictly increase: ${strict.slice(0, 3).join('; ')}${strict.length > 3 ? ` and ${strict.length - 3} more` : ''} (values: ${values})`,
      ),
    );
  if (acrossStreams.length)
    verdicts.push(
      warn(
        `progress did not increase between notifications received on different HTTP streams: ${acrossStreams.slice(0, 3).join('; ')} (values: ${values})`,
      ),
    );
  verdicts.push(pass(`progress strictly increased over ${mine.length} notification(s): ${mine.map((n) => String(n.progress)).join(', ')}`));
  return worst(verdicts);
}

async function anyProgress(ctx: ScenarioContext, c: CheckContext): Promise<Verdict> {
  const steps = 3;
  const run = await runProgress(ctx, `p-${ctx.nonce('prog')}`, steps, 0.05);
  await sleep(HTTP_GRACE_MS);
  const mine = mineOf(run, progressNotifications(ctx, run.s, run.startSeq));
  const channels = [...new Set(mine.map((n) => n.channel ?? '?'))];
  c.note('observed', { steps, notifications: mine.length, channels, values: mine.map((n) => n.progress) });
  if (mine.length === 0) return info(`no progress notifications for a ${steps}-step progress_job task (allowed)`);
  return info(`${mine.length} progress notification(s) for a ${steps}-step progress_job task, on ${channels.join(', ')}`);
}

const scenario = defineScenario({
  name: 'progress',
  description: '2.L progress notifications of tasks (T25-PROG-*)',
  checks: [PROG_01, PROG_02, PROG_03, PROG_04],
});

export default scenario;
