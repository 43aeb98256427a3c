// Benchmark figures as data (report.json `bench`). Part of the report model (zod is the one source of the
// report shape); the bench (harness/bench/) fills it in and renders it.
// Every figure carries the label of the target it was measured on, so one report can hold a
// side-by-side run (`--compare`) and the reporters never need to know how it was run.
import { z } from 'zod';

export const ApproachName = z.enum(['sequential', 'gather', 'tasks-result', 'tasks-poll']);
export type ApproachName = z.infer<typeof ApproachName>;

export const BenchApproach = z.object({
  name: ApproachName,
  target: z.string(),
  /** Median wall time over the rounds. */
  wallMs: z.number(),
  roundsMs: z.array(z.number()),
  speedupOverSequential: z.number().nullable(),
  /** wallMs / gather wallMs on the same target (tasks-result and tasks-poll: the overhead of the task path). */
  ratioToGather: z.number().nullable(),
  /** Every call of every round returned `computed:<its label>`. */
  correct: z.boolean(),
  /** What went wrong when not correct (first problem only). */
  error: z.string().optional(),
});
export type BenchApproach = z.infer<typeof BenchApproach>;

/** One call of the timeline round, as the client saw it (ms from the start of that approach's round). */
export const TimelineSpan = z.object({
  target: z.string(),
  approach: ApproachName,
  label: z.string(),
  startMs: z.number(),
  endMs: z.number(),
});
export type TimelineSpan = z.infer<typeof TimelineSpan>;

export const BenchOperation = z.object({
  name: z.string(),
  target: z.string(),
  p50Ms: z.number(),
  p95Ms: z.number(),
  p99Ms: z.number(),
  opsPerSec: z.number(),
  samples: z.number().int(),
  ratioToPing: z.number().nullable(),
  /** Set when the operation could not be measured (e.g. the server answered an error); figures are then 0. */
  error: z.string().optional(),
});
export type BenchOperation = z.infer<typeof BenchOperation>;

export const BenchScale = z.object({
  target: z.string(),
  tasks: z.number().int(),
  createAllMs: z.number(),
  completeAllMs: z.number(),
  fetchAllMs: z.number(),
  getP50Ms: z.number().nullable(),
  getP95Ms: z.number().nullable(),
  getP99Ms: z.number().nullable(),
  /** Every task was created, reached `completed` and its result was `computed:<its own label>`. */
  correct: z.boolean(),
  rssBeforeBytes: z.number().nullable(),
  rssAfterBytes: z.number().nullable(),
  /** Number of tasks/get requests sent while waiting for every task to end. */
  getRequests: z.number().int().optional(),
  /** How many tasks were wrong and the first problem seen, when not correct. */
  failures: z.number().int().optional(),
  error: z.string().optional(),
});
export type BenchScale = z.infer<typeof BenchScale>;

export const BenchComparison = z.object({ figure: z.string(), first: z.number(), second: z.number(), ratio: z.number() });
export type BenchComparison = z.infer<typeof BenchComparison>;

export const BenchTargetInfo = z.object({
  label: z.string(),
  transport: z.enum(['stdio', 'http']),
  serverName: z.string().optional(),
  serverVersion: z.string().optional(),
  /** The pollInterval the server advertised on the first task it created (ms), if any. */
  pollIntervalMs: z.number().nullable(),
});
export type BenchTargetInfo = z.infer<typeof BenchTargetInfo>;

export const BenchSettings = z.object({
  /** Time budget per operation in the latency benchmark (ms). */
  opTimeMs: z.number(),
  /** Concurrent task counts of the scale benchmark. */
  scaleSizes: z.array(z.number().int()),
  /** Work per task in the scale benchmark (slow_compute seconds). */
  scaleSeconds: z.number(),
  /** Most requests in flight at once in the scale benchmark. */
  scaleConcurrency: z.number().int(),
});
export type BenchSettings = z.infer<typeof BenchSettings>;

export const BenchReport = z.object({
  durations: z.array(z.number()),
  rounds: z.number().int(),
  targets: z.array(z.string()),
  targetInfo: z.array(BenchTargetInfo).optional(),
  settings: BenchSettings.optional(),
  approaches: z.array(BenchApproach),
  timeline: z.array(TimelineSpan).optional(),
  operations: z.array(BenchOperation),
  scale: z.array(BenchScale),
  /** Figures of the first target divided by the same figures of the --compare target. */
  comparison: z.array(BenchComparison).optional(),
  /** Mermaid sources, kept as data so report.md and the README can embed them. */
  charts: z.object({ timeline: z.string().optional(), scale: z.string().optional() }).optional(),
});
export type BenchReport = z.infer<typeof BenchReport>;
