// The run-wide wire log: every message sent and received, in order, with transport and channel.
import type { WireEntry } from '../checks.js';

export type NewWireEntry = Omit<WireEntry, 'seq' | 't'>;

export class WireLog {
  private readonly list: WireEntry[] = [];
  private readonly start = performance.now();
  private readonly listeners = new Set<(e: WireEntry) => void>();

  record(entry: NewWireEntry): WireEntry {
    const e: WireEntry = { seq: this.list.length, t: Math.round((performance.now() - this.start) * 1000) / 1000, ...entry };
    this.list.push(e);
    for (const l of this.listeners) l(e);
    return e;
  }

  /** The next sequence number (entries before it are already recorded). */
  seq(): number {
    return this.list.length;
  }

  entries(from = 0, to = this.list.length): WireEntry[] {
    return this.list.slice(from, to);
  }

  subscribe(listener: (e: WireEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  toJsonl(): string {
    return this.list.map((e) => JSON.stringify(e)).join('\n') + (this.list.length ? '\n' : '');
  }
}
