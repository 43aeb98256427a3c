// Benchmark figures as data (report.json `bench`). Part of the report model (zod is the one source of the
// report shape); the bench (harness/bench/) fills it in and renders it.
// Every figure carries the label of the target it was measured on, so one report can hold a
// side-by-side run (`--compare`) and the reporters never need to know how it was run.
import { z } from 'zod';
import { Era } from '../checks.js';

/** tasks-result is the 2025-11-25 era's only, tasks-listen (subscriptions/listen) the 2026-07-28 era's only. */
export const ApproachName = z.enum(['sequential', 'gather', 'tasks-result', 'tasks-poll', 'tasks-listen']);
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

/** The second figure of a scale step: N fresh tasks polled with tasks/get until terminal, then fetched. */
export const BenchScalePoll = z.object({
  createAllMs: z.number(),
  /** First create sent to the last task seen terminal by polling (at the server's pollInterval). */
  completeAllMs: z.number(),
  fetchAllMs: z.number(),
  getP50Ms: z.number().nullable(),
  getP95Ms: z.number().nullable(),
  getP99Ms: z.number().nullable(),
  /** Number of tasks/get requests sent while waiting for every task to end. */
  getRequests: z.number().int(),
});
export type BenchScalePoll = z.infer<typeof BenchScalePoll>;

/** Memory the server holds per retained (completed, result fetched, TTL not yet over) task, after a full GC. */
export const BenchScaleMemory = z.object({
  retainedTasks: z.number().int(),
  heapUsedBeforeBytes: z.number(),
  heapUsedAfterBytes: z.number(),
  rssBeforeBytes: z.number(),
  rssAfterBytes: z.number(),
  heapUsedPerTaskBytes: z.number(),
  rssPerTaskBytes: z.number(),
});
export type BenchScaleMemory = z.infer<typeof BenchScaleMemory>;

/** One of the rounds a scale step's medians were taken from (runScale). */
export const BenchScaleRound = z.object({
  createAllMs: z.number(),
  lastCreateToAllResultsMs: z.number(),
  pollCompleteAllMs: z.number().nullable(),
});
export type BenchScaleRound = z.infer<typeof BenchScaleRound>;

export const BenchScale = z.object({
  target: z.string(),
  tasks: z.number().int(),
  /** The work of one task (slow_compute seconds, in ms): no client can see every result sooner after the last create. */
  floorMs: z.number(),
  /** First create sent to the last CreateTaskResult received (each task's blocking tasks/result sent as its create is answered). */
  createAllMs: z.number(),
  /** Last CreateTaskResult received to the last tasks/result answered: the figure set against the floor. */
  lastCreateToAllResultsMs: z.number(),
  /** First create sent to the last result received. */
  allResultsMs: z.number(),
  /** lastCreateToAllResultsMs / floorMs (1 = every result the moment its work ended). */
  floorRatio: z.number().nullable(),
  poll: BenchScalePoll.optional(),
  /** Every task was created, reached `completed` and its result was `computed:<its own label>`. */
  correct: z.boolean(),
  /** VmRSS around the step (no GC), when the harness owns the process. */
  rssBeforeBytes: z.number().nullable(),
  rssAfterBytes: z.number().nullable(),
  /** After a full GC, from the heap probe the bench preloads into servers it spawns with this node binary. */
  memory: BenchScaleMemory.optional(),
  /** How many tasks were wrong and the first problem seen, when not correct. */
  failures: z.number().int().optional(),
  error: z.string().optional(),
  /** Each round's figures when the step ran more than once; the figures above are their medians. */
  rounds: z.array(BenchScaleRound).optional(),
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
  /** Most creates (and polls) in flight at once in the scale benchmark; blocking tasks/result requests are not capped. */
  scaleConcurrency: z.number().int(),
  /** Rounds per N and target in the scale benchmark, targets alternating; its figures are the medians. */
  scaleRounds: z.number().int().optional(),
});
export type BenchSettings = z.infer<typeof BenchSettings>;

/** result: tasks/result (2025-11-25); update: tasks/update (2026-07-28). */
export const SoakOperation = z.enum(['create', 'get', 'result', 'update', 'cancel']);
export type SoakOperation = z.infer<typeof SoakOperation>;

export const SoakLatency = z.object({
  requests: z.number().int(),
  errors: z.number().int(),
  p50Ms: z.number().nullable(),
  p95Ms: z.number().nullable(),
  p99Ms: z.number().nullable(),
});
export type SoakLatency = z.infer<typeof SoakLatency>;

/** One window of a soak: every request that ended in it (all operations together) and the RSS at its end. */
export const SoakWindow = SoakLatency.extend({
  /** Seconds from the soak's start to the window's end. */
  endS: z.number(),
  rssBytes: z.number().nullable(),
});
export type SoakWindow = z.infer<typeof SoakWindow>;

/** `bench --soak`: mixed traffic at a fixed rate on one target, so a leak or a drift shows as a slope. */
export const BenchSoak = z.object({
  /** The harness-level check the soak answers, when it has one (H-EXT-15 for the 2026-07-28 era). */
  id: z.string().optional(),
  target: z.string(),
  durationS: z.number(),
  /** Requests started per second (open loop: the schedule does not wait for answers). */
  rate: z.number(),
  windowS: z.number(),
  /** Requests the schedule could not start on time because the client fell behind by more than a second. */
  lagged: z.number().int(),
  operations: z.array(SoakLatency.extend({ name: SoakOperation })),
  windows: z.array(SoakWindow),
  /** Least-squares slopes over the windows after the first (warm-up: the store fills until the first TTL passes); null below two windows. */
  rssSlopeBytesPerMin: z.number().nullable(),
  p50SlopeMsPerMin: z.number().nullable(),
  /** Task TTL the soak asks for; tasks expire during the soak, so the store reaches a steady size. */
  ttlMs: z.number(),
  loadAverage: z.array(z.number()).optional(),
  error: z.string().optional(),
});
export type BenchSoak = z.infer<typeof BenchSoak>;

/** `bench --instances 1,2,4`, one row per task store and instance count (harness/bench/instances.ts). */
export const BenchInstancesRow = z.object({
  store: z.enum(['memory', 'sqlite', 'redis']),
  instances: z.number().int(),
  createdPerSecond: z.number(),
  completedPerSecond: z.number(),
  /** completedPerSecond over the same store's at one instance. */
  scale: z.number().nullable(),
  wakeMs: z.number(),
  /** wakeMs over the memory store's at one instance. */
  wakeRatio: z.number().nullable(),
  /** Where tasks/result waited: another endpoint, or A (memory: nothing is shared). */
  wakeOn: z.enum(['another endpoint', 'the same endpoint']),
});
export type BenchInstancesRow = z.infer<typeof BenchInstancesRow>;

export const BenchStoreMemory = z.object({
  store: BenchInstancesRow.shape.store,
  /** Server RSS growth per 10 000 retained tasks, bytes (null: not readable). */
  serverBytes: z.number().nullable(),
  /** Redis used_memory growth per 10 000 tasks, bytes (redis only). */
  redisBytes: z.number().nullable().optional(),
});
export type BenchStoreMemory = z.infer<typeof BenchStoreMemory>;

export const BenchInstances = z.object({
  counts: z.array(z.number().int()),
  /** Tasks per throughput measurement. */
  tasks: z.number().int(),
  rows: z.array(BenchInstancesRow),
  memory: z.array(BenchStoreMemory),
  /** Stores skipped or measurements that failed, one line each. */
  notes: z.array(z.string()),
});
export type BenchInstances = z.infer<typeof BenchInstances>;

/** Wake-up latency: release_gate answered to the client seeing the gated task terminal, by polling or by a push. */
export const BenchWakeup = z.object({
  target: z.string(),
  /** poll: tasks/get at the server's pollIntervalMs (clamped 50..1000 ms as the harness client does); listen: notifications/tasks on subscriptions/listen. */
  mode: z.enum(['poll', 'listen']),
  /** The interval polled at (poll) or null (listen). */
  pollIntervalMs: z.number().nullable(),
  /** One figure per gated task, ms; 0 when the terminal status came before release_gate's own answer. */
  samplesMs: z.array(z.number()),
  p50Ms: z.number().nullable(),
  p95Ms: z.number().nullable(),
  maxMs: z.number().nullable(),
  /** From release_gate sent instead (its round trip included; never 0): a push can beat the release's own answer. */
  fromSentSamplesMs: z.array(z.number()),
  fromSentP50Ms: z.number().nullable(),
  fromSentP95Ms: z.number().nullable(),
  /** Requests sent per task after its creation until it was seen terminal (tasks/get reads, or listen plus any tasks/get). */
  requestsPerTask: z.number().nullable(),
  /** Every gated task ended completed with released:<its gate>. */
  correct: z.boolean(),
  error: z.string().optional(),
});
export type BenchWakeup = z.infer<typeof BenchWakeup>;

/** N tasks of the 2026-07-28 era alive at once: created, then seen terminal by polling or by one subscription. */
export const BenchModernScale = z.object({
  target: z.string(),
  tasks: z.number().int(),
  mode: z.enum(['poll', 'listen']),
  floorMs: z.number(),
  createAllMs: z.number(),
  /** Last CreateTaskResult received to the last task seen terminal (with its result). */
  lastCreateToAllTerminalMs: z.number(),
  floorRatio: z.number().nullable(),
  /** tasks/get requests sent (poll) or notifications/tasks received (listen) until every task was terminal. */
  messages: z.number().int(),
  correct: z.boolean(),
  failures: z.number().int().optional(),
  error: z.string().optional(),
});
export type BenchModernScale = z.infer<typeof BenchModernScale>;

/** The 2026-07-28 era (io.modelcontextprotocol/tasks): the same questions asked through the extension's surface. */
export const BenchModern = z.object({
  protocolVersion: z.literal('2026-07-28'),
  targets: z.array(z.string()),
  targetInfo: z.array(BenchTargetInfo),
  /** sequential and gather: tools/call without the extension (answered synchronously); tasks-poll; tasks-listen. */
  approaches: z.array(BenchApproach),
  timeline: z.array(TimelineSpan).optional(),
  wakeup: z.array(BenchWakeup),
  /** `ping` is gone in 2026-07-28: ratioToPing holds each p50 over the baseline's (operationsBaseline). */
  operationsBaseline: z.string(),
  operations: z.array(BenchOperation),
  scale: z.array(BenchModernScale),
  soak: z.array(BenchSoak).optional(),
  /** Figures of the first target over the --compare target's, when both speak the era. */
  comparison: z.array(BenchComparison).optional(),
});
export type BenchModern = z.infer<typeof BenchModern>;

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
  soak: z.array(BenchSoak).optional(),
  /** os.loadavg() when the bench started and ended: the machine's load from elsewhere. */
  loadAverage: z.object({ start: z.array(z.number()), end: z.array(z.number()) }).optional(),
  /** Figures of the first target divided by the same figures of the --compare target. */
  comparison: z.array(BenchComparison).optional(),
  /** `bench --instances`: the embedded reference server scaled out, per task store and instance count. */
  instances: BenchInstances.optional(),
  /** Mermaid sources, kept as data so report.md and the README can embed them. */
  charts: z.object({ timeline: z.string().optional(), scale: z.string().optional() }).optional(),
  /** The eras benched (--protocol); absent in reports written before the 2026-07-28 era was benched (2025-11-25 only). */
  eras: z.array(Era).optional(),
  /** Why an era `--protocol auto` allows was not benched on a target (one line each). */
  eraNotes: z.array(z.string()).optional(),
  /** The 2026-07-28 era's figures, when it was benched; the fields above are the 2025-11-25 era's. */
  modern: BenchModern.optional(),
});
export type BenchReport = z.infer<typeof BenchReport>;
