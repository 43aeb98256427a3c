// The 2026-07-28 basics the checks share: terminal statuses, what a task-creating answer looks like,
// calling a fixture role's tool, releasing a gate, and how an outcome reads in a verdict. Creating,
// settling and cleaning up tasks builds on these in task-flow.ts.
import type { FixtureRole } from '../../../harness/checks.js';
import type { ModernClient, ModernRequestOptions } from '../../../harness/modern/client.js';
import { NOEXT } from '../../../harness/modern/envelope.js';
import type { JsonObject, RpcOutcome, ScenarioContext } from '../../../harness/scenario.js';
import { describeOutcome, ProbeError } from '../../../harness/tasks.js';

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

/** The error code of an outcome, or undefined. */
export const codeOf = (o: RpcOutcome): number | undefined => (o.kind === 'error' ? o.error.code : undefined);

/** The HTTP status of an outcome (HTTP only). */
export const httpStatusOf = (o: RpcOutcome): number | undefined => ('http' in o ? o.http?.status : undefined);
