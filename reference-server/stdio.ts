// stdio: a line guard in front of the stdio transport (stdio-transport.ts). The SDK's stdio transport
// answers nothing to a line that is not a JSON-RPC message (it logs a long schema dump) and closes the
// session on a line over 10 MiB. The guard splits stdin into lines and answers every bad one itself, with
// one log line each: not JSON -> -32700, JSON that is not a JSON-RPC message -> -32600 (id null unless a
// request's id can be read), longer than MAX_MESSAGE_BYTES -> -32600 at once, the rest of the line is
// discarded and reading goes on. Blank lines are skipped. A valid line reaches the transport as the
// message the SDK's JSON-RPC schema parsed from it (what the SDK transport would deliver), parsed once.
import { Writable, type Readable } from 'node:stream';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { INVALID_REQUEST } from './connection.js';
import { MAX_MESSAGE_BYTES, parseMessage, reject, type RejectReply } from './jsonrpc-input.js';
import type { ClientSession, ReferenceServer } from './server.js';
import { StdioTransport } from './stdio-transport.js';

export interface LineGuardOptions {
  maxLineBytes: number;
  /** Receives every valid message, in order. */
  accept(message: JSONRPCMessage): void;
  /** Answers a bad line; `reason` is one line for the log. */
  rejectLine(reply: RejectReply, reason: string): void;
}

const NEWLINE = 0x0a;

export class LineGuard extends Writable {
  private parts: Buffer[] = [];
  private size = 0;
  /** Inside a line that went over the limit: its bytes are discarded up to its newline. */
  private discarding = false;

  constructor(private readonly options: LineGuardOptions) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
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
    if (checked.ok) this.options.accept(checked.message);
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
  const transport = new StdioTransport(stdout);
  const guard = new LineGuard({
    maxLineBytes: options.maxLineBytes ?? MAX_MESSAGE_BYTES,
    accept: (message) => transport.receive(message),
    rejectLine: (reply, reason) => {
      log(`stdio: rejected a message (${reply.error.code}): ${oneLine(reason)}`);
      void transport.write(`${JSON.stringify(reply)}\n`);
    },
  });
  const session = await server.connect(transport, { owner: 'stdio', bound: false });
  stdin.pipe(guard);
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
