// A Streamable HTTP link whose client runs in a separate OS process (ConnectOptions.separateProcess).
// The child (process-link-child.ts) runs an ordinary HttpLink and relays its traffic as JSON lines, so
// the session, the wire log and the evidence are the same as for an in-process link; drop() SIGKILLs
// the child, which is what a crashing client looks like to the server (every connection breaks at
// once, no DELETE, no goodbye).
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { HttpLinkOptions } from './http-link.js';
import type { Link, LinkEvents, RequestId } from './link.js';
import { packagePath } from '../paths.js';
import { LineTail, spawnOwned, stopProcess } from './proc.js';
import type { JsonObject } from '../scenario.js';

export const PROCESS_LINK_CHILD = () => packagePath('dist', 'harness', 'transport', 'process-link-child.js');
/** The child reads its endpoint and headers from here, so bearer tokens never show up in `ps`. */
export const PROCESS_LINK_ENV = 'SEP1686_PROCESS_LINK';

/** Parent -> child commands (one JSON object per line). `n` numbers commands that are answered. */
export type LinkCommand =
  | { op: 'start'; n: number }
  | { op: 'send'; n: number; message: JsonObject }
  | { op: 'setProtocolVersion'; version: string }
  | { op: 'openGetStream'; n: number }
  | { op: 'abortRequest'; id: RequestId }
  | { op: 'terminate'; n: number }
  | { op: 'close'; n: number };

/** Child -> parent events: the LinkEvents calls, answers to numbered commands, the session id. */
export type LinkEvent =
  | { ev: 'message'; message: unknown; meta: Parameters<LinkEvents['message']>[1] }
  | { ev: 'note'; note: string; meta: Parameters<LinkEvents['note']>[1]; raw?: unknown }
  | { ev: 'requestFailed'; id: RequestId; reason: string; http?: Parameters<LinkEvents['requestFailed']>[2] }
  | { ev: 'post'; post: Parameters<NonNullable<LinkEvents['post']>>[0] }
  | { ev: 'overLimit'; reason: string }
  | { ev: 'closed'; reason: string }
  | { ev: 'session'; sessionId?: string }
  | { ev: 'done'; n: number; error?: string };

export class ProcessLink implements Link {
  readonly transport = 'http' as const;
  private child: ChildProcess | undefined;
  private events!: LinkEvents;
  private session: string | undefined;
  private next = 1;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private readonly stderr = new LineTail(50);
  private ended = false;

  constructor(private readonly options: HttpLinkOptions) {}

  get sessionId(): string | undefined {
    return this.session;
  }

  /** Pid of the client process (for diagnostics). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(events: LinkEvents): Promise<void> {
    this.events = events;
    const main = PROCESS_LINK_CHILD();
    if (!existsSync(main)) throw new Error(`the separate-process client is not built (${main} is missing): run "npm run build"`);
    const child = spawnOwned(process.execPath, [main], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, [PROCESS_LINK_ENV]: JSON.stringify(this.options) },
    });
    this.child = child;
    child.stderr?.on('data', (c: Buffer) => this.stderr.push(c));
    createInterface({ input: child.stdout! }).on('line', (line) => this.onLine(line));
    child.once('exit', (code, signal) =>
      this.onExit(signal ? `client process killed (${signal})` : `client process exited (code ${code})`),
    );
    child.once('error', (e) => this.onExit(`client process failed: ${e.message}`));
    await this.call({ op: 'start', n: 0 });
  }

  send(message: JsonObject): Promise<void> {
    return this.call({ op: 'send', n: 0, message });
  }

  setProtocolVersion(version: string): void {
    this.write({ op: 'setProtocolVersion', version });
  }

  openGetStream(): Promise<void> {
    return this.call({ op: 'openGetStream', n: 0 });
  }

  abortRequest(id: RequestId): void {
    this.write({ op: 'abortRequest', id });
  }

  async terminate(): Promise<void> {
    await this.call({ op: 'terminate', n: 0 }).catch(() => undefined);
    await this.close();
  }

  /** The client crashes: SIGKILL, no goodbye of any kind. */
  async drop(): Promise<void> {
    const child = this.child;
    if (child) await stopProcess(child, { termGraceMs: 0 });
    this.onExit('client process killed (SIGKILL)');
  }

  async close(): Promise<void> {
    const child = this.child;
    if (!child) return;
    if (!this.ended) {
      await Promise.race([this.call({ op: 'close', n: 0 }).catch(() => undefined), new Promise((r) => setTimeout(r, 3000).unref())]);
    }
    // The child exits by itself after `close`; whatever is left is stopped.
    await stopProcess(child, { stdinGraceMs: 1000, termGraceMs: 1000 });
    this.onExit('HTTP session closed by the harness');
  }

  private call(command: Extract<LinkCommand, { n: number }>): Promise<void> {
    if (this.ended) return Promise.reject(new Error('the client process has ended'));
    const n = this.next++;
    return new Promise<void>((resolve, reject) => {
      this.waiting.set(n, { resolve, reject });
      this.write({ ...command, n } as LinkCommand);
    });
  }

  private write(command: LinkCommand): void {
    if (this.ended) return;
    this.child?.stdin?.write(`${JSON.stringify(command)}\n`);
  }

  private onLine(line: string): void {
    let e: LinkEvent;
    try {
      e = JSON.parse(line) as LinkEvent;
    } catch {
      return; // not ours (e.g. a stray console line)
    }
    switch (e.ev) {
      case 'message':
        return this.events.message(e.message, e.meta);
      case 'note':
        return this.events.note(e.note, e.meta, e.raw);
      case 'requestFailed':
        return this.events.requestFailed(e.id, e.reason, e.http);
      case 'post':
        return this.events.post?.(e.post);
      case 'overLimit':
        return this.events.overLimit(e.reason);
      case 'session':
        this.session = e.sessionId;
        return;
      case 'closed':
        return; // the parent reports closing itself (onExit), once
      case 'done': {
        const w = this.waiting.get(e.n);
        this.waiting.delete(e.n);
        if (e.error !== undefined) w?.reject(new Error(e.error));
        else w?.resolve();
      }
    }
  }

  private onExit(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    const tail = this.stderr.tail(5).trim();
    for (const w of this.waiting.values()) w.reject(new Error(`${reason}${tail ? `: ${tail}` : ''}`));
    this.waiting.clear();
    this.events?.closed(reason);
  }
}
