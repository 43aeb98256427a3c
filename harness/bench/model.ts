// Benchmark figures as data (report.json `bench`). Owned by the bench module; the report schema embeds it.
import { z } from 'zod';

export const BenchApproach = z.object({
  name: z.enum(['sequential', 'gather', 'tasks-result', 'tasks-poll']),
  target: z.string(),
  /** Median wall time over the rounds. */
  wallMs: z.number(),
  roundsMs: z.array(z.number()),
  speedupOverSequential: z.number().nullable(),
  /** wallMs / gather wallMs on the same target. */
  ratioToGather: z.number().nullable(),
});

export const BenchOperation = z.object({
  name: z.string(),
  target: z.string(),
  p50Ms: z.number(),
  p95Ms: z.number(),
  p99Ms: z.number(),
  opsPerSec: z.number(),
  samples: z.number().int(),
  ratioToPing: z.number().nullable(),
});

export const BenchScale = z.object({
  target: z.string(),
  tasks: z.number().int(),
  createAllMs: z.number(),
  completeAllMs: z.number(),
  fetchAllMs: z.number(),
  getP50Ms: z.number().nullable(),
  getP95Ms: z.number().nullable(),
  getP99Ms: z.number().nullable(),
  correct: z.boolean(),
  rssBeforeBytes: z.number().nullable(),
  rssAfterBytes: z.number().nullable(),
});

export const BenchReport = z.object({
  durations: z.array(z.number()),
  rounds: z.number().int(),
  targets: z.array(z.string()),
  approaches: z.array(BenchApproach),
  operations: z.array(BenchOperation),
  scale: z.array(BenchScale),
  /** Figures of the first target divided by the same figures of the --compare target. */
  comparison: z.array(z.object({ figure: z.string(), first: z.number(), second: z.number(), ratio: z.number() })).optional(),
  /** Mermaid sources, kept as data so report.md and the README can embed them. */
  charts: z.object({ timeline: z.string().optional(), scale: z.string().optional() }).optional(),
});
export type BenchReport = z.infer<typeof BenchReport>;
