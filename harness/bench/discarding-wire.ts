// The bench's wire log: it keeps nothing, because the bench sends hundreds of thousands of messages and
// measuring must not pay for recording them (nor hold them in memory). Used unless --wire is given.
import type { WireEntry } from '../checks.js';
import { WireLog, type NewWireEntry } from '../transport/wire.js';

export class DiscardingWireLog extends WireLog {
  override readonly keepsEvidence = false;
  private count = 0;
  override record(entry: NewWireEntry): WireEntry {
    return { seq: this.count++, t: 0, ...entry };
  }
  override seq(): number {
    return this.count;
  }
}
