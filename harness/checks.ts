// The check model: what a check is (static facts, declared once) and what a run of it yields.
// The zod schemas here are the single source of truth for the report format; reporters read only these.
import { z } from 'zod';

export const CheckStatus = z.enum(['SUCCESS', 'FAILURE', 'WARNING', 'SKIPPED', 'INFO']);
export type CheckStatus = z.infer<typeof CheckStatus>;

export const Level = z.enum(['MUST', 'SHOULD', 'MAY']);
export type Level = z.infer<typeof Level>;

export const TransportName = z.enum(['stdio', 'http']);
export type TransportName = z.infer<typeof TransportName>;

/**
 * The protocol era a check belongs to: 2025-11-25 (tasks in the core, initialize) or 2026-07-28 (the
 * io.modelcontextprotocol/tasks extension on the stateless core, server/discover).
 */
export const Era = z.enum(['2025-11-25', '2026-07-28']);
export type Era = z.infer<typeof Era>;
export const LEGACY_ERA: Era = '2025-11-25';
export const MODERN_ERA: Era = '2026-07-28';

/** Fixture roles of the fixture contract (docs/fixtures.md) plus the server-level fixtures. */
export const FixtureRole = z.enum([
  'F-SYNC',
  'F-ECHO',
  'F-REQ',
  'F-TOOLERR',
  'F-RPCERR',
  'F-ELICIT',
  'F-MULTI',
  'F-GATE',
  'F-GATE-RELEASE',
  'F-GATE-STATE',
  'F-PROGRESS',
  'F-BIG',
  'F-RES',
  'S-AUTH',
  'S-RESTART',
  'S-NOTASK',
]);
export type FixtureRole = z.infer<typeof FixtureRole>;

export const SpecReference = z.object({ id: z.string(), url: z.string().optional() });
export type SpecReference = z.infer<typeof SpecReference>;

/**
 * Why a check did not run. `not-applicable` never makes a run incomplete; the others do for MUST checks.
 * `setup-failed`: what the check needed first (a task, a reachable target) could not be had; the
 * reason names the root cause, which the report lists once among its findings.
 */
export const SkipKind = z.enum(['not-applicable', 'missing-fixture', 'missing-capability', 'aborted', 'not-selected', 'setup-failed']);
export type SkipKind = z.infer<typeof SkipKind>;

/** One recorded wire message, as cited in evidence. */
export const WireEntry = z.object({
  seq: z.number().int(),
  t: z.number(), // ms since the run started
  dir: z.enum(['send', 'recv']),
  transport: TransportName,
  connection: z.string(), // e.g. "stdio#2" or "http#1"
  channel: z.string().optional(), // HTTP: "POST <id>", "GET", "POST (json)"
  eventId: z.string().optional(),
  message: z.unknown(),
  /** For a response received: the request it answers (method and params), so it can be validated and read. */
  answers: z.object({ method: z.string(), params: z.unknown().optional() }).optional(),
  /** HTTP: status and content type of the response that carried the message. */
  http: z.object({ status: z.number(), contentType: z.string().nullable() }).optional(),
  note: z.string().optional(),
});
export type WireEntry = z.infer<typeof WireEntry>;

/** The promises of the lifecycle profile (harness/profile.ts), one observed by each lifecycle check. */
export const ProfileProperty = z.enum([
  'survivesDisconnect',
  'crossSession',
  'repeatableResult',
  'multiClient',
  'survivesClientCrash',
  'survivesRestart',
  'cancelStopsWork',
  'ttlHonoured',
  'crossInstance',
  'survivesInstanceLoss',
]);
export type ProfileProperty = z.infer<typeof ProfileProperty>;

/** A lifecycle check's answer: the promise holds (true), does not (false), or not applicable / could not tell (null). */
export const ProfileObservation = z.object({ property: ProfileProperty, value: z.boolean().nullable() });
export type ProfileObservation = z.infer<typeof ProfileObservation>;

export const CheckResult = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  status: CheckStatus,
  level: Level,
  specReferences: z.array(SpecReference),
  scenario: z.string(),
  /** The protocol era the check belongs to (the suite it ran in). */
  era: Era,
  transport: TransportName.nullable(),
  durationMs: z.number(),
  errorMessage: z.string().optional(),
  skip: z.object({ kind: SkipKind, reason: z.string(), enabledBy: z.array(z.string()).optional() }).optional(),
  details: z.record(z.string(), z.unknown()).optional(),
  profile: ProfileObservation.optional(),
});
export type CheckResult = z.infer<typeof CheckResult>;

/** Static facts of a check, declared once in its scenario module. */
export interface CheckSpec {
  id: string;
  name: string;
  description: string;
  level: Level;
  /** Section references, e.g. "tasks §Task Cancellation r1"; converted to SpecReference with a URL. */
  specRefs: string[];
  /** Fixture roles the check needs; missing ones make it SKIPPED (missing-fixture). */
  fixtures: FixtureRole[];
  /** Transports where the check applies; default both. */
  transports?: TransportName[];
  /** A check of a deployment (scenarios/cluster.ts): not applicable on a target with fewer endpoints (Target.endpoints). */
  minEndpoints?: number;
  /** The era of the suite it belongs to; default 2025-11-25 (defineScenario stamps its scenario's era). */
  era?: Era;
  /**
   * 2026-07-28: the check also runs on a server that does not offer the tasks extension (it decides that,
   * or judges the core only); the others are SKIPPED there, citing that one finding (runner.ts).
   */
  withoutTasksExtension?: boolean;
}

/** The verdict a check block computes. Everything static comes from the CheckSpec. */
export interface Verdict {
  status: CheckStatus;
  message?: string;
  details?: Record<string, unknown>;
  skip?: { kind: SkipKind; reason: string; enabledBy?: string[] };
  /** Lifecycle checks: what the check found about its profile property (copied to CheckResult.profile). */
  profile?: ProfileObservation;
}

export const pass = (message?: string, details?: Record<string, unknown>): Verdict => ({ status: 'SUCCESS', message, details });
export const fail = (message: string, details?: Record<string, unknown>): Verdict => ({ status: 'FAILURE', message, details });
export const warn = (message: string, details?: Record<string, unknown>): Verdict => ({ status: 'WARNING', message, details });
export const info = (message: string, details?: Record<string, unknown>): Verdict => ({ status: 'INFO', message, details });
export const skip = (kind: SkipKind, reason: string, enabledBy?: string[]): Verdict => ({
  status: 'SKIPPED',
  message: reason,
  skip: { kind, reason, enabledBy },
});

/** Combines verdicts of sub-assertions: the worst status wins (FAILURE > WARNING > SUCCESS > INFO). */
export function worst(verdicts: Verdict[]): Verdict {
  const rank: Record<CheckStatus, number> = { FAILURE: 4, WARNING: 3, SUCCESS: 2, INFO: 1, SKIPPED: 0 };
  const sorted = [...verdicts].sort((a, b) => rank[b.status] - rank[a.status]);
  const top = sorted[0];
  if (!top) return pass();
  const messages = verdicts.filter((v) => v.status === top.status && v.message).map((v) => v.message);
  return { ...top, message: messages.join('; ') || top.message };
}

const SPEC_BASE = 'https://modelcontextprotocol.io/specification/2025-11-25';
const MODERN_BASE = 'https://modelcontextprotocol.io/specification/2026-07-28';
const PAGE_URLS: Record<string, string> = {
  tasks: `${SPEC_BASE}/basic/utilities/tasks`,
  progress: `${SPEC_BASE}/basic/utilities/progress`,
  transports: `${SPEC_BASE}/basic/transports`,
  lifecycle: `${SPEC_BASE}/basic/lifecycle`,
  schema: `${SPEC_BASE}/schema`,
  tools: `${SPEC_BASE}/server/tools`,
  // 2026-07-28 and the io.modelcontextprotocol/tasks extension (docs/requirements-ext-tasks.md §0).
  ext: 'https://github.com/modelcontextprotocol/ext-tasks/blob/main/specification/draft/tasks.md',
  SEP: 'https://github.com/modelcontextprotocol/ext-tasks/blob/main/seps/2663-tasks-extension.md',
  core: `${MODERN_BASE}/basic`,
  discover: `${MODERN_BASE}/server/discover`,
  versioning: `${MODERN_BASE}/basic/versioning`,
  mrtr: `${MODERN_BASE}/basic/patterns/mrtr`,
  subscriptions: `${MODERN_BASE}/basic/patterns/subscriptions`,
  streamable: `${MODERN_BASE}/basic/transports/streamable-http`,
};

function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .trim()
    .replace(/\s+/g, '-');
}

/** "tasks §Task Cancellation r1" -> {id, url: .../tasks#task-cancellation} */
export function specReference(ref: string): SpecReference {
  const m = /^(\w+)\s*(?:§([^;]+?))?(?:\s+r\d+(?:\.\d+)*)?$/.exec(ref.trim());
  const page = m?.[1];
  const base = page ? PAGE_URLS[page] : undefined;
  if (!base) return { id: ref };
  const heading = m?.[2]?.trim();
  return { id: ref, url: heading ? `${base}#${anchor(heading)}` : base };
}
