// startReferenceServer(): the programmatic entry (tests, embedding, the CLI). Composes store, engine,
// MCP wiring and one transport: the process's stdio, or a Streamable HTTP endpoint.
import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { Faults } from './faults.js';
import { serveHttp } from './http.js';
import { ReferenceServer, type ReferenceServerOptions } from './server.js';
import { serveWork } from './worker.js';

export interface StartOptions extends Omit<ReferenceServerOptions, 'faults'> {
  transport: 'stdio' | 'http';
  /** Check ids of faults to inject (see faults.ts). */
  violate?: string[];
  /** HTTP: interface to bind (default 127.0.0.1) and port (default 0 = any free port). */
  host?: string;
  port?: number;
  /** HTTP: bearer tokens; each is one principal and tasks are bound to it. */
  authTokens?: string[];
  /** stdio: streams to speak on (default process.stdin / process.stdout). */
  stdin?: Readable;
  stdout?: Writable;
}

export interface RunningReferenceServer {
  readonly server: ReferenceServer;
  /** HTTP: the MCP endpoint, e.g. http://127.0.0.1:41234/mcp. */
  readonly url?: string;
  /** Resolves once the server has shut down (stdio: also when the peer closes stdin). */
  readonly done: Promise<void>;
  /** Aborts all task work, closes every session and the listener. Idempotent. */
  close(): Promise<void>;
}

export async function startReferenceServer(options: StartOptions): Promise<RunningReferenceServer> {
  // A store shared by several instances (Redis) brings its cluster: events, work queue, gates, inputs.
  const cluster = options.cluster ?? options.store?.cluster;
  const server = new ReferenceServer({ ...options, cluster, faults: new Faults(options.violate ?? []) });
  // A durable store may hold tasks of an earlier run: fail the ones a crash orphaned, re-arm every ttl.
  const recovered = await server.engine.recover();
  if (recovered) options.log?.(`marked ${recovered} task(s) failed: their server instance is gone (restart or crash)`);
  if (cluster?.runsWork) serveWork(server, cluster);
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  let closing: Promise<void> | undefined;

  if (options.transport === 'http') {
    const endpoint = await serveHttp(server, {
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      authTokens: options.authTokens,
      log: options.log,
    });
    const close = () =>
      (closing ??= (async () => {
        await cluster?.queue.close(); // claim no more work; what runs here is reclaimed elsewhere
        await server.close();
        await endpoint.close();
        finished();
      })());
    return { server, url: endpoint.url, done, close };
  }

  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const close = () =>
    (closing ??= (async () => {
      await cluster?.queue.close();
      await server.close();
      finished();
    })());
  // Under back-pressure the SDK transport waits for 'drain' once per pending write: many listeners are expected.
  stdout.setMaxListeners(0);
  const session = await server.connect(new StdioServerTransport(stdin, stdout), { owner: 'stdio', bound: false });
  // The SDK transport does not notice end of input or a broken pipe: the peer going away ends the server.
  stdin.once('end', () => void close());
  stdin.once('close', () => void close());
  stdout.on('error', () => void close());
  session.connection.onClose(() => void close());
  return { server, done, close };
}
