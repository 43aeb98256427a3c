// Statistics and small parsers of the bench, on fixed data (no servers, no timing).
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { shareableLabel } from '../../harness/bench/cli.js';
import { scaleSizesUpTo, splitCommand } from '../../harness/bench/options.js';
import { PACKAGE_ROOT } from '../../harness/paths.js';
import { compareTargets } from '../../harness/bench/compare.js';
import type { BenchApproach, BenchOperation, BenchScale } from '../../harness/report/bench-model.js';
import { parseVmRss } from '../../harness/bench/rss.js';
import { median, percentile, percentiles, ratio, round } from '../../harness/bench/stats.js';
import { honouredPollInterval } from '../../harness/bench/types.js';
import { mapLimit } from '../../harness/tasks.js';

describe('percentile', () => {
  const values = [15, 20, 35, 40, 50];

  it('interpolates linearly between closest ranks', () => {
    expect(percentile(values, 0)).toBe(15);
    expect(percentile(values, 100)).toBe(50);
    expect(percentile(values, 50)).toBe(35);
    expect(percentile(values, 40)).toBeCloseTo(29, 10); // rank 1.6 -> 20 + 0.6 * 15
    expect(percentile(values, 95)).toBeCloseTo(48, 10); // rank 3.8 -> 40 + 0.8 * 10
  });

  it('does not depend on input order and does not modify the input', () => {
    const shuffled = [40, 15, 50, 35, 20];
    expect(percentile(shuffled, 40)).toBeCloseTo(29, 10);
    expect(shuffled).toEqual([40, 15, 50, 35, 20]);
  });

  it('handles one value, no values and bad p', () => {
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile(values, 101)).toThrow(RangeError);
  });

  it('gives p50/p95/p99 of 1..100', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    const p = percentiles(hundred);
    expect(p.p50).toBeCloseTo(50.5, 10);
    expect(p.p95).toBeCloseTo(95.05, 10);
    expect(p.p99).toBeCloseTo(99.01, 10);
  });
});

describe('median, ratio, round', () => {
  it('median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('ratio refuses to divide by zero or missing figures', () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(3, 0)).toBeNull();
    expect(ratio(null, 2)).toBeNull();
    expect(ratio(3, undefined)).toBeNull();
    expect(ratio(Number.NaN, 2)).toBeNull();
  });

  it('round keeps the asked digits', () => {
    expect(round(1.23456, 2)).toBe(1.23);
    expect(round(1.235, 0)).toBe(1);
  });
});

describe('helpers', () => {
  it('parses VmRSS from a /proc status file', () => {
    expect(parseVmRss('Name:\tnode\nVmPeak:\t  200 kB\nVmRSS:\t  123456 kB\nThreads: 7\n')).toBe(123456 * 1024);
    expect(parseVmRss('Name:\tnode\n')).toBeNull();
  });

  it('scale sizes are powers of ten up to the maximum', () => {
    expect(scaleSizesUpTo(1000)).toEqual([1, 10, 100, 1000]);
    expect(scaleSizesUpTo(10000)).toEqual([1, 10, 100, 1000, 10000]);
    expect(scaleSizesUpTo(250)).toEqual([1, 10, 100, 250]);
    expect(scaleSizesUpTo(1)).toEqual([1]);
  });

  it('splits --compare command lines with quotes', () => {
    expect(splitCommand('node dist/bench/sdk-server.js --poll-interval 100')).toEqual([
      'node',
      'dist/bench/sdk-server.js',
      '--poll-interval',
      '100',
    ]);
    expect(splitCommand(`python "my server.py" 'a b' c\\"d`)).toEqual(['python', 'my server.py', 'a b', 'c\\"d']);
  });

  it("shareable labels mask tokens and shorten this machine's paths", () => {
    const main = join(PACKAGE_ROOT, 'dist', 'reference-server', 'main.js');
    expect(shareableLabel(`stdio: ${process.execPath} ${main}`, { kind: 'stdio', command: process.execPath, args: [main] })).toBe(
      `stdio: node ${join('dist', 'reference-server', 'main.js')}`,
    );
    expect(
      shareableLabel('http: node x.js --auth-token abc123 --auth-token def456', {
        kind: 'http-command',
        command: 'node',
        args: [],
        tokens: ['abc123', 'def456'],
      }),
    ).toBe('http: node x.js --auth-token <token> --auth-token <token>');
  });

  it('honours the server pollInterval with a floor', () => {
    expect(honouredPollInterval(5000)).toBe(5000);
    expect(honouredPollInterval(0)).toBe(10);
    expect(honouredPollInterval(undefined)).toBe(250);
  });

  it('mapLimit keeps order and never exceeds the limit', async () => {
    let inFlight = 0;
    let most = 0;
    const out = await mapLimit([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await Promise.resolve();
      inFlight--;
      return n * 2;
    });
    expect(out).toEqual([2, 4, 6, 8, 10, 12, 14]);
    expect(most).toBeLessThanOrEqual(3);
  });
});

describe('compareTargets', () => {
  const approach = (target: string, name: BenchApproach['name'], wallMs: number, correct = true): BenchApproach => ({
    name,
    target,
    wallMs,
    roundsMs: [wallMs],
    speedupOverSequential: null,
    ratioToGather: null,
    correct,
  });
  const op = (target: string, p50Ms: number, opsPerSec: number, error?: string): BenchOperation => ({
    name: 'tasks/get',
    target,
    p50Ms,
    p95Ms: p50Ms,
    p99Ms: p50Ms * 2,
    opsPerSec,
    samples: 10,
    ratioToPing: 1,
    ...(error ? { error } : {}),
  });
  const scale = (target: string, completeAllMs: number): BenchScale => ({
    target,
    tasks: 10,
    floorMs: 100,
    createAllMs: 4,
    lastCreateToAllResultsMs: completeAllMs / 4,
    allResultsMs: completeAllMs / 4 + 4,
    floorRatio: completeAllMs / 400,
    poll: { createAllMs: 4, completeAllMs, fetchAllMs: 2, getP50Ms: null, getP95Ms: null, getP99Ms: null, getRequests: 3 },
    correct: true,
    rssBeforeBytes: null,
    rssAfterBytes: null,
  });

  it('divides every figure of the first target by the second', () => {
    const c = compareTargets(
      {
        approaches: [
          approach('A', 'gather', 300),
          approach('B', 'gather', 1000),
          approach('A', 'sequential', 600),
          approach('B', 'sequential', 3000, false),
        ],
        operations: [op('A', 0.05, 1000), op('B', 0.1, 500)],
        scale: [scale('A', 500), scale('B', 1000)],
      },
      'A',
      'B',
    );
    const byFigure = Object.fromEntries(c.map((x) => [x.figure, x.ratio]));
    expect(byFigure['gather wall ms']).toBeCloseTo(0.3, 10);
    // A wrong result on either side is not compared.
    expect(byFigure['sequential wall ms']).toBeUndefined();
    expect(byFigure['tasks/get p50 ms']).toBeCloseTo(0.5, 10);
    expect(byFigure['tasks/get ops/s']).toBeCloseTo(2, 10);
    expect(byFigure['scale 10 polled all terminal ms']).toBeCloseTo(0.5, 10);
    expect(byFigure['scale 10 last create to all results ms']).toBeCloseTo(0.5, 10);
    expect(byFigure['scale 10 create all ms']).toBe(1);
    // Missing figures (null latency, null RSS) are left out.
    expect(byFigure['scale 10 tasks/get p50 ms']).toBeUndefined();
    expect(byFigure['scale 10 heap per retained task bytes']).toBeUndefined();
  });

  it('skips operations that failed on either side', () => {
    const c = compareTargets({ approaches: [], operations: [op('A', 0.05, 1000), op('B', 0, 0, 'boom')], scale: [] }, 'A', 'B');
    expect(c).toEqual([]);
  });
});
