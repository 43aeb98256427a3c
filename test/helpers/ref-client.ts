// An independent, minimal JSON-RPC client for testing the reference server over the SDK client
// transports. It deliberately does not use the SDK Client class: it sends exactly what a test says,
// records everything the server sends, and validates every server message against the official
// 2025-11-25 JSON Schema (harness/schema.ts). Tests assert `violations` is empty.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { packagePath } from '../../harness/paths.js';
import { validateServerMessage } from '../../harness/schema.js';

export type Json = Record<string, unknown>;
export interface RpcErrorBody {
  code: number;
  message: string;
  data?: unknown;
}
export type Outcome = { result: Json; error?: undefined } | { error: RpcErrorBody; result?: undefined };

export const SERVER_MAIN = packagePath('dist', 'reference-server', 'main.js');
export const RELATED_TASK = 'io.modelcontextprotocol/related-task';

/** Generous: tests run on a loaded 2-core machine. Never used for timing assertions. */
export const REQUEST_TIMEOUT_MS = 30_000;

export interface ServerRequestRecord {
  id: string | number;
  method: string;
  params: Json;
}

/** Answers a server->client request: a result, an error, or undefined to leave it unanswered. */
export type ServerRequestHandler = (request: ServerRequestRecord) => Json | { error: RpcErrorBody } | undefined;

interface Pending {
  method: string;
  params: Json;
  resolve: (o: Outcome) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export interface ClientOptions {
  /** Client capabilities for initialize (default: form elicitation, no tasks). */
  capabilities?: Json;
  protocolVersion?: string;
  /** Skip initialize (for tests of the handshake itself). */
  initialize?: boolean;
}

export class TestClient {
  readonly notifications: Json[] = [];
  readonly serverRequests: ServerRequestRecord[] = [];
  readonly violations: string[] = [];
  /** Every message received, in order (for ordering assertions on stdio). */
  readonly received: JSONRPCMessage[] = [];
  initializeResult: Json = {};
  private readonly pending = new Map<string | number, Pending>();
  private nextId = 1;
  private handler: ServerRequestHandler = () => undefined;
  private readonly waiters = new Set<() => void>();
  private closed = false;

  constructor(
    readonly transport: Transport,
    readonly label: string,
  ) {
    transport.onmessage = (m) => this.receive(m);
    transport.onclose = () => {
      this.closed = true;
      for (const p of this.pending.values()) {
        clearTimeout(p.timer);
        p.reject(new Error(`${label}: connection closed while waiting for ${p.method}`));
      }
      this.pending.clear();
    };
    transport.onerror = () => undefined; // failures surface as rejected or timed-out requests
  }

  /** Starts the transport and (by default) runs the initialize handshake. */
  async open(options: ClientOptions = {}): Promise<this> {
    await this.transport.start();
    if (options.initialize === false) return this;
    const o = await this.request('initialize', {
      protocolVersion: options.protocolVersion ?? '2025-11-25',
      capabilities: options.capabilities ?? { elicitation: { form: {} } },
      clientInfo: { name: 'reference-server-tests', version: '0' },
    });
    if (!o.result) throw new Error(`${this.label}: initialize failed: ${JSON.stringify(o.error)}`);
    this.initializeResult = o.result;
    const version = o.result.protocolVersion as string;
    (this.transport as { setProtocolVersion?: (v: string) => void }).setProtocolVersion?.(version);
    await this.notify('notifications/initialized');
    return this;
  }

  get serverCapabilities(): Json {
    return (this.initializeResult.capabilities ?? {}) as Json;
  }

  onServerRequest(handler: ServerRequestHandler): void {
    this.handler = handler;
  }

  /** Sends a request and returns its id and eventual outcome (rejects on timeout or close). */
  send(method: string, params: Json = {}, timeoutMs = REQUEST_TIMEOUT_MS): { id: number; outcome: Promise<Outcome> } {
    const id = this.nextId++;
    const outcome = new Promise<Outcome>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.label}: no response to ${method} (id ${id}) within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { method, params, resolve, reject, timer });
    });
    this.transport.send({ jsonrpc: '2.0', id, method, params } as JSONRPCMessage).catch((error: Error) => {
      const p = this.pending.get(id);
      if (!p) return;
      this.pending.delete(id);
      clearTimeout(p.timer);
      p.reject(new Error(`${this.label}: could not send ${method}: ${error.message}`));
    });
    return { id, outcome };
  }

  request(method: string, params: Json = {}, timeoutMs?: number): Promise<Outcome> {
    return this.send(method, params, timeoutMs).outcome;
  }

  /** A request that must succeed; returns its result. */
  async ok(method: string, params: Json = {}): Promise<Json> {
    const o = await this.request(method, params);
    if (!o.result) throw new Error(`${this.label}: ${method} failed: ${JSON.stringify(o.error)}`);
    return o.result;
  }

  notify(method: string, params: Json = {}): Promise<void> {
    return this.transport.send({ jsonrpc: '2.0', method, params } as JSONRPCMessage);
  }

  /** Answers a server request by hand (for requests the handler left unanswered). */
  respond(id: string | number, result: Json): Promise<void> {
    return this.transport.send({ jsonrpc: '2.0', id, result } as JSONRPCMessage);
  }

  /** Resolves once the probe returns a value (re-checked on every received message, and every 50 ms). */
  async until<T>(probe: () => T | undefined, timeoutMs = REQUEST_TIMEOUT_MS, what = 'condition'): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined && value !== false) return value;
      if (this.closed) throw new Error(`${this.label}: closed while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.label}: timed out waiting for ${what}`);
      // Woken by every received message; also re-checks now and then for conditions outside the wire.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(left, 50));
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.add(done);
      });
    }
  }

  waitForNotification(predicate: (n: Json) => boolean, what = 'notification'): Promise<Json> {
    return this.until(() => this.notifications.find(predicate), REQUEST_TIMEOUT_MS, what);
  }

  waitForServerRequest(predicate: (r: ServerRequestRecord) => boolean, what = 'server request'): Promise<ServerRequestRecord> {
    return this.until(() => this.serverRequests.find(predicate), REQUEST_TIMEOUT_MS, what);
  }

  async close(): Promise<void> {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
    if (this.transport instanceof StreamableHTTPClientTransport && this.transport.sessionId && !this.closed) {
      await this.transport.terminateSession().catch(() => undefined);
    }
    await this.transport.close().catch(() => undefined);
    this.closed = true;
  }

  private receive(message: JSONRPCMessage): void {
    this.received.push(message);
    const m = message as Json;
    const isResponse = !('method' in m);
    const pending = isResponse ? this.pending.get(m.id as number) : undefined;
    const answers = pending && { method: pending.method, params: this.validationParams(pending) };
    const violation = validateServerMessage(message, answers);
    if (violation) this.violations.push(`${violation.def}: ${violation.errors.join('; ')} in ${JSON.stringify(message).slice(0, 300)}`);

    if ('method' in m && 'id' in m) {
      const request = { id: m.id as string | number, method: m.method as string, params: (m.params ?? {}) as Json };
      this.serverRequests.push(request);
      const answer = this.handler(request);
      if (answer && 'error' in answer && isErrorBody(answer.error))
        void this.transport.send({ jsonrpc: '2.0', id: request.id, error: answer.error } as JSONRPCMessage);
      else if (answer) void this.respond(request.id, answer as Json);
    } else if ('method' in m) {
      this.notifications.push({ method: m.method, params: m.params ?? {} });
    } else if (pending) {
      this.pending.delete(m.id as number);
      clearTimeout(pending.timer);
      pending.resolve('error' in m ? { error: m.error as RpcErrorBody } : { result: m.result as Json });
    }
    for (const wake of [...this.waiters]) wake();
    this.waiters.clear();
  }

  /** A server without tasks.requests.tools.call ignores `task`: validate its answer as a plain call. */
  private validationParams(p: Pending): Json {
    const call = ((this.serverCapabilities.tasks as Json | undefined)?.requests as Json | undefined)?.tools as Json | undefined;
    if (p.method !== 'tools/call' || call?.call) return p.params;
    const { task, ...rest } = p.params;
    void task;
    return rest;
  }
}

const isErrorBody = (v: unknown): v is RpcErrorBody => typeof v === 'object' && v !== null && typeof (v as RpcErrorBody).code === 'number';

// ---- targets

export interface Target {
  transport: 'stdio' | 'http';
  /** A new initialized client (stdio: a new server process; HTTP: a new session on the shared server). */
  connect(options?: ClientOptions & { token?: string }): Promise<TestClient>;
  /** Kills every process this target started. */
  stop(): Promise<void>;
}

/** stdio: each connect() spawns `node dist/reference-server/main.js <args>`. */
export function stdioTarget(args: string[] = []): Target {
  const clients: TestClient[] = [];
  let n = 0;
  return {
    transport: 'stdio',
    async connect(options) {
      const transport = new StdioClientTransport({ command: process.execPath, args: [SERVER_MAIN, ...args], stderr: 'pipe' });
      const client = new TestClient(transport, `stdio#${++n}`);
      clients.push(client);
      return client.open(options);
    },
    async stop() {
      await Promise.all(clients.map((c) => c.close()));
    },
  };
}

export interface HttpServerProcess {
  url: string;
  child: ChildProcess;
  stdoutLines: string[];
  stderr: () => string;
  stop(): Promise<void>;
}

/** Spawns the server with --http --port 0 and waits for its one endpoint line. */
export async function spawnHttpServer(args: string[] = []): Promise<HttpServerProcess> {
  const child = spawn(process.execPath, [SERVER_MAIN, '--http', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const stdoutLines: string[] = [];
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the HTTP server printed no endpoint line within 30 s; stderr: ${stderr}`)), 30_000);
    lines.on('line', (line) => {
      stdoutLines.push(line);
      const match = /^MCP endpoint: (http:\/\/\S+)$/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the HTTP server exited (${code}) before printing its endpoint; stderr: ${stderr}`));
    });
  });
  return {
    url,
    child,
    stdoutLines,
    stderr: () => stderr,
    stop: () => stopProcess(child),
  };
}

/** Per-request control over HTTP POSTs: drop a request's stream, see its response content type. */
export class HttpProbe {
  readonly contentTypes = new Map<number | string, string | null>();
  private readonly controllers = new Map<number | string, AbortController>();

  readonly fetch = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const id = requestId(init?.body);
    if (id === undefined) return fetch(url, init);
    const controller = new AbortController();
    this.controllers.set(id, controller);
    const signal = init?.signal ? AbortSignal.any([init.signal, controller.signal]) : controller.signal;
    const response = await fetch(url, { ...init, signal });
    this.contentTypes.set(id, response.headers.get('content-type'));
    return response;
  };

  /** Aborts the HTTP connection carrying request `id` (no notifications/cancelled is sent). */
  drop(id: number | string): void {
    this.controllers.get(id)?.abort();
  }
}

function requestId(body: unknown): number | string | undefined {
  if (typeof body !== 'string') return undefined;
  try {
    const m = JSON.parse(body) as Json;
    return 'method' in m && 'id' in m ? (m.id as number | string) : undefined;
  } catch {
    return undefined;
  }
}

/** HTTP: one server process, each connect() opens a new session (optionally with a bearer token). */
export async function httpTarget(args: string[] = []): Promise<Target & { server: HttpServerProcess; probes: HttpProbe[] }> {
  const server = await spawnHttpServer(args);
  const clients: TestClient[] = [];
  const probes: HttpProbe[] = [];
  let n = 0;
  return {
    transport: 'http',
    server,
    probes,
    async connect(options = {}) {
      const probe = new HttpProbe();
      probes.push(probe);
      const headers: Record<string, string> = options.token ? { Authorization: `Bearer ${options.token}` } : {};
      const transport = new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers }, fetch: probe.fetch });
      const client = new TestClient(transport, `http#${++n}`);
      clients.push(client);
      const opened = await client.open(options);
      (opened as TestClient & { probe?: HttpProbe }).probe = probe;
      return opened;
    },
    async stop() {
      await Promise.all(clients.map((c) => c.close()));
      await server.stop();
    },
  };
}

export function probeOf(client: TestClient): HttpProbe | undefined {
  return (client as TestClient & { probe?: HttpProbe }).probe;
}

/** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** A unique id for gates and labels. */
let counter = 0;
export const unique = (prefix: string) => `${prefix}-${process.pid}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;

export function textOf(result: Json | undefined): string | undefined {
  return (result?.content as Array<{ type: string; text?: string }> | undefined)?.find((c) => c.type === 'text')?.text;
}
