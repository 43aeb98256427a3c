// 2.K status notifications (T25-NOTIF-05). NOTIF-01..04 are passive: see wire-audit.
import { pass, warn, type Verdict } from '../harness/checks.js';
import { relatedTaskId } from '../harness/protocol.js';
import type { CheckContext, JsonObject, ScenarioContext } from '../harness/scenario.js';
import { cancelTask, createTask, pollUntil, ProbeError, releaseGate, sleep, untilTerminal } from '../harness/tasks.js';
import { defineCheck, defineScenario } from './lib/define.js';

const NOTIF_05 = defineCheck(
  {
    id: 'T25-NOTIF-05',
    name: 'Status notifications go only to the owner of the task',
    description:
      'Status notifications (and other task-related notifications) go only to the connection or authorization context that owns the task; another session never receives them.',
    level: 'SHOULD',
    specRefs: ['tasks §Security Considerations', 'tasks §Task Isolation and Access Control'],
    fixtures: ['F-GATE', 'F-GATE-RELEASE'],
    requires: ['F-GATE as task'],
  },
  (ctx, c) => onlyOwner(ctx, c),
);

const quietMs = (ctx: ScenarioContext) => 1500 + (ctx.transport === 'http' ? 250 : 0);

/** The task a notification is about: Task params (status) or related-task _meta (progress, messages). */
function aboutTask(params: JsonObject): unknown {
  return typeof params.taskId === 'string' ? params.taskId : relatedTaskId(params._meta);
}

async function onlyOwner(ctx: ScenarioContext, c: CheckContext): Promise<Verdict> {
  const a = await ctx.session();
  // B listens (GET stream open) before A's tasks change status.
  const b = await ctx.connect();
  try {
    const ids: string[] = [];
    const completed = ctx.nonce('g');
    const t1 = await createTask(a, ctx.fixtures, 'F-GATE', { gateId: completed });
    ids.push(t1.taskId);
    await releaseGate(a, ctx.fixtures, completed);
    const done = await pollUntil(a, t1.taskId, untilTerminal, ctx.timeouts.settleMs);
    if (!done.reached) throw new ProbeError(`gated task ${t1.taskId} did not reach a terminal status after release_gate`);
    const cancelled = ctx.nonce('g');
    const t2 = await createTask(a, ctx.fixtures, 'F-GATE', { gateId: cancelled });
    ids.push(t2.taskId);
    try {
      await cancelTask(a, t2.taskId);
    } finally {
      await releaseGate(a, ctx.fixtures, cancelled).catch(() => undefined);
    }
    await sleep(quietMs(ctx));
    const ownerSaw = a.notifications().filter((n) => ids.includes(aboutTask(n.params) as string));
    const leaked = b.notifications().filter((n) => ids.includes(aboutTask(n.params) as string));
    c.note(
      'ownerReceived',
      ownerSaw.map((n) => ({ method: n.method, status: n.params.status, channel: n.channel })),
    );
    c.note(
      'otherSessionReceived',
      leaked.map((n) => ({ method: n.method, status: n.params.status, channel: n.channel })),
    );
    if (leaked.length) {
      return warn(
        `session ${b.name} received ${leaked.length} notification(s) about tasks it does not own (created by ${a.name}): ${leaked.map((n) => `${n.method} ${String(n.params.status ?? '')}`.trim()).join(', ')}`,
      );
    }
    return pass(`${b.name} received no notification about ${a.name}'s tasks (the owner received ${ownerSaw.length})`);
  } finally {
    await b.close().catch(() => undefined);
  }
}

const scenario = defineScenario({
  name: 'notifications',
  description: '2.K status notifications (T25-NOTIF-05)',
  checks: [NOTIF_05],
});

export default scenario;
