#!/usr/bin/env node
// sep1686-check: options in, exit code out. No protocol knowledge here: targets, runner, verdict and
// reports do the work; this file wires them and keeps the user-facing promises (one-line errors,
// exit codes, Ctrl-C writes a partial report and leaves no process behind).
import { loadFixtureMapping, type FixtureMappingFile } from '../fixtures.js';
import { execute } from './execute.js';
import { buildReport, writeReports } from '../report/index.js';
import { ProgressPrinter } from '../report/progress.js';
import { renderTerminal, useColor } from '../report/terminal.js';
import { packageInfo } from '../paths.js';
import { listChecks, selectScenarios } from '../run/selection.js';
import { DEFAULT_TIMEOUTS } from '../run/timeouts.js';
import { LEGACY_ERA } from '../checks.js';
import { TargetError } from '../transport/target.js';
import {
  LIMIT_OPTIONS,
  parseCommandLine,
  parseLimits,
  parseProtocol,
  parseTimeouts,
  PROTOCOL_OPTIONS,
  resolveTargetOptions,
  TARGET_OPTIONS,
  TIMEOUT_OPTIONS,
} from './options.js';
import { prepareOutDir } from './out-dir.js';
import { DEFAULT_LIMITS, formatBytes } from '../transport/limits.js';
import { defaultOutDir } from '../report/index.js';
import { errorText, oneLine, UsageError } from '../util/errors.js';
import { SignalGuard } from './signals.js';
import { evidenceOf, isProfileProperty, PROFILE_PROPERTY_NAMES, type ProfileProperty } from '../profile.js';
import { decide, EXIT, loadBaseline, type BaselineEntry } from '../run/verdict.js';
import { WireLog } from '../transport/wire.js';
import type { Scenario } from '../scenario.js';

const NAME = 'sep1686-check';

const OPTIONS = {
  ...TARGET_OPTIONS,
  scenario: { type: 'string', multiple: true },
  list: { type: 'boolean' },
  fixtures: { type: 'string' },
  'expected-failures': { type: 'string' },
  'allow-incomplete': { type: 'boolean' },
  require: { type: 'string', multiple: true },
  ...TIMEOUT_OPTIONS,
  ...LIMIT_OPTIONS,
  ...PROTOCOL_OPTIONS,
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

const HELP = `Usage:
  ${NAME} [options] -- <command> [args...]          check a stdio MCP server
  ${NAME} [options] --url <endpoint>                 check a Streamable HTTP MCP server
  ${NAME} [options] --http-command -- <command>      start an HTTP server that prints "MCP endpoint: <url>"
  ${NAME} [options]                                  check the embedded reference server (stdio and HTTP)
  ${NAME} bench [options]                            benchmarks (see ${NAME} bench --help)
  ${NAME} demo [--quick] [options]                   the tasks demo, live (see ${NAME} demo --help)
  ${NAME} init [--out file] [target options]         propose a --fixtures mapping for a server (see ${NAME} init --help)

Checks an MCP server's Tasks implementation: SEP-1686 on protocol 2025-11-25, and the
io.modelcontextprotocol/tasks extension (SEP-2663) on protocol 2026-07-28.

Target:
  --url <endpoint>             Streamable HTTP endpoint, e.g. http://127.0.0.1:3000/mcp (repeatable: the
                               endpoints of one deployment, checked together by the cluster scenario)
  --header "Name: value"       extra HTTP header (repeatable)
  --auth-token <token>         bearer token (repeatable; two tokens of different principals enable S-AUTH checks)
  --http-command               treat the command after -- as an HTTP server (it must print "MCP endpoint: <url>")
  --instances <n>              with --http-command: start n instances of it as one deployment (they must share
                               a store, e.g. --store redis://...); the cluster scenario checks them together
  --fixtures <file>            YAML/JSON mapping of fixture roles to your server's tools
  --protocol <era>             auto (default: server/discover, then initialize; every era the server
                               speaks is checked), 2025-11-25 or 2026-07-28 (only that era's suite)

Selection and policy:
  --list                       print every scenario and check (era, id, level, fixtures, transports) and exit
  --scenario <name>            run only this scenario (repeatable)
  --expected-failures <file>   YAML baseline of check ids expected to fail ("server:" list or plain list;
                               "<id>@http" limits an entry to one transport, "<id>@2026-07-28" to one era)
  --allow-incomplete           do not exit 3 when MUST checks could not run
  --require <property>         fail (exit 1) unless this lifecycle property holds (repeatable; needs the
                               lifecycle scenario): ${PROFILE_PROPERTY_NAMES.join(', ')}

Timing:
  --timeout <ms>               per request (default ${DEFAULT_TIMEOUTS.requestMs})
  --settle <ms>                how long polling waits for a state (T_SETTLE, default ${DEFAULT_TIMEOUTS.settleMs})
  --check-timeout <ms>         deadline of one check (default ${DEFAULT_TIMEOUTS.checkMs})
  --run-timeout <ms>           deadline of the whole run (default none)
                               (every time limit is at most 2147483647 ms)

Limits (a session that exceeds one is ended and H25-22 fails):
  --max-message-bytes <n>      largest HTTP body, SSE event or stdout line (default ${DEFAULT_LIMITS.maxMessageBytes} = ${formatBytes(DEFAULT_LIMITS.maxMessageBytes)})
  --max-server-messages <n>    notifications and server requests one session accepts (default ${DEFAULT_LIMITS.maxServerMessages})

Output:
  --out <dir>                  report folder (default reports/runs/<timestamp>/): report.json, report.md,
                               junit.xml, wire.jsonl; report.md is also appended to $GITHUB_STEP_SUMMARY
  --verbose, -v                every check as it finishes, scenario logs, stacks of unexpected errors
  --help, -h                   this help
  --version                    the version

Exit codes: 0 all ran and nothing failed; 1 a check failed or the baseline is stale; 2 usage error or the
target could not be started; 3 incomplete (a MUST check could not run); 130/143 interrupted.

Examples:
  ${NAME}
  ${NAME} -- node build/server.js
  ${NAME} --scenario cancel --scenario result -- npx my-mcp-server
  ${NAME} --url http://127.0.0.1:3000/mcp --auth-token alice-token --auth-token bob-token
  ${NAME} --http-command -- node server.js --port 0
  ${NAME} --expected-failures expected-failures.yml --out reports/ci -- python -m my_server
`;

/** Holds the live targets, so a second Ctrl-C or a crash of this process can still kill what we spawned. */
let guard: SignalGuard | undefined;
const verboseFlag = process.argv.includes('--verbose') || process.argv.includes('-v');

/** Scenarios load lazily so a broken scenario module is reported as one line, not a loader stack trace. */
let SCENARIOS: Scenario[] = [];

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'bench') return runBenchCommand(argv.slice(1));
  if (argv[0] === 'demo') return (await import('../demo/index.js')).runDemo(argv.slice(1));
  if (argv[0] === 'init') return (await import('../init/index.js')).runInit(argv.slice(1));

  const { values, command } = parseCommandLine(argv, OPTIONS);
  if (values.help) {
    process.stdout.write(HELP);
    return EXIT.ok;
  }
  if (values.version) {
    process.stdout.write(`${packageInfo().version}\n`);
    return EXIT.ok;
  }
  SCENARIOS = (await import('../../scenarios/index.js')).SCENARIOS;
  if (values.list) {
    process.stdout.write(renderList());
    return EXIT.ok;
  }

  const selected = selectScenarios(SCENARIOS, values.scenario);
  const required = values.require ?? [];
  const unknownProperty = required.find((p) => !isProfileProperty(p));
  if (unknownProperty !== undefined)
    throw new UsageError(`--require: unknown property '${unknownProperty}' (known: ${PROFILE_PROPERTY_NAMES.join(', ')})`);
  for (const name of required) {
    // The scenarios of the property's evidence checks (lifecycle, cluster, their 2026-07-28 forms): one must run.
    const ids = evidenceOf(name as ProfileProperty);
    const homes = SCENARIOS.filter((sc) => sc.checks.some((c) => ids.includes(c.id)));
    if (homes.length && !homes.some((home) => selected.includes(home)))
      throw new UsageError(`--require needs the ${homes[0]!.name} scenario, which is not selected (add --scenario ${homes[0]!.name})`);
  }
  const timeouts = parseTimeouts(values);
  const limits = parseLimits(values);
  const protocol = parseProtocol(values.protocol);
  const common = resolveTargetOptions(values, command);

  let fixtures: FixtureMappingFile | undefined;
  if (values.fixtures !== undefined) {
    try {
      fixtures = loadFixtureMapping(values.fixtures);
    } catch (err) {
      throw new UsageError(errorText(err));
    }
  }
  const knownIds = listChecks(SCENARIOS).map((c) => c.spec.id);
  let baseline: { file: string; entries: BaselineEntry[] } | undefined;
  if (values['expected-failures'] !== undefined) {
    baseline = { file: values['expected-failures'], entries: await loadBaseline(values['expected-failures'], knownIds) };
  }
  // Before anything runs: a report folder that cannot be written fails now, not after the suite.
  const wire = new WireLog();
  const outDir = prepareOutDir(common.out ?? defaultOutDir(), wire);

  const progress = ProgressPrinter.forStream(process.stderr, Boolean(values.verbose));
  const stop = new AbortController();
  const signals = new SignalGuard({
    first: () => {
      progress.done();
      process.stderr.write(`${NAME}: interrupted, stopping the target and writing a partial report (again to quit at once)\n`);
      stop.abort();
    },
    // Second signal: the user wants out now.
    second: () => {
      progress.done();
      process.stderr.write(`${NAME}: stopping now\n`);
    },
  });
  guard = signals;

  let outcome: Awaited<ReturnType<typeof execute>>;
  try {
    outcome = await execute({
      specs: common.targets,
      scenarios: SCENARIOS,
      selection: selected.map((s) => s.name),
      timeouts,
      limits,
      fixtures,
      protocol,
      wire,
      onProgress: progress.handle,
      signal: stop.signal,
      onTargets: (t) => (signals.live = t),
    });
  } finally {
    progress.done();
    signals.live = [];
  }
  const { run } = outcome;

  const verdict = decide({
    results: run.results,
    baseline: baseline?.entries,
    allowIncomplete: Boolean(values['allow-incomplete']),
    fatal: run.fatal?.message,
    findings: run.findings,
    require: required,
  });
  const exitCode = signals.exitCode ?? (run.interrupted === 'signal' ? EXIT.sigint : verdict.exitCode);
  const declaredIds = listChecks(selected).map((c) => c.spec.id);
  const report = buildReport({ run, verdict, declaredIds, baseline, exitCode });
  const files = await writeReports(report, outDir, { wire });

  if (run.fatal) {
    process.stderr.write(`${NAME}: ${oneLine(run.fatal.message)}\n`);
    if (values.verbose && run.fatal.stderrTail) process.stderr.write(`${run.fatal.stderrTail}\n`);
  } else {
    process.stdout.write(`${renderTerminal(report, { color: useColor(process.stdout), verbose: Boolean(values.verbose) })}\n`);
  }
  process.stdout.write(`Reports: ${files.dir}\n`);
  return exitCode;
}

function renderList(): string {
  const out: string[] = [];
  let era: string | undefined;
  for (const s of SCENARIOS) {
    if ((s.era ?? LEGACY_ERA) !== era) {
      era = s.era ?? LEGACY_ERA;
      out.push(`== protocol ${era} ==`);
    }
    out.push(`${s.name} — ${s.description}`);
    for (const c of s.checks) {
      const fixtures = c.fixtures.length ? c.fixtures.join(',') : '-';
      const transports = c.transports?.join(',') ?? 'stdio,http';
      out.push(`  ${c.id.padEnd(14)} ${c.level.padEnd(6)} fixtures: ${fixtures.padEnd(24)} transports: ${transports.padEnd(10)} ${c.name}`);
    }
    if (!s.checks.length) out.push('  (no checks yet)');
  }
  out.push(`${listChecks(SCENARIOS).length} checks in ${SCENARIOS.length} scenarios`);
  return `${out.join('\n')}\n`;
}

async function runBenchCommand(argv: string[]): Promise<number> {
  // Loaded only for `bench`, so the check command never pays for the bench modules.
  const mod = (await import('../bench/cli.js')) as { runBench?: (argv: string[]) => Promise<number> };
  if (typeof mod.runBench !== 'function') {
    process.stderr.write(`${NAME}: bench is not implemented in this build\n`);
    return EXIT.usage;
  }
  return mod.runBench(argv);
}

/** Any error that escapes: one line (stack only with --verbose), exit 2, nothing left running. */
async function die(err: unknown): Promise<never> {
  if (err instanceof UsageError) {
    process.stderr.write(`${NAME}: ${oneLine(err.message)} (see --help)\n`);
  } else if (err instanceof TargetError) {
    process.stderr.write(`${NAME}: ${oneLine(err.message)}\n`);
    if (verboseFlag && err.stderrTail) process.stderr.write(`${err.stderrTail}\n`);
  } else {
    process.stderr.write(
      `${NAME}: unexpected error: ${oneLine(errorText(err))}${verboseFlag ? '' : ' (run with --verbose for details)'}\n`,
    );
    if (verboseFlag && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  }
  await guard?.killTargets();
  process.exit(EXIT.usage);
}

process.on('uncaughtException', (err) => void die(err));
// A check block abandoned at its deadline may reject later; that must not take the run down.
process.on('unhandledRejection', (reason) => {
  if (verboseFlag) process.stderr.write(`${NAME}: ignored late rejection: ${oneLine(errorText(reason))}\n`);
});

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => die(err),
);
