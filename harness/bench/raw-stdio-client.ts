// The rawcheck script's raw stdio client: one child process, newline-delimited JSON over its stdio, a
// pending-request table, nothing else (no SDK, no Session, no wire log). Like the bench's stdio link, it
// writes the lines of one tick in one write (a line per write would make the server read them one by one).
import { spawn, type ChildProcess } from 'node:child_process';
import { RAW_INITIALIZE, type RawClient, type RawMessage } from './raw-scale.js';

export class RawStdioClient implements RawClient {
  private nextId = 1;
  private readonly pending = new Map<number, (m: RawMessage) => void>();
  private buffer = '';
  private out = '';
  private constructor(private readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        if (!line.trim()) continue;
        const m = JSON.parse(line) as RawMessage;
        if (typeof m.id === 'number') this.pending.get(m.id)?.(m);
        this.pending.delete(m.id as number);
      }
    });
  }

  static async start(command: string, args: string[]): Promise<RawStdioClient> {
    // Detached like every server the harness starts (proc.ts): with Linux autogroup scheduling a new
    // session is its own scheduling group, and on a loaded machine a server in the client's group got
    // half the CPU of the bench's, which made the raw client look 1.5 to 2 times slower than the bench.
    const client = new RawStdioClient(spawn(command, args, { stdio: ['pipe', 'pipe', 'ignore'], detached: true }));
    const init = await client.request('initialize', RAW_INITIALIZE);
    if (!init.result) throw new Error(`initialize failed: ${JSON.stringify(init.error)}`);
    client.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
    return client;
  }

  request(method: string, params: Record<string, unknown>): Promise<RawMessage> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  }

  private write(line: string): void {
    if (!this.out)
      process.nextTick(() => {
        this.child.stdin!.write(this.out);
        this.out = '';
      });
    this.out += line;
  }

  stop(): void {
    this.child.kill();
  }
}
