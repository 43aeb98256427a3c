// `sep1686-check bench`: options in, targets up, the bench suite run, report files written, exit code out.
// The main CLI (harness/cli.ts) dispatches here by dynamic import.
import { resolve, sep } from 'node:path';
import { PACKAGE_ROOT, packagePath } from '../paths.js';
import { PROTOCOL_VERSION } from '../protocol.js';
import { defaultOutDir, writeReports } from '../report/index.js';
import { validateReport } from '../report/json.js';
import { summarize, type Report, type RunProblem } from '../report/model.js';
import { toolInfo } from '../report/tool.js';
import { loadFixtureMapping, loadFixtures, type FixtureMappingFile } from '../fixtures.js';
import type { Fixtures, Session } from '../scenario.js';
import { createTarget } from '../transport/targets.js';
import { TargetError, type Target, type TargetSpec } from '../transport/target.js';
import { parseCommandLine, referenceTargetSpecs, resolveTargetOptions, TARGET_OPTIONS, UsageError } from '../cli/options.js';
import type { WireEntry } from '../checks.js';
import { WireLog, type NewWireEntry } from '../transport/wire.js';
import { DEFAULT_DURATIONS, SEED_DURATIONS } from './approaches.js';
import type { BenchReport } from '../report/bench-model.js';
import { renderBenchTerminal } from './render.js';
import { DEFAULT_SCALE_CONCURRENCY, DEFAULT_SCALE_SECONDS } from './scale.js';
import { DEFAULT_OP_TIME_MS, DEFAULT_ROUNDS, PHASES, type Phase, runBenchSuite } from './suite.js';
import { type BenchTarget, errorMessage } from './types.js';

const BENCH_OPTIONS = {
  ...TARGET_OPTIONS,
  transport: { type: 'string' },
  rounds: { type: 'string' },
  'seed-durations': { type: 'boolean' },
  durations: { type: 'string' },
  'max-tasks': { type: 'string' },
  'scale-seconds': { type: 'string' },
  'op-time': { type: 'string' },
  only: { type: 'string' },
  compare: { type: 'string' },
  'compare-url': { type: 'string' },
  wire: { type: 'boolean' },
  fixtures: { type: 'string' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const HELP = `Usage: sep1686-check bench [options] [-- <server command> [args...]]

Measures an MCP server's Tasks implementation: the same slow_compute calls made sequentially, gathered,
as tasks fetched with tasks/result and as tasks polled with tasks/get; the latency of every task operation
against ping; and N concurrent tasks (time, tasks/get latency under load, correctness, memory).

Target (default: the embedded reference server over stdio):
  -- <command> [args...]    a stdio server
  --url <endpoint>          a Streamable HTTP server (--header "Name: value", --auth-token T)
  --http-command            treat the -- command as an HTTP server printing "MCP endpoint: <url>"
  --transport stdio|http    which transport of the embedded reference server (default stdio)

Side by side (every figure also as a ratio, the two targets interleaved):
  --compare <spec>          a second stdio server: "sdk" (the bundled SDK-based server) or a command line
  --compare-url <endpoint>  a second, HTTP server

Sizes:
  --rounds <n>              rounds per approach (default ${DEFAULT_ROUNDS})
  --seed-durations          use 3 / 2 / 1 s calls (default ${DEFAULT_DURATIONS.join(' / ')} s)
  --durations <list>        comma-separated seconds, e.g. 0.5,0.25
  --max-tasks <n>           scale up to n concurrent tasks: 1, 10, 100, ... (default 1000; 10000 allowed)
  --scale-seconds <s>       work per scale task (default ${DEFAULT_SCALE_SECONDS})
  --op-time <ms>            time per operation benchmark (default ${DEFAULT_OP_TIME_MS})
  --only <phases>           comma-separated: ${PHASES.join(', ')}

Output:
  --out <dir>               report folder (default reports/runs/<timestamp>-bench)
  --wire                    also write wire.jsonl (every message; large)
  --fixtures <file>         map fixture roles to your tool names (F-ECHO slow_compute, F-SYNC greet)
  --timeout <ms>            per-request timeout (default 10000)

Examples:
  sep1686-check bench
  sep1686-check bench --compare sdk
  sep1686-check bench --seed-durations --rounds 3 -- node my-server.js
  sep1686-check bench --url http://127.0.0.1:3000/mcp --only approaches

Exit codes: 0 every result was correct, 1 some result was wrong or a measurement failed, 2 usage error or
the server could not be started.
`;

export interface BenchCliOptions {
  specs: TargetSpec[];
  compare?: TargetSpec;
  requestMs: number;
  out?: string;
  durations: number[];
  rounds: number;
  scaleSizes: number[];
  scaleSeconds: number;
  opTimeMs: number;
  phases: Phase[];
  wire: boolean;
  verbose: boolean;
  /** --fixtures mapping (role -> tool), applied to the first target only: a --compare target uses the default names. */
  fixtures?: FixtureMappingFile;
  /** Warm-up before the operations benchmark, per target (ms); tests shorten it. */
  opWarmupMs?: number;
  /** No progress line (tests). */
  quiet?: boolean;
}

function positiveNumber(flag: string, raw: string): number {
  const n = Number(raw);
  if (!raw.trim() || !Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} needs a positive number, got '${raw}'`);
  return n;
}

function positiveInt(flag: string, raw: string): number {
  const n = positiveNumber(flag, raw);
  if (!Number.isInteger(n)) throw new UsageError(`${flag} needs a positive whole number, got '${raw}'`);
  return n;
}

/** 1, 10, 100, ... up to max (max itself last when it is not a power of ten). */
export function scaleSizesUpTo(max: number): number[] {
  const sizes: number[] = [];
  for (let n = 1; n <= max; n *= 10) sizes.push(n);
  if (sizes.at(-1) !== max) sizes.push(max);
  return sizes;
}

/** Splits a command line like a shell would for plain words and "quoted" / 'quoted' arguments. */
export function splitCommand(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3]!));
  return out;
}

export function sdkServerSpec(): TargetSpec {
  return { kind: 'stdio', command: process.execPath, args: [packagePath('dist', 'harness', 'bench', 'sdk-server.js')] };
}

function readMapping(file: string): FixtureMappingFile {
  try {
    return loadFixtureMapping(file);
  } catch (err) {
    throw new UsageError(errorMessage(err));
  }
}

export function parseBenchArgs(argv: string[]): BenchCliOptions | 'help' {
  const { values, command } = parseCommandLine(argv, BENCH_OPTIONS);
  if (values.help) return 'help';
  const transport = values.transport ?? 'stdio';
  if (transport !== 'stdio' && transport !== 'http') throw new UsageError(`--transport must be stdio or http, got '${transport}'`);
  const common = resolveTargetOptions(values, command);
  if (!common.embedded && values.transport !== undefined)
    throw new UsageError("--transport picks the embedded reference server's transport; it does not apply to a target you give");
  const specs = common.embedded ? referenceTargetSpecs({ transports: [transport] }) : common.targets;

  if (values.compare !== undefined && values['compare-url'] !== undefined)
    throw new UsageError('give either --compare or --compare-url, not both');
  let compare: TargetSpec | undefined;
  if (values.compare !== undefined) {
    const words = splitCommand(values.compare);
    if (words.length === 0) throw new UsageError('--compare needs "sdk" or a server command, e.g. --compare "node server.js"');
    compare = words.length === 1 && words[0] === 'sdk' ? sdkServerSpec() : { kind: 'stdio', command: words[0]!, args: words.slice(1) };
  } else if (values['compare-url'] !== undefined) {
    try {
      compare = { kind: 'http', url: new URL(values['compare-url']).toString() };
    } catch {
      throw new UsageError(`--compare-url '${values['compare-url']}' is not a URL (expected e.g. http://127.0.0.1:3001/mcp)`);
    }
  }

  if (values['seed-durations'] && values.durations !== undefined)
    throw new UsageError('give either --seed-durations or --durations, not both');
  const durations =
    values.durations !== undefined
      ? values.durations.split(',').map((d) => positiveNumber('--durations', d))
      : values['seed-durations']
        ? SEED_DURATIONS
        : DEFAULT_DURATIONS;
  const maxTasks = values['max-tasks'] !== undefined ? positiveInt('--max-tasks', values['max-tasks']) : 1000;
  if (maxTasks > 10_000) throw new UsageError(`--max-tasks is at most 10000, got ${maxTasks}`);
  let phases: Phase[] = [...PHASES];
  if (values.only !== undefined) {
    phases = values.only.split(',').map((p) => p.trim()) as Phase[];
    const bad = phases.find((p) => !PHASES.includes(p));
    if (bad !== undefined) throw new UsageError(`--only: unknown phase '${bad}' (choose from ${PHASES.join(', ')})`);
  }
  return {
    specs,
    compare,
    requestMs: common.requestMs,
    out: common.out,
    durations,
    rounds: values.rounds !== undefined ? positiveInt('--rounds', values.rounds) : DEFAULT_ROUNDS,
    scaleSizes: scaleSizesUpTo(maxTasks),
    scaleSeconds:
      values['scale-seconds'] !== undefined ? positiveNumber('--scale-seconds', values['scale-seconds']) : DEFAULT_SCALE_SECONDS,
    opTimeMs: values['op-time'] !== undefined ? positiveInt('--op-time', values['op-time']) : DEFAULT_OP_TIME_MS,
    phases,
    wire: values.wire ?? false,
    ...(values.fixtures !== undefined ? { fixtures: readMapping(values.fixtures) } : {}),
    verbose: values.verbose ?? false,
  };
}

/**
 * A wire log that keeps nothing: the bench sends hundreds of thousands of messages and measuring must not
 * pay for recording them (nor hold them in memory). Used unless --wire is given.
 */
export class DiscardingWireLog extends WireLog {
  private count = 0;
  override record(entry: NewWireEntry): WireEntry {
    return { seq: this.count++, t: 0, ...entry };
  }
  override seq(): number {
    return this.count;
  }
}

/** The progress line: rewritten in place on a terminal, plain lines in CI or when piped. */
function progressLine(): { update: (m: string) => void; done: () => void } {
  const tty = process.stderr.isTTY && !process.env.CI;
  let last = '';
  return {
    update(m) {
      if (m === last) return;
      last = m;
      if (tty) process.stderr.write(`\r\x1b[2K${m.slice(0, (process.stderr.columns || 100) - 1)}`);
      else process.stderr.write(`${m}\n`);
    },
    done() {
      if (tty && last) process.stderr.write('\r\x1b[2K');
    },
  };
}

/** How the bench reaches servers (tests may substitute fakes). */
export interface Connectivity {
  createTarget(options: { spec: TargetSpec; wire: WireLog; requestTimeoutMs: number; startTimeoutMs: number }): Target;
  loadFixtures(session: Session, target: Target, mapping: FixtureMappingFile): Promise<Fixtures>;
}

const defaultConnectivity: Connectivity = {
  createTarget,
  loadFixtures: (session, target, mapping) =>
    loadFixtures(session, mapping, { principals: target.principals, canRestart: target.canRestart }),
};

/** The pid of the server process behind the target's (single) session, when the harness spawned it. */
function serverPid(target: Target): () => number | undefined {
  const t = target as Partial<{ pids(): number[]; pid(): number | undefined }>;
  return () => (typeof t.pids === 'function' ? t.pids()[0] : typeof t.pid === 'function' ? t.pid() : undefined);
}

/**
 * The target's label as people may share it: bearer tokens masked, this machine's node binary and
 * package folder shortened ("stdio: node dist/reference-server/main.js").
 */
export function shareableLabel(label: string, spec: TargetSpec): string {
  const tokens = spec.kind === 'stdio' ? [] : (spec.tokens ?? []);
  const masked = tokens.reduce((l, token) => (token ? l.split(token).join('<token>') : l), label);
  return masked.split(`${PACKAGE_ROOT}${sep}`).join('').split(process.execPath).join('node');
}

function uniqueLabels(labels: string[]): string[] {
  return labels.map((l, i) => (labels.indexOf(l) === i ? l : `${l} (${i + 1})`));
}

/** Problems that make the exit code 1 (wrong results, a measurement that could not be made), as report `failures`. */
export function benchProblems(b: BenchReport): RunProblem[] {
  const problem = (target: string, message: string): RunProblem => ({
    scenario: 'bench',
    transport: b.targetInfo?.find((t) => t.label === target)?.transport ?? 'stdio',
    target,
    message,
  });
  return [
    ...b.approaches.filter((a) => !a.correct).map((a) => problem(a.target, `approach ${a.name}: ${a.error ?? 'wrong result'}`)),
    ...b.operations.filter((o) => o.error).map((o) => problem(o.target, `operation ${o.name}: ${o.error}`)),
    ...b.scale.filter((s) => !s.correct).map((s) => problem(s.target, `scale ${s.tasks} tasks: ${s.error ?? 'wrong results'}`)),
  ];
}

function benchReportFile(bench: BenchReport, targets: Target[], options: BenchCliOptions, startedAt: Date, problems: RunProblem[]): Report {
  const finishedAt = new Date();
  const exitCode = problems.length ? 1 : 0;
  return validateReport({
    tool: toolInfo(),
    run: {
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationMs: finishedAt.getTime() - startedAt.getTime(),
      targets: targets.map((t, i) => ({ label: bench.targets[i] ?? t.label, transport: t.transport })),
      protocolVersion: PROTOCOL_VERSION,
      timeouts: { requestMs: options.requestMs, settleMs: 0, checkMs: 0 },
      selection: [],
      exitCode,
      incomplete: false,
      verdict: problems.length ? `bench: ${problems.length} measurement(s) saw wrong results or errors` : 'bench: every result was correct',
    },
    summary: summarize([], 0, 0, []),
    checks: [],
    ...(problems.length ? { failures: problems } : {}),
    bench,
  });
}

/** Runs the bench against already-parsed options; used by runBench and by tests (with a custom io). */
export async function executeBench(
  options: BenchCliOptions,
  io?: Connectivity,
): Promise<{ exitCode: number; report?: Report; outDir?: string; message?: string }> {
  const c = io ?? defaultConnectivity;
  const wire = options.wire ? new WireLog() : new DiscardingWireLog();
  const specs = [...options.specs, ...(options.compare ? [options.compare] : [])];
  const targets: Target[] = [];
  const progress = options.quiet ? { update: () => {}, done: () => {} } : progressLine();
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    progress.done();
    process.stderr.write(`sep1686-check bench: ${signal}, stopping the servers\n`);
    void Promise.all(targets.map((t) => t.dispose().catch(() => undefined))).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const startedAt = new Date();
  try {
    const benchTargets: BenchTarget[] = [];
    for (const spec of specs) targets.push(c.createTarget({ spec, wire, requestTimeoutMs: options.requestMs, startTimeoutMs: 30_000 }));
    const labels = uniqueLabels(targets.map((t, i) => shareableLabel(t.label, specs[i]!)));
    for (const [i, target] of targets.entries()) {
      progress.update(`bench: connecting to ${labels[i]}`);
      const session = await target.connect();
      const isCompare = i >= options.specs.length;
      const fixtures = await c.loadFixtures(session, target, isCompare ? {} : (options.fixtures ?? {}));
      const missing = (['F-ECHO', 'F-SYNC'] as const).filter((r) => !fixtures.has(r));
      if (missing.length) {
        const tools = { 'F-ECHO': 'slow_compute', 'F-SYNC': 'greet' };
        throw new UsageError(
          `${labels[i]} lacks the fixture tool(s) ${missing.map((r) => `${tools[r]} (${r})`).join(', ')} the bench needs; implement them or map them with --fixtures`,
        );
      }
      benchTargets.push({ label: labels[i]!, session, fixtures, pid: serverPid(target) });
    }
    const bench = await runBenchSuite(benchTargets, {
      durations: options.durations,
      rounds: options.rounds,
      opTimeMs: options.opTimeMs,
      opWarmupMs: options.opWarmupMs,
      scaleSizes: options.scaleSizes,
      scaleSeconds: options.scaleSeconds,
      scaleConcurrency: DEFAULT_SCALE_CONCURRENCY,
      phases: options.phases,
      progress: progress.update,
    });
    progress.done();
    const problems = benchProblems(bench);
    for (const [i, target] of targets.entries()) {
      const exit = target.exitInfo();
      if (!exit) continue;
      const how = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
      const tail = target.stderrTail(10).trim();
      problems.unshift({
        scenario: 'bench',
        transport: target.transport,
        target: labels[i]!,
        message: `the server exited (${how}) during the bench; figures after that are errors`,
        ...(tail ? { stderrTail: tail } : {}),
      });
    }
    const report = benchReportFile(bench, targets, options, startedAt, problems);
    const outDir = resolve(options.out ?? `${defaultOutDir()}-bench`);
    await writeReports(report, outDir, options.wire ? { wire } : {});
    return { exitCode: report.run.exitCode, report, outDir };
  } catch (err) {
    progress.done();
    if (err instanceof UsageError || err instanceof TargetError) {
      const tail =
        err instanceof TargetError && err.stderrTail.trim() ? ` | stderr: ${err.stderrTail.trim().split('\n').slice(-3).join(' / ')}` : '';
      return { exitCode: 2, message: `${err.message}${tail}` };
    }
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await Promise.all(targets.map((t) => t.dispose().catch(() => undefined)));
  }
}

/** Entry point of `sep1686-check bench <argv>`; returns the exit code (the caller exits). */
export async function runBench(argv: string[]): Promise<number> {
  let options: BenchCliOptions | 'help';
  try {
    options = parseBenchArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`sep1686-check bench: ${err.message} (see --help)\n`);
      return 2;
    }
    throw err;
  }
  if (options === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  try {
    const r = await executeBench(options);
    if (r.message) {
      process.stderr.write(`sep1686-check bench: ${r.message}\n`);
      return r.exitCode;
    }
    process.stdout.write(`${renderBenchTerminal(r.report!.bench!)}\n`);
    for (const p of r.report!.failures ?? []) process.stdout.write(`problem: ${p.target}: ${p.message}\n`);
    process.stdout.write(`${r.report!.run.verdict}\nReport: ${r.outDir}\n`);
    return r.exitCode;
  } catch (err) {
    process.stderr.write(`sep1686-check bench: ${errorMessage(err)}\n`);
    if (options.verbose && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    return 2;
  }
}
