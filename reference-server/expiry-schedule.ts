// When each task's ttl elapses, kept in one min-heap behind a single timer. A timer per task costs a
// Timeout object (and its list bookkeeping) for every retained task; here a task costs one heap slot,
// and tasks with the same ttl arrive in expiry order, so a push rarely moves more than one level.
// setTimeout overflows above 2^31-1 ms (~24.8 days) and would fire at once: longer waits re-arm.
export const MAX_TIMER_MS = 2 ** 31 - 1;

interface Due {
  at: number;
  taskId: string;
}

export class ExpirySchedule {
  private readonly heap: Due[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;

  /** `onDue` is called once per task whose time has come, in expiry order. */
  constructor(private readonly onDue: (taskId: string) => void) {}

  get size(): number {
    return this.heap.length;
  }

  /** Schedules `taskId` to fall due at epoch ms `at` (a task may be scheduled again, e.g. to retry). */
  add(taskId: string, at: number): void {
    const heap = this.heap;
    let i = heap.push({ at, taskId }) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.at <= at) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
    if (at < this.timerAt) this.arm();
  }

  clear(): void {
    this.heap.length = 0;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  private arm(): void {
    clearTimeout(this.timer);
    const next = this.heap[0];
    if (!next) {
      this.timer = undefined;
      this.timerAt = Infinity;
      return;
    }
    this.timerAt = next.at;
    this.timer = setTimeout(this.fire, Math.min(Math.max(0, next.at - Date.now()), MAX_TIMER_MS));
    this.timer.unref();
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = Date.now();
    const due: string[] = [];
    while (this.heap.length > 0 && this.heap[0]!.at <= now) due.push(this.pop().taskId);
    this.arm();
    for (const taskId of due) this.onDue(taskId);
  };

  private pop(): Due {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length === 0) return top;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < heap.length && heap[left]!.at < heap[least]!.at) least = left;
      if (right < heap.length && heap[right]!.at < heap[least]!.at) least = right;
      if (least === i) return top;
      [heap[i], heap[least]] = [heap[least]!, heap[i]!];
      i = least;
    }
  }
}
