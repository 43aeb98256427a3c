// Fault injection: `--violate <check-id>` makes the reference server break one rule on purpose, so each
// check can be proven to FAIL (or WARN) against a server that violates exactly what it checks.
// table.ts lists the faults of the 2025-11-25 era and ext-table.ts the EXT-* ones of the 2026-07-28 era
// (each says how to add one); a Faults object turns the selected ids into
//   - `behaviour`: named behaviours the server, connection and HTTP layers read (behaviour.ts),
//   - `extBehaviour`: named behaviours the 2026-07-28 surface (ext/) reads (ext-behaviour.ts), and
//   - `rewriteOutgoing`: the one message-level seam every outgoing 2025-11-25 message passes, dispatched
//     by method to the rewriters in rewrite-*.ts.
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { behaviourOf, type Behaviour } from './behaviour.js';
import { extBehaviourOf, type ExtBehaviour } from './ext-behaviour.js';
import { EXT_FAULTS, isExtFaultId, type ExtFaultId } from './ext-table.js';
import { isObject, RewriteState, type ActiveFaults, type OutgoingContext, type Rewriter } from './message.js';
import { rewriteInitialize, rewritePing, rewriteResourcesRead, rewriteToolsList } from './rewrite-discovery.js';
import { rewriteElicitationCreate, rewriteProgress, rewriteTaskStatus } from './rewrite-server-messages.js';
import { rewriteTasksCancel } from './rewrite-tasks-cancel.js';
import { rewriteTasksGet } from './rewrite-tasks-get.js';
import { rewriteTasksList } from './rewrite-tasks-list.js';
import { rewriteTasksResult } from './rewrite-tasks-result.js';
import { rewriteToolsCall } from './rewrite-tools-call.js';
import { FAULTS, isFaultId, type FaultId } from './table.js';

export { BEHAVIOURS, engineFaultOptions, type Behaviour } from './behaviour.js';
export type { OutgoingContext } from './message.js';
export { FAULTS, isFaultId, type FaultId } from './table.js';
export { EXT_BEHAVIOURS, type ExtBehaviour } from './ext-behaviour.js';
export { EXT_FAULTS, isExtFaultId, type ExtFaultId } from './ext-table.js';

/** Every `--violate` id and what it breaks, in `--list-faults` order: the 2025-11-25 table, then the EXT-* one. */
export const ALL_FAULTS: Readonly<Record<string, string>> = { ...FAULTS, ...EXT_FAULTS };

export const isKnownFaultId = (id: string): boolean => isFaultId(id) || isExtFaultId(id);

/** Rewriters of the responses, by the method of the request they answer. */
const RESPONSE_REWRITERS = new Map<string, Rewriter>([
  ['initialize', rewriteInitialize],
  ['ping', rewritePing],
  ['tools/list', rewriteToolsList],
  ['tools/call', rewriteToolsCall],
  ['resources/read', rewriteResourcesRead],
  ['tasks/get', rewriteTasksGet],
  ['tasks/list', rewriteTasksList],
  ['tasks/cancel', rewriteTasksCancel],
  ['tasks/result', rewriteTasksResult],
]);

/** Rewriters of the requests and notifications the server sends, by method. */
const SERVER_MESSAGE_REWRITERS = new Map<string, Rewriter>([
  ['elicitation/create', rewriteElicitationCreate],
  ['notifications/progress', rewriteProgress],
  ['notifications/tasks/status', rewriteTaskStatus],
]);

export class Faults {
  readonly behaviour: Behaviour;
  /** What the 2026-07-28 surface does differently (EXT-* ids). */
  readonly extBehaviour: ExtBehaviour;
  private readonly active: ReadonlySet<FaultId>;
  /** What the rewriters see; the server, connection and HTTP layers read `behaviour` instead. */
  private readonly rewriting: ActiveFaults;

  constructor(ids: Iterable<string> = []) {
    const active = new Set<FaultId>();
    const ext = new Set<ExtFaultId>();
    for (const id of ids) {
      if (isFaultId(id)) active.add(id);
      else if (isExtFaultId(id)) ext.add(id);
      else throw new Error(`unknown fault "${id}"; known faults: ${Object.keys(ALL_FAULTS).join(', ')}`);
    }
    this.active = active;
    this.behaviour = behaviourOf(active);
    this.extBehaviour = extBehaviourOf(ext);
    this.rewriting = { has: (id) => active.has(id), state: new RewriteState() };
  }

  get ids(): FaultId[] {
    return [...this.active];
  }

  /** The one message-level seam: every message the server sends passes through here. */
  rewriteOutgoing(message: JSONRPCMessage, context: OutgoingContext): JSONRPCMessage {
    if (this.active.size === 0) return message;
    if (context.answers) {
      const rewrite = RESPONSE_REWRITERS.get(context.answers.method);
      return rewrite ? rewrite(message, context.answers.params, this.rewriting) : message;
    }
    const m = message as { method?: unknown; params?: unknown };
    const rewrite = typeof m.method === 'string' ? SERVER_MESSAGE_REWRITERS.get(m.method) : undefined;
    return rewrite && isObject(m.params) ? rewrite(message, m.params, this.rewriting) : message;
  }
}
