// The wire shapes of the extension (ext §Tasks, §Task Polling): the flat Task (ttlMs, pollIntervalMs),
// the DetailedTask that tasks/get and notifications/tasks inline (inputRequests, result or error), and the
// task ids as the client sees them (normally the engine's own ids).
import type { JsonObject } from '../connection.js';
import type { TaskRecord } from '../store.js';
import { packageVersion } from '../version.js';
import { isoTimestamp } from '../timestamp.js';
import { META_SERVER_INFO } from './envelope.js';
import type { ExtBehaviour } from '../faults/index.js';
import type { InputRequest } from './inputs.js';

export const SERVER_INFO = { name: 'sep1686-reference-server', version: packageVersion() };

/** Every result identifies the server (basic/index §_meta: servers SHOULD include serverInfo). */
export const resultMeta = (extra: JsonObject = {}) => ({ _meta: { [META_SERVER_INFO]: SERVER_INFO, ...extra } });

/**
 * Task ids on the wire. Identity, except under the faults that change what ids look like (EXT-ID-02:
 * sequential; EXT-HTTP-08: not header-safe); the map then translates ids both ways.
 */
export class WireIds {
  private readonly toWire = new Map<string, string>();
  private readonly fromWire = new Map<string, string>();
  private issued = 0;

  constructor(private readonly behaviour: ExtBehaviour) {}

  out(taskId: string): string {
    if (!this.behaviour.sequentialTaskIds && !this.behaviour.headerUnsafeIdsUndecoded) return taskId;
    let wire = this.toWire.get(taskId);
    if (wire === undefined) {
      wire = this.behaviour.sequentialTaskIds ? `task-${++this.issued}` : `task ${taskId}`;
      this.toWire.set(taskId, wire);
      this.fromWire.set(wire, taskId);
    }
    return wire;
  }

  in(wire: string): string {
    return this.fromWire.get(wire) ?? wire;
  }
}

/** The flat Task (no nested `task`, no legacy ttl/pollInterval). */
export function wireTask(record: TaskRecord, b: ExtBehaviour, ids: WireIds): JsonObject {
  return {
    taskId: ids.out(record.taskId),
    status: b.statusSubmitted && record.status === 'working' ? 'submitted' : record.status,
    ...(record.statusMessage !== undefined &&
      !(b.failedWithoutStatusMessage && record.status === 'failed') && { statusMessage: record.statusMessage }),
    createdAt: b.createdAtEpoch ? record.createdAt : isoTimestamp(record.createdAt),
    lastUpdatedAt: isoTimestamp(record.lastUpdatedAt),
    ...(!b.omitTtlMs && { ttlMs: record.ttl }),
    pollIntervalMs: record.pollInterval,
  };
}

/** The inlined result of a completed tools/call task: exactly the direct call's result body (no per-response _meta). */
export function inlinedResult(result: JsonObject, b: ExtBehaviour): JsonObject {
  const body: JsonObject = { resultType: 'complete', ...result };
  if (b.resultDiffersFromDirect && Array.isArray(body.content))
    return { ...body, content: [...body.content, { type: 'text', text: '(via task)' }] };
  return body;
}

/** The DetailedTask for the task's current status, as tasks/get and notifications/tasks carry it. */
export function detailedTask(record: TaskRecord, inputRequests: Record<string, InputRequest>, b: ExtBehaviour, ids: WireIds): JsonObject {
  const task = wireTask(record, b, ids);
  const outcome = record.outcome;
  switch (record.status) {
    case 'working':
      return b.workingReportedCompleted ? { ...task, status: 'completed', result: { resultType: 'complete', content: [] } } : task;
    case 'input_required':
      return b.omitInputRequests ? task : { ...task, inputRequests };
    case 'completed':
      if (b.omitResult || outcome?.kind !== 'result') return task;
      return { ...task, result: inlinedResult(outcome.result, b) };
    case 'failed': {
      if (b.omitError) return task;
      const error = outcome?.kind === 'error' ? outcome.error : { code: -32603, message: record.statusMessage ?? 'Internal error' };
      return { ...task, error: b.replaceFailureCode ? { ...error, code: -32000 } : error };
    }
    case 'cancelled':
      return b.cancelledReportedFailed ? { ...task, status: 'failed', error: { code: -32603, message: 'The task was cancelled' } } : task;
  }
}
