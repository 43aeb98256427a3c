// `sep1686-check bench` options: the command line parsed into BenchCliOptions (targets, sizes, phases,
// output), with the target and timeout options shared with the check command (cli/options.ts).
import { packagePath } from '../paths.js';
import { loadFixtureMapping, type FixtureMappingFile } from '../fixtures.js';
import {
  parseCommandLine,
  parseProtocol,
  PROTOCOL_OPTIONS,
  parsePositiveInt,
  parsePositiveNumber,
  parseTimeouts,
  referenceTargetSpecs,
  resolveTargetOptions,
  TARGET_OPTIONS,
} from '../cli/options.js';
import { DEFAULT_TIMEOUTS, type RunTimeouts } from '../run/timeouts.js';
import type { TargetSpec } from '../transport/target.js';
import type { ProtocolChoice } from '../run/eras.js';
import { errorText, UsageError } from '../util/errors.js';
import { DEFAULT_DURATIONS, SEED_DURATIONS } from './approaches.js';
import { STORES, type StoreKind } from './instances.js';
import { DEFAULT_SCALE_SECONDS } from './scale.js';
import { DEFAULT_SOAK_RATE, parseDuration } from './soak.js';
import { DEFAULT_OP_TIME_MS, DEFAULT_ROUNDS, PHASES, type Phase } from './suite.js';

const BENCH_OPTIONS = {
  ...TARGET_OPTIONS,
  ...PROTOCOL_OPTIONS,
  transport: { type: 'string' },
  rounds: { type: 'string' },
  'seed-durations': { type: 'boolean' },
  durations: { type: 'string' },
  'max-tasks': { type: 'string' },
  'scale-seconds': { type: 'string' },
  'op-time': { type: 'string' },
  only: { type: 'string' },
  soak: { type: 'string' },
  rate: { type: 'string' },
  compare: { type: 'string' },
  'compare-url': { type: 'string' },
  wire: { type: 'boolean' },
  fixtures: { type: 'string' },
  stores: { type: 'string' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const HELP = `Usage: sep1686-check bench [options] [-- <server command> [args...]]

Measures an MCP server's Tasks implementation. In the 2025-11-25 era: the same slow_compute calls made
sequentially, gathered, as tasks fetched with tasks/result and as tasks polled with tasks/get; the latency
of every task operation against ping; and N concurrent tasks fetched with blocking tasks/result (last
create to all results against the floor, the work of one task), then polled (correctness, memory per
retained task after a GC).

In the 2026-07-28 era (the io.modelcontextprotocol/tasks extension) the approaches are sequential and
gathered tools/call without the extension, tasks polled with tasks/get at the server's pollIntervalMs and
tasks waited on with subscriptions/listen, plus the wake-up latency after the work ends (gated_job released,
to terminal seen) by polling vs push; operations are set against server/discover (ping is gone); scale is N
tasks seen terminal by polling or by one subscription. Each era gets its own section of the report.

Target (default: the embedded reference server over stdio):
  -- <command> [args...]    a stdio server
  --url <endpoint>          a Streamable HTTP server (--header "Name: value", --auth-token T)
  --http-command            treat the -- command as an HTTP server printing "MCP endpoint: <url>"
  --transport stdio|http    which transport of the embedded reference server (default stdio)

Side by side (every figure also as a ratio, the two targets interleaved):
  --compare <spec>          a second stdio server: "sdk" (the bundled SDK-based server; over HTTP with
                            --transport http) or a command line
  --compare-url <endpoint>  a second, HTTP server

Protocol:
  --protocol <era>          auto (default: every era the server speaks, each its own section; the embedded
                            reference server speaks both), 2025-11-25 or 2026-07-28

Sizes:
  --rounds <n>              rounds per approach (default ${DEFAULT_ROUNDS}); 2026-07-28 wake-up: 2n gated
                            tasks per way (polling, push)
  --seed-durations          use 3 / 2 / 1 s calls (default ${DEFAULT_DURATIONS.join(' / ')} s)
  --durations <list>        comma-separated seconds, e.g. 0.5,0.25
  --max-tasks <n>           scale up to n concurrent tasks: 1, 10, 100, ... (default 1000; 10000 allowed)
  --scale-seconds <s>       work per scale task, the floor of "last create to all results" (default ${DEFAULT_SCALE_SECONDS})
  --op-time <ms>            time per operation benchmark (default ${DEFAULT_OP_TIME_MS})
  --only <phases>           comma-separated: ${PHASES.join(', ')}

Soak (instead of the phases, unless --only names some):
  --soak <duration>         mixed create / get / result / cancel traffic for e.g. 30s, 10m, 1h: latency
                            percentiles and server RSS per window, and their slopes over time; in
                            2026-07-28 create / get / update / cancel (H-EXT-15). Under auto every era
                            the server speaks is soaked in turn: pin --protocol to soak one
  --rate <n>                requests started per second during the soak (default ${DEFAULT_SOAK_RATE})

Scaled out (instead of the phases): the embedded reference server as N instances per task store
  --instances <list>        e.g. 1,2,4: throughput (created and completed per second, scale over one
                            instance), tasks/result wake-up latency across instances, and each store's
                            memory per 10 000 retained tasks; Redis is a private redis-server (needs it on PATH)
  --stores <list>           of ${STORES.join(', ')} (default all)

Output:
  --out <dir>               report folder (default reports/runs/<timestamp>-bench)
  --wire                    also write wire.jsonl (every message; large)
  --fixtures <file>         map fixture roles to your tool names (F-ECHO slow_compute, F-SYNC greet)
  --timeout <ms>            per-request timeout (default ${DEFAULT_TIMEOUTS.requestMs})

Examples:
  sep1686-check bench
  sep1686-check bench --compare sdk
  sep1686-check bench --compare sdk --transport http --max-tasks 10000
  sep1686-check bench --soak 10m --rate 50 --protocol 2025-11-25
  sep1686-check bench --protocol 2026-07-28 --soak 10m
  sep1686-check bench --seed-durations --rounds 3 -- node my-server.js
  sep1686-check bench --url http://127.0.0.1:3000/mcp --only approaches

Exit codes: 0 every result was correct, 1 some result was wrong or a measurement failed, 2 usage error or
the server could not be started.
`;

export interface BenchCliOptions {
  specs: TargetSpec[];
  compare?: TargetSpec;
  /** Request and start-up limits (--timeout; the run's defaults otherwise). */
  timeouts: RunTimeouts;
  out?: string;
  durations: number[];
  rounds: number;
  scaleSizes: number[];
  scaleSeconds: number;
  opTimeMs: number;
  phases: Phase[];
  /** --protocol: the eras benched (auto: every era each target speaks). */
  protocol: ProtocolChoice;
  /** --soak: run mixed traffic this long (ms) on every target. */
  soak?: { durationMs: number; rate: number };
  wire: boolean;
  verbose: boolean;
  /** --fixtures mapping (role -> tool), applied to the first target only: a --compare target uses the default names. */
  fixtures?: FixtureMappingFile;
  /** Warm-up before the operations benchmark, per target (ms); tests shorten it. */
  opWarmupMs?: number;
  /** No progress line (tests). */
  quiet?: boolean;
  /** --instances 1,2,4: the scaled-out bench of the embedded reference server instead of the phases. */
  instances?: { counts: number[]; stores: StoreKind[] };
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

/**
 * The embedded reference server as the bench runs it: every task the bench creates is kept for its ttl, as
 * the SDK-based server keeps them. The default cap of 10 000 finished tasks per principal would purge the
 * earliest in the middle of the scale step, and memory per retained task would then count fewer tasks than
 * it divides by.
 */
export const BENCH_REFERENCE_ARGS = ['--max-finished-tasks', '10000000'];

export function sdkServerSpec(transport: 'stdio' | 'http' = 'stdio'): TargetSpec {
  const main = packagePath('dist', 'harness', 'bench', 'sdk-server.js');
  if (transport === 'http') return { kind: 'http-command', command: process.execPath, args: [main, '--http', '--port', '0'] };
  return { kind: 'stdio', command: process.execPath, args: [main] };
}

function readMapping(file: string): FixtureMappingFile {
  try {
    return loadFixtureMapping(file);
  } catch (err) {
    throw new UsageError(errorText(err));
  }
}

export function parseBenchArgs(argv: string[]): BenchCliOptions | 'help' {
  const { values, command } = parseCommandLine(argv, BENCH_OPTIONS);
  if (values.help) return 'help';
  const transport = values.transport ?? 'stdio';
  if (transport !== 'stdio' && transport !== 'http') throw new UsageError(`--transport must be stdio or http, got '${transport}'`);
  const instances = parseInstances(values, command);
  // --instances is the check command's "N instances of the command" too; the bench's own runs the embedded server.
  const common = resolveTargetOptions({ ...values, instances: undefined }, command);
  if (!common.embedded && values.transport !== undefined)
    throw new UsageError("--transport picks the embedded reference server's transport; it does not apply to a target you give");
  const specs = common.embedded ? referenceTargetSpecs({ transports: [transport], extraArgs: BENCH_REFERENCE_ARGS }) : common.targets;

  if (values.compare !== undefined && values['compare-url'] !== undefined)
    throw new UsageError('give either --compare or --compare-url, not both');
  let compare: TargetSpec | undefined;
  if (values.compare !== undefined) {
    const words = splitCommand(values.compare);
    if (words.length === 0) throw new UsageError('--compare needs "sdk" or a server command, e.g. --compare "node server.js"');
    compare =
      words.length === 1 && words[0] === 'sdk' ? sdkServerSpec(transport) : { kind: 'stdio', command: words[0]!, args: words.slice(1) };
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
      ? values.durations.split(',').map((d) => parsePositiveNumber('--durations', d))
      : values['seed-durations']
        ? SEED_DURATIONS
        : DEFAULT_DURATIONS;
  const maxTasks = values['max-tasks'] !== undefined ? parsePositiveInt('--max-tasks', values['max-tasks']) : 1000;
  if (maxTasks > 10_000) throw new UsageError(`--max-tasks is at most 10000, got ${maxTasks}`);
  let soak: BenchCliOptions['soak'];
  if (values.soak !== undefined) {
    try {
      soak = { durationMs: parseDuration(values.soak), rate: DEFAULT_SOAK_RATE };
    } catch (err) {
      throw new UsageError(`--soak: ${errorText(err)}`);
    }
  }
  if (values.rate !== undefined) {
    if (!soak) throw new UsageError('--rate sets the request rate of --soak; give --soak <duration> too');
    soak.rate = parsePositiveNumber('--rate', values.rate);
  }
  let phases: Phase[] = soak ? [] : [...PHASES];
  if (values.only !== undefined) {
    phases = values.only.split(',').map((p) => p.trim()) as Phase[];
    const bad = phases.find((p) => !PHASES.includes(p));
    if (bad !== undefined) throw new UsageError(`--only: unknown phase '${bad}' (choose from ${PHASES.join(', ')})`);
  }
  return {
    specs,
    compare,
    timeouts: parseTimeouts(values),
    protocol: parseProtocol(values.protocol),
    out: common.out,
    durations,
    rounds: values.rounds !== undefined ? parsePositiveInt('--rounds', values.rounds) : DEFAULT_ROUNDS,
    scaleSizes: scaleSizesUpTo(maxTasks),
    scaleSeconds:
      values['scale-seconds'] !== undefined ? parsePositiveNumber('--scale-seconds', values['scale-seconds']) : DEFAULT_SCALE_SECONDS,
    opTimeMs: values['op-time'] !== undefined ? parsePositiveInt('--op-time', values['op-time']) : DEFAULT_OP_TIME_MS,
    phases,
    ...(soak ? { soak } : {}),
    wire: values.wire ?? false,
    ...(values.fixtures !== undefined ? { fixtures: readMapping(values.fixtures) } : {}),
    verbose: values.verbose ?? false,
    ...(instances && { instances }),
  };
}

function parseInstances(values: { instances?: string; stores?: string }, command: string[]): BenchCliOptions['instances'] {
  if (values.instances === undefined) {
    if (values.stores !== undefined) throw new UsageError('--stores picks the stores of --instances; give --instances 1,2,4 too');
    return undefined;
  }
  if (command.length) throw new UsageError('bench --instances scales out the embedded reference server; it takes no server command');
  const counts = values.instances.split(',').map((v) => parsePositiveInt('--instances', v.trim(), 'instances'));
  if (counts.some((n) => n > 16)) throw new UsageError('--instances: at most 16 instances');
  const stores = (values.stores ?? STORES.join(',')).split(',').map((v) => v.trim());
  const bad = stores.find((v) => !(STORES as readonly string[]).includes(v));
  if (bad !== undefined) throw new UsageError(`--stores: unknown store '${bad}' (choose from ${STORES.join(', ')})`);
  return { counts: [...new Set(counts)].sort((a, b) => a - b), stores: stores as StoreKind[] };
}
