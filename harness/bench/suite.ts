// Runs the bench phases on already connected targets and assembles the `bench` section of the report.
// No processes, files or terminal here: the CLI (cli.ts) owns those, tests call this directly.
import { DEFAULT_DURATIONS, runApproaches } from './approaches.js';
import { scaleChart, timelineChart } from './charts.js';
import { compareTargets } from './compare.js';
import type { BenchReport, BenchTargetInfo } from '../report/bench-model.js';
import { runOperations } from './operations.js';
import { DEFAULT_SCALE_CONCURRENCY, DEFAULT_SCALE_ROUNDS, DEFAULT_SCALE_SECONDS, DEFAULT_SCALE_SIZES, runScale } from './scale.js';
import { runSoak } from './soak.js';
import { loadavg } from 'node:os';
import { type BenchTarget, createdTask, type Progress, silent, slowComputeParams } from './types.js';

export const PHASES = ['approaches', 'operations', 'scale'] as const;
export type Phase = (typeof PHASES)[number];

export interface SuiteOptions {
  durations?: number[];
  rounds?: number;
  opTimeMs?: number;
  /** Warm-up before the operations benchmark, per target (ms). */
  opWarmupMs?: number;
  scaleSizes?: number[];
  scaleSeconds?: number;
  scaleConcurrency?: number;
  /** Rounds per N and target in the scale phase (default DEFAULT_SCALE_ROUNDS). */
  scaleRounds?: number;
  phases?: Phase[];
  /** Mixed traffic for durationMs at rate requests/s on every target, after the phases. */
  soak?: { durationMs: number; rate: number };
  progress?: Progress;
  /** Makes call labels unique to this run. */
  labelPrefix?: string;
}

export const DEFAULT_ROUNDS = 5;
export const DEFAULT_OP_TIME_MS = 1000;

/** Server name, version and the pollInterval it advertises on a first (instant) task. */
async function describeTarget(target: BenchTarget, prefix: string): Promise<BenchTargetInfo> {
  const info = target.session.initializeResult.serverInfo as { name?: unknown; version?: unknown } | undefined;
  let pollIntervalMs: number | null = null;
  try {
    const created = createdTask(
      await target.session.request('tools/call', slowComputeParams(target, 0, `${prefix}-probe`, { ttl: 60_000 })),
    );
    pollIntervalMs = created.pollInterval ?? null;
    await target.session.request('tasks/result', { taskId: created.taskId });
  } catch {
    // The phases report the problem in context; the probe only fills in the header.
  }
  return {
    label: target.label,
    transport: target.session.transport,
    ...(typeof info?.name === 'string' ? { serverName: info.name } : {}),
    ...(typeof info?.version === 'string' ? { serverVersion: info.version } : {}),
    pollIntervalMs,
  };
}

export async function runBenchSuite(targets: BenchTarget[], options: SuiteOptions = {}): Promise<BenchReport> {
  if (targets.length === 0) throw new Error('runBenchSuite needs at least one target');
  const progress = options.progress ?? silent;
  const durations = options.durations ?? DEFAULT_DURATIONS;
  const rounds = options.rounds ?? DEFAULT_ROUNDS;
  const phases = new Set(options.phases ?? PHASES);
  const labelPrefix = options.labelPrefix ?? `b${Date.now().toString(36)}`;
  const settings = {
    opTimeMs: options.opTimeMs ?? DEFAULT_OP_TIME_MS,
    scaleSizes: options.scaleSizes ?? DEFAULT_SCALE_SIZES,
    scaleSeconds: options.scaleSeconds ?? DEFAULT_SCALE_SECONDS,
    scaleConcurrency: options.scaleConcurrency ?? DEFAULT_SCALE_CONCURRENCY,
    scaleRounds: options.scaleRounds ?? DEFAULT_SCALE_ROUNDS,
  };
  const labels = targets.map((t) => t.label);

  const loadAtStart = loadavg();
  const targetInfo: BenchTargetInfo[] = [];
  for (const t of targets) targetInfo.push(await describeTarget(t, labelPrefix));

  const report: BenchReport = {
    durations,
    rounds,
    targets: labels,
    targetInfo,
    settings,
    approaches: [],
    timeline: [],
    operations: [],
    scale: [],
  };
  if (phases.has('approaches')) {
    const r = await runApproaches(targets, { durations, rounds, progress, labelPrefix });
    report.approaches = r.approaches;
    report.timeline = r.timeline;
  }
  if (phases.has('operations')) {
    report.operations = await runOperations(targets, { timeMs: settings.opTimeMs, warmupMs: options.opWarmupMs, progress, labelPrefix });
  }
  if (phases.has('scale')) {
    report.scale = await runScale(targets, {
      sizes: settings.scaleSizes,
      seconds: settings.scaleSeconds,
      concurrency: settings.scaleConcurrency,
      rounds: settings.scaleRounds,
      progress,
      labelPrefix,
    });
  }
  if (options.soak) {
    report.soak = [];
    for (const target of targets) report.soak.push(await runSoak(target, { ...options.soak, progress, labelPrefix }));
  }
  report.loadAverage = { start: loadAtStart, end: loadavg() };
  if (targets.length > 1) report.comparison = compareTargets(report, labels[0]!, labels[1]!);
  report.charts = {
    ...(report.timeline?.length ? { timeline: timelineChart(report.timeline, { targets: labels, durations }) } : {}),
    ...(report.scale.length ? { scale: scaleChart(report.scale, labels) } : {}),
  };
  return report;
}
