// `sep1686-check demo`: the narrative run, live against any task server (default: the embedded
// reference server over HTTP). Parses the target options the checks use, starts the target, runs the
// parts in order (each one's failure is said plainly and the next part still runs), stops the target.
// The main CLI dispatches here by dynamic import; runDemo returns the exit code.
import { shareableLabel } from '../bench/cli.js';
import { DiscardingWireLog } from '../bench/discarding-wire.js';
import { loadFixtureMapping, loadFixtures, type FixtureMappingFile } from '../fixtures.js';
import { createTarget } from '../transport/targets.js';
import { TargetError, type Target } from '../transport/target.js';
import { parseCommandLine, parseTimeouts, referenceTargetSpecs, resolveTargetOptions, TARGET_OPTIONS } from '../cli/options.js';
import type { RunTimeouts } from '../run/timeouts.js';
import { errorText as errorMessage, UsageError } from '../util/errors.js';
import { partApproaches } from './approaches.js';
import { type DemoContext, DemoProblem } from './calls.js';
import { Narrator } from './narrator.js';
import { partAwait, partInstant, partMany, partPolling } from './parts.js';
import { partReconnect } from './reconnect.js';
import { partWatch } from './watch.js';

const DEMO_OPTIONS = {
  ...TARGET_OPTIONS,
  fixtures: { type: 'string' },
  quick: { type: 'boolean' },
  transport: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const HELP = `Usage: sep1686-check demo [--quick] [target options] [-- <server command> [args...]]

Shows, live, what tasks give a client: three calls of 3, 2 and 1 s sequentially, concurrently and as
tasks (part 0), polling while doing other work (1), awaiting a result (2), several tasks at once (3),
live status transitions and a cancel (4), an instant tool (5), and fetching a result from a new session
after the connection closed (6). Every figure is measured on this run.

  --quick                   0.3, 0.2 and 0.1 s instead of 3, 2 and 1 s
  -- <command> [args...]    a stdio server (part 6 needs HTTP: one process per stdio connection)
  --url <endpoint>          a Streamable HTTP server (--header "Name: value", --auth-token T)
  --http-command            the -- command is an HTTP server printing "MCP endpoint: <url>"
  --transport stdio|http    the embedded reference server's transport (default http)
  --fixtures <file>         map F-ECHO (slow_compute) and F-SYNC (greet) to your tools
  --timeout <ms>            per-request timeout (default 10000)

Exit codes: 0 every part ran, 1 a part could not run as a task server should, 2 usage error or the
server could not be started.
`;

const PARTS = [partApproaches, partPolling, partAwait, partMany, partWatch, partInstant, partReconnect];

interface Parsed {
  options: ReturnType<typeof resolveTargetOptions>;
  quick: boolean;
  fixtures: FixtureMappingFile;
  timeouts: RunTimeouts;
}

function parse(argv: string[]): Parsed | 'help' {
  const { values, command } = parseCommandLine(argv, DEMO_OPTIONS);
  if (values.help) return 'help';
  if (values.out !== undefined) throw new UsageError('the demo writes no report (--out does not apply)');
  const transport = values.transport ?? 'http';
  if (transport !== 'stdio' && transport !== 'http') throw new UsageError(`--transport must be stdio or http, got '${transport}'`);
  const options = resolveTargetOptions(values, command);
  if (!options.embedded && values.transport !== undefined)
    throw new UsageError("--transport picks the embedded reference server's transport; it does not apply to a target you give");
  if (options.embedded) options.targets = referenceTargetSpecs({ transports: [transport] });
  let fixtures: FixtureMappingFile = {};
  if (values.fixtures !== undefined) {
    try {
      fixtures = loadFixtureMapping(values.fixtures);
    } catch (err) {
      throw new UsageError(errorMessage(err));
    }
  }
  return { options, quick: Boolean(values.quick), fixtures, timeouts: parseTimeouts({ timeout: values.timeout }) };
}

async function connectDemo(target: Target, parsed: Parsed, say: Narrator, label: string): Promise<DemoContext> {
  const session = await target.connect();
  const fixtures = await loadFixtures(session, parsed.fixtures, { principals: target.principals, canRestart: target.canRestart });
  const missing = (['F-ECHO', 'F-SYNC'] as const).filter((r) => !fixtures.has(r));
  if (missing.length)
    throw new UsageError(
      `${label} lacks ${missing
        .map((r) => `${r === 'F-ECHO' ? 'F-ECHO (slow_compute)' : 'F-SYNC (greet)'}${fixtures.refusal(r)?.replace(/^/, ': ') ?? ''}`)
        .join(' and ')}; implement or map it with --fixtures`,
    );
  const durations = parsed.quick ? [0.3, 0.2, 0.1] : [3, 2, 1];
  let n = 0;
  const unit = Math.min(...durations);
  return { target, session, fixtures, say, durations, units: (k) => Number((k * unit).toFixed(3)), label: (name) => `${name}-${++n}` };
}

export async function runDemo(argv: string[]): Promise<number> {
  let parsed: Parsed | 'help';
  try {
    parsed = parse(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`sep1686-check demo: ${err.message} (see --help)\n`);
    return 2;
  }
  if (parsed === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  const spec = parsed.options.targets[0]!;
  const target = createTarget({
    spec,
    wire: new DiscardingWireLog(),
    requestTimeoutMs: parsed.timeouts.requestMs,
    startTimeoutMs: parsed.timeouts.startMs,
  });
  const stop = (signal: NodeJS.Signals) => void target.dispose().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const say = Narrator.forStdout();
  const label = shareableLabel(target.label, spec);
  try {
    const ctx = await connectDemo(target, parsed, say, label);
    const info = ctx.session.initializeResult.serverInfo as { name?: string; version?: string } | undefined;
    say.plain(`sep1686-check demo: ${label}${info?.name ? ` (${info.name} ${info.version ?? ''})` : ''}`);
    say.plain('Times are seconds since the part began; "client" lines are what this demo sends, "server" lines what came back.');
    let failed = 0;
    for (const [i, part] of PARTS.entries()) {
      try {
        await part(ctx);
      } catch (err) {
        failed++;
        say.problem(`part ${i} stopped: ${errorMessage(err)}${err instanceof DemoProblem ? '' : ' (unexpected)'}`);
      }
    }
    const findings = say.problems ? `; ${say.problems} line(s) marked !! say where this server differs from a task server` : '';
    say.plain(failed ? `\n${failed} part(s) stopped; see the lines marked !!.` : `\nEvery part ran${findings}.`);
    return failed ? 1 : 0;
  } catch (err) {
    if (!(err instanceof UsageError || err instanceof TargetError)) throw err;
    process.stderr.write(`sep1686-check demo: ${err.message.split('\n')[0]}\n`);
    return 2;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await target.dispose().catch(() => undefined);
  }
}
