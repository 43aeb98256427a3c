// `bench --instances 1,2,4`: its options (one-line usage errors), the Markdown it prints and its report.json model. The run
// itself (minutes: three stores, 10 000 retained tasks each) is the published measurement, not a test.
import { describe, expect, it } from 'vitest';
import { renderInstances, type InstancesResult } from '../../harness/bench/instances.js';
import { parseBenchArgs } from '../../harness/bench/options.js';
import { BenchInstances } from '../../harness/report/bench-model.js';

describe('bench --instances', () => {
  it('parses the counts and stores, and rejects what does not fit', () => {
    const o = parseBenchArgs(['--instances', '4,1,2,2', '--stores', 'memory,redis']);
    expect(o !== 'help' && o.instances).toEqual({ counts: [1, 2, 4], stores: ['memory', 'redis'] });
    const all = parseBenchArgs(['--instances', '1']);
    expect(all !== 'help' && all.instances?.stores).toEqual(['memory', 'sqlite', 'redis']);
    expect(() => parseBenchArgs(['--instances', '1,x'])).toThrow(/--instances needs a positive whole number/);
    expect(() => parseBenchArgs(['--instances', '1,32'])).toThrow(/at most 16/);
    expect(() => parseBenchArgs(['--instances', '1', '--stores', 'postgres'])).toThrow(/unknown store 'postgres'/);
    expect(() => parseBenchArgs(['--stores', 'memory'])).toThrow(/give --instances/);
    expect(() => parseBenchArgs(['--instances', '2', '--', 'node', 'x.js'])).toThrow(/takes no server command/);
  });

  it('renders throughput, scale and wake-up ratios per store and instance count, and memory per store', () => {
    const result: InstancesResult = {
      counts: [1, 2],
      tasks: 1000,
      rows: [
        {
          store: 'redis',
          instances: 1,
          createdPerSecond: 500,
          completedPerSecond: 400,
          scale: 1,
          wakeMs: 2,
          wakeRatio: 2,
          wakeOn: 'the same endpoint',
        },
        {
          store: 'redis',
          instances: 2,
          createdPerSecond: 900,
          completedPerSecond: 700,
          scale: 1.75,
          wakeMs: 3,
          wakeRatio: 3,
          wakeOn: 'another endpoint',
        },
      ],
      memory: [{ store: 'redis', serverBytes: 1024 * 1024, redisBytes: 15 * 1024 * 1024 }],
      notes: [],
    };
    // report.json carries the same figures (bench.instances): the zod model takes them as they are.
    expect(BenchInstances.parse(result)).toEqual(result);
    const md = renderInstances(result);
    expect(md).toContain('| redis | 2 | 900 | 700 | 1.75× | 3 ms | 3× | another endpoint |');
    expect(md).toContain('| redis | 1 MB | 15 MB |');
  });
});
