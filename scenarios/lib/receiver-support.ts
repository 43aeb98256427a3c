// Small helpers shared by the 2.A-2.G scenario modules (capabilities ... get): preconditions that turn
// into SKIPPED verdicts, outcome readers, and best-effort cleanup so no block leaves work running.
import type { FixtureRole } from '../../harness/checks.js';
import { skip, type Verdict } from '../../harness/checks.js';
import { taskSupportOf, type Task } from '../../harness/protocol.js';
import type { JsonObject, RpcOutcome, ScenarioContext, Session } from '../../harness/scenario.js';
import { callTool, cancelTask } from '../../harness/tasks.js';

/** Reads a nested member of an object, e.g. at(caps, ['tasks', 'requests', 'tools', 'call']). */
export function at(value: unknown, path: string[]): unknown {
  let v: unknown = value;
  for (const k of path) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/** True when the server declared `tasks.requests.tools.call` (any value but undefined counts as declared). */
export function declaresToolTasks(session: Session): boolean {
  return at(session.serverCapabilities, ['tasks', 'requests', 'tools', 'call']) !== undefined;
}

/** The tools/list entry that plays `role`, if listed. */
export function toolEntry(ctx: ScenarioContext, role: FixtureRole): JsonObject | undefined {
  if (!ctx.fixtures.has(role)) return undefined;
  const name = ctx.fixtures.tool(role);
  return ctx.fixtures.tools.find((t) => t.name === name);
}

/**
 * SKIPPED verdict when `role` cannot be task-augmented by a well-behaved requestor (T25-CLI-03):
 * the server lacks tasks.requests.tools.call, or the fixture tool does not advertise optional/required.
 */
export function needTaskTool(ctx: ScenarioContext, session: Session, role: FixtureRole): Verdict | undefined {
  if (!declaresToolTasks(session)) {
    return skip(
      'missing-capability',
      'the server does not declare capabilities.tasks.requests.tools.call, so no tools/call may be task-augmented',
      ['tasks.requests.tools.call'],
    );
  }
  if (!ctx.fixtures.has(role)) return skip('missing-fixture', `fixture ${role} is not exposed`, [role]);
  const entry = toolEntry(ctx, role);
  const support = entry ? taskSupportOf(entry) : undefined;
  if (support !== 'optional' && support !== 'required') {
    return skip(
      'missing-capability',
      `tool ${ctx.fixtures.tool(role)} (${role}) advertises execution.taskSupport ${JSON.stringify(support)}, so it may not be called as a task`,
      [role],
    );
  }
  return undefined;
}

/** True when the gate fixture and its release helper are both available. */
export function hasGate(ctx: ScenarioContext): boolean {
  return ctx.fixtures.has('F-GATE') && ctx.fixtures.has('F-GATE-RELEASE');
}

/** The Task of a CreateTaskResult-shaped outcome, or undefined. */
export function createdTask(o: RpcOutcome): Task | undefined {
  if (o.kind !== 'result') return undefined;
  const t = o.result.task as Task | undefined;
  return t && typeof t === 'object' && typeof t.taskId === 'string' ? t : undefined;
}

export function errorCode(o: RpcOutcome): number | undefined {
  return o.kind === 'error' ? o.error.code : undefined;
}

/**
 * Releases a gate, ignoring failures: cleanup must never mask the verdict. Bounded, because a server
 * that serialises requests may never get to the release.
 */
export async function releaseQuietly(session: Session, ctx: ScenarioContext, gateId: string, timeoutMs = 5_000): Promise<void> {
  if (session.closed || !ctx.fixtures.has('F-GATE-RELEASE')) return;
  try {
    await callTool(session, ctx.fixtures, 'F-GATE-RELEASE', { gateId, outcome: 'success' }, {}, timeoutMs);
  } catch {
    // the gate may already be gone with its task; nothing to clean up
  }
}

/** Cancels a task if the server supports it, ignoring the outcome (cleanup only). */
export async function cancelQuietly(session: Session, taskId: string | undefined): Promise<void> {
  if (!taskId || session.closed) return;
  if (at(session.serverCapabilities, ['tasks', 'cancel']) === undefined) return;
  try {
    await cancelTask(session, taskId, 5_000);
  } catch {
    // best effort
  }
}

export async function closeQuietly(session: Session | undefined): Promise<void> {
  if (!session || session.closed) return;
  try {
    await session.close();
  } catch {
    // best effort
  }
}

/** Short JSON for messages. */
export function j(v: unknown, max = 200): string {
  const s = JSON.stringify(v);
  if (s === undefined) return String(v);
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
