// Which scenarios a run covers: selection by name (an unknown name is a usage error) and the declared checks.
import type { CheckSpec } from '../checks.js';
import type { Scenario } from '../scenario.js';
import { UsageError } from '../util/errors.js';

/** Picks scenarios by name, in run order. */
export function selectScenarios(all: Scenario[], names: string[] | undefined): Scenario[] {
  if (!names || names.length === 0) return all;
  const known = new Set(all.map((s) => s.name));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length) {
    throw new UsageError(
      `unknown scenario ${unknown.map((n) => `'${n}'`).join(', ')} (see --list; known: ${all.map((s) => s.name).join(', ')})`,
    );
  }
  return all.filter((s) => names.includes(s.name));
}

/** Every declared check of the given scenarios, with its scenario (for --list, baselines, coverage). */
export function listChecks(scenarios: Scenario[]): Array<{ scenario: string; spec: CheckSpec }> {
  return scenarios.flatMap((s) => s.checks.map((spec) => ({ scenario: s.name, spec })));
}
