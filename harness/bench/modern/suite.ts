// Runs the 2026-07-28 bench phases on connected ModernClients and assembles the `bench.modern` section:
// approaches with the wake-up latency (polling vs push), operations against server/discover, the scale
// curve, and the H-EXT-15 soak. No processes or files here: the CLI (cli.ts) owns those.
import { MODERN_ERA } from '../../checks.js';
import type { ModernClient } from '../../modern/client.js';
import type { BenchComparison, BenchModern, BenchTargetInfo } from '../../report/bench-model.js';
import type { Fixtures, JsonObject } from '../../scenario.js';
import { compareTargets } from '../compare.js';
import { ratio } from '../stats.js';
import type { Phase } from '../suite.js';
import { BENCH_TTL_MS, type Progress, silent } from '../types.js';
import { runModernApproaches } from './approaches.js';
import { MODERN_BASELINE, runModernOperations } from './operations.js';
import { runModernScale } from './scale.js';
import { runModernSoak } from './soak.js';
import { EXT, modernCreated, toolParams, type ModernBenchTarget } from './target.js';
import { runWakeup } from './wakeup.js';

export interface ModernSuiteOptions {
  durations: number[];
  rounds: number;
  opTimeMs: number;
  opWarmupMs?: number;
  scaleSizes: number[];
  scaleSeconds: number;
  scaleConcurrency: number;
  phases: Phase[];
  soak?: { durationMs: number; rate: number };
  /** Gated tasks per wake-up mode and target. */
  wakeupSamples: number;
  /** How long a released task may take to be seen terminal (ms). */
  wakeupTimeoutMs: number;
  progress?: Progress;
  labelPrefix?: string;
}

/**
 * A bench target of a connected client: whether the task tool takes the fixture control ttlMs (a first
 * instant task, created with it and, when refused, without), and the header line's facts.
 */
export async function modernBenchTarget(
  label: string,
  client: ModernClient,
  fixtures: Fixtures,
  discover: JsonObject,
  pid?: () => number | undefined,
): Promise<{ target: ModernBenchTarget; info: BenchTargetInfo }> {
  const target: ModernBenchTarget = { label, client, fixtures, pid, ttlControl: true };
  const probe = (ttl: boolean) =>
    client.request('tools/call', toolParams({ ...target, ttlControl: ttl }, 'F-ECHO', { seconds: 0, label: 'probe' }, BENCH_TTL_MS), {
      caps: EXT,
    });
  let o = await probe(true);
  if (o.kind === 'error') {
    o = await probe(false);
    target.ttlControl = false;
  }
  let pollIntervalMs: number | null = null;
  try {
    const v = modernCreated(o).pollIntervalMs;
    pollIntervalMs = typeof v === 'number' ? v : null;
  } catch {
    // The phases report a server that does not create tasks, in context.
  }
  const server = ((discover._meta as JsonObject | undefined)?.['io.modelcontextprotocol/serverInfo'] ?? {}) as JsonObject;
  return {
    target,
    info: {
      label,
      transport: client.transport,
      ...(typeof server.name === 'string' ? { serverName: server.name } : {}),
      ...(typeof server.version === 'string' ? { serverVersion: server.version } : {}),
      pollIntervalMs,
    },
  };
}

function compareModern(m: BenchModern, first: string, second: string): BenchComparison[] {
  const out = compareTargets({ approaches: m.approaches, operations: m.operations, scale: [] }, first, second);
  for (const a of m.wakeup.filter((w) => w.target === first && w.correct)) {
    const b = m.wakeup.find((w) => w.target === second && w.mode === a.mode && w.correct);
    const r = ratio(a.p50Ms, b?.p50Ms);
    if (r !== null) out.push({ figure: `wake-up (${a.mode}) p50 ms`, first: a.p50Ms!, second: b!.p50Ms!, ratio: r });
  }
  for (const a of m.scale.filter((s) => s.target === first && s.correct)) {
    const b = m.scale.find((s) => s.target === second && s.tasks === a.tasks && s.mode === a.mode && s.correct);
    const r = ratio(a.lastCreateToAllTerminalMs, b?.lastCreateToAllTerminalMs);
    if (r !== null)
      out.push({
        figure: `scale ${a.tasks} (${a.mode}) last create to all terminal ms`,
        first: a.lastCreateToAllTerminalMs,
        second: b!.lastCreateToAllTerminalMs,
        ratio: r,
      });
  }
  return out;
}

export async function runModernSuite(
  targets: Array<{ target: ModernBenchTarget; info: BenchTargetInfo }>,
  options: ModernSuiteOptions,
): Promise<BenchModern> {
  const progress = options.progress ?? silent;
  const labelPrefix = options.labelPrefix ?? `m${Date.now().toString(36)}`;
  const bench = targets.map((t) => t.target);
  const phases = new Set(options.phases);
  const report: BenchModern = {
    protocolVersion: MODERN_ERA as '2026-07-28',
    targets: bench.map((t) => t.label),
    targetInfo: targets.map((t) => t.info),
    approaches: [],
    timeline: [],
    wakeup: [],
    operationsBaseline: MODERN_BASELINE,
    operations: [],
    scale: [],
  };
  const tag = (m: string) => progress(`${MODERN_ERA} ${m}`);
  if (phases.has('approaches')) {
    const r = await runModernApproaches(bench, { durations: options.durations, rounds: options.rounds, progress: tag, labelPrefix });
    report.approaches = r.approaches;
    report.timeline = r.timeline;
    report.wakeup = await runWakeup(bench, {
      samples: options.wakeupSamples,
      timeoutMs: options.wakeupTimeoutMs,
      progress: tag,
      labelPrefix,
    });
  }
  if (phases.has('operations'))
    report.operations = await runModernOperations(bench, {
      timeMs: options.opTimeMs,
      warmupMs: options.opWarmupMs,
      progress: tag,
      labelPrefix,
    });
  if (phases.has('scale'))
    report.scale = await runModernScale(bench, {
      sizes: options.scaleSizes,
      seconds: options.scaleSeconds,
      concurrency: options.scaleConcurrency,
      progress: tag,
      labelPrefix,
    });
  if (options.soak) {
    report.soak = [];
    for (const t of bench) report.soak.push(await runModernSoak(t, { ...options.soak, progress: tag, labelPrefix }));
  }
  if (bench.length > 1) report.comparison = compareModern(report, bench[0]!.label, bench[1]!.label);
  return report;
}
