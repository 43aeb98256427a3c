// The SDK's stdio server transport with one change: under back-pressure every pending send shares a
// single 'drain' listener. The SDK's send() adds one `once('drain')` per message, and each of those
// removes itself from the listener array with a linear search, so N writes queued behind a full pipe
// (10 000 concurrent tasks ending at once) cost O(N²) at the next drain. Messages are still written
// in order and each send resolves when its bytes were accepted, exactly as before. Messages sent in
// one tick are also corked into one write, so a burst of answers costs one system call, not one each.
import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

export class StdioTransport extends StdioServerTransport {
  /** Resolvers of the sends written while the stream was full; all settle at the next 'drain'. */
  private drainWaiters: Array<() => void> = [];
  private corked = false;

  constructor(
    stdin: Readable,
    private readonly out: Writable,
  ) {
    super(stdin, out);
  }

  override send(message: JSONRPCMessage): Promise<void> {
    if (!this.corked) {
      this.corked = true;
      this.out.cork();
      process.nextTick(this.uncork);
    }
    return new Promise((resolve) => {
      if (this.out.write(serializeMessage(message)) && this.drainWaiters.length === 0) return resolve();
      if (this.drainWaiters.push(resolve) === 1) this.out.once('drain', this.releaseDrainWaiters);
    });
  }

  private readonly uncork = (): void => {
    this.corked = false;
    this.out.uncork();
  };

  private readonly releaseDrainWaiters = (): void => {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  };
}
