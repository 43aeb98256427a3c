// One task's life as the server showed it (EXT-TTL-01..03): a gated task's CreateTaskResult, tasks/get
// while it runs and after release, and the notifications/tasks of a subscription to it when the server
// offers subscriptions/listen (a listen that fails only leaves the notifications out).
import type { Subscription } from '../../../harness/modern/client.js';
import type { JsonObject, ReceivedNotification, ScenarioContext } from '../../../harness/scenario.js';
import type { Observation } from './task-shape.js';
import { createExtGated, getExt, isTerminal, releaseModernGate, releaseExtQuietly, settleExt } from './task-flow.js';

export async function taskTimeline(ctx: ScenarioContext): Promise<Observation[]> {
  const client = await ctx.modern();
  const gated = await createExtGated(ctx, client);
  const observations: Observation[] = [{ where: 'CreateTaskResult', task: gated.task }];
  let sub: Subscription | undefined;
  try {
    sub = await client.listen({ taskIds: [gated.taskId] });
    for (let i = 1; i <= 2; i++) {
      const o = await getExt(client, gated.taskId);
      if (o.kind === 'result') observations.push({ where: `tasks/get #${i} (working)`, task: o.result });
    }
    await releaseModernGate(ctx, client, gated.gateId);
    const done = await settleExt(client, gated.taskId, isTerminal, 'a terminal status');
    observations.push({ where: 'tasks/get (terminal)', task: done });
    await sub.next((n) => isTaskNotification(n, gated.taskId) && isTerminal(n.params), 2_000);
    let n = 0;
    for (const m of sub.messages())
      if (isTaskNotification(m, gated.taskId))
        observations.push({ where: `notifications/tasks #${++n}`, task: m.params, channel: 'subscription' });
    return observations;
  } finally {
    await sub?.close().catch(() => undefined);
    await releaseExtQuietly(ctx, client, gated.gateId);
  }
}

export const isTaskNotification = (n: ReceivedNotification | JsonObject, taskId?: string) =>
  n.method === 'notifications/tasks' && (taskId === undefined || (n.params as JsonObject | undefined)?.taskId === taskId);
