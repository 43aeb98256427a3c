// Best-effort cleanup so no check leaves work running: each helper ignores failures and is bounded,
// because cleanup must never mask the verdict (and a server that serialises requests may never get to it).
import type { ScenarioContext, Session } from '../../harness/scenario.js';
import { callTool, cancelTask } from '../../harness/tasks.js';
import { declaresCancel } from './preconditions.js';

/** Releases a gate (outcome success), ignoring failures. */
export async function releaseQuietly(session: Session, ctx: ScenarioContext, gateId: string, timeoutMs = 5_000): Promise<void> {
  if (session.closed || !ctx.fixtures.has('F-GATE-RELEASE')) return;
  try {
    await callTool(session, ctx.fixtures, 'F-GATE-RELEASE', { gateId, outcome: 'success' }, {}, timeoutMs);
  } catch {
    // the gate may already be gone with its task; nothing to clean up
  }
}

/** Cancels a task if the server supports it, ignoring the outcome. */
export async function cancelQuietly(session: Session, taskId: string | undefined): Promise<void> {
  if (!taskId || session.closed || !declaresCancel(session)) return;
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
