// Running the checks against test/rogue/rogue-server.mjs (2025-11-25) or rogue-ext.mjs (2026-07-28 with the
// tasks extension), over stdio or Streamable HTTP (--http), for the rogue test files: every process carries
// this module's tag, so leftovers can be found and killed by pid.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { CheckResult } from '../../harness/checks.js';
import { execute } from '../../harness/cli/execute.js';
import type { FixtureMappingFile } from '../../harness/fixtures.js';
import { packagePath } from '../../harness/paths.js';
import type { ProtocolChoice } from '../../harness/run/eras.js';
import type { Finding, RunTimeouts } from '../../harness/run/runner.js';
import { decide } from '../../harness/run/verdict.js';
import type { Scenario } from '../../harness/scenario.js';
import { SCENARIOS } from '../../scenarios/index.js';
import { only } from '../helpers/run.js';

export const ROGUE = packagePath('test', 'rogue', 'rogue-server.mjs');
export const ROGUE_EXT = packagePath('test', 'rogue', 'rogue-ext.mjs');
/** Every rogue process started through this module carries this tag (one per test file: modules are per worker). */
export const TAG = `rogue-test-${randomUUID()}`;

/** Violations keep waits short; every hang here is the server's, and its checks have their own bounds. */
export const FAULT_TIMEOUTS: Partial<RunTimeouts> = { settleMs: 3_000, requestMs: 4_000 };

export interface RogueRun {
  results: CheckResult[];
  findings: Finding[];
  exitCode: number;
  fatal?: string;
}

export interface RogueOptions {
  timeouts?: Partial<RunTimeouts>;
  startTimeoutMs?: number;
  transport?: 'stdio' | 'http';
  /** The scenarios in run order (default: all, in their order). */
  order?: Scenario[];
  /** A --fixtures mapping. */
  fixtures?: FixtureMappingFile;
  /** The server script (default ROGUE). */
  server?: string;
  /** --protocol (default auto). */
  protocol?: ProtocolChoice;
  /** Run only these checks of the selected scenarios (see only()). */
  checks?: string[];
}

/** Runs the selected scenarios against the rogue server with `--break brk` (comma list; undefined: clean). */
export async function runRogue(brk: string | undefined, scenarios: string[], options: RogueOptions = {}): Promise<RogueRun> {
  const args = [options.server ?? ROGUE, '--tag', TAG, ...(brk ? ['--break', brk] : [])];
  const order = options.order ?? SCENARIOS;
  const checks = options.checks;
  const { run } = await execute({
    specs: [
      (options.transport ?? 'stdio') === 'stdio'
        ? { kind: 'stdio', command: process.execPath, args }
        : { kind: 'http-command', command: process.execPath, args: [...args, '--http'] },
    ],
    scenarios: checks ? order.map((s) => only(s, checks)) : order,
    selection: scenarios,
    protocol: options.protocol,
    timeouts: { ...options.timeouts, startMs: options.startTimeoutMs },
    fixtures: options.fixtures,
  });
  const verdict = decide({ results: run.results, fatal: run.fatal?.message, findings: run.findings });
  return { results: run.results, findings: run.findings ?? [], exitCode: verdict.exitCode, fatal: run.fatal?.message };
}

/** Pids of this module's rogue processes still alive. */
export function leftovers(): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => l.includes(TAG) && (l.includes('rogue-server.mjs') || l.includes('rogue-ext.mjs')))
    .map((l) => Number.parseInt(l.trim(), 10))
    .filter((pid) => Number.isInteger(pid) && pid !== process.pid);
}

/** Kills this module's leftover rogue processes (afterAll). */
export function killLeftovers(): void {
  for (const pid of leftovers()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** "<id>: <message>" of every FAILURE. */
export const failing = (results: CheckResult[]) =>
  results.filter((r) => r.status === 'FAILURE').map((r) => `${r.id}: ${r.errorMessage ?? ''}`);
