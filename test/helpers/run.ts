// Runs scenarios against the embedded reference server (dist/reference-server/main.js, built by
// `npm test` / `npx tsc -p .`) and returns the check results; every process is disposed before it returns.
//
//   const results = await checkReference({ transport: 'stdio', scenarios: ['cancel'] });
//   const r = await checkReference({ transport: 'http', scenarios: ['cancel'], violate: ['T25-CAN-01'] });
//   expect(byId(r, 'T25-CAN-01').status).toBe('FAILURE');
import { existsSync } from 'node:fs';
import { skip, type CheckResult, type CheckSpec, type Verdict } from '../../harness/checks.js';
import type { Scenario, ScenarioContext } from '../../harness/scenario.js';
import { execute } from '../../harness/cli/execute.js';
import { packagePath } from '../../harness/paths.js';
import type { RunResult, RunTimeouts } from '../../harness/run/runner.js';
import type { ProtocolChoice } from '../../harness/run/eras.js';
import { referenceTargetSpecs } from '../../harness/cli/options.js';
import type { WireLog } from '../../harness/transport/wire.js';
import { SCENARIOS } from '../../scenarios/index.js';

export interface CheckReferenceOptions {
  transport: 'stdio' | 'http';
  /** Check ids whose fault the reference server injects (--violate). */
  violate?: string[];
  /** Scenario names (default: all — slow; select yours). */
  scenarios?: string[];
  /** More reference-server arguments, e.g. ['--no-tasks']. */
  extraArgs?: string[];
  timeouts?: Partial<RunTimeouts>;
  /** --protocol (default auto: the reference server speaks both eras). */
  protocol?: ProtocolChoice;
  /** Run only these checks of the selected scenarios (the others are not run at all; see only()). */
  checks?: string[];
}

/** The check results of the selected scenarios against the reference server over one transport. */
export async function checkReference(options: CheckReferenceOptions): Promise<CheckResult[]> {
  return (await runReference(options)).run.results;
}

/** Like checkReference, with the whole RunResult (problems, fatal) and the wire log. */
export async function runReference(options: CheckReferenceOptions): Promise<{ run: RunResult; wire: WireLog }> {
  if (!existsSync(packagePath('dist', 'reference-server', 'main.js'))) {
    throw new Error('dist/reference-server/main.js is missing: run `npx tsc -p .` first');
  }
  const specs = referenceTargetSpecs({ violate: options.violate, extraArgs: options.extraArgs, transports: [options.transport] });
  const checks = options.checks;
  const out = await execute({
    specs,
    scenarios: checks ? SCENARIOS.map((s) => only(s, checks)) : SCENARIOS,
    selection: options.scenarios,
    timeouts: options.timeouts,
    protocol: options.protocol,
  });
  if (out.run.fatal) {
    throw new Error(
      `reference server did not start: ${out.run.fatal.message}${out.run.fatal.stderrTail ? `\n${out.run.fatal.stderrTail}` : ''}`,
    );
  }
  return out;
}

/** The result of one check id (throws with the ids present when it is missing). */
export function byId(results: CheckResult[], id: string): CheckResult {
  const r = results.find((x) => x.id === id);
  if (!r) throw new Error(`no result for ${id}; recorded: ${results.map((x) => x.id).join(', ') || 'none'}`);
  return r;
}

/** Results whose status is FAILURE or WARNING, as compact lines for readable assertion diffs. */
export function problems(results: CheckResult[], ids?: string[]): string[] {
  return results
    .filter((r) => (r.status === 'FAILURE' || r.status === 'WARNING') && (!ids || ids.includes(r.id)))
    .map((r) => `${r.id} ${r.status}@${r.transport}: ${r.errorMessage ?? ''}`);
}

/** The scenario with only the given checks: blocks of other checks are not run at all (reported not-selected). */
export function only(scenario: Scenario, ids: string[]): Scenario {
  return {
    ...scenario,
    checks: scenario.checks.filter((c) => ids.includes(c.id)),
    run(ctx) {
      const filtered = new Proxy(ctx, {
        get(target, key) {
          if (key === 'check') {
            return (spec: CheckSpec, block: Parameters<ScenarioContext['check']>[1]): Promise<Verdict> =>
              ids.includes(spec.id) ? target.check(spec, block) : Promise.resolve(skip('not-selected', 'not selected'));
          }
          const value = Reflect.get(target, key) as unknown;
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      return scenario.run(filtered);
    },
  };
}
