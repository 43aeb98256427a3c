// WorkQueue on a Redis stream with one consumer group: dispatch is XADD, every runner (instance or
// worker process) is a consumer that claims items with XREADGROUP. A claim is a lease: the runner
// renews it (XCLAIM JUSTID resets the idle time) every leaseMs/3 while the work runs; items idle for
// longer than leaseMs belong to a runner that died and are reclaimed with XAUTOCLAIM, which counts
// the delivery (the claim's `attempt`). Finished items are acknowledged and deleted, so the stream
// holds only work not yet done. Consumers of dead runners are removed once they hold nothing.
import type { Redis } from 'ioredis';
import type { WorkItem, WorkQueue, WorkRunner } from './work-queue.js';

export interface RedisWorkQueueOptions {
  /** Connection for short commands (shared). */
  redis: Redis;
  /** A dedicated connection for the blocking XREADGROUP, closed with the queue; only runners (serve()) need one. */
  blocking?: Redis;
  /** Stream key, e.g. "sep1686:work". */
  stream: string;
  /** Consumer group name (one per deployment). */
  group: string;
  /** This runner's consumer name (its instance id). */
  consumer: string;
  /** A claim not renewed for this long is reclaimed by another runner. */
  leaseMs: number;
}

type Entry = [id: string, fields: string[] | null];

export class RedisWorkQueue implements WorkQueue {
  private runner?: WorkRunner;
  /** Stream ids of the items this runner runs now. */
  private readonly running = new Set<string>();
  private readonly timers: NodeJS.Timeout[] = [];
  private closed = false;

  private constructor(private readonly options: RedisWorkQueueOptions) {}

  /** Creates the stream and the group when missing. */
  static async open(options: RedisWorkQueueOptions): Promise<RedisWorkQueue> {
    try {
      await options.redis.call('XGROUP', 'CREATE', options.stream, options.group, '0', 'MKSTREAM');
    } catch (error) {
      if (!String((error as Error).message).startsWith('BUSYGROUP')) throw error;
    }
    return new RedisWorkQueue(options);
  }

  async dispatch(item: WorkItem): Promise<void> {
    await this.options.redis.call('XADD', this.options.stream, '*', 'item', JSON.stringify(item));
  }

  serve(runner: WorkRunner): void {
    if (this.runner || this.closed) return;
    if (!this.options.blocking) throw new Error('this work queue was opened without a connection to claim work on');
    this.runner = runner;
    const { leaseMs } = this.options;
    this.timers.push(setInterval(() => void this.renew().catch(() => undefined), Math.max(50, Math.floor(leaseMs / 3))));
    this.timers.push(setInterval(() => void this.reclaim().catch(() => undefined), Math.max(50, Math.floor(leaseMs / 2))));
    void this.readLoop();
  }

  async renew(): Promise<void> {
    if (this.running.size === 0 || this.closed) return;
    const { redis, stream, group, consumer } = this.options;
    await redis.call('XCLAIM', stream, group, consumer, 0, ...this.running, 'JUSTID');
  }

  async reclaim(): Promise<number> {
    if (!this.runner || this.closed) return 0;
    const { redis, stream, group, consumer, leaseMs } = this.options;
    const [, entries] = (await redis.call('XAUTOCLAIM', stream, group, consumer, leaseMs, '0-0', 'COUNT', 50)) as [string, Entry[]];
    let reclaimed = 0;
    for (const [id, fields] of entries) {
      if (this.running.has(id)) continue; // ours: a late renewal, not a dead runner
      if (!fields) {
        await this.done(id); // deleted meanwhile
        continue;
      }
      const pending = (await redis.call('XPENDING', stream, group, id, id, 1)) as Array<[string, string, number, number]>;
      this.start(id, fields, Number(pending[0]?.[3] ?? 2));
      reclaimed++;
    }
    await this.forgetDeadConsumers();
    return reclaimed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    this.options.blocking?.disconnect();
  }

  private async readLoop(): Promise<void> {
    const { stream, group, consumer } = this.options;
    const blocking = this.options.blocking!;
    while (!this.closed) {
      let reply: Array<[string, Entry[]]> | null;
      try {
        reply = (await blocking.call('XREADGROUP', 'GROUP', group, consumer, 'COUNT', 16, 'BLOCK', 5000, 'STREAMS', stream, '>')) as Array<
          [string, Entry[]]
        > | null;
      } catch {
        if (this.closed) return;
        await new Promise((resolve) => setTimeout(resolve, 200)); // reconnecting
        continue;
      }
      for (const [, entries] of reply ?? []) for (const [id, fields] of entries) if (fields) this.start(id, fields, 1);
    }
  }

  private start(id: string, fields: string[], attempt: number): void {
    const json = fields[fields.indexOf('item') + 1];
    let item: WorkItem;
    try {
      item = JSON.parse(json ?? '') as WorkItem;
    } catch {
      void this.done(id); // not an item of ours: drop it rather than reclaim it forever
      return;
    }
    this.running.add(id);
    this.runner!({ item, attempt }).then(
      () => {
        this.running.delete(id);
        // Closed meanwhile (shutdown): the work was cut short; another runner reclaims it once the lease lapses.
        if (!this.closed) return this.done(id);
      },
      () => {
        this.running.delete(id);
        if (!this.closed) return this.done(id);
      },
    );
  }

  private async done(id: string): Promise<void> {
    const { redis, stream, group } = this.options;
    await redis.call('XACK', stream, group, id).catch(() => undefined);
    await redis.call('XDEL', stream, id).catch(() => undefined);
  }

  /** Consumers that hold no item and have been idle for ten leases are runners that are gone. */
  private async forgetDeadConsumers(): Promise<void> {
    const { redis, stream, group, consumer, leaseMs } = this.options;
    const consumers = (await redis.call('XINFO', 'CONSUMERS', stream, group)) as Array<Array<string | number>>;
    for (const fields of consumers) {
      const info = new Map<string, string | number>();
      for (let i = 0; i + 1 < fields.length; i += 2) info.set(String(fields[i]), fields[i + 1]!);
      const name = String(info.get('name'));
      if (name !== consumer && Number(info.get('pending')) === 0 && Number(info.get('idle')) > 10 * leaseMs)
        await redis.call('XGROUP', 'DELCONSUMER', stream, group, name);
    }
  }
}
