// Request timeouts of one session with one timer instead of one per request. A session in the bench has
// tens of thousands of requests in flight at once; a Timeout object each, created and cleared per request,
// is garbage the client pays for on every request. Items with the same timeout are appended in deadline
// order (the clock only moves forward), so each timeout value is a FIFO queue and the timer only ever
// waits for the earliest head. Settled items are not removed when they settle: a sweep drops them when it
// passes them, so a sweep costs what it drops, and a queue holds at most what was sent during its timeout.
import { MAX_TIMER_MS } from '../util/async.js';

interface Queue<T> {
  items: T[];
  head: number;
}

export class DeadlineSweep<T extends { readonly deadline: number }> {
  private readonly queues = new Map<number, Queue<T>>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;

  /** `live`: whether an item still waits (false once it settled); `due`: its deadline passed while it waited. */
  constructor(
    private readonly live: (item: T) => boolean,
    private readonly due: (item: T) => void,
  ) {}

  /** Adds an item whose deadline is `timeoutMs` from when it was made. */
  add(item: T, timeoutMs: number): void {
    let queue = this.queues.get(timeoutMs);
    if (!queue) this.queues.set(timeoutMs, (queue = { items: [], head: 0 }));
    queue.items.push(item);
    if (item.deadline < this.timerAt) this.schedule(item.deadline);
  }

  /** Forgets every item and stops the timer (nothing waits any more). */
  clear(): void {
    this.queues.clear();
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  private schedule(at: number): void {
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(this.sweep, Math.min(Math.max(0, at - performance.now()), MAX_TIMER_MS));
  }

  private readonly sweep = (): void => {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = performance.now();
    const expired: T[] = [];
    let next = Infinity;
    for (const [timeoutMs, queue] of this.queues) {
      const { items } = queue;
      while (queue.head < items.length) {
        const item = items[queue.head]!;
        const waiting = this.live(item);
        if (waiting && item.deadline > now) break;
        queue.head++;
        if (waiting) expired.push(item);
      }
      if (queue.head === items.length) {
        this.queues.delete(timeoutMs);
        continue;
      }
      if (queue.head > 1024) {
        queue.items = items.slice(queue.head);
        queue.head = 0;
      }
      next = Math.min(next, queue.items[queue.head]!.deadline);
    }
    if (next < Infinity && next < this.timerAt) this.schedule(next);
    for (const item of expired) this.due(item);
  };
}
