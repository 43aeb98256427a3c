// stdio link: spawns the server (node:child_process, stopped with the harness's own process handling in
// proc.ts) and speaks newline-delimited JSON-RPC on its stdin/stdout. Outgoing messages are framed with
// the SDK's public serializeMessage. Incoming lines are read raw rather than with the SDK's ReadBuffer,
// because that one zod-validates every line and drops (or strips) whatever is not a well-formed
// JSON-RPC message, and treats non-JSON stdout as a fatal error: a checker must see and record both.
import { spawn, type ChildProcess } from 'node:child_process';
import { serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
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

  /** The next JSON value of a complete line, or null when no complete line is buffered. */
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
  private child: ChildProcess | undefined;
  private readonly reader: RawLineReader;
  private events: LinkEvents | undefined;
  private exit: ExitInfo | undefined;
  /** Set when we stop the process on purpose, so its exit is not reported as unexpected. */
  private stopping = false;
  readonly stderrTail = new LineTail(200);
  private exited: Promise<void> | undefined;
  private drained: Promise<void> | undefined;
  /** One wait for stdin's 'drain' shared by every send that found the pipe full (thousands at once in the bench). */
  private writable: Promise<void> | undefined;

  constructor(private readonly options: StdioLinkOptions) {
    this.reader = new RawLineReader((line) =>
      this.events?.note(`non-JSON output from server: ${line.slice(0, 2000)}`, { channel: 'stdio' }, line),
    );
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
    const { command, args, cwd } = this.options;
    const transportError = (e: Error) => events.note(`stdio transport error: ${e.message}`, { channel: 'stdio' });
    let child: ChildProcess;
    try {
      // The whole environment: servers under test often need more than a safe subset (PATH tweaks, config).
      child = spawn(command, args, {
        env: { ...process.env, ...this.options.env },
        cwd,
        stdio: ['pipe', 'pipe', 'pipe'],
        windowsHide: true,
      });
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new Error(err.code === 'ENOENT' ? `command not found: ${command}` : `cannot start ${command}: ${err.message}`, { cause: e });
    }
    this.child = child;
    child.on('error', transportError);
    child.stdin?.on('error', transportError);
    child.stdout?.on('error', transportError);
    child.stdout?.on('data', (chunk: Buffer) => {
      this.reader.append(chunk);
      for (let m = this.reader.readMessage(); m !== null; m = this.reader.readMessage()) events.message(m, { channel: 'stdio' });
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail.push(chunk);
      this.options.stderr?.(chunk);
    });
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
    const stdin = this.child.stdin!;
    // Our messages are JSON-RPC as far as framing goes; the link never validates them (checks send malformed ones on purpose).
    if (!stdin.write(serializeMessage(message as unknown as JSONRPCMessage)))
      await (this.writable ??= new Promise<void>((r) => stdin.once('drain', () => r((this.writable = undefined)))));
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
