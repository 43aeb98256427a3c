// The scale step creates every one of its N tasks on both paths, also when N is over the creates it keeps
// in flight (a bug once created only the first batch of the polled path and timed the rest as nothing).
// Counts the requests a real reference server receives; asserts no timings.
import { afterAll, describe, expect, it } from 'vitest';
import { createBenchTarget } from '../../harness/bench/bench-target.js';
import { measureScale, medianOfRounds } from '../../harness/bench/scale.js';
import type { BenchScale } from '../../harness/report/bench-model.js';
import { loadFixtures } from '../../harness/fixtures.js';
import type { Session } from '../../harness/scenario.js';
import { referenceServerSpec } from '../../harness/transport/targets.js';

const target = createBenchTarget(referenceServerSpec('stdio'), { requestMs: 30_000, startMs: 30_000 });
afterAll(() => target.dispose());

/** The session, with every request it sends counted by method. */
function counting(session: Session, counts: Map<string, number>): Session {
  return new Proxy(session, {
    get(s, key, receiver) {
      if (key !== 'request') return Reflect.get(s, key, receiver) as unknown;
      return (...args: Parameters<Session['request']>) => {
        counts.set(args[0], (counts.get(args[0]) ?? 0) + 1);
        return s.request(...args);
      };
    },
  });
}

describe('scale step', () => {
  it('creates and fetches all N tasks on the blocking and the polled path when N exceeds the concurrency', async () => {
    const session = await target.connect();
    const fixtures = await loadFixtures(session, {}, { principals: target.principals, canRestart: target.canRestart });
    const counts = new Map<string, number>();
    const n = 7;
    const s = await measureScale({ label: 'ref', session: counting(session, counts), fixtures }, n, {
      sizes: [n],
      seconds: 0.01,
      concurrency: 2,
    });
    expect(s.correct, s.error).toBe(true);
    expect(counts.get('tools/call')).toBe(2 * n);
    // One blocking tasks/result per task, then one fetch per polled task.
    expect(counts.get('tasks/result')).toBe(2 * n);
    expect(s.poll?.getRequests).toBeGreaterThanOrEqual(n);
  });
});

describe('medianOfRounds', () => {
  const round = (createAllMs: number, last: number, heap: number, correct = true): BenchScale => ({
    target: 'A',
    tasks: 10,
    floorMs: 100,
    createAllMs,
    lastCreateToAllResultsMs: last,
    allResultsMs: createAllMs + last,
    floorRatio: last / 100,
    correct,
    rssBeforeBytes: null,
    rssAfterBytes: null,
    memory: {
      retainedTasks: 10,
      heapUsedBeforeBytes: 0,
      heapUsedAfterBytes: heap * 10,
      rssBeforeBytes: 0,
      rssAfterBytes: 0,
      heapUsedPerTaskBytes: heap,
      rssPerTaskBytes: 0,
    },
    ...(correct ? {} : { failures: 2, error: 'two wrong' }),
  });

  it('reports the median of each time, the median round of memory, and every round', () => {
    const m = medianOfRounds([round(30, 110, 900), round(10, 130, 700), round(20, 90, 800)]);
    expect([m.createAllMs, m.lastCreateToAllResultsMs, m.allResultsMs]).toEqual([20, 110, 140]);
    expect(m.floorRatio).toBeCloseTo(1.1);
    expect(m.memory?.heapUsedPerTaskBytes).toBe(800);
    expect(m.rounds?.map((r) => r.createAllMs)).toEqual([30, 10, 20]);
    expect(m.correct).toBe(true);
    expect(m.error).toBeUndefined();
  });

  it('is wrong when any round was wrong, and says why', () => {
    const m = medianOfRounds([round(1, 1, 1), round(1, 1, 1, false), round(1, 1, 1)]);
    expect(m.correct).toBe(false);
    expect([m.failures, m.error]).toEqual([2, 'two wrong']);
  });
});
