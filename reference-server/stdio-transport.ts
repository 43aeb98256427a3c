// The stdio server transport: an SDK Transport fed with messages the line guard (stdio.ts) has already
// parsed and checked against the SDK's JSON-RPC message schema, written with the SDK's framing
// (serializeMessage). The SDK's StdioServerTransport would parse and validate every line a second time.
// Writes are batched: every message sent until the event loop reaches its check phase (setImmediate)
// goes out as one string in one write. A per-tick batch (cork + nextTick) is not enough, because Node
// runs the nextTick queue between two expiring timers: 10 000 tasks ending in one timer list would cost
// 10 000 system calls and as many wake-ups of the client. Messages keep their order; a send resolves
// at once while the stream takes writes, and at the next 'drain' while it is full (back-pressure).
import type { Writable } from 'node:stream';
import { serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

export class StdioTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  private batch = '';
  /** Set while the stream is over its high-water mark: sends then settle at the next 'drain'. */
  private full = false;
  /** The sends waiting for the stream to drain; all settle at the next 'drain' (one listener). */
  private drainWaiters: Array<() => void> = [];
  private flushing: NodeJS.Immediate | undefined;
  private closed = false;

  constructor(private readonly out: Writable) {}

  async start(): Promise<void> {}

  /** A message the line guard accepted. */
  receive(message: JSONRPCMessage): void {
    if (!this.closed) this.onmessage?.(message);
  }

  send(message: JSONRPCMessage): Promise<void> {
    return this.write(serializeMessage(message));
  }

  /**
   * Queues text that is already framed (a JSON line), in order with the messages. Resolves at once
   * unless the stream is full: the batch keeps the order, so what runs after a reply was sent (a task's
   * work, its status notification) cannot overtake it, and often leaves in the same write.
   */
  write(text: string): Promise<void> {
    this.batch += text;
    this.flushing ??= setImmediate(this.flush);
    if (!this.full) return Promise.resolve();
    return new Promise<void>((resolve) => this.drainWaiters.push(resolve));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.onclose?.();
  }

  private readonly flush = (): void => {
    if (this.flushing) clearImmediate(this.flushing);
    this.flushing = undefined;
    const text = this.batch;
    this.batch = '';
    if (!text || this.out.write(text) || this.full) return;
    this.full = true;
    this.out.once('drain', this.releaseDrainWaiters);
  };

  private readonly releaseDrainWaiters = (): void => {
    this.full = false;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  };
}
