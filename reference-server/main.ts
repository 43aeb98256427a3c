#!/usr/bin/env node
// sep1686-reference-server: the command line. Parses flags, starts the server, shuts down cleanly.
import { parseArgs } from 'node:util';
import { DEFAULT_LIMITS } from './engine.js';
import { ALL_FAULTS, isKnownFaultId } from './faults/index.js';
import { isHostValue, originKey } from './http-origin.js';
import { DEFAULT_SESSION_IDLE_MS } from './http-sessions.js';
import { DEFAULT_MAX_FINISHED_TASKS } from './server.js';
import { startReferenceServer } from './start.js';
import { openTaskStore, parseStoreSpec, type StoreSpec } from './store-open.js';
import { packageVersion } from './version.js';

const HELP = `Usage: sep1686-reference-server [options]
       sep1686-reference-server worker --store redis://host:port[/db]   (runs task work only; see worker --help)

A spec-exact MCP Tasks server exposing the sep1686-check fixture tools: protocol 2025-11-25 (tasks in
the core) and 2026-07-28 (the io.modelcontextprotocol/tasks extension), routed per request.
Speaks MCP over stdio by default.

Options:
  --http                   serve Streamable HTTP instead of stdio; prints "MCP endpoint: <url>" when ready
  --host <addr>            HTTP interface to bind (default 127.0.0.1)
  --port <n>               HTTP port (default 0 = any free port)
  --auth-token <token>     HTTP: require "Authorization: Bearer <token>"; repeat for several principals.
                           Tasks are bound to the principal that created them
  --allowed-host <host>    HTTP: also serve requests with this Host (name, or name:port); repeatable.
                           Always served: localhost, 127.0.0.1, [::1] and the bound address
  --allowed-origin <url>   HTTP: also serve requests with this Origin (e.g. https://app.example); repeatable
  --session-idle-timeout <ms>
                           HTTP: close a session with nothing open for this long (default ${DEFAULT_SESSION_IDLE_MS})
  --protocol <version>     pin one era: 2025-11-25 or 2026-07-28 (default: both)
  --no-tasks               start without the tasks capability (the S-NOTASK fixture)
  --store <spec>           where tasks are kept: memory (default; lost when the process ends) or
                           sqlite:<file> (durable: tasks and results survive restarts, several server
                           processes may share the file; tasks running at a crash come back failed) or
                           redis://host:port[/db][?lease=<ms>&worker=false&prefix=<name>] (several instances
                           behind one endpoint share tasks, results, work, gates; see README "Scaling out")
  --max-tasks <n>          non-terminal tasks per principal, or in all without auth
                           (default ${DEFAULT_LIMITS.maxActiveTasksPerOwner})
  --max-finished-tasks <n> finished tasks retained per principal; beyond it the earliest finished is
                           removed before its ttl (default ${DEFAULT_MAX_FINISHED_TASKS})
  --max-ttl <ms>           longest retention granted (default ${DEFAULT_LIMITS.maxTtlMs}); shorter requests are
                           raised to ${DEFAULT_LIMITS.minTtlMs} ms at least
  --default-ttl <ms>       retention when a request names none (default ${DEFAULT_LIMITS.defaultTtlMs})
  --poll-interval <ms>     pollInterval suggested to requestors (default ${DEFAULT_LIMITS.pollIntervalMs})
  --violate <check-id>     break one rule on purpose (repeatable); see --list-faults
  --list-faults            print the known faults and exit
  --verbose                log every task operation to stderr (audit log)
  --version                print the version and exit
  --help                   print this help and exit
`;

class UsageError extends Error {}

function integer(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max)
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got "${value}"`);
  return n;
}

async function main(): Promise<number> {
  if (process.argv[2] === 'worker') return (await import('./worker.js')).runWorkerCommand(process.argv.slice(3));
  let parsed;
  try {
    parsed = parseArgs({
      strict: true,
      allowPositionals: false,
      options: {
        http: { type: 'boolean' },
        host: { type: 'string' },
        port: { type: 'string' },
        'auth-token': { type: 'string', multiple: true },
        'allowed-host': { type: 'string', multiple: true },
        'allowed-origin': { type: 'string', multiple: true },
        'session-idle-timeout': { type: 'string' },
        'max-finished-tasks': { type: 'string' },
        'no-tasks': { type: 'boolean' },
        store: { type: 'string' },
        'max-tasks': { type: 'string' },
        'max-ttl': { type: 'string' },
        'default-ttl': { type: 'string' },
        'poll-interval': { type: 'string' },
        violate: { type: 'string', multiple: true },
        protocol: { type: 'string' },
        'list-faults': { type: 'boolean' },
        verbose: { type: 'boolean' },
        version: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]} (see --help)`);
  }
  const v = parsed.values;
  if (v.help) return (void process.stdout.write(HELP), 0);
  if (v.version) return (void process.stdout.write(`${packageVersion()}\n`), 0);
  if (v['list-faults']) {
    for (const [id, what] of Object.entries(ALL_FAULTS)) process.stdout.write(`${id}  ${what}\n`);
    return 0;
  }
  for (const id of v.violate ?? []) {
    if (!isKnownFaultId(id)) throw new UsageError(`--violate: unknown check id "${id}" (see --list-faults)`);
  }
  const protocol = v.protocol ?? 'dual';
  if (protocol !== 'dual' && protocol !== '2025-11-25' && protocol !== '2026-07-28')
    throw new UsageError(`--protocol must be 2025-11-25 or 2026-07-28, got "${protocol}"`);
  const httpOnly = ['host', 'port', 'auth-token', 'allowed-host', 'allowed-origin', 'session-idle-timeout'] as const;
  if (!v.http && httpOnly.some((name) => v[name] !== undefined)) {
    throw new UsageError('--host, --port, --auth-token, --allowed-host, --allowed-origin and --session-idle-timeout need --http');
  }
  for (const host of v['allowed-host'] ?? [])
    if (!isHostValue(host)) throw new UsageError(`--allowed-host: "${host}" is not a host name or address, optionally with :port`);
  for (const origin of v['allowed-origin'] ?? [])
    if (!/^https?:\/\//.test(origin) || originKey(origin) === undefined)
      throw new UsageError(`--allowed-origin: "${origin}" is not an http(s) origin such as https://app.example`);
  if (v['auth-token']?.some((t) => t.trim() === '')) throw new UsageError('--auth-token must not be empty');
  const maxTtl = integer('max-ttl', v['max-ttl'], DEFAULT_LIMITS.minTtlMs, 2_147_483_647);
  const defaultTtl = integer('default-ttl', v['default-ttl'], DEFAULT_LIMITS.minTtlMs, maxTtl ?? DEFAULT_LIMITS.maxTtlMs);
  let storeSpec: StoreSpec;
  try {
    storeSpec = parseStoreSpec(v.store ?? 'memory');
  } catch (error) {
    throw new UsageError((error as Error).message);
  }

  const log = (line: string) => void process.stderr.write(`[reference-server] ${line}\n`);
  // A stray rejection (a store error nobody awaited, say) is a bug to report, not a reason to drop every session.
  process.on('unhandledRejection', (reason) => log(`unhandled rejection: ${(reason as Error)?.stack ?? String(reason)}`));
  // Handlers go in before anything is announced, so a signal right after the endpoint line is still clean.
  let stop: (() => Promise<void>) | undefined;
  let stopRequested = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      stopRequested = true;
      void stop?.();
    });
  }
  const running = await startReferenceServer({
    transport: v.http ? 'http' : 'stdio',
    host: v.host,
    port: integer('port', v.port, 0, 65535),
    authTokens: v['auth-token'],
    allowedHosts: v['allowed-host'],
    allowedOrigins: v['allowed-origin'],
    sessionIdleTimeoutMs: integer('session-idle-timeout', v['session-idle-timeout'], 1, 2_147_483_647),
    maxFinishedTasks: integer('max-finished-tasks', v['max-finished-tasks'], 1, 10_000_000),
    tasks: !v['no-tasks'],
    store: await openTaskStore(storeSpec, log),
    violate: v.violate,
    protocol,
    limits: {
      maxActiveTasksPerOwner: integer('max-tasks', v['max-tasks'], 1, 1_000_000),
      maxTtlMs: maxTtl,
      defaultTtlMs: defaultTtl ?? Math.min(DEFAULT_LIMITS.defaultTtlMs, maxTtl ?? Infinity),
      pollIntervalMs: integer('poll-interval', v['poll-interval'], 1, 3_600_000),
    },
    log,
    verbose: v.verbose,
  });
  stop = () => running.close();
  if (stopRequested) void stop();
  if (running.url) {
    process.stdout.write(`MCP endpoint: ${running.url}\n`);
    log(
      `listening on ${running.url}${v['auth-token'] ? ` (bearer auth, ${v['auth-token'].length} principal(s))` : ''}${v.violate?.length ? `; faults: ${v.violate.join(', ')}` : ''}`,
    );
  } else if (v.violate?.length) {
    log(`faults: ${v.violate.join(', ')}`);
  }
  return running.done;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`sep1686-reference-server: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`sep1686-reference-server: ${(error as Error)?.message ?? String(error)}\n`);
    process.exit(1);
  },
);
