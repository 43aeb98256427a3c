// A tiny end-to-end run of the bench machinery: the reference server against the bundled SDK-based
// comparison server, minimal sizes. Asserts structure and correctness flags only — never timings.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { executeBench } from '../../harness/bench/cli.js';
import { parseBenchArgs, type BenchCliOptions } from '../../harness/bench/options.js';
import type { Connectivity } from '../../harness/cli/execute.js';
import { loadFixtures } from '../../harness/fixtures.js';
import { createTarget } from '../../harness/transport/targets.js';
import { APPROACHES } from '../../harness/bench/approaches.js';
import { OPERATION_NAMES } from '../../harness/bench/operations.js';
import { Report } from '../../harness/report/model.js';
import { isAlive } from '../../harness/transport/proc.js';
import { referenceTargetSpecs } from '../../harness/cli/options.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('bench smoke run (reference server vs SDK-based server)', () => {
  it('measures every phase on both targets, checks every result and writes the report files', async () => {
    const out = await mkdtemp(join(tmpdir(), 'sep1686-bench-'));
    dirs.push(out);
    // The SDK server with a short pollInterval keeps its poll-tick waits small in this test.
    const parsed = parseBenchArgs([
      '--protocol',
      '2025-11-25',
      '--rounds',
      '1',
      '--durations',
      '0.05,0.01',
      '--max-tasks',
      '2',
      '--op-time',
      '40',
      '--out',
      out,
      '--compare',
      'sdk',
    ]);
    if (parsed === 'help') throw new Error('unexpected help');
    const sdk = parsed.compare!;
    expect(sdk.kind).toBe('stdio');
    const options: BenchCliOptions = {
      ...parsed,
      compare: { ...sdk, args: [...(sdk as { args: string[] }).args, '--poll-interval', '20'] } as BenchCliOptions['compare'],
      opWarmupMs: 50,
      quiet: true,
    };
    // The real connectivity, noting each server's pid so the test can prove they are gone afterwards.
    const pids: number[] = [];
    const io: Connectivity = {
      createTarget,
      loadFixtures: async (session, target, mapping) => {
        pids.push(...target.serverPids());
        return loadFixtures(session, mapping, { principals: target.principals, canRestart: target.canRestart });
      },
    };
    const r = await executeBench(options, io);
    expect(r.message).toBeUndefined();
    expect(r.exitCode).toBe(0);
    const bench = r.report!.bench!;
    const [ref, other] = bench.targets;
    expect(bench.targets).toHaveLength(2);
    expect(ref).toContain('reference-server');
    expect(other).toContain('sdk-server');

    // Approaches: four per target, all correct, ratios present.
    for (const target of bench.targets) {
      const mine = bench.approaches.filter((a) => a.target === target);
      expect(mine.map((a) => a.name)).toEqual([...APPROACHES]);
      for (const a of mine) {
        expect(a.correct, `${a.name} on ${target}: ${a.error}`).toBe(true);
        expect(a.roundsMs).toHaveLength(1);
        expect(a.ratioToGather).not.toBeNull();
        expect(a.speedupOverSequential).not.toBeNull();
      }
    }
    // The timeline holds one span per call per approach per target.
    expect(bench.timeline).toHaveLength(2 * APPROACHES.length * 2);

    // Operations: every operation on both targets, measured, with its ratio to ping.
    for (const target of bench.targets) {
      const mine = bench.operations.filter((o) => o.target === target);
      expect(mine.map((o) => o.name)).toEqual([...OPERATION_NAMES]);
      for (const o of mine) {
        expect(o.error, `${o.name} on ${target}`).toBeUndefined();
        expect(o.samples).toBeGreaterThan(0);
        expect(o.ratioToPing).not.toBeNull();
      }
    }

    // Scale: N = 1 and 2 on both targets, every result its own, memory read from the spawned process.
    expect(bench.scale.map((s) => [s.tasks, s.target])).toEqual([
      [1, ref],
      [1, other],
      [2, ref],
      [2, other],
    ]);
    for (const s of bench.scale) {
      expect(s.correct, `${s.tasks} on ${s.target}: ${s.error}`).toBe(true);
      expect(s.poll?.getRequests).toBeGreaterThan(0);
      if (process.platform === 'linux') expect(s.rssAfterBytes).toBeGreaterThan(0);
      // Both servers run with this node binary, so the bench preloaded its heap probe.
      // Every task of every round, both paths (blocking and polled), is retained and counted.
      expect(s.memory?.retainedTasks).toBe(s.tasks * 2 * (s.rounds?.length ?? 1));
    }
    expect(bench.comparison!.length).toBeGreaterThan(0);
    expect(bench.comparison!.map((c) => c.figure)).toContain('tasks-result wall ms');
    expect(bench.charts?.timeline).toMatch(/^gantt/);
    expect(bench.charts?.scale).toMatch(/^xychart-beta/);

    // Files: report.json parses against the model, report.md carries the bench section and charts.
    const json = Report.parse(JSON.parse(await readFile(join(out, 'report.json'), 'utf8')));
    expect(json.bench?.approaches).toHaveLength(8);
    const md = await readFile(join(out, 'report.md'), 'utf8');
    expect(md).toContain('## Benchmarks');
    expect(md).toContain('```mermaid');
    expect(await readFile(join(out, 'junit.xml'), 'utf8')).toContain('<testsuites');

    // executeBench disposed both targets: no server process is left.
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
  });

  it('flags results that differ from the direct call and exits 1 (reference server with T25-RES-02)', async () => {
    const out = await mkdtemp(join(tmpdir(), 'sep1686-bench-'));
    dirs.push(out);
    const parsed = parseBenchArgs([
      '--protocol',
      '2025-11-25',
      '--only',
      'approaches,scale',
      '--rounds',
      '1',
      '--durations',
      '0.01',
      '--max-tasks',
      '2',
      '--out',
      out,
    ]);
    if (parsed === 'help') throw new Error('unexpected help');
    const r = await executeBench({
      ...parsed,
      specs: referenceTargetSpecs({ transports: ['stdio'], violate: ['T25-RES-02'] }),
      quiet: true,
    });
    expect(r.exitCode).toBe(1);
    const bench = r.report!.bench!;
    const byName = Object.fromEntries(bench.approaches.map((a) => [a.name, a.correct]));
    // Direct calls are untouched by the fault; both task paths see the appended block.
    expect(byName).toEqual({ sequential: true, gather: true, 'tasks-result': false, 'tasks-poll': false });
    // Both paths (blocking tasks/result and polling) see every result reshaped, in every round.
    expect(bench.scale.every((s) => !s.correct && s.failures === 2 * s.tasks * (s.rounds?.length ?? 1))).toBe(true);
    expect(r.report!.runProblems?.map((f) => f.message).join('\n')).toMatch(/approach tasks-result: .*computed:/);
    expect(bench.operations).toEqual([]);
  });

  it('scale at small N: blocking results set against the floor, polling as a second figure, memory per task', async () => {
    const out = await mkdtemp(join(tmpdir(), 'sep1686-bench-'));
    dirs.push(out);
    const parsed = parseBenchArgs([
      '--protocol',
      '2025-11-25',
      '--only',
      'scale',
      '--max-tasks',
      '10',
      '--scale-seconds',
      '0.01',
      '--out',
      out,
    ]);
    if (parsed === 'help') throw new Error('unexpected help');
    const r = await executeBench({ ...parsed, quiet: true });
    expect(r.exitCode).toBe(0);
    const scale = r.report!.bench!.scale;
    expect(scale.map((s) => s.tasks)).toEqual([1, 10]);
    for (const s of scale) {
      expect(s.correct, s.error).toBe(true);
      expect(s.floorMs).toBe(10);
      expect(s.floorRatio).not.toBeNull();
      expect(s.allResultsMs).toBeGreaterThanOrEqual(s.createAllMs);
      expect(s.poll?.getRequests).toBeGreaterThan(0);
      if (process.platform === 'linux') expect(s.memory?.heapUsedAfterBytes).toBeGreaterThan(0);
    }
    expect(await readFile(join(out, 'report.md'), 'utf8')).toContain('last create → all results ms');
  });

  it('soak for 2 s: mixed traffic, per-operation figures, one window, the report section', async () => {
    const out = await mkdtemp(join(tmpdir(), 'sep1686-bench-'));
    dirs.push(out);
    const parsed = parseBenchArgs(['--protocol', '2025-11-25', '--soak', '2s', '--rate', '30', '--out', out]);
    if (parsed === 'help') throw new Error('unexpected help');
    const r = await executeBench({ ...parsed, quiet: true });
    expect(r.message).toBeUndefined();
    const bench = r.report!.bench!;
    expect(bench.approaches).toEqual([]);
    expect(bench.scale).toEqual([]);
    const soak = bench.soak![0]!;
    expect(soak.error).toBeUndefined();
    expect(r.exitCode).toBe(0);
    expect(soak.operations.map((o) => o.name)).toEqual(['create', 'get', 'result', 'cancel']);
    expect(soak.operations.every((o) => o.requests > 0 && o.errors === 0)).toBe(true);
    expect(soak.windows).toHaveLength(1);
    expect(soak.windows[0]!.requests).toBe(soak.operations.reduce((n, o) => n + o.requests, 0));
    // One window: no slope to fit.
    expect(soak.rssSlopeBytesPerMin).toBeNull();
    const json = Report.parse(JSON.parse(await readFile(join(out, 'report.json'), 'utf8')));
    expect(json.bench?.soak?.[0]?.windows).toHaveLength(1);
    expect(await readFile(join(out, 'report.md'), 'utf8')).toContain('### Soak');
  });

  it('rejects bad options with one-line usage errors', () => {
    expect(() => parseBenchArgs(['--rounds', '0'])).toThrow(/--rounds needs a positive/);
    expect(() => parseBenchArgs(['--max-tasks', '20000'])).toThrow(/at most 10000/);
    expect(() => parseBenchArgs(['--only', 'approaches,magic'])).toThrow(/unknown phase 'magic'/);
    expect(() => parseBenchArgs(['--seed-durations', '--durations', '1'])).toThrow(/not both/);
    expect(() => parseBenchArgs(['--compare', 'sdk', '--compare-url', 'http://127.0.0.1:1/mcp'])).toThrow(/not both/);
    expect(() => parseBenchArgs(['--transport', 'http', '--', 'node', 'x.js'])).toThrow(/embedded/);
    expect(parseBenchArgs(['--help'])).toBe('help');
    const seeded = parseBenchArgs(['--seed-durations']);
    expect(seeded !== 'help' && seeded.durations).toEqual([3, 2, 1]);
  });
});
