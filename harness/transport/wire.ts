// The run-wide wire log: every message sent and received, in order, with transport and channel.
// A hostile server can send gigabytes, so the log never holds the run's traffic whole: once a file is
// attached (streamTo), every entry is appended to it as it is recorded (small synchronous batches, so
// nothing piles up in a stream buffer), and memory keeps a copy whose large messages are truncated to
// a preview (the note says so and where the full text is: its seq in wire.jsonl). Without a file (tests,
// in-process runs) the same truncated copies are what writeTo() can write.
import { closeSync, openSync, writeSync } from 'node:fs';
import type { WireEntry } from '../checks.js';

export type NewWireEntry = Omit<WireEntry, 'seq' | 't'>;

/** Messages whose JSON is longer than this are kept in memory as a preview only (the file has them whole). */
export const MAX_INLINE_MESSAGE_CHARS = 1024 * 1024;
const PREVIEW_CHARS = 2000;
const BATCH_CHARS = 64 * 1024;

export class WireLog {
  /**
   * Whether this log keeps what it records as evidence. False only for the bench's DiscardingWireLog:
   * sessions then also drop the history only evidence needs (the params of answered requests, every
   * notification received), so memory and work per request stay flat however many requests a run makes.
   */
  readonly keepsEvidence: boolean = true;
  private readonly list: WireEntry[] = [];
  private readonly start = performance.now();
  private readonly listeners = new Set<(e: WireEntry) => void>();
  private fd: number | undefined;
  private file: string | undefined;
  private batch = '';
  private writeError: string | undefined;
  private requestIds = 0;
  /** Connections of 2026-07-28 clients (harness/modern): each era's passive audits read only their own era's traffic. */
  private readonly modern = new Set<string>();

  record(entry: NewWireEntry): WireEntry {
    const full: WireEntry = { seq: this.list.length, t: Math.round((performance.now() - this.start) * 1000) / 1000, ...entry };
    const line = this.fd !== undefined || entry.message !== undefined ? safeStringify(full) : undefined;
    if (this.fd !== undefined && line !== undefined) this.append(line);
    const e = this.inMemory(full, line);
    this.list.push(e);
    for (const l of this.listeners) l(e);
    return e;
  }

  /** A request id unique in the run, so that no two sessions ever use the same id by accident (H25-21 probes that on purpose). */
  nextRequestId(): number {
    return ++this.requestIds;
  }

  /** Marks a connection as a 2026-07-28 client's. */
  markModern(connection: string): void {
    this.modern.add(connection);
  }

  isModern(connection: string): boolean {
    return this.modern.has(connection);
  }

  /** The next sequence number (entries before it are already recorded). */
  seq(): number {
    return this.list.length;
  }

  /** The in-memory copies (large messages truncated; the full ones are in the attached file). */
  entries(from = 0, to = this.list.length): WireEntry[] {
    return this.list.slice(from, to);
  }

  subscribe(listener: (e: WireEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Streams every entry (those recorded so far, then each new one) to `path`, truncating an earlier run's file (throws when it cannot be opened). */
  streamTo(path: string): void {
    this.fd = openSync(path, 'w');
    this.file = path;
    for (const e of this.list) this.append(safeStringify(e));
    this.flush();
  }

  /** Writes the log to `path`: closes the stream when it already goes there, else writes the in-memory copies. */
  writeTo(path: string): void {
    if (this.fd !== undefined && this.file === path) {
      this.flush();
      closeSync(this.fd);
      this.fd = undefined;
      if (this.writeError) throw new Error(`writing ${path} failed: ${this.writeError}`);
      return;
    }
    const fd = openSync(path, 'w');
    try {
      let out = '';
      for (const e of this.list) {
        out += `${safeStringify(e)}\n`;
        if (out.length > BATCH_CHARS) {
          writeSync(fd, out);
          out = '';
        }
      }
      if (out) writeSync(fd, out);
    } finally {
      closeSync(fd);
    }
  }

  private append(line: string): void {
    this.batch += `${line}\n`;
    if (this.batch.length > BATCH_CHARS) this.flush();
  }

  private flush(): void {
    if (this.fd === undefined || !this.batch) return;
    try {
      writeSync(this.fd, this.batch);
    } catch (e) {
      this.writeError ??= (e as Error).message;
    }
    this.batch = '';
  }

  private inMemory(full: WireEntry, line: string | undefined): WireEntry {
    if (line === undefined || line.length <= MAX_INLINE_MESSAGE_CHARS) return full;
    const text = typeof full.message === 'string' ? full.message : safeStringify(full.message);
    const where = this.fd !== undefined ? `; the whole message is in wire.jsonl (seq ${full.seq})` : '';
    const note = `message of ${text.length} characters truncated in memory${where}`;
    return { ...full, message: `${text.slice(0, PREVIEW_CHARS)}…`, note: full.note ? `${full.note} (${note})` : note };
  }
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch (e) {
    return JSON.stringify({ unserializable: (e as Error).message });
  }
}
