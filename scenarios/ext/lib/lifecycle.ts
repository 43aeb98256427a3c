// What the 2026-07-28 lifecycle-profile checks (scenarios/ext/lifecycle-profile.ts, lifecycle-durability.ts)
// share: a verdict carrying its profile property, a quiet watch that a task stays working, whether a
// gated task ended with its released result, and the gate_state probe of "cancel stops the work", read
// by the same judgement as T25-CAN-04 and LC-07 (scenarios/lib/cancel-stops-work.ts).
import { skip, type Verdict } from '../../../harness/checks.js';
import type { ModernClient } from '../../../harness/modern/client.js';
import { EXT } from '../../../harness/modern/envelope.js';
import { property, type ProfileProperty, type PropertyValue } from '../../../harness/profile.js';
import type { CheckContext, JsonObject, RpcOutcome, ScenarioContext } from '../../../harness/scenario.js';
import { sleep } from '../../../harness/tasks.js';
import { probeGatedCancel, type WorkAfterCancel } from '../../lib/cancel-stops-work.js';
import { judgeText } from '../../lib/expected-result.js';
import { quietWindowMs } from '../../lib/task-setup.js';
import { cancelExt, createExtGated, extGateState, releaseExtQuietly, releaseModernGate } from './task-flow.js';

/** A verdict carrying the property observation of the check. */
export function withProperty(v: Verdict, name: ProfileProperty, value: PropertyValue): Verdict {
  return { ...v, profile: property(name, value) };
}

/** One tasks/get: the task, gone (-32602), or another outcome. */
export type Seen = { kind: 'task'; task: JsonObject } | { kind: 'gone'; outcome: RpcOutcome } | { kind: 'other'; outcome: RpcOutcome };

export async function look(client: ModernClient, taskId: string): Promise<Seen> {
  const o = await client.request('tasks/get', { taskId }, { caps: EXT });
  if (o.kind === 'result') return { kind: 'task', task: o.result };
  if (o.kind === 'error' && o.error.code === -32602) return { kind: 'gone', outcome: o };
  return { kind: 'other', outcome: o };
}

/**
 * "Nothing ended the task" is a negative observation (§4 rule 3): read it for the quiet window and stop
 * at the first read that is not a working task.
 */
export async function watchQuiet(ctx: ScenarioContext, client: ModernClient, taskId: string): Promise<Seen> {
  const deadline = Date.now() + quietWindowMs(ctx);
  for (;;) {
    const seen = await look(client, taskId);
    if (seen.kind !== 'task' || seen.task.status !== 'working' || Date.now() >= deadline) return seen;
    await sleep(250);
  }
}

/** Whether a terminal gated task carries the result its release promises (any non-isError result when nothing is promised). */
export function releasedResult(ctx: ScenarioContext, gateId: string, task: JsonObject | undefined): boolean {
  if (task?.status !== 'completed') return false;
  const judged = judgeText(ctx, 'F-GATE', { gateId }, task.result);
  return judged.kind === 'match' || (judged.kind === 'unknown' && (task.result as JsonObject | undefined)?.isError !== true);
}

/**
 * The gate_state probe of T25-CAN-04 for the extension: a gated task is cancelled once its work provably
 * runs; then its work must report "aborted" within 2 s, or never finish after its gate is released.
 * SKIPPED without gate_state: nothing else tells whether the work stopped.
 */
export async function observeExtWorkAfterCancel(ctx: ScenarioContext, c: CheckContext): Promise<WorkAfterCancel | Verdict> {
  if (!ctx.fixtures.has('F-GATE-STATE'))
    return skip('missing-fixture', 'whether tasks/cancel stops the work cannot be told without the gate_state fixture', ['F-GATE-STATE']);
  const client = await ctx.modern();
  const { taskId, gateId } = await createExtGated(ctx, client);
  try {
    return await probeGatedCancel(ctx, c, {
      taskId,
      gateId,
      gateState: () => extGateState(ctx, client, gateId),
      cancel: () => cancelExt(client, taskId),
      release: () => releaseModernGate(ctx, client, gateId),
    });
  } finally {
    await releaseExtQuietly(ctx, client, gateId);
  }
}
