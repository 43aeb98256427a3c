// Putting 2026-07-28 tasks into a known state for a check (checklist §4): creating a task of a fixture
// role with the extension declared, creating a gated one, releasing its gate, settling to terminal, and
// how an outcome reads in a verdict. A setup that gets no task throws SetupError (SKIPPED with the root
// cause, EXT-NEG-09: the server may always answer synchronously).
import type { FixtureRole } from '../../../harness/checks.js';
import type { ModernClient, ModernRequestOptions, PollOutcome } from '../../../harness/modern/client.js';
import { EXT, EXT_E, NOEXT } from '../../../harness/modern/envelope.js';
import type { JsonObject, RpcOutcome, ScenarioContext } from '../../../harness/scenario.js';
import { describeOutcome, ProbeError, SetupError, setupFailureOf } from '../../../harness/tasks.js';

export const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
export const isTerminal = (task: JsonObject | undefined) => TERMINAL.has(String(task?.status));

/** A flat CreateTaskResult (resultType "task" with a string taskId), or undefined. */
export function createdTask(o: RpcOutcome): JsonObject | undefined {
  return o.kind === 'result' && o.result.resultType === 'task' && typeof o.result.taskId === 'string' ? o.result : undefined;
}

/** Whether a result looks like a task handle in any shape (flat, nested v1, or a stray taskId). */
export function looksLikeTask(result: JsonObject): boolean {
  return result.resultType === 'task' || typeof result.taskId === 'string' || (typeof result.task === 'object' && result.task !== null);
}

/** tools/call of a role's tool with the role's canonical arguments mapped for the target. */
export function callRole(
  ctx: ScenarioContext,
  c: ModernClient,
  role: FixtureRole,
  canonical: JsonObject,
  options: ModernRequestOptions = {},
): Promise<RpcOutcome> {
  return c.callTool(ctx.fixtures.tool(role), ctx.fixtures.args(role, canonical), options);
}

/** Creates a task of `role` with the extension declared; throws SetupError when no task comes back. */
export async function createModernTask(
  ctx: ScenarioContext,
  c: ModernClient,
  role: FixtureRole,
  canonical: JsonObject,
  options: ModernRequestOptions = {},
): Promise<JsonObject> {
  const o = await callRole(ctx, c, role, canonical, { caps: EXT_E, ...options });
  const task = createdTask(o);
  if (!task) {
    const request = { method: 'tools/call', params: { name: ctx.fixtures.tool(role) } };
    throw new SetupError(
      `could not create a ${role} task (${ctx.fixtures.tool(role)}) with the extension declared: ${describeOutcome(o)}`,
      setupFailureOf(o),
      request,
      o,
    );
  }
  return task;
}

/** A gated task (E-GATE) with a fresh gate id; release it in `finally`. */
export async function createModernGated(ctx: ScenarioContext, c: ModernClient): Promise<{ task: JsonObject; gateId: string }> {
  const gateId = ctx.nonce('gate');
  return { task: await createModernTask(ctx, c, 'F-GATE', { gateId }), gateId };
}

/** Runs `body` on a fresh gated task of the main client, releasing its gate whatever happens. */
export async function withGated<T>(
  ctx: ScenarioContext,
  body: (c: ModernClient, task: JsonObject, gateId: string) => Promise<T>,
): Promise<T> {
  const c = await ctx.modern();
  const { task, gateId } = await createModernGated(ctx, c);
  try {
    return await body(c, task, gateId);
  } finally {
    await releaseQuietly(ctx, c, gateId);
  }
}

/** release_gate (a plain tool call, no extension needed); throws ProbeError unless it answered a result. */
export async function releaseModernGate(
  ctx: ScenarioContext,
  c: ModernClient,
  gateId: string,
  outcome: 'success' | 'tool_error' | 'protocol_error' = 'success',
): Promise<void> {
  const o = await callRole(ctx, c, 'F-GATE-RELEASE', { gateId, outcome }, { caps: NOEXT });
  if (o.kind !== 'result' || o.result.isError) throw new ProbeError(`release_gate ${gateId} failed: ${describeOutcome(o)}`, o);
}

/** Releases quietly (cleanup after a check). */
export async function releaseQuietly(ctx: ScenarioContext, c: ModernClient, gateId: string): Promise<void> {
  await releaseModernGate(ctx, c, gateId).catch(() => undefined);
}

/** Polls to a terminal status within T_SETTLE; throws ProbeError when tasks/get fails or it never ends. */
export async function settleModern(c: ModernClient, taskId: string, options: ModernRequestOptions = {}): Promise<PollOutcome> {
  const p = await c.poll(taskId, isTerminal, { caps: EXT, ...options });
  if (p.failure) throw new ProbeError(`tasks/get ${taskId} failed while polling: ${describeOutcome(p.failure)}`, p.failure);
  if (!p.settled) throw new ProbeError(`task ${taskId} was still ${String(p.task?.status)} when T_SETTLE passed`, p.reads.at(-1)!);
  return p;
}

/** The error code of an outcome, or undefined. */
export const codeOf = (o: RpcOutcome): number | undefined => (o.kind === 'error' ? o.error.code : undefined);

/** The HTTP status of an outcome (HTTP only). */
export const httpStatusOf = (o: RpcOutcome): number | undefined => ('http' in o ? o.http?.status : undefined);
