// Putting 2026-07-28 tasks into a known state for a check (checklist §4), on top of tasks.ts: a created
// task with the client clock around its creation and the reference server's fixture controls (ttlMs,
// pollIntervalMs), gated tasks, polling to any condition (a terminal status or another), input_required
// tasks and their inputRequests keys, gate_state, and runs that always clean up their gate or task. The
// server may answer without a task: SetupError (SKIPPED with the root cause, EXT-NEG-09).
import type { FixtureRole } from '../../../harness/checks.js';
import type { ModernClient, ModernRequestOptions } from '../../../harness/modern/client.js';
import { EXT_E, NOEXT } from '../../../harness/modern/envelope.js';
import type { JsonObject, RpcOutcome, ScenarioContext } from '../../../harness/scenario.js';
import { describeOutcome, ProbeError, SetupError, setupFailureOf } from '../../../harness/tasks.js';
import { callRole, createdTask, releaseModernGate } from './tasks.js';

export { isTerminal, releaseModernGate } from './tasks.js';

/** A role's tool, or a tool of the fixture contract found by name (E-SEQ: sequential_input has no 2025-11-25 role). */
export type ToolRef = FixtureRole | { tool: string };
const toolName = (ctx: ScenarioContext, ref: ToolRef) => (typeof ref === 'string' ? ctx.fixtures.tool(ref) : ref.tool);
const toolArgs = (ctx: ScenarioContext, ref: ToolRef, args: JsonObject) => (typeof ref === 'string' ? ctx.fixtures.args(ref, args) : args);

/** A created task with the client clock around its creation (createdAt lies between, skew aside). */
export interface Created {
  task: JsonObject;
  taskId: string;
  /** Client clock just before the tools/call was sent, and when its answer arrived. */
  sentAt: number;
  receivedAt: number;
  /** The outcome of the creating tools/call (its id and HTTP facts). */
  outcome: Extract<RpcOutcome, { kind: 'result' }>;
}

export type CreateOptions = ModernRequestOptions & {
  /** Fixture controls of the reference server (ttlMs, pollIntervalMs): a tool that refuses them is called again without. */
  controls?: JsonObject;
};

/**
 * tools/call of `role` declaring the extension (EXT+E unless `caps` says otherwise): the CreateTaskResult,
 * or a SetupError when no task came back (the server's right, EXT-NEG-09; the check is SKIPPED).
 */
export async function createExtTask(
  ctx: ScenarioContext,
  client: ModernClient,
  role: ToolRef,
  args: JsonObject,
  options: CreateOptions = {},
): Promise<Created> {
  const { controls = {}, ...request } = options;
  const attempt = async (extra: JsonObject) => {
    const params = { name: toolName(ctx, role), arguments: { ...toolArgs(ctx, role, args), ...extra } };
    const sentAt = Date.now();
    const o = await client.request('tools/call', params, { caps: EXT_E, ...request });
    return { params, sentAt, receivedAt: Date.now(), o };
  };
  let r = await attempt(controls);
  if (r.o.kind === 'error' && Object.keys(controls).length) r = await attempt({});
  const { o } = r;
  const task = createdTask(o);
  if (task && o.kind === 'result') return { task, taskId: task.taskId as string, sentAt: r.sentAt, receivedAt: r.receivedAt, outcome: o };
  throw new SetupError(
    `tools/call ${r.params.name} declaring the extension did not create a task: ${describeOutcome(o)}`,
    o.kind === 'result' ? 'not-created' : setupFailureOf(o),
    { method: 'tools/call', params: r.params },
    o,
  );
}

/** A gated task (E-GATE) with a fresh gate id; the caller releases the gate in `finally`. */
export async function createExtGated(
  ctx: ScenarioContext,
  client: ModernClient,
  options: CreateOptions = {},
): Promise<Created & { gateId: string }> {
  const gateId = ctx.nonce('g');
  return { ...(await createExtTask(ctx, client, 'F-GATE', { gateId }, options)), gateId };
}

export const getExt = (c: ModernClient, taskId: unknown, options: ModernRequestOptions = {}) => c.request('tasks/get', { taskId }, options);
export const cancelExt = (c: ModernClient, taskId: unknown, options: ModernRequestOptions = {}) =>
  c.request('tasks/cancel', { taskId }, options);
export const updateExt = (c: ModernClient, taskId: unknown, inputResponses: JsonObject, options: ModernRequestOptions = {}) =>
  c.request('tasks/update', { taskId, inputResponses }, options);

/** Polls until `until` holds, or throws ProbeError naming what was seen instead. */
export async function settleExt(
  client: ModernClient,
  taskId: string,
  until: (t: JsonObject) => boolean,
  what: string,
  options: ModernRequestOptions & { settleMs?: number } = {},
): Promise<JsonObject> {
  const p = await client.poll(taskId, until, options);
  if (p.settled && p.task) return p.task;
  if (p.failure)
    throw new ProbeError(`tasks/get of task ${taskId} failed while waiting for ${what}: ${describeOutcome(p.failure)}`, p.failure);
  throw new ProbeError(`task ${taskId} did not reach ${what} in time (last status ${JSON.stringify(p.task?.status)})`, p.reads.at(-1));
}

/** The keys of a task's inputRequests (an empty list when it has none). */
export function inputKeys(t: JsonObject | undefined): string[] {
  const requests = t?.inputRequests;
  return requests && typeof requests === 'object' && !Array.isArray(requests) ? Object.keys(requests) : [];
}

/** The field names an elicitation/create input request asks for (its requestedSchema properties). */
export function requestedFields(t: JsonObject, key: string): string[] {
  const request = (t.inputRequests as Record<string, { params?: { requestedSchema?: { properties?: object } } }> | undefined)?.[key];
  return Object.keys(request?.params?.requestedSchema?.properties ?? {});
}

/** An input_required task of `role` with at least `keys` outstanding requests (E-INPUT, E-MULTI, E-SEQ). */
export async function createWaiting(
  ctx: ScenarioContext,
  client: ModernClient,
  role: ToolRef,
  keys = 1,
): Promise<Created & { waiting: JsonObject }> {
  const created = await createExtTask(ctx, client, role, {});
  const waiting = await settleExt(
    client,
    created.taskId,
    (t) => t.status === 'input_required' && inputKeys(t).length >= keys,
    `input_required with ${keys} outstanding input request(s)`,
  );
  return { ...created, waiting };
}

/** Best effort, for finally blocks: release a gate (when the fixture exists) and ignore what happens. */
export async function releaseExtQuietly(ctx: ScenarioContext, client: ModernClient, gateId: string): Promise<void> {
  if (!client.closed && ctx.fixtures.has('F-GATE-RELEASE')) await releaseModernGate(ctx, client, gateId).catch(() => undefined);
}

export async function cancelExtQuietly(client: ModernClient, taskId: string | undefined): Promise<void> {
  if (taskId && !client.closed) await cancelExt(client, taskId, { timeoutMs: 5_000 }).catch(() => undefined);
}

/** gate_state: "unknown" | "waiting" | "aborted" | "finished" (undefined when the fixture is absent or fails). */
export async function extGateState(ctx: ScenarioContext, client: ModernClient, gateId: string): Promise<string | undefined> {
  if (!ctx.fixtures.has('F-GATE-STATE')) return undefined;
  const o = await callRole(ctx, client, 'F-GATE-STATE', { gateId }, { caps: NOEXT });
  return o.kind === 'result' ? (o.result.structuredContent as { state?: string } | undefined)?.state : undefined;
}

/** The first text block of a CallToolResult. */
export function firstText(result: unknown): string | undefined {
  const content = (result as { content?: Array<{ type?: string; text?: unknown }> } | undefined)?.content;
  const block = Array.isArray(content) ? content.find((b) => b?.type === 'text') : undefined;
  return typeof block?.text === 'string' ? block.text : undefined;
}

/** The HTTP status of an answer, when there is one (" (HTTP 400)"), for messages. */
export const httpNote = (o: RpcOutcome) => (o.kind !== 'timeout' && o.http ? ` (HTTP ${o.http.status})` : '');

/** Runs `run` with a gated task on the scenario's client; the gate is released afterwards, whatever happened. */
export async function withGatedTask<T>(
  ctx: ScenarioContext,
  run: (client: ModernClient, gated: Created & { gateId: string }) => Promise<T>,
  options: CreateOptions = {},
): Promise<T> {
  const client = await ctx.modern();
  const gated = await createExtGated(ctx, client, options);
  try {
    return await run(client, gated);
  } finally {
    await releaseExtQuietly(ctx, client, gated.gateId);
  }
}

/** Runs `run` with an input_required task of `role`; the task is cancelled afterwards (a no-op once it ended). */
export async function withWaitingTask<T>(
  ctx: ScenarioContext,
  role: ToolRef,
  run: (client: ModernClient, w: Created & { waiting: JsonObject }) => Promise<T>,
  keys = 1,
): Promise<T> {
  const client = await ctx.modern();
  const w = await createWaiting(ctx, client, role, keys);
  try {
    return await run(client, w);
  } finally {
    await cancelExtQuietly(client, w.taskId);
  }
}
