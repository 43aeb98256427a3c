// Message-level faults shared by the error responses of several tasks/* methods.
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { asError, errorOf, type ActiveFaults, type Json, type Step } from './message.js';

/** T25-TTL-05: a lookup of an expired task answers -32603 "task expired" instead of -32602. */
export const expiredAsInternalError =
  (params: Json, f: ActiveFaults): Step =>
  (m) => {
    const e = errorOf(m);
    const taskId = params.taskId;
    const expiry = typeof taskId === 'string' ? f.state.expiresAt.get(taskId) : undefined;
    if (!e || !f.has('T25-TTL-05') || e.code !== -32602 || expiry === undefined || Date.now() < expiry) return m;
    return asError(m, -32603, `Internal error: task ${String(taskId)} expired`);
  };

/** T25-ERR-05: an error response to a tasks/* request carries an empty message. */
export function withEmptyMessage(m: JSONRPCMessage, f: ActiveFaults): JSONRPCMessage {
  const e = errorOf(m);
  return e && f.has('T25-ERR-05') ? asError(m, e.code ?? -32603, '') : m;
}
