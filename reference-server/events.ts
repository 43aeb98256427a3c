// TaskEvents: the bus that tells server instances what happened on the others (a status change, a
// progress notification for a task created elsewhere, a gate release, an input request or its answer).
// The in-process hub (here) joins instances that live in one process, e.g. in tests; events-redis.ts
// carries the same events over Redis pub/sub between processes. Delivery is event-driven: nothing polls.
import type { JsonObject } from './connection.js';
import type { GateOutcome } from './tools.js';
import type { TaskRecord } from './store.js';

export type TaskEvent =
  /** A task changed status. `record` omits `outcome` (results may be large): re-read the store for it. */
  | { type: 'status'; from: string; record: TaskRecord }
  /** A notification from a task's work, for the instance that holds the session which created the task. */
  | { type: 'notification'; from: string; taskId: string; method: string; params: JsonObject }
  /** A gate was released: instances wake their local waiters whose wait began before release `seq`. */
  | { type: 'gate'; from: string; gateId: string; seq: number; outcome: GateOutcome }
  /** A task's work asked its requestor something (input requests are stored; instances with an open tasks/result deliver them). */
  | { type: 'input'; from: string; taskId: string }
  /** An input request was answered (or withdrawn): its asker resumes, other deliveries of it are dropped. */
  | { type: 'answer'; from: string; taskId: string; requestId: string; answer: InputAnswer }
  /** Events may have been lost (the bus reconnected): re-read whatever is being waited for. */
  | { type: 'resync'; from: string };

export type InputAnswer = { result: JsonObject } | { error: { code: number; message: string; data?: unknown } } | { withdrawn: true };

export interface TaskEvents {
  /** This instance, as named in `from` of the events it publishes. */
  readonly instanceId: string;
  /**
   * Sends an event to every instance, this one included (listeners skip their own when they must).
   * @param event without `from`; the bus fills it in.
   * @returns once the event is on its way (not once it is delivered).
   */
  publish(event: DistributiveOmit<TaskEvent, 'from'>): Promise<void>;
  /**
   * @param listener called once per event, in the order one publisher sent them; must not throw.
   * @returns a function that removes the listener.
   */
  subscribe(listener: (event: TaskEvent) => void): () => void;
  /** Stops delivery and releases connections. Idempotent. */
  close(): Promise<void>;
}

export type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

/** Instances in one process sharing events (tests, embedding): `join()` gives each its TaskEvents. */
export class InProcessEventHub {
  private readonly listeners = new Set<(event: TaskEvent) => void>();

  /** @param instanceId names the joining instance in the events it publishes. */
  join(instanceId: string): TaskEvents {
    const own = new Set<(event: TaskEvent) => void>();
    return {
      instanceId,
      publish: async (event) => {
        const full = { ...event, from: instanceId } as TaskEvent;
        // Delivered on a later tick, as a network bus would: a publisher never re-enters its own listeners.
        queueMicrotask(() => {
          for (const listener of this.listeners) listener(full);
        });
      },
      subscribe: (listener) => {
        own.add(listener);
        this.listeners.add(listener);
        return () => {
          own.delete(listener);
          this.listeners.delete(listener);
        };
      },
      close: async () => {
        for (const listener of own) this.listeners.delete(listener);
        own.clear();
      },
    };
  }
}
