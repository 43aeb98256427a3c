// A check is one object: its static facts (CheckSpec), the preconditions it requires and its run,
// declared once with defineCheck. defineScenario runs a module's checks in order, each through
// ctx.check, so the runner's selection, fixture, transport, timing and evidence handling applies to
// every one of them; an unmet requirement is the SKIPPED verdict and the run is not called.
import { LEGACY_ERA, type CheckSpec, type Verdict } from '../../harness/checks.js';
import type { CheckContext, Scenario, ScenarioContext } from '../../harness/scenario.js';
import { unmetRequirement, type Requirement } from './preconditions.js';

/** What a check's run gets besides the contexts. */
export interface CheckScope<S> {
  /** What the scenario's setup prepared for its checks (undefined without a setup). */
  shared: S;
  /** Verdicts of the checks that ran before this one in this run of the scenario, by id. */
  earlier: ReadonlyMap<string, Verdict>;
}

export type CheckRun<S> = (ctx: ScenarioContext, c: CheckContext, scope: CheckScope<S>) => Promise<Verdict>;

export interface CheckDefinition extends CheckSpec {
  /** Preconditions on the main session, checked in order before the run (scenarios/lib/preconditions.ts). */
  requires?: Requirement[];
}

export interface Check<S = unknown> extends CheckSpec {
  readonly requires: readonly Requirement[];
  readonly run: CheckRun<S>;
}

export function defineCheck<S = unknown>(definition: CheckDefinition, run: CheckRun<S>): Check<S> {
  return { ...definition, requires: definition.requires ?? [], run };
}

export interface ScenarioDefinition<S> {
  name: string;
  description: string;
  /** See Scenario.era (default 2025-11-25); stamped on every check, so each result names its era. */
  era?: Scenario['era'];
  /** See Scenario.runs. */
  runs?: Scenario['runs'];
  /**
   * Work shared by several checks, done once before the first (outside any check, so it is nobody's
   * evidence): e.g. traffic to audit, or a lazily created task population.
   */
  setup?: (ctx: ScenarioContext) => S | Promise<S>;
  /** The checks, in run order. */
  checks: Array<Check<S>>;
}

/** A scenario whose run is its checks, one after the other. */
export function defineScenario<S = undefined>(definition: ScenarioDefinition<S>): Scenario {
  const { setup, ...rest } = definition;
  const era = definition.era ?? LEGACY_ERA;
  const checks = definition.checks.map((check) => ({ ...check, era }));
  return {
    ...rest,
    era,
    checks,
    async run(ctx) {
      const shared = (setup ? await setup(ctx) : undefined) as S;
      const earlier = new Map<string, Verdict>();
      for (const check of checks) earlier.set(check.id, await runCheck(check, ctx, { shared, earlier }));
    },
  };
}

function runCheck<S>(check: Check<S>, ctx: ScenarioContext, scope: CheckScope<S>): Promise<Verdict> {
  return ctx.check(check, async (c) => {
    if (check.requires.length) {
      const unmet = unmetRequirement(ctx, await ctx.session(), check.requires);
      if (unmet) return unmet;
    }
    return check.run(ctx, c, scope);
  });
}
