// `sep1686-check init [target options] [--out file]`: connects to the server, lists its tools and writes
// a commented role-mapping YAML (stdout, or a new file: it never overwrites) that proposes a fixture role
// for each tool. Reuses the check run's target lifecycle (createTargets / disposeTargets, SignalGuard).
import { writeFileSync } from 'node:fs';
import { shareableLabel } from '../bench/cli.js';
import { createTargets, disposeTargets } from '../cli/execute.js';
import { parseCommandLine, parseTimeouts, referenceTargetSpecs, resolveTargetOptions, TARGET_OPTIONS } from '../cli/options.js';
import { SignalGuard } from '../cli/signals.js';
import { listTools } from '../fixtures.js';
import { EXIT } from '../run/verdict.js';
import { TargetError } from '../transport/target.js';
import { WireLog } from '../transport/wire.js';
import { oneLine, UsageError } from '../util/errors.js';
import { proposeRoles } from './propose.js';
import { renderMapping } from './render.js';

const INIT_OPTIONS = { ...TARGET_OPTIONS, help: { type: 'boolean', short: 'h' } } as const;

const HELP = `Usage: sep1686-check init [target options] [--out <file>] [-- <server command> [args...]]

Connects to the server, lists its tools and writes a commented --fixtures mapping that proposes a
fixture role for each tool (by name, taskSupport and inputSchema) and says why; roles nothing fits are
written commented out. Review it, add expect: where you know what a tool returns, then run
sep1686-check --fixtures <file> with the same target options.

  -- <command> [args...]    a stdio server (default: the embedded reference server)
  --url <endpoint>          a Streamable HTTP server (--header "Name: value", --auth-token T)
  --http-command            the -- command is an HTTP server printing "MCP endpoint: <url>"
  --out <file>              write the mapping to this new file (default: stdout; never overwrites)
  --timeout <ms>            per-request timeout

Exit codes: 0 written, 2 usage error or the server could not be reached.
`;

export async function runInit(argv: string[]): Promise<number> {
  try {
    return await init(argv);
  } catch (err) {
    if (err instanceof UsageError) process.stderr.write(`sep1686-check init: ${oneLine(err.message)} (see --help)\n`);
    else if (err instanceof TargetError) process.stderr.write(`sep1686-check init: ${oneLine(err.message)}\n`);
    else throw err;
    return EXIT.usage;
  }
}

async function init(argv: string[]): Promise<number> {
  const { values, command } = parseCommandLine(argv, INIT_OPTIONS);
  if (values.help) {
    process.stdout.write(HELP);
    return EXIT.ok;
  }
  const options = resolveTargetOptions(values, command);
  const specs = options.embedded ? referenceTargetSpecs({ transports: ['stdio'] }) : options.targets;
  const spec = specs[0]!;
  const timeouts = parseTimeouts({ timeout: values.timeout });
  const targets = await createTargets([spec], { wire: new WireLog(), timeouts });
  const signals = new SignalGuard({ first: () => void signals.killAndExit() });
  signals.live = targets;
  try {
    const session = await targets[0]!.connect();
    const tools = await listTools(session);
    const info = session.initializeResult.serverInfo as { name?: unknown; version?: unknown } | undefined;
    const server = typeof info?.name === 'string' ? `${info.name}${typeof info.version === 'string' ? ` ${info.version}` : ''}` : undefined;
    const proposals = proposeRoles(tools);
    const yaml = renderMapping(proposals, tools, { server, target: shareableLabel(targets[0]!.label, spec) });
    if (options.out === undefined) {
      process.stdout.write(yaml);
      return EXIT.ok;
    }
    try {
      writeFileSync(options.out, yaml, { flag: 'wx' }); // wx: refuse to overwrite, atomically
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new UsageError(code === 'EEXIST' ? `${options.out} exists; refusing to overwrite it` : `cannot write ${options.out}: ${code}`);
    }
    const count = (kind: string) => proposals.filter((p) => p.kind === kind).length;
    process.stderr.write(
      `wrote ${options.out}: ${tools.length} tools; ${count('mapped')} role(s) proposed, ${count('default')} bound by default, ${count('none')} with nothing that fits\n`,
    );
    return EXIT.ok;
  } finally {
    signals.live = [];
    signals.uninstall();
    await disposeTargets(targets);
  }
}
