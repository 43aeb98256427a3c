// startReferenceServer(): the programmatic entry (tests, embedding, the CLI). Composes store, engine,
// MCP wiring and one transport: the process's stdio, or a Streamable HTTP endpoint.
import type { Readable, Writable } from 'node:stream';
import { ModernSurface, type ProtocolMode } from './ext/dispatch.js';
import { Faults } from './faults/index.js';
import { serveHttp } from './http.js';
import { ReferenceServer, type ReferenceServerOptions } from './server.js';
import { serveStdio } from './stdio.js';
import { MemoryTaskStore } from './store.js';
import { serveWork } from './worker.js';

export interface StartOptions extends Omit<ReferenceServerOptions, 'faults'> {
  transport: 'stdio' | 'http';
  /** Check ids of faults to inject (see faults/table.ts; EXT-* ids: faults/ext-table.ts). */
  violate?: string[];
  /** Eras served: both (default, routed per request), or one pinned. */
  protocol?: ProtocolMode;
  /** HTTP: interface to bind (default 127.0.0.1) and port (default 0 = any free port). */
  host?: string;
  port?: number;
  /** HTTP: bearer tokens; each is one principal and tasks are bound to it. */
  authTokens?: string[];
  /** HTTP: Host and Origin values served besides the loopback names and the bound address (see http-origin.ts). */
  allowedHosts?: string[];
  allowedOrigins?: string[];
  /** HTTP: a session with nothing open for this long is closed (default 30 min). */
  sessionIdleTimeoutMs?: number;
  /** stdio: streams to speak on (default process.stdin / process.stdout). */
  stdin?: Readable;
  stdout?: Writable;
}

export interface RunningReferenceServer {
  readonly server: ReferenceServer;
  /** HTTP: the MCP endpoint, e.g. http://127.0.0.1:41234/mcp. */
  readonly url?: string;
  /**
   * Resolves with the exit code once the server has shut down: 0 after close() or when the stdio peer
   * goes away, 1 when the stdio transport failed.
   */
  readonly done: Promise<number>;
  /** Aborts all task work, closes every session and the listener. Idempotent. */
  close(): Promise<void>;
}

export async function startReferenceServer(options: StartOptions): Promise<RunningReferenceServer> {
  const faults = new Faults(options.violate ?? []);
  // A store shared by several instances (Redis) brings its cluster: events, work queue, gates, inputs;
  // an instance that keeps its tasks to itself (fault CL-01) closes it and uses its own memory.
  const isolated = faults.behaviour.keepTasksInProcessMemory;
  if (isolated) await (options.cluster ?? options.store?.cluster)?.close();
  const cluster = isolated ? undefined : (options.cluster ?? options.store?.cluster);
  const server = new ReferenceServer({ ...options, ...(isolated && { store: new MemoryTaskStore() }), cluster, faults });
  const protocol = options.protocol ?? 'dual';
  if (protocol !== '2025-11-25') server.modern = new ModernSurface(server, { mode: protocol });
  // A durable store may hold tasks of an earlier run: fail the ones a crash orphaned, re-arm every ttl.
  const recovered = await server.engine.recover();
  if (recovered) options.log?.(`marked ${recovered} task(s) failed: their server instance is gone (restart or crash)`);
  if (cluster?.runsWork) serveWork(server, cluster);
  let finished!: (exitCode: number) => void;
  const done = new Promise<number>((resolve) => (finished = resolve));
  let closing: Promise<void> | undefined;

  if (options.transport === 'http') {
    const endpoint = await serveHttp(server, {
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      authTokens: options.authTokens,
      allowedHosts: options.allowedHosts,
      allowedOrigins: options.allowedOrigins,
      sessionIdleTimeoutMs: options.sessionIdleTimeoutMs,
      log: options.log,
    });
    const close = () =>
      (closing ??= (async () => {
        await cluster?.queue.close(); // claim no more work; what runs here is reclaimed elsewhere
        await closeModern(server);
        await server.close();
        await endpoint.close();
        finished(0);
      })());
    return { server, url: endpoint.url, done, close };
  }

  const { ended } = await serveStdio(server, {
    stdin: options.stdin ?? process.stdin,
    stdout: options.stdout ?? process.stdout,
    log: options.log ?? (() => undefined),
  });
  const close = (exitCode = 0) =>
    (closing ??= (async () => {
      await cluster?.queue.close();
      await closeModern(server);
      await server.close();
      finished(exitCode);
    })());
  void ended.then((code) => {
    if (code !== 0 && !closing) options.log?.('the stdio transport failed; shutting down');
    return close(code);
  });
  return { server, done, close: () => close() };
}

/** Ends the subscriptions of the 2026-07-28 surface gracefully and lets their answers leave before the transports close. */
async function closeModern(server: ReferenceServer): Promise<void> {
  if (!server.modern) return;
  server.modern.close();
  await new Promise((resolve) => setImmediate(resolve));
}
