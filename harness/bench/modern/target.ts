// What every 2026-07-28 bench phase measures against: one ModernClient per target (no initialize, the
// envelope on every request), the fixtures listed through that era's surface, and the pieces every phase
// shares: a flat CreateTaskResult read, the harness client's poll clamp, the result a terminal task inlines.
import type { FixtureRole } from '../../checks.js';
import { pollDelay, type ModernClient } from '../../modern/client.js';
import { EXT, EXT_E, NOEXT } from '../../modern/envelope.js';
import type { Fixtures, JsonObject, RpcOutcome } from '../../scenario.js';
import { describeOutcome } from '../../tasks.js';
import { BENCH_TTL_MS, BenchError, checkResultText } from '../types.js';

export { EXT, EXT_E, NOEXT };

export interface ModernBenchTarget {
  /** Unique within a run (the `target` of every figure). */
  label: string;
  client: ModernClient;
  fixtures: Fixtures;
  /** The server process this client talks to (stdio: its own; HTTP command: the shared one), for VmRSS. */
  pid?: () => number | undefined;
  /** Whether the task tools take the reference server's fixture control `ttlMs` (found on the first task). */
  ttlControl: boolean;
}

export const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
export const isTerminalTask = (t: JsonObject | undefined) => TERMINAL.has(String(t?.status));

/** tools/call params of a role's tool with canonical arguments mapped for the target (plus the ttlMs control when it takes it). */
export function toolParams(target: ModernBenchTarget, role: FixtureRole, canonical: JsonObject, ttlMs?: number): JsonObject {
  const args = target.fixtures.args(role, canonical);
  return { name: target.fixtures.tool(role), arguments: ttlMs !== undefined && target.ttlControl ? { ...args, ttlMs } : args };
}

/** The flat CreateTaskResult (resultType "task"), or a BenchError saying what came back instead. */
export function modernCreated(o: RpcOutcome): JsonObject {
  if (o.kind === 'result' && o.result.resultType === 'task' && typeof o.result.taskId === 'string') return o.result;
  throw new BenchError(`expected a CreateTaskResult {resultType:"task", taskId, ...} (the extension declared), got ${describeOutcome(o)}`);
}

/** Creates a task of `role` declaring the extension (and form elicitation, which E-INPUT needs). */
export async function createModernTask(
  target: ModernBenchTarget,
  role: FixtureRole,
  canonical: JsonObject,
  ttlMs = BENCH_TTL_MS,
): Promise<JsonObject> {
  return modernCreated(await target.client.request('tools/call', toolParams(target, role, canonical, ttlMs), { caps: EXT_E }));
}

/** The delay before the next tasks/get of `task`: its pollIntervalMs clamped to 50..1000 ms, 250 when absent (client.ts). */
export const nextPollMs = (task: JsonObject | undefined) => pollDelay(task).ms;

/** A terminal task's own check: completed with the one text block `text` inlined as its result. */
export function checkTerminal(task: JsonObject, text: string): string | undefined {
  if (task.status !== 'completed')
    return `task ${String(task.taskId)} ended ${String(task.status)}${task.error ? ` ${JSON.stringify(task.error).slice(0, 200)}` : ''}, expected completed`;
  const result = task.result;
  if (!result || typeof result !== 'object' || Array.isArray(result))
    return `task ${String(task.taskId)} is completed without an inlined result (ext §tasks/get: CompletedTask.result is required)`;
  return checkResultText(result as JsonObject, text);
}

/** tasks/get of one task: the task, or a BenchError. */
export async function getTask(target: ModernBenchTarget, taskId: string): Promise<JsonObject> {
  const o = await target.client.request('tasks/get', { taskId }, { caps: EXT });
  if (o.kind !== 'result') throw new BenchError(`tasks/get ${taskId}: ${describeOutcome(o)}`);
  return o.result;
}

/** release_gate (a plain synchronous call, no extension); a BenchError unless it answered a result. */
export async function releaseGate(target: ModernBenchTarget, gateId: string): Promise<void> {
  const o = await target.client.request('tools/call', toolParams(target, 'F-GATE-RELEASE', { gateId, outcome: 'success' }), {
    caps: NOEXT,
  });
  if (o.kind !== 'result' || o.result.isError === true) throw new BenchError(`release_gate ${gateId}: ${describeOutcome(o)}`);
}

/** The fixture roles a phase needs that the target lacks, as one line (undefined when it has them all). */
export function missingRoles(target: ModernBenchTarget, roles: FixtureRole[]): string | undefined {
  const missing = roles.filter((r) => !target.fixtures.has(r));
  return missing.length ? `the server lacks the fixture role(s) ${missing.join(', ')} (see the fixture contract)` : undefined;
}
