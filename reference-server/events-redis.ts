// TaskEvents over Redis pub/sub: one channel per deployment (prefix), one subscriber connection per
// instance. Pub/sub is at-most-once: when the subscriber reconnects after a drop, listeners get a
// `resync` event and re-read what they wait for from the store, so a lost event delays nothing forever.
import type { Redis } from 'ioredis';
import type { DistributiveOmit, TaskEvent, TaskEvents } from './events.js';

export interface RedisEventsOptions {
  /** Connection for PUBLISH (shared with other commands). */
  redis: Redis;
  /** A dedicated connection: it enters subscriber mode and is closed with the bus. */
  subscriber: Redis;
  /** Pub/sub channel, e.g. "sep1686:events". */
  channel: string;
  instanceId: string;
}

export class RedisTaskEvents implements TaskEvents {
  readonly instanceId: string;
  private readonly listeners = new Set<(event: TaskEvent) => void>();
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private readonly channel: string;
  private closed = false;

  private constructor(options: RedisEventsOptions) {
    this.instanceId = options.instanceId;
    this.redis = options.redis;
    this.subscriber = options.subscriber;
    this.channel = options.channel;
  }

  /** Subscribes before returning, so no event published after open() resolves is missed. */
  static async open(options: RedisEventsOptions): Promise<RedisTaskEvents> {
    const bus = new RedisTaskEvents(options);
    bus.subscriber.on('message', (channel: string, message: string) => channel === bus.channel && bus.deliver(message));
    await bus.subscriber.subscribe(bus.channel);
    // ioredis re-subscribes after a reconnect; what was published meanwhile is gone.
    bus.subscriber.on('ready', () => bus.deliverEvent({ type: 'resync', from: bus.instanceId }));
    return bus;
  }

  async publish(event: DistributiveOmit<TaskEvent, 'from'>): Promise<void> {
    if (this.closed) return;
    await this.redis.publish(this.channel, JSON.stringify({ ...event, from: this.instanceId }));
  }

  subscribe(listener: (event: TaskEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    this.subscriber.disconnect();
  }

  private deliver(message: string): void {
    let event: TaskEvent;
    try {
      event = JSON.parse(message) as TaskEvent;
    } catch {
      return; // not ours
    }
    this.deliverEvent(event);
  }

  private deliverEvent(event: TaskEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
