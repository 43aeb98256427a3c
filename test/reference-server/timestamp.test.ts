// isoTimestamp must be byte-identical to Date.toISOString() for every input, cached prefix or not.
import { describe, expect, it } from 'vitest';
import { isoTimestamp } from '../../reference-server/timestamp.js';

describe('isoTimestamp', () => {
  it('equals Date.toISOString() across seconds, millisecond paddings and the fallbacks', () => {
    const base = Date.UTC(2026, 11, 2, 1, 38, 59, 0);
    const samples = [0, 1, 9, 10, 99, 100, 999, 1000, 1001, 60_000, 86_399_999].map((d) => base + d);
    samples.push(0, 5, 253_402_300_799_999, 253_402_300_800_000, 1.5, -1, base);
    for (const ms of samples) expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
  });
});
