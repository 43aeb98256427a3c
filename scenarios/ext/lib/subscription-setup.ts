// Subscriptions for the EXT-NOTIF checks: a listen and its first message, whether the server offers
// subscriptions/listen at all (asked once per scenario run), and a gated task with a subscription to it
// (any capabilities, more task ids) that is always cleaned up.
import { skip, type Verdict } from '../../../harness/checks.js';
import type { ModernClient, Subscription } from '../../../harness/modern/client.js';
import type { JsonObject, ReceivedNotification, ScenarioContext } from '../../../harness/scenario.js';
import { describeOutcome, within, TIMED_OUT } from '../../../harness/tasks.js';
import { createExtGated, releaseExtQuietly, type Created } from './task-flow.js';

export interface Shared {
  /** How the server answered the first listen: undefined = it acknowledged (supported). */
  unsupported?: Promise<string | undefined>;
}

export const isAck = (n: ReceivedNotification) => n.method === 'notifications/subscriptions/acknowledged';
/** After a terminal notification, how long the stream is watched for anything more (§4 rule 3's quiet window). */
export const QUIET_MS = 1_500;

/** A listen for `taskIds` and its first message (undefined when none came within T_SETTLE). */
export async function subscribe(ctx: ScenarioContext, client: ModernClient, taskIds: string[], caps?: JsonObject) {
  const sub = await client.listen({ taskIds }, caps ? { caps } : {});
  const first = await within(
    Promise.race([sub.next(() => true, ctx.timeouts.settleMs), sub.answer.then(() => undefined)]),
    ctx.timeouts.settleMs,
  );
  return { sub, first: first === TIMED_OUT ? undefined : first };
}

/** Whether the server offers subscriptions/listen (asked once per scenario run, on a gated task). */
export function listenSupport(ctx: ScenarioContext, shared: Shared): Promise<string | undefined> {
  return (shared.unsupported ??= withSubscribedGate(ctx, async (_client, _gated, sub, first) => {
    if (first) return undefined;
    const answer = await within(sub.answer, 1_000);
    if (answer !== TIMED_OUT && answer.kind === 'error' && answer.error.code === -32601)
      return `subscriptions/listen answered ${describeOutcome(answer)}`;
    return undefined;
  }));
}

export async function unlessUnsupported(ctx: ScenarioContext, shared: Shared): Promise<Verdict | undefined> {
  const why = await listenSupport(ctx, shared);
  return why
    ? skip('missing-capability', `the server does not offer task notifications (${why}; EXT-NOTIF-01)`, ['subscriptions/listen'])
    : undefined;
}

/** How withSubscribedGate listens: the envelope's clientCapabilities, and task ids asked for besides the gated one. */
export interface ListenOptions {
  caps?: JsonObject;
  alsoTaskIds?: string[];
}

/** A gated task, a subscription to it (with its first message, if any came), and cleanup: closed, released. */
export async function withSubscribedGate<T>(
  ctx: ScenarioContext,
  run: (
    client: ModernClient,
    gated: Created & { gateId: string },
    sub: Subscription,
    first: ReceivedNotification | undefined,
  ) => Promise<T>,
  options: ListenOptions = {},
): Promise<T> {
  const client = await ctx.modern();
  const gated = await createExtGated(ctx, client);
  try {
    const { sub, first } = await subscribe(ctx, client, [gated.taskId, ...(options.alsoTaskIds ?? [])], options.caps);
    try {
      return await run(client, gated, sub, first);
    } finally {
      await sub.close().catch(() => undefined);
    }
  } finally {
    await releaseExtQuietly(ctx, client, gated.gateId);
  }
}
