// One initialized MCP connection (implements Session of scenario.ts) over a raw Link. A small JSON-RPC
// requestor of our own instead of the SDK Client: the Client validates and reshapes results, and a
// checker must see exactly what the server sent.
//
// What a session records:
// - every message both ways in the run-wide WireLog, with transport, connection name, channel and SSE
//   event id; received responses carry `answers` (the request's method and params) and, on HTTP, the
//   `http` status/Content-Type of the POST response that carried them;
// - observations that are not messages as wire entries with a `note` (non-JSON stdout lines, SSE
//   events without data, the HTTP status of POSTs that carried notifications or our responses to
//   server requests, streams opening and closing). Entries with a `note` are observations, not
//   messages; their `message` is the raw text when there was one;
// - on HTTP, `httpPosts()`: every POST with its status, Content-Type and (non-SSE) body. T25-INP-05 reads
//   the entry with kind "response" and the id of the elicitation to see the 202.
// With a wire log that keeps no evidence (the bench's), a session keeps no history either: answered
// requests' params and received notifications are not retained (wire.ts, keepsEvidence).
// Over 400 lines because the requestor, the recording and the server-request answering share one
// pending-request table and one wire position; split apart they would need to hand both around.
import type { TransportName, WireEntry } from '../checks.js';
import type { HttpPost, InboundMeta, Link, RequestId } from './link.js';
import { acceptContentFor, DEFAULT_TEXT } from '../elicitation-answer.js';
import { packageInfo } from '../paths.js';
import { PROTOCOL_VERSION, RELATED_TASK } from '../protocol.js';
import type {
  ConnectOptions,
  HttpResponseInfo,
  JsonObject,
  ReceivedNotification,
  RequestOptions,
  RpcError,
  RpcOutcome,
  ServerRequest,
  ServerRequestHandler,
  Session,
} from '../scenario.js';
import { TargetError } from './target.js';
import { DeadlineSweep } from './deadlines.js';
import { DEFAULT_LIMITS, LIMIT_FLAGS, type IntakeLimits } from './limits.js';
import type { WireLog } from './wire.js';
import { DUPLICATE_RESPONSE_NOTE, INTAKE_LIMIT_NOTE, UNKNOWN_ID_NOTE } from '../wire-notes.js';

export const DEFAULT_CLIENT_CAPABILITIES: JsonObject = { elicitation: { form: {} } };

export const CLIENT_INFO = { name: 'sep1686-check', version: packageInfo().version };

/** Connection names are numbered per wire log: "stdio#1", "http#3". */
const counters = new WeakMap<WireLog, Record<TransportName, number>>();
export function nextConnectionName(wire: WireLog, transport: TransportName): string {
  const c = counters.get(wire) ?? { stdio: 0, http: 0 };
  counters.set(wire, c);
  c[transport] += 1;
  return `${transport}#${c[transport]}`;
}

/** The related-task _meta of a request's params, to copy into our response (T25-CLI-10). */
export function relatedTaskMeta(params: JsonObject | undefined): JsonObject | undefined {
  const meta = params?._meta as JsonObject | undefined;
  const rt = meta?.[RELATED_TASK];
  return rt === undefined ? undefined : { [RELATED_TASK]: rt };
}

/** Default answers: accept elicitations, answer ping, refuse everything else with -32601. */
export const defaultServerRequestHandler: ServerRequestHandler = (req) => {
  if (req.method === 'ping') return {};
  if (req.method === 'elicitation/create') {
    const meta = relatedTaskMeta(req.params);
    return {
      action: 'accept',
      content: acceptContentFor(req.params.requestedSchema, { name: DEFAULT_TEXT }),
      ...(meta ? { _meta: meta } : {}),
    };
  }
  return { code: -32601, message: `sep1686-check does not handle ${req.method}` };
};

function isRpcError(v: unknown): v is RpcError {
  if (!v || typeof v !== 'object') return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.code === 'number' &&
    typeof o.message === 'string' &&
    Object.keys(o).every((k) => k === 'code' || k === 'message' || k === 'data')
  );
}

interface Pending {
  id: RequestId;
  method: string;
  params?: JsonObject;
  started: number;
  deadline: number;
  timeoutMs: number;
  resolve: (o: RpcOutcome) => void;
}

interface Waiter<T> {
  predicate: (x: T) => boolean;
  resolve: (x: T | undefined) => void;
  timer: NodeJS.Timeout;
}

export interface SessionOptions {
  name: string;
  link: Link;
  wire: WireLog;
  requestTimeoutMs: number;
  /** Caps on what the server may send (limits.ts); exceeding one ends the session. */
  limits?: IntakeLimits;
}

export class McpSession implements Session {
  readonly name: string;
  readonly transport: TransportName;
  initializeResult: JsonObject = {};
  serverCapabilities: JsonObject = {};
  protocolVersion = '';
  private readonly link: Link;
  private readonly wire: WireLog;
  private readonly requestTimeoutMs: number;
  private readonly limits: IntakeLimits;
  /** Notifications and server requests received (bounded by limits.maxServerMessages). */
  private unsolicited = 0;
  /** Ids already answered, to tell a duplicate response from a late one (H25-21). */
  private readonly answered = new Set<RequestId>();
  private readonly pending = new Map<RequestId, Pending>();
  /** Every request's timeout, on one timer. */
  private readonly deadlines = new DeadlineSweep<Pending>(
    (p) => this.pending.get(p.id) === p,
    (p) => this.onTimeout(p.id, p.timeoutMs),
  );
  /** Every request ever sent (for `answers` on late responses); kept only when the wire log keeps evidence. */
  private readonly sent = new Map<RequestId, { method: string; params?: JsonObject }>();
  /** False with the bench's discarding wire log: no history of answered requests or received notifications. */
  private readonly keepsHistory: boolean;
  private handler: ServerRequestHandler = defaultServerRequestHandler;
  private readonly notes: ReceivedNotification[] = [];
  private readonly requests: ServerRequest[] = [];
  private readonly posts: (HttpPost & { seq: number })[] = [];
  private notificationWaiters: Waiter<ReceivedNotification>[] = [];
  private requestWaiters: Waiter<ServerRequest>[] = [];
  private closedReason: string | undefined;

  constructor(options: SessionOptions) {
    this.name = options.name;
    this.link = options.link;
    this.transport = options.link.transport;
    this.wire = options.wire;
    this.requestTimeoutMs = options.requestTimeoutMs;
    this.limits = options.limits ?? DEFAULT_LIMITS;
    this.keepsHistory = options.wire.keepsEvidence;
  }

  get sessionId(): string | undefined {
    return this.link.sessionId;
  }

  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  /** Why the session closed (process exit, harness close), once it has. */
  get closeReason(): string | undefined {
    return this.closedReason;
  }

  /** HTTP: every POST made on this session with its status (see the file comment). */
  httpPosts(): (HttpPost & { seq: number })[] {
    return [...this.posts];
  }

  wireSeq(): number {
    return this.wire.seq();
  }

  /** HTTP: a GET on the endpoint (the standalone SSE stream); its answer is recorded as a note with its status. */
  openGetStream(): Promise<void> {
    return this.link.openGetStream();
  }

  /** Wire entries of this session only (from `from`, default all). */
  wireEntries(from = 0): WireEntry[] {
    return this.wire.entries(from).filter((e) => e.connection === this.name);
  }

  private record(
    dir: 'send' | 'recv',
    meta: Partial<InboundMeta>,
    fields: { message?: unknown; note?: string; answers?: WireEntry['answers'] },
  ): WireEntry {
    return this.wire.record({
      dir,
      transport: this.transport,
      connection: this.name,
      ...(meta.channel !== undefined ? { channel: meta.channel } : {}),
      ...(meta.eventId !== undefined ? { eventId: meta.eventId } : {}),
      ...(meta.http ? { http: meta.http } : {}),
      message: fields.message,
      ...(fields.answers ? { answers: fields.answers } : {}),
      ...(fields.note !== undefined ? { note: fields.note } : {}),
    });
  }

  private sendChannel(): string {
    return this.transport === 'http' ? 'POST' : 'stdio';
  }

  /** Starts the link and wires its events; does not initialize. */
  async attach(): Promise<void> {
    await this.link.start({
      message: (m, meta) => this.onMessage(m, meta),
      note: (note, meta, raw) => this.record('recv', meta, { note, message: raw }),
      requestFailed: (id, reason, http) =>
        this.settle(id, (p) => ({ kind: 'closed', id, ms: performance.now() - p.started, reason, ...(http ? { http } : {}) })),
      post: (post) => this.posts.push({ ...post, seq: this.wire.seq() }),
      overLimit: (reason) => this.endOverLimit(reason),
      closed: (reason) => this.onClosed(reason),
    });
  }

  /** initialize + notifications/initialized (+ the GET stream on HTTP). Throws TargetError on failure. */
  async initialize(options: ConnectOptions & { timeoutMs: number; stderrTail?: () => string }): Promise<void> {
    const params: JsonObject = {
      protocolVersion: PROTOCOL_VERSION,
      capabilities: options.capabilities ?? DEFAULT_CLIENT_CAPABILITIES,
      clientInfo: CLIENT_INFO,
    };
    const o = await this.request('initialize', params, { timeoutMs: options.timeoutMs });
    const tail = () => {
      const t = options.stderrTail?.().trim();
      return t ? ` | stderr: ${t.split('\n').slice(-5).join(' / ')}` : '';
    };
    if (o.kind !== 'result') {
      const why =
        o.kind === 'error'
          ? `the server answered initialize with error ${o.error.code} "${o.error.message}"`
          : o.kind === 'timeout'
            ? `no answer to initialize within ${options.timeoutMs} ms (check that the command speaks MCP on stdio)`
            : o.reason.startsWith('cannot reach')
              ? o.reason
              : `the connection closed during initialize: ${o.reason}`;
      throw new TargetError(`${this.name}: ${why}${tail()}`, options.stderrTail?.() ?? '');
    }
    this.initializeResult = o.result;
    this.serverCapabilities = (o.result.capabilities as JsonObject | undefined) ?? {};
    this.protocolVersion = typeof o.result.protocolVersion === 'string' ? o.result.protocolVersion : '';
    // The header carries what was negotiated; a server answering another version is the runner's concern (T25-CLI-01).
    this.link.setProtocolVersion(this.protocolVersion || PROTOCOL_VERSION);
    await this.notify('notifications/initialized');
    if (this.transport === 'http' && options.openGetStream !== false) await this.link.openGetStream();
  }

  request(method: string, params?: JsonObject, options: RequestOptions = {}): Promise<RpcOutcome> {
    const id = options.id ?? this.wire.nextRequestId();
    const started = performance.now();
    const message: JsonObject = { jsonrpc: '2.0', id, method, ...(params !== undefined ? { params } : {}) };
    if (this.keepsHistory) this.sent.set(id, { method, params });
    if (this.closedReason !== undefined) {
      this.record('send', { channel: this.sendChannel() }, { message, note: `not sent: session closed (${this.closedReason})` });
      return Promise.resolve({ kind: 'closed', id, ms: 0, reason: this.closedReason });
    }
    if (options.signal?.aborted) return Promise.resolve({ kind: 'closed', id, ms: 0, reason: 'aborted by the client before sending' });
    return new Promise<RpcOutcome>((resolve) => {
      const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
      const p: Pending = { id, method, params, started, deadline: started + timeoutMs, timeoutMs, resolve };
      this.pending.set(id, p);
      this.deadlines.add(p, timeoutMs);
      options.signal?.addEventListener(
        'abort',
        () => {
          if (!this.pending.has(id)) return;
          this.settle(id, () => ({ kind: 'closed', id, ms: performance.now() - started, reason: 'aborted by the client' }));
          this.link.abortRequest(id);
          this.record(
            'send',
            { channel: this.sendChannel() },
            { note: `client dropped the connection of request ${id} (${method}) without cancelling it` },
          );
        },
        { once: true },
      );
      this.record('send', { channel: this.sendChannel() }, { message });
      this.link
        .send(message)
        .catch((e: Error) => this.settle(id, () => ({ kind: 'closed', id, ms: performance.now() - started, reason: e.message })));
    });
  }

  private onTimeout(id: RequestId, timeoutMs: number): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.settle(id, () => ({ kind: 'timeout', id, ms: performance.now() - p.started }));
    // T25-CLI-15: cancel exactly the request that timed out (never a task: that is tasks/cancel's job).
    if (this.closedReason === undefined && p.method !== 'initialize') {
      void this.notify('notifications/cancelled', { requestId: id, reason: `sep1686-check: no response within ${timeoutMs} ms` })
        .catch(() => {})
        .finally(() => this.link.abortRequest(id));
    }
  }

  private settle(id: RequestId, make: (p: Pending) => RpcOutcome): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (this.pending.size === 0) this.deadlines.clear();
    p.resolve(make(p));
  }

  async notify(method: string, params?: JsonObject): Promise<void> {
    const message: JsonObject = { jsonrpc: '2.0', method, ...(params !== undefined ? { params } : {}) };
    if (this.closedReason !== undefined) {
      this.record('send', { channel: this.sendChannel() }, { message, note: `not sent: session closed (${this.closedReason})` });
      return;
    }
    this.record('send', { channel: this.sendChannel() }, { message });
    await this.link.send(message);
  }

  onServerRequest(handler: ServerRequestHandler): void {
    this.handler = handler;
  }

  notifications(): ReceivedNotification[] {
    return [...this.notes];
  }

  serverRequests(): ServerRequest[] {
    return [...this.requests];
  }

  waitForNotification(predicate: (n: ReceivedNotification) => boolean, timeoutMs: number): Promise<ReceivedNotification | undefined> {
    return this.waitFor(this.notes, this.notificationWaiters, predicate, timeoutMs);
  }

  waitForServerRequest(predicate: (r: ServerRequest) => boolean, timeoutMs: number): Promise<ServerRequest | undefined> {
    return this.waitFor(this.requests, this.requestWaiters, predicate, timeoutMs);
  }

  private waitFor<T>(seen: T[], waiters: Waiter<T>[], predicate: (x: T) => boolean, timeoutMs: number): Promise<T | undefined> {
    const found = seen.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => {
      const w: Waiter<T> = {
        predicate,
        resolve,
        timer: setTimeout(() => {
          const i = waiters.indexOf(w);
          if (i >= 0) waiters.splice(i, 1);
          resolve(undefined);
        }, timeoutMs),
      };
      waiters.push(w);
    });
  }

  private wake<T>(waiters: Waiter<T>[], x: T): void {
    if (waiters.length === 0) return;
    for (const w of [...waiters]) {
      if (!w.predicate(x)) continue;
      clearTimeout(w.timer);
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(x);
    }
  }

  private onMessage(raw: unknown, meta: InboundMeta): void {
    const m = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined;
    if (!m) {
      this.record('recv', meta, { message: raw, note: 'not a JSON-RPC message (not an object)' });
      return;
    }
    const id = m.id as RequestId | undefined | null;
    if (typeof m.method === 'string') {
      if (id === undefined) this.onNotification(m, meta);
      else this.onServerRequestMessage(m, meta);
      return;
    }
    if ('result' in m || 'error' in m) {
      this.onResponse(m, meta);
      return;
    }
    this.record('recv', meta, { message: raw, note: 'not a JSON-RPC message (no method, result or error)' });
  }

  private onResponse(m: Record<string, unknown>, meta: InboundMeta): void {
    const id = m.id as RequestId | null | undefined;
    const waiting = id !== undefined && id !== null ? this.pending.get(id) : undefined;
    const isPending = waiting !== undefined;
    const known = waiting
      ? { method: waiting.method, params: waiting.params }
      : id !== undefined && id !== null
        ? this.sent.get(id)
        : undefined;
    const note = known
      ? isPending
        ? undefined
        : this.answered.has(id as RequestId)
          ? `${DUPLICATE_RESPONSE_NOTE}${JSON.stringify(id)} (it was answered before)`
          : 'response to a request that was no longer awaited (timed out or aborted)'
      : `${UNKNOWN_ID_NOTE}${JSON.stringify(id)}`;
    if (isPending && this.keepsHistory) this.answered.add(id as RequestId);
    this.record('recv', meta, { message: m, answers: known ? { method: known.method, params: known.params } : undefined, note });
    if (!isPending) return;
    const http: HttpResponseInfo | undefined = meta.http;
    this.settle(id as RequestId, (p) => {
      const ms = performance.now() - p.started;
      if ('error' in m) {
        const e = (m.error ?? {}) as Partial<RpcError>;
        const error: RpcError = {
          code: typeof e.code === 'number' ? e.code : NaN,
          message: typeof e.message === 'string' ? e.message : String(e.message),
          ...('data' in e ? { data: e.data } : {}),
        };
        return { kind: 'error', error, id: id as RequestId, ms, ...(http ? { http } : {}) };
      }
      const result = m.result && typeof m.result === 'object' ? (m.result as JsonObject) : ({ value: m.result } as JsonObject);
      return { kind: 'result', result, id: id as RequestId, ms, ...(http ? { http } : {}) };
    });
  }

  /** Counts a notification or server request; past the cap the session is ended (H25-22). False: ignore it. */
  private admitUnsolicited(): boolean {
    if (this.closedReason !== undefined) return false;
    if (++this.unsolicited <= this.limits.maxServerMessages) return true;
    this.endOverLimit(
      `more than ${this.limits.maxServerMessages} notifications and server requests on one session (${LIMIT_FLAGS.maxServerMessages} raises the limit)`,
    );
    return false;
  }

  /** The server went over an intake limit: recorded (H25-22 reads the note), the connection dropped, every request ended. */
  private endOverLimit(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.record('recv', { channel: this.transport === 'http' ? 'HTTP' : 'stdio' }, { note: `${INTAKE_LIMIT_NOTE}${reason}` });
    this.onClosed(`the harness ended the session: ${reason} (H25-22)`);
    void this.link.drop().catch(() => undefined);
  }

  private onNotification(m: Record<string, unknown>, meta: InboundMeta): void {
    if (!this.admitUnsolicited()) return;
    const entry = this.record('recv', meta, { message: m });
    const n: ReceivedNotification = {
      method: m.method as string,
      params: (m.params as JsonObject | undefined) ?? {},
      seq: entry.seq,
      channel: meta.channel,
    };
    if (this.keepsHistory) this.notes.push(n);
    this.wake(this.notificationWaiters, n);
  }

  private onServerRequestMessage(m: Record<string, unknown>, meta: InboundMeta): void {
    if (!this.admitUnsolicited()) return;
    this.record('recv', meta, { message: m });
    const req: ServerRequest = {
      id: m.id as RequestId,
      method: m.method as string,
      params: (m.params as JsonObject | undefined) ?? {},
      channel: meta.channel,
    };
    if (this.keepsHistory) this.requests.push(req);
    this.wake(this.requestWaiters, req);
    void this.answer(req);
  }

  private async answer(req: ServerRequest): Promise<void> {
    let out: JsonObject | RpcError | undefined;
    try {
      out = await this.handler(req);
    } catch (e) {
      out = { code: -32603, message: `sep1686-check handler failed: ${(e as Error).message}` };
    }
    if (out === undefined) return;
    await this.respond(req.id, out);
  }

  /** Sends a response to a server request (for handlers that answer later, or never through the handler). */
  async respond(id: RequestId, out: JsonObject | RpcError): Promise<void> {
    const message: JsonObject = isRpcError(out) ? { jsonrpc: '2.0', id, error: out } : { jsonrpc: '2.0', id, result: out };
    if (this.closedReason !== undefined) {
      this.record('send', { channel: this.sendChannel() }, { message, note: `not sent: session closed (${this.closedReason})` });
      return;
    }
    this.record('send', { channel: this.sendChannel() }, { message });
    await this.link
      .send(message)
      .catch((e: Error) =>
        this.record('send', { channel: this.sendChannel() }, { note: `sending the response to ${String(id)} failed: ${e.message}` }),
      );
  }

  private onClosed(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    this.record('recv', { channel: this.transport === 'http' ? 'HTTP' : 'stdio' }, { note: `connection closed: ${reason}` });
    for (const id of [...this.pending.keys()]) this.settle(id, (p) => ({ kind: 'closed', id, ms: performance.now() - p.started, reason }));
  }

  async terminate(): Promise<void> {
    await this.link.terminate();
  }

  async drop(): Promise<void> {
    await this.link.drop();
  }

  async close(): Promise<void> {
    await this.link.close();
    // A link may report its close later (stdio: once the pipes drain); after close() the session is closed,
    // so ctx.session() reconnects instead of handing out this one again.
    this.onClosed('closed by the harness');
  }
}

/** Creates, attaches and initializes a session; on failure the link is dropped and TargetError thrown. */
export async function openSession(
  options: SessionOptions & { connect: ConnectOptions; startTimeoutMs: number; stderrTail?: () => string },
): Promise<McpSession> {
  const session = new McpSession(options);
  try {
    await session.attach();
    await session.initialize({ ...options.connect, timeoutMs: options.startTimeoutMs, stderrTail: options.stderrTail });
    return session;
  } catch (e) {
    await options.link.drop().catch(() => {});
    if (e instanceof TargetError) throw e;
    const tail = options.stderrTail?.().trim();
    throw new TargetError(
      `${options.name}: ${(e as Error).message}${tail ? ` | stderr: ${tail.split('\n').slice(-5).join(' / ')}` : ''}`,
      tail ?? '',
    );
  }
}
