// A raw JSON-RPC client of the 2026-07-28 era for tests, over stdio (a spawned server) or Streamable HTTP
// (fetch). It sends exactly what a test says (the full _meta by default, the HTTP headers derived from
// the body unless a test overrides them), records every server message and validates each against the
// 2026-07-28 and extension schemas (schema.ts). Tests assert `violations` is empty.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { createParser } from 'eventsource-parser';
import { SERVER_MAIN, spawnHttpServer, stopProcess, type HttpServerProcess } from '../../helpers/ref-client.js';
import { modernViolations } from './schema.js';

export type Json = Record<string, unknown>;
export const TASKS = 'io.modelcontextprotocol/tasks';
export const EXT = { extensions: { [TASKS]: {} } };
export const EXT_E = { extensions: { [TASKS]: {} }, elicitation: { form: {} } };
export const NOEXT = {};
export const SUBSCRIPTION_ID = 'io.modelcontextprotocol/subscriptionId';
const TIMEOUT_MS = 30_000;

export function meta(caps: Json = EXT_E, version = '2026-07-28'): Json {
  return {
    'io.modelcontextprotocol/protocolVersion': version,
    'io.modelcontextprotocol/clientCapabilities': caps,
    'io.modelcontextprotocol/clientInfo': { name: 'ext-tests', version: '0' },
  };
}

export interface Reply {
  result?: Json;
  error?: { code: number; message: string; data?: Json };
  /** HTTP only. */
  status?: number;
  contentType?: string | null;
  /** Messages that arrived on the request's own stream before the answer (HTTP SSE; stdio: its progress). */
  related: Json[];
}

export interface CallOptions {
  /** Client capabilities of the standard _meta (default EXT_E). */
  caps?: Json;
  /** Replaces params._meta entirely (e.g. to drop a field). */
  meta?: Json;
  /** HTTP: header overrides; undefined removes a derived header. */
  headers?: Record<string, string | undefined>;
}

export interface Listening {
  id: number;
  /** Every message of the subscription so far, in order (acknowledgement first). */
  messages: Json[];
  /** Resolves with the first message (past or future) matching `pred`. */
  next(pred: (m: Json) => boolean, what?: string): Promise<Json>;
  /** The listen request's own answer (graceful closure), or an error answer. */
  answer: Promise<Reply>;
  close(): Promise<void>;
}

export abstract class ModernClient {
  readonly violations: string[] = [];
  protected nextId = 1;

  abstract call(method: string, params?: Json, options?: CallOptions): Promise<Reply>;
  abstract listen(notifications: Json, options?: CallOptions): Promise<Listening>;
  abstract close(): Promise<void>;

  protected body(method: string, params: Json, options: CallOptions, id = this.nextId++): Json {
    return { jsonrpc: '2.0', id, method, params: { ...params, _meta: options.meta ?? meta(options.caps) } };
  }

  protected audit(message: Json, method?: string): void {
    for (const v of modernViolations(message, method)) this.violations.push(v);
  }

  /** Calls and insists on a result. */
  async ok(method: string, params: Json = {}, options: CallOptions = {}): Promise<Json> {
    const reply = await this.call(method, params, options);
    if (!reply.result) throw new Error(`${method} failed: ${JSON.stringify(reply.error)}`);
    return reply.result;
  }
}

function waiter(messages: Json[]) {
  const wakes = new Set<() => void>();
  return {
    push(m: Json) {
      messages.push(m);
      for (const w of [...wakes]) w();
    },
    next(pred: (m: Json) => boolean, what = 'a message'): Promise<Json> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => (wakes.delete(check), reject(new Error(`no ${what} within ${TIMEOUT_MS} ms`))), TIMEOUT_MS);
        const check = () => {
          const found = messages.find(pred);
          if (!found) return;
          clearTimeout(timer);
          wakes.delete(check);
          resolve(found);
        };
        wakes.add(check);
        check();
      });
    },
  };
}

/** stdio: one spawned server process; responses correlate by id, subscription messages by subscriptionId. */
export class StdioModernClient extends ModernClient {
  readonly received: Json[] = [];
  private readonly stdin: Writable;
  private readonly stop: () => Promise<void>;
  private readonly pending = new Map<number, { method: string; resolve: (r: Reply) => void; related: Json[] }>();
  private readonly subscriptions = new Map<number, ReturnType<typeof waiter>>();

  /** Spawns the server with `args`, or speaks on the given streams of an in-process server. */
  constructor(args: string[] = [], streams?: { stdin: Writable; stdout: Readable; stop(): Promise<void> }) {
    super();
    let child: ChildProcess | undefined;
    if (!streams) {
      child = spawn(process.execPath, [SERVER_MAIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      child.stderr!.resume();
    }
    this.stdin = streams?.stdin ?? child!.stdin!;
    this.stop = streams?.stop ?? (() => stopProcess(child!));
    createInterface({ input: streams?.stdout ?? child!.stdout! }).on('line', (line) => this.receive(JSON.parse(line) as Json));
  }

  private receive(m: Json): void {
    this.received.push(m);
    const params = (m.params ?? {}) as Json;
    const subscription = (params._meta as Json | undefined)?.[SUBSCRIPTION_ID];
    if ('method' in m) {
      this.audit(m);
      if (typeof subscription === 'number') this.subscriptions.get(subscription)?.push(m);
      else for (const p of this.pending.values()) if (m.method === 'notifications/progress') p.related.push(m);
      return;
    }
    const pending = this.pending.get(m.id as number);
    if (!pending) return;
    this.audit(m, pending.method);
    this.pending.delete(m.id as number);
    pending.resolve({ result: m.result as Json | undefined, error: m.error as Reply['error'], related: pending.related });
  }

  send(message: Json): void {
    this.stdin.write(`${JSON.stringify(message)}\n`);
  }

  call(method: string, params: Json = {}, options: CallOptions = {}): Promise<Reply> {
    const body = this.body(method, params, options);
    return this.sendRequest(body);
  }

  private sendRequest(body: Json): Promise<Reply> {
    const id = body.id as number;
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${String(body.method)} (id ${id})`)), TIMEOUT_MS);
      this.pending.set(id, { method: body.method as string, related: [], resolve: (r) => (clearTimeout(timer), resolve(r)) });
      this.send(body);
    });
  }

  async listen(notifications: Json, options: CallOptions = {}): Promise<Listening> {
    const body = this.body('subscriptions/listen', { notifications }, options);
    const id = body.id as number;
    const messages: Json[] = [];
    const w = waiter(messages);
    this.subscriptions.set(id, w);
    const answer = this.sendRequest(body);
    // A listen is answered only when it ends; a test that never waits for that must not leave a rejection
    // behind (its timer fires after the test, in whichever file runs next). Awaiting `answer` still throws.
    answer.catch(() => undefined);
    return {
      id,
      messages,
      next: w.next,
      answer,
      close: async () => this.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: 'test done' } }),
    };
  }

  async close(): Promise<void> {
    this.stdin.end();
    await this.stop();
  }
}

const NAME_SOURCE: Record<string, string> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
  'tasks/get': 'taskId',
  'tasks/update': 'taskId',
  'tasks/cancel': 'taskId',
  'tasks/result': 'taskId',
};

/** The headers a conforming client sends for a body (EXT-CLI-08), plus overrides. */
export function headersFor(body: Json, overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const params = body.params as Json;
  const version = (params._meta as Json | undefined)?.['io.modelcontextprotocol/protocolVersion'];
  const derived: Record<string, string | undefined> = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': typeof version === 'string' ? version : undefined,
    'mcp-method': body.method as string,
  };
  const source = NAME_SOURCE[body.method as string];
  if (source && typeof params[source] === 'string') derived['mcp-name'] = params[source] as string;
  const merged = { ...derived, ...Object.fromEntries(Object.entries(overrides).map(([k, v]) => [k.toLowerCase(), v])) };
  return Object.fromEntries(Object.entries(merged).filter((e): e is [string, string] => e[1] !== undefined));
}

/** HTTP: one POST per request, JSON or SSE answers. */
export class HttpModernClient extends ModernClient {
  constructor(
    readonly url: string,
    private readonly extraHeaders: Record<string, string> = {},
  ) {
    super();
  }

  async call(method: string, params: Json = {}, options: CallOptions = {}): Promise<Reply> {
    const body = this.body(method, params, options);
    const response = await this.post(body, options);
    const contentType = response.headers.get('content-type');
    const messages: Json[] = [];
    if (contentType?.startsWith('text/event-stream')) {
      const parser = createParser({ onEvent: (e) => messages.push(JSON.parse(e.data) as Json) });
      parser.feed(await response.text());
    } else {
      const text = await response.text();
      if (text) messages.push(JSON.parse(text) as Json);
    }
    for (const m of messages) this.audit(m, 'method' in m ? undefined : method);
    const final = messages.find((m) => !('method' in m));
    return {
      result: final?.result as Json | undefined,
      error: final?.error as Reply['error'],
      status: response.status,
      contentType,
      related: messages.filter((m) => 'method' in m),
    };
  }

  post(body: Json, options: CallOptions = {}, signal?: AbortSignal): Promise<Response> {
    return fetch(this.url, {
      method: 'POST',
      headers: { ...this.extraHeaders, ...headersFor(body, options.headers) },
      body: JSON.stringify(body),
      signal,
    });
  }

  async listen(notifications: Json, options: CallOptions = {}): Promise<Listening> {
    const body = this.body('subscriptions/listen', { notifications }, options);
    const controller = new AbortController();
    const messages: Json[] = [];
    const w = waiter(messages);
    const response = await this.post(body, options, controller.signal);
    const answer = (async (): Promise<Reply> => {
      if (!response.headers.get('content-type')?.startsWith('text/event-stream')) {
        const m = JSON.parse(await response.text()) as Json;
        this.audit(m, 'subscriptions/listen');
        return { result: m.result as Json, error: m.error as Reply['error'], status: response.status, related: [] };
      }
      let final: Json | undefined;
      const parser = createParser({
        onEvent: (e) => {
          const m = JSON.parse(e.data) as Json;
          this.audit(m, 'method' in m ? undefined : 'subscriptions/listen');
          if ('method' in m) w.push(m);
          else final = m;
        },
      });
      const decoder = new TextDecoder();
      try {
        for await (const chunk of response.body!) parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
      } catch {
        // aborted by close()
      }
      return {
        result: final?.result as Json | undefined,
        error: final?.error as Reply['error'],
        status: response.status,
        related: messages,
      };
    })();
    return { id: body.id as number, messages, next: w.next, answer, close: async () => controller.abort() };
  }

  async close(): Promise<void> {}
}

/** One HTTP server process for a test file; clients are cheap (no session). */
export async function httpServer(
  args: string[] = [],
): Promise<HttpServerProcess & { client(headers?: Record<string, string>): HttpModernClient }> {
  const server = await spawnHttpServer(args);
  return Object.assign(server, { client: (headers?: Record<string, string>) => new HttpModernClient(server.url, headers) });
}
