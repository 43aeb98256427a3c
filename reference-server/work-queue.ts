// WorkQueue: how the work of a created task reaches the instance that runs it. The instance that
// answers tools/call dispatches; any instance that serves the queue (or a worker process with no
// endpoint) claims the item and runs it under a lease it renews while the work runs. A runner that
// dies stops renewing; another runner reclaims the item and the reclaim policy (worker.ts) re-runs or
// fails the task. The in-process queue (here) hands items to runners in the same process;
// work-queue-redis.ts is a Redis stream with a consumer group.
import type { JsonObject } from './connection.js';

/** Everything a runner needs to run a task's work, on whichever instance it lands. */
export interface WorkItem {
  taskId: string;
  /** Fixture tool name (tools.ts). */
  tool: string;
  /** Validated tool arguments. */
  args: JsonObject;
  /** The progressToken of the creating request, if any (progress notifications go to the creator's session). */
  progressToken?: string | number;
  /** Whether the creating client declared form elicitation. */
  canElicit: boolean;
  /** Whose fixture gates the work sees (ToolContext.gateScope): the creator's auth principal, or ''. */
  gateScope: string;
  /**
   * Whose rules the work follows: absent for a 2025-11-25 task (input through tasks/result, server.ts),
   * 'modern' for a 2026-07-28 one (input requests answered with tasks/update, ext/tools-call.ts).
   */
  era?: 'modern';
}

export interface WorkClaim {
  item: WorkItem;
  /** 1 for the first runner; more when the item was reclaimed from runners that stopped renewing. */
  attempt: number;
}

/**
 * Runs one claimed item; the queue keeps the lease renewed until the promise settles, then marks the
 * item done, unless the queue was closed meanwhile (shutdown): the item then stays claimed and another
 * runner reclaims it once the lease lapses.
 */
export type WorkRunner = (claim: WorkClaim) => Promise<void>;

export interface WorkQueue {
  /**
   * Hands a task's work to some runner.
   * @param item the work; its task record must already be in the store.
   * @returns once the item is queued (durably, for a shared queue).
   */
  dispatch(item: WorkItem): Promise<void>;
  /**
   * Starts claiming items for this instance. Claims are renewed every `leaseMs / 3`; items whose runner
   * has not renewed for `leaseMs` are reclaimed (with a higher `attempt`).
   * @param runner called for each claimed item; several run at once.
   */
  serve(runner: WorkRunner): void;
  /** Renews the leases of the items this instance runs now (serve() does this on a timer; tests may call it). */
  renew(): Promise<void>;
  /** Claims items whose lease expired and runs them (serve() does this on a timer; tests may call it). @returns the number reclaimed. */
  reclaim(): Promise<number>;
  /** Stops claiming and renewing; items still running stay claimed (and are reclaimed elsewhere later). Idempotent. */
  close(): Promise<void>;
}

/** Runners in this process only: dispatch calls a serving runner at once (no leases: nothing can die alone). */
export class InProcessWorkQueue implements WorkQueue {
  private runners: WorkRunner[] = [];
  private next = 0;
  private readonly waiting: WorkItem[] = [];

  async dispatch(item: WorkItem): Promise<void> {
    if (this.runners.length === 0) return void this.waiting.push(item);
    const runner = this.runners[this.next++ % this.runners.length]!;
    void runner({ item, attempt: 1 }).catch(() => undefined);
  }

  serve(runner: WorkRunner): void {
    this.runners.push(runner);
    for (const item of this.waiting.splice(0)) void this.dispatch(item);
  }

  async renew(): Promise<void> {}

  async reclaim(): Promise<number> {
    return 0;
  }

  async close(): Promise<void> {
    this.runners = [];
  }
}
