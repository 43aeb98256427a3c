// The soak's and the memory figures' pure functions on fixed data: duration parsing, window sizes,
// least-squares slopes, latency summaries, bytes per retained task and the heap probe's line.
import { describe, expect, it } from 'vitest';
import { parseHeapLine, withHeapProbe } from '../../harness/bench/heap.js';
import { memoryPerTask } from '../../harness/bench/scale.js';
import { latencyOf, linearSlope, parseDuration, slopePoints, soakWindowMs } from '../../harness/bench/soak.js';
import { parseBenchArgs } from '../../harness/bench/options.js';

describe('parseDuration', () => {
  it('reads ms, s, m, h and combinations', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('1500ms')).toBe(1500);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('0.5s')).toBe(500);
    expect(parseDuration(' 2s ')).toBe(2000);
  });

  it('rejects anything else with a message naming the input', () => {
    for (const bad of ['', '10', 'ten', '10x', '0s', 's', '5s junk', '-1s']) expect(() => parseDuration(bad)).toThrow(/is not a duration/);
  });

  it('backs --soak and --rate with one-line usage errors', () => {
    expect(() => parseBenchArgs(['--soak', '10'])).toThrow(/--soak: '10' is not a duration/);
    expect(() => parseBenchArgs(['--rate', '5'])).toThrow(/give --soak/);
    expect(() => parseBenchArgs(['--soak', '2s', '--rate', '0'])).toThrow(/--rate needs a positive/);
    const soak = parseBenchArgs(['--soak', '2s', '--rate', '20']);
    expect(soak !== 'help' && soak.soak).toEqual({ durationMs: 2000, rate: 20 });
    // A soak alone runs no phase; --only adds some back.
    expect(soak !== 'help' && soak.phases).toEqual([]);
    const both = parseBenchArgs(['--soak', '2s', '--only', 'scale']);
    expect(both !== 'help' && both.phases).toEqual(['scale']);
  });
});

describe('soak windows and slopes', () => {
  it('windows are a minute from five minutes up, 10 s below, the whole soak under 10 s', () => {
    expect(soakWindowMs(600_000)).toBe(60_000);
    expect(soakWindowMs(300_000)).toBe(60_000);
    expect(soakWindowMs(120_000)).toBe(10_000);
    expect(soakWindowMs(2_000)).toBe(2_000);
  });

  it('fits the least-squares slope', () => {
    expect(
      linearSlope([
        { x: 0, y: 1 },
        { x: 1, y: 3 },
        { x: 2, y: 5 },
      ]),
    ).toBeCloseTo(2, 10);
    // Noise around a flat line: slope 0.
    expect(
      linearSlope([
        { x: 0, y: 1 },
        { x: 1, y: 2 },
        { x: 2, y: 1 },
        { x: 3, y: 2 },
        { x: 4, y: 1 },
        { x: 5, y: 2 },
      ]),
    ).toBeCloseTo(0.0857, 3);
    expect(linearSlope([{ x: 0, y: 1 }])).toBeNull();
    expect(
      linearSlope([
        { x: 1, y: 1 },
        { x: 1, y: 2 },
      ]),
    ).toBeNull();
  });

  it('leaves the first (warm-up) window out once there are three', () => {
    expect(slopePoints([1, 2, 3])).toEqual([2, 3]);
    expect(slopePoints([1, 2])).toEqual([1, 2]);
    expect(slopePoints([1])).toEqual([1]);
  });

  it('summarizes latency of the requests that succeeded and counts the errors', () => {
    const samples = [1, 2, 3, 4].map((ms) => ({ op: 'get' as const, endMs: 0, ms, ok: true }));
    expect(latencyOf([...samples, { op: 'get', endMs: 0, ms: 100, ok: false }])).toEqual({
      requests: 5,
      errors: 1,
      p50Ms: 2.5,
      p95Ms: expect.closeTo(3.85, 10),
      p99Ms: expect.closeTo(3.97, 10),
    });
    expect(latencyOf([])).toEqual({ requests: 0, errors: 0, p50Ms: null, p95Ms: null, p99Ms: null });
  });
});

describe('memory per retained task', () => {
  it('divides the after-GC growth by the tasks', () => {
    const m = memoryPerTask({ gc: true, rssBytes: 1000, heapUsedBytes: 500 }, { gc: true, rssBytes: 21_000, heapUsedBytes: 10_500 }, 10);
    expect(m).toMatchObject({ retainedTasks: 10, heapUsedPerTaskBytes: 1000, rssPerTaskBytes: 2000 });
    expect(memoryPerTask(null, { gc: true, rssBytes: 1, heapUsedBytes: 1 }, 10)).toBeUndefined();
  });

  it('reads the newest heap probe line of a stderr tail', () => {
    const tail = 'noise\nsep1686-heap 1 {"gc":true,"rss":10,"heapUsed":5}\nmore\nsep1686-heap 2 {"gc":true,"rss":20,"heapUsed":7}\n';
    expect(parseHeapLine(tail)).toEqual({ seq: 2, stats: { gc: true, rssBytes: 20, heapUsedBytes: 7 } });
    expect(parseHeapLine('sep1686-heap 3 {broken\n')).toBeUndefined();
    expect(parseHeapLine('nothing here')).toBeUndefined();
  });

  it('preloads the probe only into servers run with this node binary', () => {
    const probed = withHeapProbe({ kind: 'stdio', command: process.execPath, args: ['x.js'] });
    expect(probed.probed).toBe(true);
    expect(probed.spec.kind === 'stdio' && probed.spec.env?.NODE_OPTIONS).toMatch(/--expose-gc --import=file:.*heap-probe\.js$/);
    expect(withHeapProbe({ kind: 'stdio', command: 'python', args: ['x.py'] }).probed).toBe(false);
    expect(withHeapProbe({ kind: 'http', url: 'http://127.0.0.1:1/mcp' }).probed).toBe(false);
  });
});
