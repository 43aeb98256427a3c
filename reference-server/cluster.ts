// TaskCluster: what several reference-server instances share to act as one server behind a load
// balancer: the task store, the event bus, the work queue, the fixture gates, task input requests and
// the keys that sign tasks/list cursors and MRTR request states, and (2026-07-28 era) tasks' input requests. cluster-redis.ts builds one on Redis; without a cluster the
// server keeps everything in its process (memory or SQLite store), as before.
import type { TaskInputRequests } from './ext/inputs.js';
import type { TaskEvents } from './events.js';
import type { TaskInputs } from './inputs.js';
import type { TaskStore } from './store.js';
import type { Gates } from './tools.js';
import type { WorkQueue } from './work-queue.js';

export interface TaskCluster {
  /** This instance (unique per process). */
  readonly instanceId: string;
  readonly store: TaskStore;
  readonly events: TaskEvents;
  readonly queue: WorkQueue;
  readonly gates: Gates;
  readonly inputs: TaskInputs;
  /** Signs tasks/list cursors, so a cursor from one instance is honoured by every other. */
  readonly cursorKey: Buffer;
  /** Signs 2026-07-28 MRTR requestState, so a round answered on one instance continues on any other. */
  readonly requestStateKey: Buffer;
  /**
   * The outstanding input requests of 2026-07-28 tasks, shared by every instance.
   * @param resume moves a task back to working when its last request is answered (TaskEngine.resume).
   * @param reuseKeys fault EXT-UPD-06 only.
   */
  inputRequests(resume: (taskId: string) => Promise<void>, reuseKeys: boolean): TaskInputRequests;
  /** Whether this instance runs task work (false: it only answers requests; workers run the work). */
  readonly runsWork: boolean;
  /** Work lease in ms (see WorkQueue). */
  readonly leaseMs: number;
  /** Closes the queue, bus, gates, inputs and connections. Idempotent. */
  close(): Promise<void>;
}
