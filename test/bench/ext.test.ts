// The 2026-07-28 bench at tiny sizes on the embedded reference server: every modern phase runs, every
// result is checked, the report validates against the model and carries the era's section; `auto` benches
// both eras of the dual-era server, each in its own section. Structure and correctness only — no timings.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { executeBench } from '../../harness/bench/cli.js';
import { MODERN_APPROACHES } from '../../harness/bench/modern/approaches.js';
import { MODERN_OPERATION_NAMES } from '../../harness/bench/modern/operations.js';
import { parseBenchArgs } from '../../harness/bench/options.js';
import { realConnectivity, type Connectivity } from '../../harness/cli/execute.js';
import { Report } from '../../harness/report/model.js';
import { isAlive } from '../../harness/transport/proc.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function bench(args: string[]) {
  const out = await mkdtemp(join(tmpdir(), 'sep1686-bench-ext-'));
  dirs.push(out);
  const parsed = parseBenchArgs([...args, '--out', out]);
  if (parsed === 'help') throw new Error('unexpected help');
  const pids: number[] = [];
  const watch: Connectivity = {
    ...realConnectivity,
    loadFixtures: async (source, target, mapping) => {
      pids.push(...target.serverPids());
      return realConnectivity.loadFixtures(source, target, mapping);
    },
  };
  const r = await executeBench({ ...parsed, opWarmupMs: 50, quiet: true }, watch);
  return { r, out, pids };
}

describe('bench --protocol 2026-07-28 (reference server, tiny sizes)', () => {
  it('runs approaches, wake-up, operations, scale and the H-EXT-15 soak, every result correct, and writes the era section', async () => {
    const { r, out, pids } = await bench([
      '--protocol',
      '2026-07-28',
      '--rounds',
      '1',
      '--durations',
      '0.05,0.01',
      '--max-tasks',
      '2',
      '--scale-seconds',
      '0.01',
      '--op-time',
      '40',
      '--only',
      'approaches,operations,scale',
      '--soak',
      '1s',
      '--rate',
      '40',
    ]);
    expect(r.message).toBeUndefined();
    expect(r.report!.runProblems).toBeUndefined();
    expect(r.exitCode).toBe(0);
    const b = r.report!.bench!;
    // No 2025-11-25 figures: the era was not asked for.
    expect(b.eras).toEqual(['2026-07-28']);
    expect(b.targets).toEqual([]);
    expect(b.approaches).toEqual([]);
    const m = b.modern!;
    expect(m.targets).toHaveLength(1);
    expect(m.targetInfo[0]!.pollIntervalMs).not.toBeNull();

    expect(m.approaches.map((a) => a.name)).toEqual([...MODERN_APPROACHES]);
    for (const a of m.approaches) expect(a.correct, `${a.name}: ${a.error}`).toBe(true);

    // Wake-up: 2 gated tasks per way (2 × rounds), polling at the server's interval, listen without one.
    expect(m.wakeup.map((w) => w.mode)).toEqual(['poll', 'listen']);
    for (const w of m.wakeup) {
      expect(w.correct, `${w.mode}: ${w.error}`).toBe(true);
      expect(w.samplesMs).toHaveLength(2);
      expect(w.fromSentSamplesMs).toHaveLength(2);
      expect(w.p50Ms).not.toBeNull();
    }
    expect(m.wakeup[0]!.pollIntervalMs).toBeGreaterThan(0);
    expect(m.wakeup[1]!.pollIntervalMs).toBeNull();

    expect(m.operationsBaseline).toBe('server/discover');
    expect(m.operations.map((o) => o.name)).toEqual([...MODERN_OPERATION_NAMES]);
    for (const o of m.operations) {
      expect(o.error, o.name).toBeUndefined();
      expect(o.samples).toBeGreaterThan(0);
      expect(o.ratioToPing).not.toBeNull();
    }

    expect(m.scale.map((s) => [s.tasks, s.mode])).toEqual([
      [1, 'poll'],
      [1, 'listen'],
      [2, 'poll'],
      [2, 'listen'],
    ]);
    for (const s of m.scale) {
      expect(s.correct, `${s.tasks} ${s.mode}: ${s.error}`).toBe(true);
      expect(s.messages).toBeGreaterThan(0);
    }

    const soak = m.soak![0]!;
    expect(soak.id).toBe('H-EXT-15');
    expect(soak.error).toBeUndefined();
    expect(soak.operations.map((o) => o.name)).toEqual(['create', 'get', 'update', 'cancel']);
    expect(soak.operations.filter((o) => o.name !== 'update').every((o) => o.requests > 0 && o.errors === 0)).toBe(true);

    const json = Report.parse(JSON.parse(await readFile(join(out, 'report.json'), 'utf8')));
    expect(json.run.protocolVersion).toBe('2026-07-28');
    expect(json.run.targets[0]!.eras).toEqual(['2026-07-28']);
    expect(json.bench?.modern?.wakeup).toHaveLength(2);
    const md = await readFile(join(out, 'report.md'), 'utf8');
    expect(md).toContain('## Benchmarks: 2026-07-28 era');
    expect(md).toContain('### Wake-up after the work ends');
    expect(md).toContain('### Soak (H-EXT-15)');
    expect(md).not.toContain('## Benchmarks: 2025-11-25 era');

    // Every server process seen while fixtures were loaded (the era probe's) is gone.
    expect(pids.length).toBeGreaterThan(0);
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
  });

  it('auto benches both eras of the dual-era reference server, each in its own section', async () => {
    const { r, out } = await bench(['--only', 'approaches', '--rounds', '1', '--durations', '0.01']);
    expect(r.exitCode).toBe(0);
    const b = r.report!.bench!;
    expect(b.eras).toEqual(['2025-11-25', '2026-07-28']);
    expect(b.approaches.map((a) => a.name)).toEqual(['sequential', 'gather', 'tasks-result', 'tasks-poll']);
    expect(b.modern!.approaches.map((a) => a.name)).toEqual([...MODERN_APPROACHES]);
    expect([...b.approaches, ...b.modern!.approaches].every((a) => a.correct)).toBe(true);
    expect(b.eraNotes).toBeUndefined();
    const md = await readFile(join(out, 'report.md'), 'utf8');
    expect(md).toContain('## Benchmarks: 2025-11-25 era');
    expect(md).toContain('## Benchmarks: 2026-07-28 era');
  });

  it('parses --protocol in one place and rejects a bad era with a one-line error', () => {
    const auto = parseBenchArgs([]);
    expect(auto !== 'help' && auto.protocol).toBe('auto');
    const pinned = parseBenchArgs(['--protocol', '2026-07-28']);
    expect(pinned !== 'help' && pinned.protocol).toBe('2026-07-28');
    expect(() => parseBenchArgs(['--protocol', '2024-01-01'])).toThrow(/--protocol must be one of auto, 2025-11-25, 2026-07-28/);
  });
});
