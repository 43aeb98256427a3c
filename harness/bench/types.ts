// What every bench phase measures against: one warm, initialized session per target plus the fixture
// binding (so servers with other tool names work through --fixtures) and, when the harness spawned the
// server, its pid for memory figures.
import type { Fixtures, JsonObject, RpcOutcome, Session } from '../scenario.js';
import { describeOutcome } from '../tasks.js';
import type { HeapStats } from './heap.js';

export interface BenchTarget {
  /** Unique within a run (used as the `target` of every figure). */
  label: string;
  session: Session;
  fixtures: Fixtures;
  /** The server process (stdio / http-command targets the harness spawned), for VmRSS; undefined otherwise. */
  pid?: () => number | undefined;
  /** Heap statistics after a full GC, when the bench preloaded its heap probe into the server (heap.ts). */
  heap?: () => Promise<HeapStats | null>;
}

/** One line of progress ("approaches: round 2/5 gather on stdio: ..."); the CLI prints it to stderr. */
export type Progress = (message: string) => void;
export const silent: Progress = () => {};

/** A measurement step that cannot go on (the server answered something unusable). */
export class BenchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchError';
  }
}

/** The TTL the bench asks for: long enough for every phase, short enough that servers can drop the tasks soon after. */
export const BENCH_TTL_MS = 120_000;

export function slowComputeParams(target: BenchTarget, seconds: number, label: string, task?: JsonObject): JsonObject {
  const params: JsonObject = { name: target.fixtures.tool('F-ECHO'), arguments: target.fixtures.args('F-ECHO', { seconds, label }) };
  if (task) params.task = task;
  return params;
}

/** Checks a direct or tasks/result outcome of slow_compute against its own label; returns the problem or undefined. */
export function checkComputed(o: RpcOutcome, label: string): string | undefined {
  if (o.kind !== 'result') return `expected the result computed:${label}, got ${describeOutcome(o)}`;
  return checkResultText(o.result, `computed:${label}`);
}

/** Whether a CallToolResult is exactly one text block `text` (the 2026-07-28 era inlines it in the task). */
export function checkResultText(result: JsonObject, text: string): string | undefined {
  if (result.isError === true) return `expected ${text}, got an isError result ${JSON.stringify(result).slice(0, 200)}`;
  // The fixture answers exactly one text block; anything else means results crossed or were reshaped.
  const content = Array.isArray(result.content) ? (result.content as Array<{ type?: unknown; text?: unknown }>) : [];
  const texts = content.filter((c) => c?.type === 'text').map((c) => c.text);
  if (texts.length !== 1 || texts[0] !== text) {
    return `expected the one text block ${text}, got ${JSON.stringify(texts).slice(0, 200)} (results crossed or reshaped)`;
  }
  return undefined;
}

/** The task id of a CreateTaskResult, or a BenchError saying what came back instead. */
export function createdTask(o: RpcOutcome): { taskId: string; pollInterval?: number; status?: string } {
  const task =
    o.kind === 'result' ? (o.result.task as { taskId?: unknown; pollInterval?: unknown; status?: unknown } | undefined) : undefined;
  if (!task || typeof task.taskId !== 'string')
    throw new BenchError(`expected a CreateTaskResult {task:{taskId,...}}, got ${describeOutcome(o)}`);
  return {
    taskId: task.taskId,
    pollInterval: typeof task.pollInterval === 'number' ? task.pollInterval : undefined,
    status: typeof task.status === 'string' ? task.status : undefined,
  };
}

/** Poll delay of the tasks-poll approach: the server's pollInterval as given (a real client honours it), floored at 10 ms. */
export function honouredPollInterval(pollInterval: number | undefined): number {
  return Math.max(10, pollInterval ?? 250);
}
