// `sep1686-check bench`: options in (bench/options.ts), targets up, the eras each speaks found
// (--protocol, modern/connect.ts), each era's suite run (suite.ts, modern/suite.ts), report files written,
// exit code out. Target lifecycle, Ctrl-C handling and exit codes are the check command's own
// (cli/execute.ts, cli/signals.ts, run/verdict.ts). The main CLI (harness/cli/main.ts) dispatches here by
// dynamic import.
import { writeFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { createTargets, disposeTargets, realConnectivity, type Connectivity } from '../cli/execute.js';
import { SignalGuard } from '../cli/signals.js';
import { PACKAGE_ROOT, packageInfo } from '../paths.js';
import { PROTOCOL_VERSION } from '../protocol.js';
import type { BenchReport } from '../report/bench-model.js';
import { defaultOutDir, writeReports } from '../report/index.js';
import { validateReport } from '../report/json.js';
import { summarize, type Report, type RunProblem } from '../report/model.js';
import { EXIT } from '../run/verdict.js';
import { specSecrets, TargetError, type Target, type TargetSpec } from '../transport/target.js';
import { WireLog } from '../transport/wire.js';
import { DiscardingWireLog } from './discarding-wire.js';

import { errorText, UsageError } from '../util/errors.js';
import type { FixtureMappingFile } from '../fixtures.js';
import { redact } from '../util/redact.js';
import { HELP, parseBenchArgs, type BenchCliOptions } from './options.js';
import { renderBenchMarkdown, renderBenchTerminal } from './render.js';
import { heapReader, withHeapProbe } from './heap.js';
import { renderInstances, runInstancesBench } from './instances.js';
import { DEFAULT_SCALE_CONCURRENCY } from './scale.js';
import { runBenchSuite } from './suite.js';
import type { BenchTarget } from './types.js';
import { LEGACY_ERA, MODERN_ERA, type Era } from '../checks.js';
import { loadavg } from 'node:os';
import { connectModern, findEras, requireModernFixtures, type TargetEras } from './modern/connect.js';
import { renderModernMarkdown, renderModernTerminal, type ModernContext } from './modern/render.js';
import { runModernSuite } from './modern/suite.js';
import { benchProblems, exitProblems } from './problems.js';

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

/**
 * The target's label as people may share it: bearer tokens masked, this machine's node binary and
 * package folder shortened ("stdio: node dist/reference-server/main.js").
 */
export function shareableLabel(label: string, spec: TargetSpec): string {
  const masked = redact(label, specSecrets(spec), '<token>');
  return masked.split(`${PACKAGE_ROOT}${sep}`).join('').split(process.execPath).join('node');
}

function uniqueLabels(labels: string[]): string[] {
  return labels.map((l, i) => (labels.indexOf(l) === i ? l : `${l} (${i + 1})`));
}

/** report.json of a bench run: the run's envelope and the `bench` section; no check ran, so `checks` is empty. */
function benchReport(
  bench: BenchReport,
  targets: Target[],
  labels: string[],
  eras: TargetEras[],
  startedAt: Date,
  problems: RunProblem[],
): Report {
  const finishedAt = new Date();
  return validateReport({
    tool: packageInfo(),
    run: {
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationMs: finishedAt.getTime() - startedAt.getTime(),
      targets: targets.map((t, i) => ({ label: labels[i] ?? t.label, transport: t.transport, eras: eras[i]?.eras ?? [] })),
      protocolVersion: bench.eras?.includes(LEGACY_ERA) === false ? MODERN_ERA : PROTOCOL_VERSION,
      exitCode: problems.length ? EXIT.failed : EXIT.ok,
      incomplete: false,
      verdict: problems.length ? `bench: ${problems.length} measurement(s) saw wrong results or errors` : 'bench: every result was correct',
    },
    summary: summarize([], 0, 0, []),
    checks: [],
    ...(problems.length ? { runProblems: problems } : {}),
    bench,
  });
}

/** Connects to every target and checks it has the two fixture tools the bench calls. */
async function connectAll(
  targets: Target[],
  labels: string[],
  probed: boolean[],
  mapping: (i: number) => FixtureMappingFile,
  io: Connectivity,
  progress: (m: string) => void,
) {
  const benchTargets: BenchTarget[] = [];
  for (const [i, target] of targets.entries()) {
    progress(`bench: connecting to ${labels[i]}`);
    const session = await target.connect();
    const fixtures = await io.loadFixtures(session, target, mapping(i));
    const missing = (['F-ECHO', 'F-SYNC'] as const).filter((r) => !fixtures.has(r));
    if (missing.length) {
      const tools = { 'F-ECHO': 'slow_compute', 'F-SYNC': 'greet' };
      // A listed tool that cannot play its role says why ("binding refused: ..."), on the same one line.
      const why = (r: (typeof missing)[number]) => fixtures.refusal(r)?.replace(/^/, ': ') ?? '';
      throw new UsageError(
        `${labels[i]} lacks the fixture tool(s) ${missing.map((r) => `${tools[r]} (${r}${why(r)})`).join(', ')} the bench needs; implement them or map them with --fixtures`,
      );
    }
    const pid = () => target.serverPids()[0];
    const heap = probed[i] ? { heap: heapReader(pid, () => target.stderrTail(20)) } : {};
    benchTargets.push({ label: labels[i]!, session, fixtures, pid, ...heap });
  }
  return benchTargets;
}

/** The modern section's share of the report; the load average only when no 2025-11-25 section prints it. */
function modernContext(b: BenchReport): ModernContext {
  return { durations: b.durations, rounds: b.rounds, ...(b.targets.length === 0 && b.loadAverage ? { loadAverage: b.loadAverage } : {}) };
}

/** The sizes both eras' suites take from the command line. */
function suiteSizes(options: BenchCliOptions) {
  return {
    durations: options.durations,
    rounds: options.rounds,
    opTimeMs: options.opTimeMs,
    opWarmupMs: options.opWarmupMs,
    scaleSizes: options.scaleSizes,
    scaleSeconds: options.scaleSeconds,
    scaleConcurrency: DEFAULT_SCALE_CONCURRENCY,
    phases: options.phases,
    ...(options.soak ? { soak: options.soak } : {}),
  };
}

/** The 2025-11-25 suite on the targets that speak it; an empty section (no targets) when none does. */
async function runLegacy(targets: BenchTarget[], options: BenchCliOptions, progress: (m: string) => void): Promise<BenchReport> {
  if (targets.length) return runBenchSuite(targets, { ...suiteSizes(options), progress });
  return { durations: options.durations, rounds: options.rounds, targets: [], approaches: [], operations: [], scale: [] };
}

/** Runs the bench against already-parsed options; used by runBench and by tests (with a custom io). */
export async function executeBench(
  options: BenchCliOptions,
  io: Connectivity = realConnectivity,
): Promise<{ exitCode: number; report?: Report; outDir?: string; message?: string }> {
  const wire = options.wire ? new WireLog() : new DiscardingWireLog();
  // Servers run with this node binary get the heap probe preloaded (memory per retained task after a GC).
  const probes = [...options.specs, ...(options.compare ? [options.compare] : [])].map(withHeapProbe);
  const specs = probes.map((p) => p.spec);
  const progress = options.quiet ? { update: () => {}, done: () => {} } : progressLine();
  // No partial bench report: the first Ctrl-C stops the servers and exits.
  const signals = new SignalGuard({
    first: (signal) => {
      progress.done();
      process.stderr.write(`sep1686-check bench: ${signal}, stopping the servers\n`);
      void signals.killAndExit();
    },
  });
  const startedAt = new Date();
  let targets: Target[] = [];
  try {
    // The lean HTTP link: the bench's client must not be what the figures measure (lean-http-link.ts).
    targets = await createTargets(specs, { wire, timeouts: options.timeouts, lean: true }, io);
    signals.live = targets;
    const labels = uniqueLabels(targets.map((t, i) => shareableLabel(t.label, specs[i]!)));
    // --fixtures maps the first target's tools only: a --compare target uses the contract's names.
    const mapping = (i: number) => (i >= options.specs.length ? {} : (options.fixtures ?? {}));
    const { settleMs } = options.timeouts;
    const eras = await findEras(targets, labels, options.protocol, mapping, io, settleMs, progress.update);
    requireModernFixtures(eras, labels);
    const speaks = (era: Era) => targets.flatMap((_, i) => (eras[i]!.eras.includes(era) ? [i] : []));
    const legacy = speaks(LEGACY_ERA);
    const pick = <T>(list: T[], idx: number[]) => idx.map((i) => list[i]!);
    const loadAtStart = loadavg();
    const bench = await runLegacy(
      await connectAll(
        pick(targets, legacy),
        pick(labels, legacy),
        pick(probes, legacy).map((p) => p.probed),
        (j) => mapping(legacy[j]!),
        io,
        progress.update,
      ),
      options,
      progress.update,
    );
    const modern = await connectModern(targets, labels, eras, settleMs, progress.update);
    if (modern.length)
      bench.modern = await runModernSuite(modern, {
        ...suiteSizes(options),
        wakeupSamples: 2 * options.rounds,
        wakeupTimeoutMs: settleMs,
        progress: progress.update,
      });
    bench.eras = [LEGACY_ERA, MODERN_ERA].filter((era) => (era === LEGACY_ERA ? legacy.length > 0 : modern.length > 0));
    const notes = eras.flatMap((e) => (e.note ? [e.note] : []));
    if (notes.length) bench.eraNotes = notes;
    bench.loadAverage = { start: bench.loadAverage?.start ?? loadAtStart, end: loadavg() };
    progress.done();
    const problems = [...exitProblems(targets, labels), ...benchProblems(bench)];
    const report = benchReport(bench, targets, labels, eras, startedAt, problems);
    const outDir = resolve(options.out ?? `${defaultOutDir()}-bench`);
    const sections = [
      ...(bench.targets.length ? [renderBenchMarkdown(bench)] : []),
      ...(bench.modern ? [renderModernMarkdown(bench.modern, modernContext(bench))] : []),
    ];
    await writeReports(report, outDir, { sections, ...(options.wire ? { wire } : {}) });
    return { exitCode: report.run.exitCode, report, outDir };
  } catch (err) {
    progress.done();
    if (err instanceof UsageError || err instanceof TargetError) {
      const tail =
        err instanceof TargetError && err.stderrTail.trim() ? ` | stderr: ${err.stderrTail.trim().split('\n').slice(-3).join(' / ')}` : '';
      return { exitCode: EXIT.usage, message: `${err.message}${tail}` };
    }
    throw err;
  } finally {
    signals.uninstall();
    signals.live = [];
    await disposeTargets(targets);
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
      return EXIT.usage;
    }
    throw err;
  }
  if (options === 'help') {
    process.stdout.write(HELP);
    return EXIT.ok;
  }
  if (options.instances) return runInstances(options, options.instances);
  try {
    const r = await executeBench(options);
    if (r.message) {
      process.stderr.write(`sep1686-check bench: ${r.message}\n`);
      return r.exitCode;
    }
    const bench = r.report!.bench!;
    if (bench.targets.length) process.stdout.write(`${renderBenchTerminal(bench)}\n`);
    if (bench.modern) process.stdout.write(`${renderModernTerminal(bench.modern, modernContext(bench))}\n`);
    for (const note of bench.eraNotes ?? []) process.stdout.write(`note: ${note}\n`);
    for (const p of r.report!.runProblems ?? []) process.stdout.write(`problem: ${p.target}: ${p.message}\n`);
    process.stdout.write(`${r.report!.run.verdict}\nReport: ${r.outDir}\n`);
    return r.exitCode;
  } catch (err) {
    process.stderr.write(`sep1686-check bench: ${errorText(err)}\n`);
    if (options.verbose && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    return EXIT.usage;
  }
}

/** `bench --instances 1,2,4`: the figures on stdout and in <out>/instances.md. */
async function runInstances(options: BenchCliOptions, instances: NonNullable<BenchCliOptions['instances']>): Promise<number> {
  const line = progressLine();
  const startedAt = new Date();
  try {
    const result = await runInstancesBench({
      ...instances,
      timeouts: options.timeouts,
      progress: options.quiet ? () => undefined : line.update,
    });
    line.done();
    const markdown = renderInstances(result);
    const dir = resolve(options.out ?? `${defaultOutDir()}-bench-instances`);
    // report.json holds the figures as data (bench.instances); instances.md is the table alone.
    const bench: BenchReport = { durations: [], rounds: 0, targets: [], approaches: [], operations: [], scale: [], instances: result };
    await writeReports(benchReport(bench, [], [], [], startedAt, []), dir, { sections: [markdown] });
    await writeFile(join(dir, 'instances.md'), markdown);
    process.stdout.write(`${markdown}
Report: ${dir}
`);
    return EXIT.ok;
  } catch (err) {
    line.done();
    process.stderr.write(`sep1686-check bench --instances: ${errorText(err)}\n`);
    return EXIT.failed;
  }
}
