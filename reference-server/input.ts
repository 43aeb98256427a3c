// Server->client requests made on behalf of a task (elicitation/create). They are delivered only while
// the requestor has a tasks/result for that task open, and travel with that request (on HTTP: on its SSE
// stream), because that is the one channel the spec guarantees the requestor is listening on. If the
// channel goes away before the answer arrives, the request is delivered again on the next one; the
// first answer wins.
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';
import { RpcError, type Connection, type JsonObject } from './connection.js';

/** An open tasks/result request: where task requests can be delivered. */
export interface Channel {
  connection: Connection;
  requestId: RequestId;
}

interface Pending {
  method: string;
  params: JsonObject;
  deliveredOn?: Channel;
  resolve(result: JsonObject): void;
  reject(error: unknown): void;
}

export class TaskRequestQueue {
  private readonly pending = new Set<Pending>();
  private channels: Channel[] = [];

  /** Sends a request to the requestor as soon as a channel is open; rejects with the reason on abort. */
  request(method: string, params: JsonObject, signal: AbortSignal): Promise<JsonObject> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const onAbort = () => {
        this.pending.delete(entry);
        reject(signal.reason);
      };
      const entry: Pending = {
        method,
        params,
        resolve: (result) => {
          signal.removeEventListener('abort', onAbort);
          resolve(result);
        },
        reject: (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.pending.add(entry);
      const channel = this.channels[0];
      if (channel) this.deliver(entry, channel);
    });
  }

  open(channel: Channel): void {
    this.channels.push(channel);
    for (const entry of this.pending) if (!entry.deliveredOn) this.deliver(entry, channel);
  }

  close(channel: Channel): void {
    this.channels = this.channels.filter((c) => !sameChannel(c, channel));
    for (const entry of this.pending) {
      if (entry.deliveredOn && sameChannel(entry.deliveredOn, channel)) this.redeliver(entry);
    }
  }

  /** No channel open and no request waiting. */
  get idle(): boolean {
    return this.channels.length === 0 && this.pending.size === 0;
  }

  /** The task ended: nothing more will be sent, and nobody waits for answers any more. */
  dispose(): void {
    this.pending.clear();
    this.channels = [];
  }

  private deliver(entry: Pending, channel: Channel): void {
    entry.deliveredOn = channel;
    channel.connection.request(entry.method, entry.params, channel.requestId).result.then(
      (result) => this.settle(entry, () => entry.resolve(result)),
      (error: unknown) => {
        if (error instanceof RpcError) this.settle(entry, () => entry.reject(error));
        else if (entry.deliveredOn === channel) this.redeliver(entry); // connection closed before answering
      },
    );
  }

  private redeliver(entry: Pending): void {
    entry.deliveredOn = undefined;
    const next = this.channels.find((c) => !c.connection.closed);
    if (next && this.pending.has(entry)) this.deliver(entry, next);
  }

  private settle(entry: Pending, done: () => void): void {
    if (!this.pending.delete(entry)) return; // answered already (on another channel), aborted or disposed
    done();
  }
}

const sameChannel = (a: Channel, b: Channel) => a.connection === b.connection && a.requestId === b.requestId;
