// stdio link: spawns the server (node:child_process, stopped with the harness's own process handling in
// proc.ts) and speaks newline-delimited JSON-RPC on its stdin/stdout. Outgoing messages are framed with
// the SDK's public serializeMessage. Incoming lines are read raw rather than with the SDK's ReadBuffer,
// because that one zod-validates every line and drops (or strips) whatever is not a well-formed
// JSON-RPC message, and treats non-JSON stdout as a fatal error: a checker must see and record both.
// A line longer than the message cap ends the session (H25-22) without buffering the rest; stdout
// reaching its end (or a broken stdin pipe) ends the session at once, even if the process lives on.
// Messages sent in one tick (and the promise jobs it runs) go out as one write: a bench burst of
// thousands of requests costs the server one read, not one each. Stopping the process flushes first.
import type { ChildProcess } from 'node:child_process';
import { serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Link, LinkEvents, RequestId } from './link.js';
import { DEFAULT_LIMITS, oversize, type IntakeLimits } from './limits.js';
import { LineTail, spawnOwned, stopProcess } from './proc.js';
import type { ExitInfo } from './target.js';
import type { JsonObject } from '../scenario.js';

/**
 * Splits stdout into lines without copying what it has already searched: chunks are kept as they came
 * and joined once per complete line. JSON lines become messages, anything else is reported as noise.
 */
class RawLineReader {
  private chunks: Buffer[] = [];
  private size = 0;
  /** Set once a line went over the cap: nothing more is read. */
  private stopped = false;
  constructor(
    private readonly max: number,
    private readonly onNoise: (line: string) => void,
    private readonly onOversize: (seenBytes: number) => void,
  ) {}

  /** Feeds a chunk and hands every complete line's JSON value to `onValue`. */
  append(chunk: Buffer, onValue: (value: unknown) => void): void {
    let rest = chunk;
    while (!this.stopped) {
      const nl = rest.indexOf(0x0a);
      if (nl === -1) {
        this.size += rest.length;
        if (rest.length) this.chunks.push(rest);
        if (this.size > this.max) this.overflow();
        return;
      }
      this.size += nl;
      if (this.size > this.max) return this.overflow();
      // A line within one chunk (nearly every line) is decoded in place, without a copy to join it.
      const text =
        this.chunks.length === 0 ? rest.toString('utf8', 0, nl) : Buffer.concat([...this.chunks, rest.subarray(0, nl)]).toString('utf8');
      const line = text.endsWith('\r') ? text.slice(0, -1) : text;
      this.chunks = [];
      this.size = 0;
      rest = rest.subarray(nl + 1);
      if (line.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line) as unknown;
      } catch {
        this.onNoise(line);
        continue;
      }
      onValue(value);
    }
  }

  private overflow(): void {
    this.stopped = true;
    const seen = this.size;
    this.chunks = [];
    this.size = 0;
    this.onOversize(seen);
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
  /** Size cap of one stdout line (limits.ts). */
  limits?: IntakeLimits;
  /** The run's owner marker (proc.ts), for the final sweep. */
  owner?: string;
}

export class StdioLink implements Link {
  readonly transport = 'stdio' as const;
  readonly sessionId = undefined;
  private child: ChildProcess | undefined;
  private events: LinkEvents | undefined;
  private exit: ExitInfo | undefined;
  /** Set when we stop the process on purpose, so its exit is not reported as unexpected. */
  private stopping = false;
  readonly stderrTail = new LineTail(200);
  private exited: Promise<void> | undefined;
  private drained: Promise<void> | undefined;
  /** One wait for stdin's 'drain' shared by every send that found the pipe full (thousands at once in the bench). */
  private writable: Promise<void> | undefined;
  /** Framed messages not written yet, and the promise every send of them shares (see flush). */
  private batch = '';
  private batchSent: Promise<void> | undefined;

  constructor(private readonly options: StdioLinkOptions) {}

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
    const limits = this.options.limits ?? DEFAULT_LIMITS;
    const reader = new RawLineReader(
      limits.maxMessageBytes,
      (line) => events.note(`non-JSON output from server: ${line.slice(0, 2000)}`, { channel: 'stdio' }, line.slice(0, 2000)),
      (seen) => {
        this.child?.stdout?.destroy();
        events.overLimit(oversize('a stdout line', seen, limits));
      },
    );
    const { command, args, cwd } = this.options;
    const transportError = (e: Error) => events.note(`stdio transport error: ${e.message}`, { channel: 'stdio' });
    let child: ChildProcess;
    try {
      // The whole environment: servers under test often need more than a safe subset (PATH tweaks, config).
      child = spawnOwned(command, args, {
        owner: this.options.owner,
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
    // A broken stdin pipe or the end of stdout: the server can no longer take or answer requests, whatever the process does.
    child.stdin?.on('error', (e) => {
      transportError(e);
      events.closed(`the server's stdin pipe broke (${e.message})`);
    });
    child.stdout?.on('error', transportError);
    child.stdout?.on('data', (chunk: Buffer) => reader.append(chunk, (m) => events.message(m, { channel: 'stdio' })));
    child.stdout?.once('end', () => {
      // A crashing server ends stdout just before it exits: give the exit a moment to be the reason.
      setTimeout(() => {
        if (!this.stopping && !this.exit) events.closed('the server closed its stdout (end of stream) while its process kept running');
      }, 200).unref();
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

  send(message: JsonObject): Promise<void> {
    if (!this.child || this.exit || this.child.stdin?.destroyed) return Promise.reject(new Error('the server process is not running'));
    // Our messages are JSON-RPC as far as framing goes; the link never validates them (checks send malformed ones on purpose).
    this.batch += serializeMessage(message as unknown as JSONRPCMessage);
    return (this.batchSent ??= new Promise<void>((resolve, reject) => process.nextTick(() => this.flush().then(resolve, reject))));
  }

  /** Writes the batch; resolves once the pipe took it (after 'drain' when it was full). */
  private async flush(): Promise<void> {
    const text = this.batch;
    this.batch = '';
    this.batchSent = undefined;
    if (!text) return;
    const stdin = this.child?.stdin;
    if (!stdin || this.exit || stdin.destroyed) throw new Error('the server process is not running');
    if (!stdin.write(text)) await (this.writable ??= new Promise<void>((r) => stdin.once('drain', () => r((this.writable = undefined)))));
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
    // What was sent before stopping reaches the server before its stdin closes.
    await this.flush().catch(() => undefined);
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
