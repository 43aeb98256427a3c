// The bench's Streamable HTTP link: the same wire behaviour as the checker's HttpLink (http-link.ts) for
// what the bench does, at a fraction of its client CPU. At 10 000 tasks the recording link (the SDK
// transport, fetch, an AbortSignal.any per request, web streams) used as much CPU as the server it
// measured, so the bench, not the server, set the figures. This link POSTs through an undici Pool
// (keep-alive, as many connections as requests in flight: every blocking tasks/result holds one) with
// a plain dispatch handler per exchange (lean-http-exchange.ts), and no per-request timer: the
// session's own deadline ends a request (abortRequest). It records no per-POST history (Session
// httpPosts() stays empty), does not reopen the GET stream and does not resume a broken SSE stream with
// Last-Event-ID: the checks need those and keep HttpLink; targets use this link when TargetOptions.lean.
import { Pool } from 'undici';
import type { Link, LinkEvents, InboundMeta, RequestId } from './link.js';
import type { JsonObject } from '../scenario.js';
import { DEFAULT_LIMITS, type IntakeLimits } from './limits.js';
import { FALLBACK_TIMEOUT_MS, type HttpLinkOptions } from './http-link.js';
import { Exchange, type ExchangeEnd, type ExchangeSink } from './lean-http-exchange.js';

const ACCEPT = 'application/json, text/event-stream';

export class LeanHttpLink implements Link, ExchangeSink {
  readonly transport = 'http' as const;
  readonly url: string;
  readonly limits: IntakeLimits;
  private events!: LinkEvents;
  private readonly pool: Pool;
  private readonly path: string;
  /** The configured headers (auth), names lowercased so later ones replace them. */
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private session: string | undefined;
  private protocolVersion: string | undefined;
  private closed = false;
  private readonly open = new Set<Exchange>();
  private readonly requests = new Map<RequestId, Exchange>();

  constructor(private readonly options: HttpLinkOptions) {
    const url = new URL(options.url);
    this.url = options.url;
    this.path = `${url.pathname}${url.search}`;
    this.limits = options.limits ?? DEFAULT_LIMITS;
    this.timeoutMs = options.requestTimeoutMs ?? FALLBACK_TIMEOUT_MS;
    this.headers = Object.fromEntries(Object.entries(options.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    // connections: null = no cap. Blocking tasks/result requests are not capped by the bench, and a
    // capped pool would queue creates behind them: the figure would be the pool's, not the server's.
    this.pool = new Pool(url.origin, { connections: null, pipelining: 1 });
  }

  get sessionId(): string | undefined {
    return this.session;
  }

  get ended(): boolean {
    return this.closed;
  }

  async start(events: LinkEvents): Promise<void> {
    this.events = events;
  }

  message(message: unknown, meta: InboundMeta): void {
    this.events.message(message, meta);
  }

  note(note: string, meta: InboundMeta, raw?: unknown): void {
    this.events.note(note, meta, raw);
  }

  assignSession(id: string): void {
    this.session = id;
  }

  overLimit(reason: string): void {
    this.events.overLimit(reason);
  }

  send(message: JsonObject): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the HTTP session was closed'));
    const body = JSON.stringify(message);
    const headers = this.postHeaders(message);
    const id = typeof message.method === 'string' ? (message.id as RequestId | undefined) : undefined;
    if (id !== undefined) {
      // A request's outcome is its response (or requestFailed); send() only says it was handed over.
      this.dispatch('POST', headers, body, id, `POST ${String(id)}`, (failure, http, exchange) => {
        if (failure !== undefined && !this.closed && !exchange.aborted) this.events.requestFailed(id, failure, http);
      });
      return Promise.resolve();
    }
    const what = typeof message.method === 'string' ? message.method : `response to server request ${String(message.id)}`;
    return new Promise((resolve, reject) =>
      this.dispatch('POST', headers, body, undefined, 'POST', (failure) =>
        failure === undefined ? resolve() : reject(new Error(`POST of ${what} to ${this.url}: ${failure}`)),
      ),
    );
  }

  setProtocolVersion(version: string): void {
    this.protocolVersion = version;
  }

  /** A minimal standalone GET stream: opened once (resolves at its response headers), never reopened. */
  openGetStream(): Promise<void> {
    if (this.closed) return Promise.resolve();
    const headers = { ...this.baseHeaders(), accept: 'text/event-stream' };
    return new Promise((resolve) => {
      const exchange = this.dispatch('GET', headers, undefined, undefined, 'GET', (failure) => {
        if (failure !== undefined && !exchange.aborted) this.events.note(`GET stream failed: ${failure}`, { channel: 'GET' });
        resolve();
      });
      exchange.headersArrived = resolve;
    });
  }

  abortRequest(id: RequestId): void {
    this.requests.get(id)?.abort();
  }

  async terminate(): Promise<void> {
    if (!this.closed && this.session) {
      await new Promise<void>((resolve) => this.dispatch('DELETE', this.baseHeaders(), undefined, undefined, 'DELETE', () => resolve()));
    }
    await this.close();
  }

  drop(): Promise<void> {
    return this.close();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const exchange of this.open) exchange.abort();
    this.open.clear();
    this.requests.clear();
    await this.pool.destroy().catch(() => undefined);
    this.events?.closed('HTTP session closed by the harness');
  }

  private baseHeaders(): Record<string, string> {
    const h: Record<string, string> = { ...this.headers };
    if (this.session) h['mcp-session-id'] = this.session;
    if (this.protocolVersion) h['mcp-protocol-version'] = this.protocolVersion;
    return h;
  }

  private postHeaders(message: JsonObject): Record<string, string> {
    const h = this.baseHeaders();
    h['content-type'] = 'application/json';
    h.accept = ACCEPT;
    if (this.options.postHeaders)
      for (const [name, value] of Object.entries(this.options.postHeaders(message)))
        if (value === undefined) delete h[name.toLowerCase()];
        else h[name.toLowerCase()] = value;
    return h;
  }

  /**
   * Starts one exchange. Requests and streams have no deadline of their own (the session's ends a
   * request; a stream lives until closed); a notification's, a response's or a DELETE's whole exchange has
   * --timeout, as the GET stream's response headers.
   */
  private dispatch(
    method: 'POST' | 'GET' | 'DELETE',
    headers: Record<string, string>,
    body: string | undefined,
    requestId: RequestId | undefined,
    channel: string,
    end: (failure: string | undefined, http: Parameters<ExchangeEnd>[1], exchange: Exchange) => void,
  ): Exchange {
    const stream = method === 'GET';
    const exchange: Exchange = new Exchange(this, requestId, channel, stream, (failure, http) => {
      this.open.delete(exchange);
      if (requestId !== undefined && this.requests.get(requestId) === exchange) this.requests.delete(requestId);
      end(failure, http, exchange);
    });
    this.open.add(exchange);
    if (requestId !== undefined) this.requests.set(requestId, exchange);
    const bounded = requestId === undefined && !stream ? this.timeoutMs : 0;
    this.pool.dispatch(
      { method, path: this.path, headers, body, headersTimeout: stream ? this.timeoutMs : bounded, bodyTimeout: bounded },
      exchange,
    );
    return exchange;
  }
}
