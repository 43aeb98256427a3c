// From check results to an exit code: expected-failure baseline, stale entries, the incomplete policy.
//
// Baseline file (--expected-failures), YAML, same idea as the official conformance suite's
// expected-failures.yml. Either a top-level `server:` list or a plain list of check ids; an id may be
// limited to one transport with `@stdio` / `@http`, and to one era with `@2025-11-25` / `@2026-07-28`:
//
//   server:
//     - T25-CAN-04          # expected to fail on every transport
//     - T25-HTTP-02@http   # expected to fail on HTTP only
//     - EXT-NEG-02@2026-07-28@stdio
//
// A `client:` list (official suite format) is accepted and ignored.
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { Era, TransportName, type CheckResult } from '../checks.js';
import { deriveProfile, unmetRequirements } from '../profile.js';
import { errorText, oneLine, UsageError } from '../util/errors.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, incomplete: 3, sigint: 130, sigterm: 143 } as const;

export interface BaselineEntry {
  id: string;
  transport?: TransportName;
  era?: Era;
  /** As written in the file. */
  raw: string;
}

export function parseBaseline(text: string, source = 'baseline'): BaselineEntry[] {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new UsageError(`${source}: not valid YAML (${oneLine(errorText(err))})`);
  }
  if (doc === null || doc === undefined) return [];
  let list: unknown;
  if (Array.isArray(doc)) list = doc;
  else if (typeof doc === 'object') {
    const o = doc as Record<string, unknown>;
    const extra = Object.keys(o).filter((k) => k !== 'server' && k !== 'client');
    if (extra.length) throw new UsageError(`${source}: unknown key '${extra[0]}' (expected a 'server:' list of check ids)`);
    list = o.server ?? [];
  } else throw new UsageError(`${source}: expected a list of check ids or a 'server:' list`);
  if (!Array.isArray(list)) throw new UsageError(`${source}: 'server' must be a list of check ids`);
  return list.map((item, i) => {
    if (typeof item !== 'string' || !item.trim())
      throw new UsageError(`${source}: entry ${i + 1} must be a check id like T25-CAN-04 or T25-CAN-04@http`);
    const raw = item.trim();
    const [id, ...qualifiers] = raw.split('@');
    const entry: BaselineEntry = { id: id!, raw };
    for (const q of qualifiers) {
      const transport = TransportName.safeParse(q);
      const era = Era.safeParse(q);
      if (transport.success && !entry.transport) entry.transport = transport.data;
      else if (era.success && !entry.era) entry.era = era.data;
      else
        throw new UsageError(
          `${source}: '${raw}' has an unknown qualifier '${q}' (use <id>@stdio, <id>@http, <id>@2025-11-25 or <id>@2026-07-28)`,
        );
    }
    return entry;
  });
}

export async function loadBaseline(file: string, knownIds: Iterable<string>): Promise<BaselineEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read --expected-failures ${file} (${(err as NodeJS.ErrnoException).code ?? oneLine(errorText(err))})`);
  }
  const entries = parseBaseline(text, file);
  const known = new Set(knownIds);
  const unknown = entries.find((e) => !known.has(e.id));
  if (unknown) throw new UsageError(`${file}: '${unknown.id}' is not a known check id (see sep1686-check --list)`);
  return entries;
}

export interface VerdictInput {
  results: CheckResult[];
  baseline?: BaselineEntry[];
  allowIncomplete?: boolean;
  /** The target could not be started or initialized. */
  fatal?: string;
  /** Root causes of the run (runner findings): a target that exited during checks never leaves the run green (C3). */
  findings?: ReadonlyArray<{ kind: string; message: string }>;
  /** --require: lifecycle properties (harness/profile.ts) that must hold; one that is false or null fails the run. */
  require?: string[];
}

export interface RunVerdict {
  exitCode: 0 | 1 | 2 | 3;
  /** FAILURE results not covered by the baseline. */
  failures: CheckResult[];
  /** FAILURE results the baseline expects. */
  expectedFailures: CheckResult[];
  /** Baseline entries whose checks ran and did not fail: remove them. */
  stale: BaselineEntry[];
  /** MUST checks that did not run for a reason other than not-applicable. */
  incomplete: CheckResult[];
  warnings: CheckResult[];
  /** --require properties that do not hold, one line each. */
  unmet: string[];
  /** One line for terminals and report headers. */
  line: string;
}

const matches = (e: BaselineEntry, r: CheckResult) =>
  e.id === r.id && (!e.transport || e.transport === r.transport) && (!e.era || e.era === r.era);

/** Whether a result is a failure the baseline expects. */
export function isExpectedFailure(r: CheckResult, baseline: BaselineEntry[] = []): boolean {
  return r.status === 'FAILURE' && baseline.some((e) => matches(e, r));
}

export function decide(input: VerdictInput): RunVerdict {
  const baseline = input.baseline ?? [];
  const failed = input.results.filter((r) => r.status === 'FAILURE');
  const expectedFailures = failed.filter((r) => isExpectedFailure(r, baseline));
  const failures = failed.filter((r) => !isExpectedFailure(r, baseline));
  const stale = baseline.filter((e) => {
    const hits = input.results.filter((r) => matches(e, r));
    return !hits.some((r) => r.status === 'FAILURE') && hits.some((r) => r.status !== 'SKIPPED');
  });
  const incomplete = input.results.filter(
    (r) => r.level === 'MUST' && r.status === 'SKIPPED' && r.skip?.kind !== 'not-applicable' && r.skip?.kind !== 'not-selected',
  );
  const warnings = input.results.filter((r) => r.status === 'WARNING');
  const unmet = input.require?.length ? unmetRequirements(deriveProfile(input.results), input.require) : [];
  // The check that saw an exit fails naming it; this covers a crash that no check's verdict carried.
  const crashes = failures.length ? [] : (input.findings ?? []).filter((f) => f.kind === 'target-exit').map((f) => f.message);

  const unreachable = (input.findings ?? []).filter((f) => f.kind === 'target-unreachable');

  let exitCode: RunVerdict['exitCode'];
  let line: string;
  const exp = expectedFailures.length ? `, ${expectedFailures.length} expected failure${s(expectedFailures.length)}` : '';
  const warn = warnings.length ? `, ${warnings.length} warning${s(warnings.length)}` : '';
  if (input.fatal) {
    exitCode = EXIT.usage;
    line = `ERROR: the target could not be started: ${input.fatal}`;
  } else if (failures.length || stale.length || unmet.length || crashes.length) {
    exitCode = EXIT.failed;
    const parts: string[] = [];
    parts.push(...unmet, ...crashes);
    if (failures.length) parts.push(`${failures.length} check${s(failures.length)} failed`);
    if (stale.length)
      parts.push(
        `${stale.length} stale baseline entr${stale.length === 1 ? 'y' : 'ies'} (${stale.map((e) => e.raw).join(', ')} now pass: remove them from the expected-failures file)`,
      );
    line = `FAIL: ${parts.join('; ')}${exp}${warn}`;
  } else if (unreachable.length) {
    // Not even --allow-incomplete makes a run green whose target could not be reached.
    exitCode = EXIT.incomplete;
    line = `INCOMPLETE: ${unreachable.map((f) => f.message).join('; ')}${exp}${warn}`;
  } else if (incomplete.length && !input.allowIncomplete) {
    exitCode = EXIT.incomplete;
    line = `INCOMPLETE: ${incomplete.length} MUST check${s(incomplete.length)} could not run (pass --allow-incomplete to accept)${exp}${warn}`;
  } else {
    exitCode = EXIT.ok;
    const passed = input.results.filter((r) => r.status === 'SUCCESS').length;
    const skipped = input.results.filter((r) => r.status === 'SKIPPED').length;
    line = `PASS: ${passed} check${s(passed)} passed${exp}${warn}${skipped ? `, ${skipped} skipped` : ''}`;
  }
  return { exitCode, failures, expectedFailures, stale, incomplete, warnings, unmet, line };
}

const s = (n: number) => (n === 1 ? '' : 's');
