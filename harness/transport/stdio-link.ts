// stdio link: the SDK's StdioClientTransport spawns the server and writes to its stdin. Its read buffer
// is replaced by a raw line reader, because the SDK's one zod-validates every line and drops (or
// strips) whatever is not a well-formed JSON-RPC message, and treats non-JSON stdout as a fatal error.
import type { ChildProcess } from 'node:child_process';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Link, LinkEvents, RequestId } from './link.js';
import { LineTail, stopProcess } from './proc.js';
import type { ExitInfo } from './target.js';
import type { JsonObject } from '../scenario.js';

const MAX_LINE_BYTES = 256 * 1024 * 1024;

/** Splits stdout into lines; JSON lines become messages, anything else is reported as noise. */
class RawLineReader {
  private buffer: Buffer | undefined;
  constructor(private readonly onNoise: (line: string) => void) {}

  append(chunk: Buffer): void {
    this.buffer = this.buffer ? Buffer.concat([this.buffer, chunk]) : chunk;
    if (this.buffer.length > MAX_LINE_BYTES) {
      this.onNoise(`a line longer than ${MAX_LINE_BYTES} bytes was discarded`);
      this.buffer = undefined;
    }
  }

  /** Called by the SDK transport in a loop until it returns null. */
  readMessage(): unknown {
    while (this.buffer) {
      const index = this.buffer.indexOf('\n');
      if (index === -1) return null;
      const line = this.buffer.toString('utf8', 0, index).replace(/\r$/, '');
      this.buffer = this.buffer.subarray(index + 1);
      if (line.trim() === '') continue;
      try {
        return JSON.parse(line) as unknown;
      } catch {
        this.onNoise(line);
      }
    }
    return null;
  }

  clear(): void {
    this.buffer = undefined;
  }
}

export interface StdioLinkOptions {
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** Receives every stderr chunk of the process (the target keeps the tail). */
  stderr?: (chunk: Buffer) => void;
  /** Called when the process exits without the harness stopping it. */
  exitedUnexpectedly?: (exit: ExitInfo) => void;
}

export class StdioLink implements Link {
  readonly transport = 'stdio' as const;
  readonly sessionId = undefined;
  private readonly sdk: StdioClientTransport;
  private child: ChildProcess | undefined;
  private events: LinkEvents | undefined;
  private exit: ExitInfo | undefined;
  /** Set when we stop the process on purpose, so its exit is not reported as unexpected. */
  private stopping = false;
  readonly stderrTail = new LineTail(200);
  private exited: Promise<void> | undefined;
  private drained: Promise<void> | undefined;

  constructor(private readonly options: StdioLinkOptions) {
    this.sdk = new StdioClientTransport({
      command: options.command,
      args: options.args,
      // The SDK passes only a safe subset of the environment; servers under test often need the rest (PATH tweaks, config).
      env: { ...(process.env as Record<string, string>), ...options.env },
      cwd: options.cwd,
      stderr: 'pipe',
      maxBufferSize: MAX_LINE_BYTES,
    });
    const reader = new RawLineReader((line) =>
      this.events?.note(`non-JSON output from server: ${line.slice(0, 2000)}`, { channel: 'stdio' }, line),
    );
    (this.sdk as unknown as { _readBuffer: RawLineReader })._readBuffer = reader;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Exit code/signal once the process has exited. */
  exitInfo(): ExitInfo | undefined {
    return this.exit;
  }

  /** True when the process exited without us stopping it. */
  get exitedUnexpectedly(): boolean {
    return this.exit !== undefined && !this.stopping;
  }

  async start(events: LinkEvents): Promise<void> {
    this.events = events;
    this.sdk.onmessage = (m: JSONRPCMessage) => events.message(m, { channel: 'stdio' });
    this.sdk.onerror = (e: Error) => events.note(`stdio transport error: ${e.message}`, { channel: 'stdio' });
    this.sdk.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail.push(chunk);
      this.options.stderr?.(chunk);
    });
    try {
      await this.sdk.start();
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new Error(
        err.code === 'ENOENT' ? `command not found: ${this.options.command}` : `cannot start ${this.options.command}: ${err.message}`,
        { cause: e },
      );
    }
    const child = (this.sdk as unknown as { _process?: ChildProcess })._process;
    if (!child) throw new Error(`cannot start ${this.options.command}: no process`);
    this.child = child;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        if (!this.stopping) this.options.exitedUnexpectedly?.(this.exit);
        resolve();
      });
    });
    // 'close' fires after stdout/stderr are drained, so every message the server wrote is delivered first.
    this.drained = new Promise((resolve) => {
      child.once('close', () => {
        const e = this.exit;
        const how = e?.signal ? `signal ${e.signal}` : `exit code ${e?.code}`;
        events.closed(this.stopping ? `process stopped by the harness (${how})` : `server process exited (${how})`);
        resolve();
      });
    });
  }

  async send(message: JsonObject): Promise<void> {
    if (!this.child || this.exit || this.child.stdin?.destroyed) throw new Error('the server process is not running');
    await this.sdk.send(message as unknown as JSONRPCMessage);
  }

  setProtocolVersion(): void {}

  async openGetStream(): Promise<void> {}

  abortRequest(_id: RequestId): void {}

  async terminate(): Promise<void> {
    await this.stop({ stdinGraceMs: 1000, termGraceMs: 2000 });
  }

  async close(): Promise<void> {
    await this.stop({ stdinGraceMs: 1000, termGraceMs: 2000 });
  }

  async drop(): Promise<void> {
    await this.stop({ stdinGraceMs: 0, termGraceMs: 0 });
  }

  private async stop(options: { stdinGraceMs: number; termGraceMs: number }): Promise<void> {
    const child = this.child;
    if (!child) return;
    if (!this.exit) this.stopping = true;
    await stopProcess(child, options);
    await this.exited;
    // Wait for 'close' too, so the session reads as closed when stop() returns; bounded, because a
    // grandchild that inherited the pipes can keep them open after the server itself has exited.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.drained, new Promise<void>((r) => (timer = setTimeout(r, 2000)))]);
    clearTimeout(timer);
  }
}
