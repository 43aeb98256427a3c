// stdio: the SDK stdio transport (StdioTransport, stdio-transport.ts) behind a line guard. Alone, the SDK transport answers nothing to a
// line that is not a JSON-RPC message (it logs a long schema dump) and closes the session on a line over
// 10 MiB. The guard splits stdin into lines and answers every bad one itself, with one log line each:
// not JSON -> -32700, JSON that is not a JSON-RPC message -> -32600 (id null unless a request's id can be
// read), longer than MAX_MESSAGE_BYTES -> -32600 at once, the rest of the line is discarded and reading
// goes on. Blank lines are skipped. Valid lines reach the SDK transport unchanged.
import { Transform, type Readable, type TransformCallback, type Writable } from 'node:stream';
import { INVALID_REQUEST } from './connection.js';
import { MAX_MESSAGE_BYTES, parseMessage, reject, type RejectReply } from './jsonrpc-input.js';
import type { ClientSession, ReferenceServer } from './server.js';
import { StdioTransport } from './stdio-transport.js';

export interface LineGuardOptions {
  maxLineBytes: number;
  /** Answers a bad line; `reason` is one line for the log. */
  rejectLine(reply: RejectReply, reason: string): void;
}

const NEWLINE = 0x0a;

export class LineGuard extends Transform {
  private parts: Buffer[] = [];
  private size = 0;
  /** Inside a line that went over the limit: its bytes are discarded up to its newline. */
  private discarding = false;

  constructor(private readonly options: LineGuardOptions) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, start);
      const piece = chunk.subarray(start, newline === -1 ? chunk.length : newline);
      if (!this.discarding && this.size + piece.length > this.options.maxLineBytes) this.overLimit();
      else if (!this.discarding) this.keep(piece);
      if (newline === -1) break;
      if (!this.discarding) this.line(Buffer.concat(this.parts, this.size));
      this.discarding = false;
      this.parts = [];
      this.size = 0;
      start = newline + 1;
    }
    done();
  }

  private keep(piece: Buffer): void {
    if (piece.length === 0) return;
    this.parts.push(piece);
    this.size += piece.length;
  }

  private overLimit(): void {
    this.discarding = true;
    this.parts = [];
    this.size = 0;
    const limit = this.options.maxLineBytes;
    this.options.rejectLine(
      reject(INVALID_REQUEST, `Invalid Request: the message is longer than ${limit} bytes; it was discarded`),
      `message over ${limit} bytes discarded`,
    );
  }

  private line(bytes: Buffer): void {
    const text = bytes.toString('utf8');
    if (text.trim() === '') return;
    const checked = parseMessage(text);
    if (checked.ok) this.push(Buffer.concat([bytes, Buffer.of(NEWLINE)]));
    else this.options.rejectLine(checked.reply, checked.reason);
  }
}

export interface StdioOptions {
  stdin: Readable;
  stdout: Writable;
  log: (line: string) => void;
  maxLineBytes?: number;
}

/** Serves one session on stdio; `ended` resolves with the exit code (0: the peer went away, 1: the transport failed). */
export async function serveStdio(
  server: ReferenceServer,
  options: StdioOptions,
): Promise<{ session: ClientSession; ended: Promise<number> }> {
  const { stdin, stdout, log } = options;
  const guard = new LineGuard({
    maxLineBytes: options.maxLineBytes ?? MAX_MESSAGE_BYTES,
    rejectLine: (reply, reason) => {
      log(`stdio: rejected a message (${reply.error.code}): ${oneLine(reason)}`);
      stdout.write(`${JSON.stringify(reply)}\n`);
    },
  });
  stdin.pipe(guard);
  const session = await server.connect(new StdioTransport(guard, stdout), { owner: 'stdio', bound: false });
  const ended = new Promise<number>((resolve) => {
    // The SDK transport does not notice end of input or a broken pipe: the peer going away ends the server.
    stdin.once('end', () => resolve(0));
    stdin.once('close', () => resolve(0));
    stdout.on('error', () => resolve(0));
    stdin.once('error', (error) => (log(`stdio: cannot read stdin: ${error.message}`), resolve(1)));
    // The transport closing by itself means it failed: the server must stop, and says so with its exit code.
    session.connection.onClose(() => resolve(1));
  });
  return { session, ended };
}

const oneLine = (text: string) => {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 200 ? `${flat.slice(0, 200)}...` : flat;
};
