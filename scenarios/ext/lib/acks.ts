// Judges of the answers the task methods give (EXT-UPD-*, EXT-CAN-*): an empty ack `{resultType:
// "complete"}` (with _meta allowed), a -32602 for an unknown task, and the task fields an ack must not
// carry (a 2025-11-25-style Task body in the answer).
import { fail, pass, warn, type Verdict } from '../../../harness/checks.js';
import type { JsonObject, RpcOutcome } from '../../../harness/scenario.js';
import { describeOutcome } from '../../../harness/tasks.js';
import { httpNote } from './task-flow.js';

const TASK_FIELDS = [
  'taskId',
  'status',
  'statusMessage',
  'createdAt',
  'lastUpdatedAt',
  'ttlMs',
  'pollIntervalMs',
  'inputRequests',
  'result',
  'error',
  'task',
];

/** The members of an ack besides resultType and _meta that belong to a Task. */
export function taskFieldsIn(result: JsonObject): string[] {
  return Object.keys(result).filter((k) => TASK_FIELDS.includes(k));
}

export type Ack = { kind: 'ack'; result: JsonObject; taskFields: string[] } | { kind: 'refused'; outcome: RpcOutcome };

export function ackOf(o: RpcOutcome): Ack {
  if (o.kind === 'result' && o.result.resultType === 'complete')
    return { kind: 'ack', result: o.result, taskFields: taskFieldsIn(o.result) };
  return { kind: 'refused', outcome: o };
}

/**
 * A MUST ack (EXT-UPD-01, EXT-CAN-01): refused or not `resultType: "complete"` is a FAILURE; Task fields in
 * it a WARNING (it is an empty result, not a Task).
 */
export function judgeAck(what: string, o: RpcOutcome): Verdict {
  const ack = ackOf(o);
  if (ack.kind === 'refused')
    return fail(`${what} must be acknowledged with an empty result {resultType:"complete"}; got ${describeOutcome(o)}${httpNote(o)}`);
  if (ack.taskFields.length)
    return warn(
      `${what} was acknowledged, but the ack carries Task fields (${ack.taskFields.join(', ')}): it is an empty result, not a Task`,
    );
  return pass(`${what} was acknowledged with {resultType:"complete"}`);
}

/** A SHOULD -32602 for an unknown taskId (EXT-UPD-03, EXT-CAN-02, A-EXT-05): an ack or another code is a WARNING. */
export function judgeUnknownTask(what: string, o: RpcOutcome): Verdict {
  if (o.kind === 'error' && o.error.code === -32602) return pass(`${what} answered -32602${httpNote(o)}`);
  if (o.kind === 'error')
    return warn(`${what} should answer -32602 (Invalid params: task not found); got ${describeOutcome(o)}${httpNote(o)}`);
  if (o.kind === 'result')
    return warn(`${what} was acknowledged (${describeOutcome(o)}); an unknown taskId should get JSON-RPC error -32602`);
  return fail(`${what} got no answer: ${describeOutcome(o)}`);
}
