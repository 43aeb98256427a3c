// The wire form of a task record (the flat Task of the spec; CreateTaskResult nests it under `task`).
// Stored records are immutable (a transition makes a new record), so the wire form of each is built
// once and remembered when it is read (tasks/get, tasks/list): a poll then costs no date formatting at
// all. What is sent once per record (the creation reply, a status notification) is not remembered: a
// task nobody polls keeps no second copy of itself (about 180 bytes per retained task at 10 000).
// Handed-out wire objects are frozen, so one answer cannot change another.
import type { TaskRecord } from './store.js';
import { isoTimestamp } from './timestamp.js';

export type WireTask = Record<string, unknown>;

const built = new WeakMap<TaskRecord, WireTask>();

export function wireTask(record: TaskRecord): WireTask {
  let wire = built.get(record);
  if (wire) return wire;
  wire = Object.freeze(buildWireTask(record));
  // Only records that cannot change (the memory store's) are remembered; others are fresh objects anyway.
  if (Object.isFrozen(record)) built.set(record, wire);
  return wire;
}

/** The wire form for a message sent once per record: the remembered one if a read made it, else a fresh one. */
export function wireTaskOnce(record: TaskRecord): WireTask {
  return built.get(record) ?? Object.freeze(buildWireTask(record));
}

function buildWireTask(record: TaskRecord): Record<string, unknown> {
  const createdAt = isoTimestamp(record.createdAt);
  const lastUpdatedAt = record.lastUpdatedAt === record.createdAt ? createdAt : isoTimestamp(record.lastUpdatedAt);
  const { taskId, status, statusMessage, ttl, pollInterval } = record;
  return statusMessage === undefined
    ? { taskId, status, createdAt, lastUpdatedAt, ttl, pollInterval }
    : { taskId, status, statusMessage, createdAt, lastUpdatedAt, ttl, pollInterval };
}
