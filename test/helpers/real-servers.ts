// Real, published MCP task servers for tests: each is started on a free loopback port (HTTP) or as a
// child over stdio, and always killed as a whole process group when the test ends, so no process
// outlives a test. The same launch commands feed the harness CLI (`commandOf`) and raw proofs
// (`connect*`, built on TestClient, which sends exactly what a test says over the SDK transports).
//   @modelcontextprotocol/server-everything   stdio and HTTP (McpServer + InMemoryTaskStore)
//   SDK 1.x example simpleStreamableHttp       HTTP only ($MCP_PORT; McpServer + registerToolTask)
//   SDK 1.x example simpleTaskInteractive      HTTP only ($PORT; low-level Server, hand-written task handlers)
//   dist/harness/bench/sdk-server.js                   stdio and HTTP (the fixture tools on the SDK task API)
// The examples bind every interface and only log their port; test/integration/real-servers/loopback-launch.mjs
// pins them to 127.0.0.1 and prints "MCP endpoint: <url>".
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { packagePath } from '../../harness/paths.js';
import { TestClient, type ClientOptions } from './ref-client.js';

const SDK_EXAMPLES = packagePath('node_modules', '@modelcontextprotocol', 'sdk', 'dist', 'esm', 'examples', 'server');
const EVERYTHING = packagePath('node_modules', '@modelcontextprotocol', 'server-everything', 'dist');
const LAUNCH = packagePath('test', 'integration', 'real-servers', 'loopback-launch.mjs');

export type RealServerName = 'server-everything' | 'sdk-simple-streamable-http' | 'sdk-simple-task-interactive' | 'sdk-bench-server';

interface Launch {
  /** The npm package it comes from (its installed version goes into the published reports). */
  npmPackage: string;
  /** argv after `node` for stdio, if the server speaks stdio. */
  stdio?: string[];
  /** argv after `node` for an HTTP server that prints "MCP endpoint: <url>". */
  http?: string[];
  /** The fixture mapping of examples/ that fits it (none: the server has the contract's tool names). */
  fixtures?: string;
}

export const REAL_SERVERS: Record<RealServerName, Launch> = {
  'server-everything': {
    npmPackage: '@modelcontextprotocol/server-everything',
    stdio: [`${EVERYTHING}/index.js`, 'stdio'],
    http: [LAUNCH, `${EVERYTHING}/transports/streamableHttp.js`, 'PORT'],
    fixtures: packagePath('examples', 'server-everything.elicit.fixtures.yaml'),
  },
  'sdk-simple-streamable-http': {
    npmPackage: '@modelcontextprotocol/sdk',
    http: [LAUNCH, `${SDK_EXAMPLES}/simpleStreamableHttp.js`, 'MCP_PORT'],
    fixtures: packagePath('examples', 'sdk-simple-streamable-http.fixtures.yaml'),
  },
  'sdk-simple-task-interactive': {
    npmPackage: '@modelcontextprotocol/sdk',
    http: [LAUNCH, `${SDK_EXAMPLES}/simpleTaskInteractive.js`, 'PORT'],
    fixtures: packagePath('examples', 'sdk-simple-task-interactive.fixtures.yaml'),
  },
  'sdk-bench-server': {
    // Our own server, but on the SDK's task API: the SDK's version is what it shows.
    npmPackage: '@modelcontextprotocol/sdk',
    stdio: [packagePath('dist', 'harness', 'bench', 'sdk-server.js')],
    http: [packagePath('dist', 'harness', 'bench', 'sdk-server.js'), '--http', '--port', '0'],
  },
};

/** The command line (node + argv) that starts `name` over `transport`, e.g. for `sep1686-check -- ...`. */
export function commandOf(name: RealServerName, transport: RealTransport): string[] {
  const argv = REAL_SERVERS[name][transport];
  if (!argv) throw new Error(`${name} does not speak ${transport}`);
  return [process.execPath, ...argv];
}

export type RealTransport = 'stdio' | 'http';

/** The transports `name` speaks. */
export function transportsOf(name: RealServerName): RealTransport[] {
  return (['stdio', 'http'] as const).filter((t) => REAL_SERVERS[name][t]);
}

/** sep1686-check arguments that check `name` over `transport` with its mapping (before --out and other options). */
export function harnessArgs(name: RealServerName, transport: RealTransport): string[] {
  const fixtures = REAL_SERVERS[name].fixtures;
  return [
    ...(fixtures ? ['--fixtures', fixtures] : []),
    ...(transport === 'http' ? ['--http-command'] : []),
    '--',
    ...commandOf(name, transport),
  ];
}

/** The installed version of the npm package `name` comes from. */
export function versionOf(name: RealServerName): string {
  const pkg = packagePath('node_modules', ...REAL_SERVERS[name].npmPackage.split('/'), 'package.json');
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
}

/** A started server process (its own process group). */
export interface ServerProcess {
  child: ChildProcess;
  stderr(): string;
  stdout(): string;
  /** Resolves with the exit code (or signal) once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kills the whole process group (SIGTERM, then SIGKILL after 3 s) and waits for the exit. */
  stop(): Promise<void>;
}

function start(argv: string[]): ServerProcess {
  // detached: the child leads a new process group, so kill(-pid) also reaches anything it forks.
  const child = spawn(process.execPath, argv, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-64_000)));
  child.stdout!.on('data', (d: Buffer) => (stdout = (stdout + d.toString()).slice(-64_000)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // the group is gone
    }
  };
  return {
    child,
    stderr: () => stderr,
    stdout: () => stdout,
    exited,
    async stop() {
      killGroup('SIGTERM');
      const timer = setTimeout(() => killGroup('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
      // Whatever the leader left behind in its group.
      killGroup('SIGKILL');
    },
  };
}

export interface HttpServer extends ServerProcess {
  url: string;
}

/** Starts `name`'s HTTP server on a free loopback port and waits for its endpoint line. */
export async function startHttp(name: RealServerName): Promise<HttpServer> {
  const p = start(commandOf(name, 'http').slice(1));
  const lines = createInterface({ input: p.child.stdout! });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} printed no endpoint within 30 s; stderr: ${p.stderr()}`)), 30_000);
      lines.on('line', (line) => {
        const match = /^MCP endpoint: (http:\/\/127\.0\.0\.1:\d+\/\S*)$/.exec(line);
        if (!match) return;
        clearTimeout(timer);
        resolve(match[1]!);
      });
      void p.exited.then(({ code }) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited (${code}) before printing its endpoint; stderr: ${p.stderr()}`));
      });
    });
    return { ...p, url };
  } catch (e) {
    await p.stop();
    throw e;
  }
}

/** A new initialized session on an HTTP server. */
export async function connectHttp(url: string, options?: ClientOptions, label = 'http'): Promise<TestClient> {
  return new TestClient(new StreamableHTTPClientTransport(new URL(url)), label).open(options);
}

/** Newline-delimited JSON-RPC over a child's stdin/stdout, framed by the SDK's ReadBuffer. */
class ChildStdioTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  private readonly buffer = new ReadBuffer();

  constructor(private readonly server: ServerProcess) {}

  async start(): Promise<void> {
    this.server.child.stdout!.on('data', (chunk: Buffer) => {
      this.buffer.append(chunk);
      for (;;) {
        let message: JSONRPCMessage | null;
        try {
          message = this.buffer.readMessage();
        } catch (e) {
          this.onerror?.(e as Error);
          continue;
        }
        if (!message) break;
        this.onmessage?.(message);
      }
    });
    void this.server.exited.then(() => this.onclose?.());
  }

  async send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.server.child.stdin!;
    if (stdin.writable) stdin.write(serializeMessage(message));
  }

  async close(): Promise<void> {
    await this.server.stop();
  }
}

/** Starts `name` over stdio and returns an initialized client plus its process (close() kills it). */
export async function connectStdio(name: RealServerName, options?: ClientOptions): Promise<{ client: TestClient; server: ServerProcess }> {
  const server = start(commandOf(name, 'stdio').slice(1));
  const client = new TestClient(new ChildStdioTransport(server), `stdio:${name}`);
  try {
    return { client: await client.open(options), server };
  } catch (e) {
    await server.stop();
    throw e;
  }
}
