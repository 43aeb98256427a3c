// startReferenceServer(): the programmatic entry (tests, embedding, the CLI). Composes store, engine,
// MCP wiring and one transport: the process's stdio, or a Streamable HTTP endpoint.
import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { ModernSurface, type ProtocolMode } from './ext/dispatch.js';
import { isExtFaultId } from './ext/faults.js';
import { Faults } from './faults.js';
import { serveHttp } from './http.js';
import { ReferenceServer, type ReferenceServerOptions } from './server.js';

export interface StartOptions extends Omit<ReferenceServerOptions, 'faults'> {
  transport: 'stdio' | 'http';
  /** Check ids of faults to inject (faults.ts; EXT-* ids: ext/faults.ts). */
  violate?: string[];
  /** Eras served: both (default, routed per request), or one pinned. */
  protocol?: ProtocolMode;
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
  const violate = options.violate ?? [];
  const server = new ReferenceServer({ ...options, faults: new Faults(violate.filter((id) => !isExtFaultId(id))) });
  const protocol = options.protocol ?? 'dual';
  if (protocol !== '2025-11-25') server.modern = new ModernSurface(server, { mode: protocol, violate: violate.filter(isExtFaultId) });
  // A durable store may hold tasks of an earlier run: fail the ones a crash orphaned, re-arm every ttl.
  const recovered = await server.engine.recover();
  if (recovered) options.log?.(`marked ${recovered} task(s) failed: their server instance is gone (restart or crash)`);
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
        await closeModern(server);
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
      await closeModern(server);
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

/** Ends the subscriptions of the 2026-07-28 surface gracefully and lets their answers leave before the transports close. */
async function closeModern(server: ReferenceServer): Promise<void> {
  if (!server.modern) return;
  server.modern.close();
  await new Promise((resolve) => setImmediate(resolve));
}
