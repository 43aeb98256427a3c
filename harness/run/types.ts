// The data a run takes and gives: options, progress events, problems and the result of runChecks().
import type { CheckResult, Era, TransportName } from '../checks.js';
import type { ProtocolChoice } from './eras.js';
import type { FixtureSource, LoadedFixtures, ToolBinding } from '../fixtures.js';
import type { Scenario } from '../scenario.js';
import type { Target } from '../transport/target.js';
import type { WireLog } from '../transport/wire.js';
import type { RunTimeouts } from './timeouts.js';

export type ProgressEvent =
  // `at` (performance.now() when it happened): events are replayed in run order, so one target's events
  // may reach a listener after another target's; durations come from `at`, not from arrival.
  | { type: 'target-start'; target: string; transport: TransportName; at: number }
  | { type: 'scenario-start'; scenario: string; target: string; transport: TransportName; index: number; total: number }
  | { type: 'scenario-end'; scenario: string; target: string; transport: TransportName; results: CheckResult[]; error?: string; at: number }
  | { type: 'check'; result: CheckResult }
  | { type: 'log'; scenario: string; transport: TransportName; message: string };

/** Something that went wrong outside a single check's verdict (scenario error, crash, hang). */
export interface RunProblem {
  scenario?: string;
  transport: TransportName;
  target: string;
  message: string;
  stderrTail?: string;
}

/** What a root cause is about (see root-causes.ts); the report model's FindingKind mirrors it. */
export type FindingKind =
  | 'target-exit'
  | 'target-unreachable'
  | 'no-tasks'
  | 'tasks-not-forwarded'
  | 'task-not-created'
  | 'creation-quota'
  | 'creation-refused'
  | 'creation-unanswered';

/** One root cause of the run, named once; `checks` (`<id>@<transport>`) are the checks it took down. */
export interface Finding {
  id: string;
  kind: FindingKind;
  target: string;
  transport: TransportName;
  message: string;
  checks: string[];
  stderrTail?: string;
}

export interface RunOptions {
  /** Every known scenario, in run order (selection picks from these). */
  scenarios: Scenario[];
  /** Scenario names to run; empty or undefined = all. Unknown names throw UsageError. */
  selection?: string[];
  targets: Target[];
  /** Resolves fixture roles on a fresh session of the target (called once per target). */
  loadFixtures: (session: FixtureSource, target: Target) => Promise<LoadedFixtures>;
  wire: WireLog;
  timeouts?: Partial<RunTimeouts>;
  onProgress?: (event: ProgressEvent) => void;
  /** Abort (Ctrl-C): stop at once and return what was recorded; unrun checks are SKIPPED(aborted). */
  signal?: AbortSignal;
  /** --protocol: which eras' suites run (default auto: every era the target speaks, run/eras.ts). */
  protocol?: ProtocolChoice;
}

export type Interruption = 'signal' | 'deadline';

export interface RunResult {
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  results: CheckResult[];
  problems: RunProblem[];
  /** Root causes beneath the checks, each named once (F1, F2, ...). */
  findings?: Finding[];
  /** The target could not be started or initialized: a usage-level failure (exit 2). */
  fatal?: { message: string; target: string; stderrTail?: string };
  interrupted?: Interruption;
  selection: string[];
  /**
   * protocolVersion: what the server answered to initialize (absent when it never answered); eras: the
   * protocol eras found and checked (run/eras.ts); tools: what
   * it lists and the fixture role each tool got or was refused (absent when the fixtures were never loaded).
   */
  targets: Array<{ label: string; transport: TransportName; protocolVersion?: string; eras?: Era[]; tools?: ToolBinding[] }>;
  timeouts: RunTimeouts;
}
