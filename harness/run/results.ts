// From verdicts to CheckResults: the static facts of a check plus its verdict, several attempts of one id
// merged, results of checks that never ran, and the evidence caps that keep report.json readable.
import {
  LEGACY_ERA,
  specReference,
  worst,
  type CheckResult,
  type CheckSpec,
  type TransportName,
  type Verdict,
  type WireEntry,
} from '../checks.js';
import { FIXTURE_HINTS } from '../fixtures.js';
import type { Scenario } from '../scenario.js';
import type { Target } from '../transport/target.js';

export interface Attempt {
  verdict: Verdict;
  errorMessage?: string;
  details: Record<string, unknown>;
  durationMs: number;
}

/** Results for a scenario that never started: every declared check SKIPPED(aborted). */
export function unrun(scenario: Scenario, target: Target, reason: string): CheckResult[] {
  return scenario.checks.map((spec) =>
    baseResult(spec, scenario.name, target.transport, { status: 'SKIPPED', skip: { kind: 'aborted', reason } }, 0),
  );
}

export function normalizeVerdict(v: unknown): Verdict {
  const candidate = v as Verdict | undefined;
  if (!candidate || typeof candidate !== 'object' || !['SUCCESS', 'FAILURE', 'WARNING', 'SKIPPED', 'INFO'].includes(candidate.status)) {
    return { status: 'FAILURE', message: `harness bug: the check block returned ${JSON.stringify(v)} instead of a verdict` };
  }
  if (candidate.status === 'SKIPPED' && !candidate.skip)
    return { ...candidate, skip: { kind: 'not-applicable', reason: candidate.message ?? 'skipped' } };
  return candidate;
}

export function notApplicableReason(spec: CheckSpec): string {
  return `applies to ${(spec.transports ?? []).join(', ') || 'no'} transport only`;
}

/** Static facts of the spec plus a verdict. */
export function baseResult(
  spec: CheckSpec,
  scenario: string,
  transport: TransportName,
  verdict: Verdict,
  durationMs: number,
  errorMessage?: string,
  details?: Record<string, unknown>,
): CheckResult {
  const r: CheckResult = {
    id: spec.id,
    name: spec.name,
    description: spec.description,
    status: verdict.status,
    level: spec.level,
    specReferences: spec.specRefs.map(specReference),
    scenario,
    era: spec.era ?? LEGACY_ERA,
    transport,
    durationMs,
  };
  const problem = verdict.status === 'FAILURE' || verdict.status === 'WARNING';
  const message = errorMessage ?? (problem ? verdict.message : undefined);
  if (message) r.errorMessage = message;
  if (verdict.skip) {
    const { kind, reason, enabledBy } = verdict.skip;
    // Scenario skips may name bare roles ("F-GATE"); spell them like spec-level skips so coverage lists each fixture once.
    const hinted = enabledBy?.map((e) => (FIXTURE_HINTS as Record<string, string | undefined>)[e] ?? e);
    r.skip = hinted?.length ? { kind, reason, enabledBy: [...new Set(hinted)] } : { kind, reason };
  }
  if (verdict.profile) r.profile = verdict.profile;
  const d: Record<string, unknown> = { ...(details ?? {}) };
  // Passing and informational verdicts keep their message as evidence (errorMessage is for problems).
  if (!problem && verdict.message && verdict.status !== 'SKIPPED') d.message = verdict.message;
  if (Object.keys(d).length) r.details = d;
  return r;
}

/** One id run more than once in a scenario: the worst verdict wins and every attempt's evidence is kept. */
export function mergeAttempts(spec: CheckSpec, scenario: string, transport: TransportName, list: Attempt[]): CheckResult {
  const durationMs = list.reduce((sum, a) => sum + a.durationMs, 0);
  if (list.length === 1) {
    const a = list[0]!;
    return baseResult(spec, scenario, transport, a.verdict, durationMs, a.errorMessage, a.details);
  }
  const ran = list.filter((a) => a.verdict.status !== 'SKIPPED');
  const pool = ran.length ? ran : list;
  const top = worst(pool.map((a) => a.verdict));
  const errors = pool.filter((a) => a.verdict.status === top.status && a.errorMessage).map((a) => a.errorMessage);
  const errorMessage = errors.length ? errors.join('; ') : undefined;
  const attempts = list.map((a) => ({ status: a.verdict.status, message: a.errorMessage ?? a.verdict.message, ...a.details }));
  return baseResult(spec, scenario, transport, { ...top, details: undefined }, durationMs, errorMessage, { attempts });
}

const MAX_DETAIL_CHARS = 20_000;

/** Evidence a check attached itself (notes, verdict details) is kept, but no single value may bloat the report. */
export function capDetails(details: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(details)) {
    if (key === 'exchange') {
      out[key] = value;
      continue;
    }
    const text = JSON.stringify(value);
    out[key] =
      text !== undefined && text.length > MAX_DETAIL_CHARS
        ? { truncated: `${text.slice(0, MAX_DETAIL_CHARS / 2)}…`, chars: text.length }
        : value;
  }
  return out;
}

const MAX_ENTRIES = 40;
const MAX_MESSAGE_CHARS = 2000;

/** The block's wire exchange, capped: first and last entries kept, big payloads shortened. */
export function evidence(entries: WireEntry[]): unknown[] {
  const cut = (value: unknown): unknown => {
    const text = JSON.stringify(value) ?? 'undefined';
    return text.length <= MAX_MESSAGE_CHARS ? value : { truncated: `${text.slice(0, MAX_MESSAGE_CHARS / 2)}…`, chars: text.length };
  };
  // Both the message and the request a response answers (`answers`) can carry a huge payload.
  const shorten = (e: WireEntry): Record<string, unknown> => {
    const out: Record<string, unknown> = { ...e, message: cut(e.message) };
    if (e.answers) out.answers = { method: e.answers.method, ...(e.answers.params === undefined ? {} : { params: cut(e.answers.params) }) };
    return out;
  };
  if (entries.length <= MAX_ENTRIES) return entries.map(shorten);
  const half = MAX_ENTRIES / 2;
  return [...entries.slice(0, half).map(shorten), { omitted: entries.length - MAX_ENTRIES }, ...entries.slice(-half).map(shorten)];
}
