// Progress notifications as the wire recorded them, for the progress and metadata checks.
import type { WireEntry } from '../../harness/checks.js';
import { relatedTaskId } from '../../harness/protocol.js';
import type { JsonObject, ScenarioContext, Session } from '../../harness/scenario.js';

export interface ProgressSeen {
  seq: number;
  /** ms since the run started (wire clock). */
  t: number;
  channel?: string;
  token: unknown;
  progress: unknown;
  total: unknown;
  /** params._meta related-task taskId, if any. */
  relatedTask: unknown;
  entry: WireEntry;
}

/** Every notifications/progress the session received from wire sequence `fromSeq` on, in receipt order. */
export function progressNotifications(ctx: ScenarioContext, s: Session, fromSeq = 0): ProgressSeen[] {
  const out: ProgressSeen[] = [];
  for (const e of ctx.wire()) {
    if (e.seq < fromSeq || e.dir !== 'recv' || e.connection !== s.name) continue;
    const m = e.message as { method?: unknown; id?: unknown; params?: JsonObject } | undefined;
    if (!m || typeof m !== 'object' || m.method !== 'notifications/progress' || 'id' in m) continue;
    const p = m.params ?? {};
    out.push({
      seq: e.seq,
      t: e.t,
      channel: e.channel,
      token: p.progressToken,
      progress: p.progress,
      total: p.total,
      relatedTask: relatedTaskId(p._meta),
      entry: e,
    });
  }
  return out;
}

/** Progress tokens the harness sent in any request on this transport (so far). */
export function issuedProgressTokens(ctx: ScenarioContext): unknown[] {
  const tokens: unknown[] = [];
  for (const e of ctx.wire()) {
    if (e.dir !== 'send' || e.transport !== ctx.transport) continue;
    const m = e.message as { method?: unknown; params?: { _meta?: { progressToken?: unknown } } } | undefined;
    const t = m && typeof m === 'object' ? m.params?._meta?.progressToken : undefined;
    if (t !== undefined) tokens.push(t);
  }
  return tokens;
}

/** Same JSON value and type (a string "7" is not the integer 7). */
export const sameToken = (a: unknown, b: unknown) => typeof a === typeof b && JSON.stringify(a) === JSON.stringify(b);
