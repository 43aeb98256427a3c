// The 2026-07-28 client of the harness (the io.modelcontextprotocol/tasks extension on the stateless core),
// for check authors. A ModernClient is a raw JSON-RPC requestor over the same links as the 2025-11-25
// Session (harness/transport: stdio process or Streamable HTTP, intake limits, process ownership, the
// run-wide wire log), so evidence, deadlines and hostile-target protections apply unchanged. There is no
// initialize: every request carries the envelope.
//
//   const c = await ctx.modern();                       // the scenario's main client (ctx.connectModern(): another)
//   const o = await c.request('tools/call', { name, arguments }, { caps: EXT });
//       // params._meta = META(caps) unless `meta` replaces it (null: no _meta at all); `version` sets its
//       // protocolVersion. HTTP: MCP-Protocol-Version, Mcp-Method and Mcp-Name are derived from the body
//       // (Base64 sentinel when not header-safe); `headers` overrides them (undefined removes one).
//   o.kind: 'result' | 'error' | 'timeout' | 'closed'; o.http?.status on HTTP (RpcOutcome of scenario.ts).
//   await c.discover();                                 // server/discover with META(EXT)
//   const p = await c.poll(taskId, (t) => isTerminal(t)); // tasks/get every clamp(pollIntervalMs ?? 250, 50, 1000) ms
//       // (re-read each time, clamps logged in p.clamped) until the predicate holds or T_SETTLE passes
//   c.inputResponses(task.inputRequests)                // answers built from each requestedSchema ("Ada" for strings)
//   const s = await c.listen({ taskIds: [id] });         // subscriptions/listen; s.messages(), s.next(pred, ms), s.close()
//   c.violations(fromSeq?)                              // schema violations of every server message on this client
//   await c.probeGet()                                  // HTTP: GET on the endpoint, its status (EXT-HTTP-05: 405)
//
// Server->client JSON-RPC requests are recorded and never answered (forbidden in this era, EXT-CORE-03).
import type { TransportName } from '../checks.js';
import { acceptContentFor, DEFAULT_TEXT } from '../elicitation-answer.js';
import type { JsonObject, ReceivedNotification, RequestOptions, RpcOutcome, ServerRequest } from '../scenario.js';
import type { McpSession } from '../transport/session.js';
import type { WireLog } from '../transport/wire.js';
import { MAX_TIMER_MS } from '../util/async.js';
import { envelope, EXT, EXT_E, META, type HeaderOverrides } from './envelope.js';
import { modernViolations } from './schema.js';

export interface ModernRequestOptions extends RequestOptions {
  /** clientCapabilities of the envelope (default EXT_E: the extension and form elicitation). */
  caps?: JsonObject;
  /** protocolVersion of the envelope (default 2026-07-28). */
  version?: string;
  /** Replaces params._meta entirely; null sends no _meta at all. */
  meta?: JsonObject | null;
  /** HTTP: overrides of the derived request headers; undefined removes one. */
  headers?: HeaderOverrides;
}

export interface Subscription {
  /** The JSON-RPC id of the listen request (= the subscriptionId its notifications carry). */
  readonly id: number | string;
  /** Notifications of this subscription so far: those carrying its subscriptionId, or (HTTP) sent on its stream. */
  messages(): ReceivedNotification[];
  next(predicate: (n: ReceivedNotification) => boolean, timeoutMs: number): Promise<ReceivedNotification | undefined>;
  /** The listen request's own answer: an error, or a result when the server closes the subscription. */
  readonly answer: Promise<RpcOutcome>;
  /** Ends the subscription: HTTP closes its stream, stdio sends notifications/cancelled for its id. */
  close(): Promise<void>;
}

export interface PollOutcome {
  /** The last task read (undefined when the first tasks/get failed). */
  task?: JsonObject;
  /** Whether the predicate held before T_SETTLE passed. */
  settled: boolean;
  /** Every tasks/get outcome, in order. */
  reads: RpcOutcome[];
  /** The last outcome when it was not a result (the poll stopped there). */
  failure?: RpcOutcome;
  /** pollIntervalMs values the client clamped (EXT-CLI-05 logs them). */
  clamped: number[];
}

export const POLL_DEFAULT_MS = 250;
export const POLL_MIN_MS = 50;
export const POLL_MAX_MS = 1000;

/** POLL(t) of the checklist: the interval the server suggests, clamped. */
export function pollDelay(task: JsonObject | undefined): { ms: number; clamped?: number } {
  const suggested = task?.pollIntervalMs;
  if (typeof suggested !== 'number' || !Number.isFinite(suggested)) return { ms: POLL_DEFAULT_MS };
  const ms = Math.min(POLL_MAX_MS, Math.max(POLL_MIN_MS, suggested));
  return ms === suggested ? { ms } : { ms, clamped: suggested };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ModernClientOptions {
  session: McpSession;
  wire: WireLog;
  /** T_SETTLE for poll(). */
  settleMs: number;
  /** Per-request header overrides the link reads when it POSTs (HTTP; see targets.ts). */
  headerOverrides: Map<number | string, HeaderOverrides>;
}

export class ModernClient {
  readonly name: string;
  readonly transport: TransportName;
  private readonly session: McpSession;
  private readonly wire: WireLog;
  private readonly settleMs: number;
  private readonly overrides: Map<number | string, HeaderOverrides>;

  constructor(options: ModernClientOptions) {
    this.session = options.session;
    this.name = options.session.name;
    this.transport = options.session.transport;
    this.wire = options.wire;
    this.settleMs = options.settleMs;
    this.overrides = options.headerOverrides;
    // No server requests exist in this era: record them (the session does), answer none.
    this.session.onServerRequest(() => undefined);
  }

  get closed(): boolean {
    return this.session.closed;
  }

  request(method: string, params: JsonObject = {}, options: ModernRequestOptions = {}): Promise<RpcOutcome> {
    const { caps, version, meta, headers, ...rest } = options;
    const withMeta: JsonObject = { ...params };
    if (meta === null) delete withMeta._meta;
    else withMeta._meta = meta ?? envelope(caps ?? EXT_E, version);
    const id = rest.id ?? this.wire.nextRequestId();
    if (headers) this.overrides.set(id, headers);
    return this.session.request(method, withMeta, { ...rest, id }).finally(() => this.overrides.delete(id));
  }

  /** server/discover with META(EXT) (or the given envelope). */
  discover(options: ModernRequestOptions = {}): Promise<RpcOutcome> {
    return this.request('server/discover', {}, { caps: EXT, ...options });
  }

  callTool(name: string, args: JsonObject, options: ModernRequestOptions = {}): Promise<RpcOutcome> {
    return this.request('tools/call', { name, arguments: args }, options);
  }

  /** tasks/get until `until` holds or T_SETTLE passes, at the server's pollIntervalMs (clamped). */
  async poll(
    taskId: string,
    until: (task: JsonObject) => boolean,
    options: ModernRequestOptions & { settleMs?: number } = {},
  ): Promise<PollOutcome> {
    const { settleMs, ...request } = options;
    const deadline = performance.now() + (settleMs ?? this.settleMs);
    const out: PollOutcome = { settled: false, reads: [], clamped: [] };
    for (;;) {
      const o = await this.request('tasks/get', { taskId }, { caps: EXT_E, ...request });
      out.reads.push(o);
      if (o.kind !== 'result') {
        out.failure = o;
        return out;
      }
      out.task = o.result;
      if (until(o.result)) {
        out.settled = true;
        return out;
      }
      const delay = pollDelay(o.result);
      if (delay.clamped !== undefined) out.clamped.push(delay.clamped);
      if (performance.now() + delay.ms > deadline || this.session.closed) return out;
      await sleep(delay.ms);
    }
  }

  /** inputResponses for every key of `inputRequests`: elicitations accepted with content from their requestedSchema. */
  inputResponses(inputRequests: unknown, preferred: Record<string, unknown> = { name: DEFAULT_TEXT }): JsonObject {
    const out: JsonObject = {};
    if (!inputRequests || typeof inputRequests !== 'object') return out;
    for (const [key, value] of Object.entries(inputRequests as Record<string, unknown>)) {
      const req = (value ?? {}) as { method?: unknown; params?: JsonObject };
      if (req.method === 'elicitation/create')
        out[key] = { action: 'accept', content: acceptContentFor(req.params?.requestedSchema, preferred) };
      else if (req.method === 'roots/list') out[key] = { roots: [] };
      else if (req.method === 'sampling/createMessage')
        out[key] = { role: 'assistant', content: { type: 'text', text: DEFAULT_TEXT }, model: 'sep1686-check' };
    }
    return out;
  }

  /** subscriptions/listen for `notifications` (e.g. {taskIds:[...]}); the request stays open until close(). */
  async listen(notifications: JsonObject, options: ModernRequestOptions = {}): Promise<Subscription> {
    const id = options.id ?? this.wire.nextRequestId();
    const stop = new AbortController();
    const answer = this.request(
      'subscriptions/listen',
      { notifications },
      { caps: EXT, timeoutMs: MAX_TIMER_MS, ...options, id, signal: stop.signal },
    );
    const mine = (n: ReceivedNotification) =>
      (n.params._meta as JsonObject | undefined)?.[META.subscriptionId] === id || n.channel === `POST ${String(id)}`;
    return {
      id,
      messages: () => this.session.notifications().filter(mine),
      next: (predicate, timeoutMs) => this.session.waitForNotification((n) => mine(n) && predicate(n), timeoutMs),
      answer,
      close: async () => {
        if (this.transport === 'stdio' && !this.session.closed)
          await this.session.notify('notifications/cancelled', { requestId: id, reason: 'sep1686-check: subscription done' });
        stop.abort();
      },
    };
  }

  notifications(): ReceivedNotification[] {
    return this.session.notifications();
  }

  /** JSON-RPC requests the server sent (none is allowed in this era: EXT-CORE-03). */
  serverRequests(): ServerRequest[] {
    return this.session.serverRequests();
  }

  waitForNotification(predicate: (n: ReceivedNotification) => boolean, timeoutMs: number): Promise<ReceivedNotification | undefined> {
    return this.session.waitForNotification(predicate, timeoutMs);
  }

  notify(method: string, params?: JsonObject): Promise<void> {
    return this.session.notify(method, params);
  }

  wireSeq(): number {
    return this.wire.seq();
  }

  /** Schema violations of the server messages this client received (from wire position `from`), with their seq. */
  violations(from = 0): Array<{ seq: number; violation: string }> {
    const out: Array<{ seq: number; violation: string }> = [];
    for (const e of this.session.wireEntries(from)) {
      if (e.dir !== 'recv' || !e.message || typeof e.message !== 'object' || Array.isArray(e.message)) continue;
      for (const violation of modernViolations(e.message as JsonObject, e.answers?.method)) out.push({ seq: e.seq, violation });
    }
    return out;
  }

  /**
   * HTTP: a GET on the endpoint, as a 2025-11-25 client opens its standalone stream (this revision has
   * none: EXT-HTTP-05 expects 405). The status, undefined when no HTTP answer came, and the recorded note.
   */
  async probeGet(): Promise<{ status?: number; note: string }> {
    const from = this.wire.seq();
    await this.session.openGetStream();
    const answer = this.session.wireEntries(from).find((e) => e.channel === 'GET' && e.note !== undefined);
    return { status: answer?.http?.status, note: answer?.note ?? 'no answer was recorded' };
  }

  /** HTTP: every POST with its status (see Session httpPosts). */
  httpPosts(): ReturnType<McpSession['httpPosts']> {
    return this.session.httpPosts();
  }

  /** stdio: kill the process hard; HTTP: abort every open stream. */
  drop(): Promise<void> {
    return this.session.drop();
  }

  close(): Promise<void> {
    return this.session.close();
  }
}
