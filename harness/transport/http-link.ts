// Streamable HTTP link: the SDK's StreamableHTTPClientTransport builds and sends every POST (session id,
// MCP-Protocol-Version, Accept, auth headers) and the DELETE; a recording `fetch` passed to it takes
// over every response body. That fetch reads the status and Content-Type of each POST, parses SSE
// itself (eventsource-parser) so that every message is known with its stream ("POST <id>" / "GET")
// and SSE event id, and hands the SDK an empty response, so the SDK never drops or reshapes a message.
// The standalone GET stream is opened by the link itself (not by the SDK after `initialized`), so a
// session is only handed out once the stream is known to be open (or known to be refused).
// Over 400 lines because the recording fetch, the SSE parsing and the GET stream share the per-request
// stream bookkeeping that lets every message be attributed to the stream that carried it.
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { createParser } from 'eventsource-parser';
import type { HttpPost, InboundMeta, Link, LinkEvents, RequestId } from './link.js';
import type { HttpResponseInfo, JsonObject } from '../scenario.js';
import { DEFAULT_LIMITS, OverLimitError, oversize, readBoundedText, type IntakeLimits } from './limits.js';

export interface HttpLinkOptions {
  url: string;
  /** Extra headers on every HTTP request (e.g. Authorization: Bearer ..., --header values). */
  headers?: Record<string, string>;
  /** Deadline of every HTTP exchange: response headers of any request, whole bodies of non-streaming ones. */
  requestTimeoutMs?: number;
  /** Size caps on what the server sends (limits.ts). */
  limits?: IntakeLimits;
  /**
   * Headers derived from each POSTed message (the 2026-07-28 request metadata headers, harness/modern):
   * a value sets the header, `undefined` removes it.
   */
  postHeaders?: (message: JsonObject) => Record<string, string | undefined>;
}

/** Without a configured deadline no exchange may take longer than this. */
export const FALLBACK_TIMEOUT_MS = 30_000;

const MAX_BODY_NOTE = 2000;

function mediaType(contentType: string | null): string | undefined {
  return contentType?.split(';')[0]?.trim().toLowerCase() || undefined;
}

function classify(message: unknown): HttpPost['kind'] {
  if (!message || typeof message !== 'object' || Array.isArray(message)) return 'other';
  const m = message as Record<string, unknown>;
  if (typeof m.method === 'string') return m.id === undefined ? 'notification' : 'request';
  if ('result' in m || 'error' in m) return 'response';
  return 'other';
}

function isResponseTo(message: unknown, id: RequestId): boolean {
  if (!message || typeof message !== 'object') return false;
  const m = message as Record<string, unknown>;
  return m.id === id && ('result' in m || 'error' in m) && !('method' in m);
}

/** One line for a failed fetch, naming the likely fix. */
export function describeFetchError(error: unknown, url: string): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.cause?.code;
  if (code === 'ECONNREFUSED') return `cannot reach ${url} (ECONNREFUSED): is the server running?`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot reach ${url} (${code}): check the host name`;
  if (code) return `cannot reach ${url} (${code}): ${e.cause?.message ?? e.message}`;
  if (e.name === 'TimeoutError') return `no response from ${url} in time (${e.message})`;
  if (e.name === 'AbortError') return `request to ${url} aborted`;
  return `cannot reach ${url}: ${e.cause?.message ?? e.message ?? String(error)}`;
}

const truncate = (s: string, n = MAX_BODY_NOTE) => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);

export class HttpLink implements Link {
  readonly transport = 'http' as const;
  private readonly sdk: StreamableHTTPClientTransport;
  private events!: LinkEvents;
  /** Abort controller per open request POST (so one request's stream can be dropped). */
  private readonly requestStreams = new Map<RequestId, AbortController>();
  /** Every open connection (POSTs and GETs), for drop(). */
  private readonly open = new Set<AbortController>();
  private protocolVersion: string | undefined;
  private session: string | undefined;
  private ended = false;
  /** Set by terminate(): the server closing streams after our DELETE is expected, so nothing is reopened. */
  private terminating = false;
  /** How often the standalone GET stream may be reopened after the server closed it (guards against loops). */
  private getReopens = 5;
  private readonly timeoutMs: number;
  private readonly limits: IntakeLimits;

  constructor(private readonly options: HttpLinkOptions) {
    this.timeoutMs = options.requestTimeoutMs ?? FALLBACK_TIMEOUT_MS;
    this.limits = options.limits ?? DEFAULT_LIMITS;
    this.sdk = new StreamableHTTPClientTransport(new URL(options.url), {
      fetch: (url, init) => this.recordingFetch(url, init),
      requestInit: { headers: { ...options.headers } },
      // The link owns every stream; the SDK must never reconnect on its own.
      reconnectionOptions: { maxRetries: 0, initialReconnectionDelay: 1000, maxReconnectionDelay: 1000, reconnectionDelayGrowFactor: 1 },
    });
  }

  get sessionId(): string | undefined {
    return this.session ?? this.sdk.sessionId;
  }

  async start(events: LinkEvents): Promise<void> {
    this.events = events;
    // Incoming messages never reach the SDK's parser (see recordingFetch); errors are recorded where they happen.
    this.sdk.onmessage = (m: JSONRPCMessage) => events.message(m, { channel: 'sdk' });
    this.sdk.onerror = () => {};
    await this.sdk.start();
  }

  async send(message: JsonObject): Promise<void> {
    if (this.ended) throw new Error('the HTTP session was closed');
    try {
      await this.sdk.send(message as unknown as JSONRPCMessage);
    } catch (e) {
      // Requests: the failure was already reported through requestFailed (with the HTTP status).
      if (classify(message) !== 'request') throw e;
    }
  }

  setProtocolVersion(version: string): void {
    this.protocolVersion = version;
    this.sdk.setProtocolVersion(version);
  }

  private baseHeaders(): Headers {
    const h = new Headers(this.options.headers);
    const sid = this.sessionId;
    if (sid) h.set('mcp-session-id', sid);
    if (this.protocolVersion) h.set('mcp-protocol-version', this.protocolVersion);
    return h;
  }

  async openGetStream(lastEventId?: string, forRequest?: RequestId): Promise<void> {
    const channel = lastEventId === undefined ? 'GET' : `GET (resume ${lastEventId})`;
    const headers = this.baseHeaders();
    headers.set('accept', 'text/event-stream');
    if (lastEventId !== undefined) headers.set('last-event-id', lastEventId);
    const ctrl = new AbortController();
    this.open.add(ctrl);
    let res: Response;
    const deadline = this.headersDeadline(ctrl, `GET ${this.options.url}`);
    try {
      res = await fetch(this.options.url, { method: 'GET', headers, signal: ctrl.signal });
    } catch (e) {
      this.open.delete(ctrl);
      this.events.note(`GET stream failed: ${describeFetchError(e, this.options.url)}`, { channel });
      if (forRequest !== undefined)
        this.events.requestFailed(
          forRequest,
          `resuming with GET Last-Event-ID ${lastEventId} failed: ${describeFetchError(e, this.options.url)}`,
        );
      return;
    } finally {
      clearTimeout(deadline);
    }
    const http: HttpResponseInfo = { status: res.status, contentType: res.headers.get('content-type') };
    if (!res.ok || mediaType(http.contentType) !== 'text/event-stream') {
      const text = await this.bodyText(res, 'the GET response body', ctrl);
      this.open.delete(ctrl);
      const why = res.ok ? `Content-Type ${http.contentType}` : `HTTP ${res.status}`;
      this.events.note(`GET stream not opened: ${why}${text ? `: ${truncate(text, 300)}` : ''}`, { channel, http }, text || undefined);
      if (forRequest !== undefined)
        this.events.requestFailed(
          forRequest,
          `the POST stream closed without a response and resuming it with GET Last-Event-ID ${lastEventId} gave ${why}`,
          http,
        );
      return;
    }
    this.events.note(`GET stream open (HTTP ${res.status})`, { channel, http });
    void this.consumeSse(res.body, { channel, http }, ctrl, forRequest, lastEventId !== undefined);
  }

  abortRequest(id: RequestId): void {
    this.requestStreams.get(id)?.abort();
  }

  async terminate(): Promise<void> {
    this.terminating = true;
    if (!this.ended && this.sessionId) {
      try {
        await this.sdk.terminateSession();
      } catch {
        // recorded by recordingFetch; the session is being closed anyway
      }
    }
    await this.close();
  }

  async drop(): Promise<void> {
    await this.close();
  }

  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    for (const c of this.open) c.abort();
    this.open.clear();
    await this.sdk.close().catch(() => {});
    this.events?.closed('HTTP session closed by the harness');
  }

  /** The fetch the SDK transport uses: POST bodies are consumed here, other methods are recorded and passed on. */
  private async recordingFetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const method = (init.method ?? 'GET').toUpperCase();
    if (method !== 'POST') return this.passThrough(url, init, method);

    let message: unknown;
    try {
      message = JSON.parse(typeof init.body === 'string' ? init.body : '');
    } catch {
      message = undefined;
    }
    const kind = classify(message);
    const m = (message ?? {}) as { id?: RequestId; method?: string };
    if (this.options.postHeaders && message && typeof message === 'object') {
      const headers = new Headers(init.headers);
      for (const [name, value] of Object.entries(this.options.postHeaders(message as JsonObject)))
        if (value === undefined) headers.delete(name);
        else headers.set(name, value);
      init = { ...init, headers };
    }
    const requestId = kind === 'request' ? m.id : undefined;
    const ctrl = new AbortController();
    this.open.add(ctrl);
    if (requestId !== undefined) this.requestStreams.set(requestId, ctrl);
    const done = () => {
      this.open.delete(ctrl);
      if (requestId !== undefined && this.requestStreams.get(requestId) === ctrl) this.requestStreams.delete(requestId);
    };
    // Notifications and our responses have no stream to wait on: their whole exchange is under the deadline.
    const signals = [
      ctrl.signal,
      ...(init.signal ? [init.signal] : []),
      ...(requestId === undefined ? [AbortSignal.timeout(this.timeoutMs)] : []),
    ];
    const signal = AbortSignal.any(signals);
    // A request's own timeout (the session's, possibly longer than --timeout) covers it; everything else has this deadline.
    const deadline = requestId === undefined ? this.headersDeadline(ctrl, `POST ${m.method ?? kind}`) : undefined;

    let res: Response;
    try {
      res = await fetch(url, { ...init, signal });
    } catch (e) {
      clearTimeout(deadline);
      done();
      const timedOut =
        (ctrl.signal.reason as Error | undefined)?.name === 'TimeoutError' || (e as Error | undefined)?.name === 'TimeoutError';
      const byClient = ctrl.signal.aborted && !timedOut;
      const what = kind === 'request' || kind === 'notification' ? m.method : kind;
      const reason = byClient
        ? 'aborted by the client'
        : timedOut
          ? `POST of ${what} to ${String(url)}: no response within ${this.timeoutMs} ms (--timeout)`
          : describeFetchError(e, String(url));
      if (requestId !== undefined && !byClient) this.events.requestFailed(requestId, reason);
      if (!byClient && requestId === undefined) this.events.note(`POST failed: ${reason}`, { channel: 'POST' });
      throw timedOut ? new Error(reason) : e;
    }
    clearTimeout(deadline);
    const http: HttpResponseInfo = { status: res.status, contentType: res.headers.get('content-type') };
    const sid = res.headers.get('mcp-session-id');
    if (sid) this.session = sid;
    const channel = requestId !== undefined ? `POST ${String(requestId)}` : 'POST';
    const post: HttpPost = {
      kind,
      id: kind === 'notification' ? undefined : m.id,
      method: m.method,
      status: res.status,
      contentType: http.contentType,
    };
    const forSdk = (status: number) => new Response(null, { status, headers: sid ? { 'mcp-session-id': sid } : {} });

    if (res.status >= 300 && res.status < 400) {
      // fetchWithinOrigin follows same-origin redirects by calling us again.
      done();
      this.events.note(`HTTP ${res.status} redirect for POST (${res.headers.get('location') ?? 'no location'})`, { channel, http });
      return res;
    }

    if (!res.ok) {
      const text = await this.bodyText(res, 'an HTTP error body', ctrl);
      done();
      this.events.post?.({ ...post, body: truncate(text) });
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      if (parsed !== undefined) this.events.message(parsed, { channel, http });
      else this.events.note(`HTTP ${res.status} for POST${text ? `: ${truncate(text, 300)}` : ''}`, { channel, http }, text || undefined);
      if (requestId !== undefined) {
        const hint =
          res.status === 404
            ? ' (session unknown or expired: re-initialize)'
            : res.status === 401 || res.status === 403
              ? ' (check the bearer token)'
              : '';
        this.events.requestFailed(requestId, `HTTP ${res.status} ${res.statusText}${hint}${text ? `: ${truncate(text, 300)}` : ''}`, http);
      }
      return new Response(text, { status: res.status, statusText: res.statusText, headers: res.headers });
    }

    if (requestId === undefined) {
      const text = await this.bodyText(res, 'the body of a POST response', ctrl);
      done();
      this.events.post?.({ ...post, body: truncate(text) });
      const what = kind === 'response' ? `response to server request ${String(m.id)}` : kind === 'notification' ? m.method : 'message';
      this.events.note(
        `HTTP ${res.status} for POST of ${what}${text ? ` with body: ${truncate(text, 300)}` : ' (empty body)'}`,
        { channel, http },
        text || undefined,
      );
      // 200 rather than 202: on 202 for `initialized` the SDK would open its own GET stream.
      return forSdk(200);
    }

    this.events.post?.(post);
    const type = mediaType(http.contentType);
    if (type === 'text/event-stream') {
      void this.consumeSse(res.body, { channel, http }, ctrl, requestId, false).finally(done);
    } else if (type === 'application/json') {
      void this.consumeJson(res, { channel, http }, requestId, ctrl).finally(done);
    } else {
      const text = await this.bodyText(res, 'a response body', ctrl);
      done();
      this.events.note(
        `HTTP ${res.status} with Content-Type ${http.contentType} answered a request${text ? `: ${truncate(text, 300)}` : ' (empty body)'}`,
        { channel, http },
        text || undefined,
      );
      this.events.requestFailed(
        requestId,
        `the server answered the POST with HTTP ${res.status} and Content-Type ${http.contentType ?? '(none)'} instead of JSON or SSE`,
        http,
      );
    }
    return forSdk(202);
  }

  private async consumeJson(res: Response, meta: InboundMeta, requestId: RequestId, ctrl: AbortController): Promise<void> {
    let text: string;
    try {
      text = await readBoundedText(res, this.limits.maxMessageBytes, 'a JSON response body', this.limits);
    } catch (e) {
      if (e instanceof OverLimitError) {
        ctrl.abort();
        this.events.overLimit(e.message);
        return;
      }
      this.events.requestFailed(requestId, `reading the JSON response failed: ${(e as Error).message}`, meta.http);
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.events.note(`response body is not JSON: ${truncate(text, 300)}`, meta, text);
      this.events.requestFailed(requestId, 'the response body is not JSON', meta.http);
      return;
    }
    const list = Array.isArray(parsed) ? parsed : [parsed];
    for (const msg of list) this.events.message(msg, meta);
    if (!list.some((msg) => isResponseTo(msg, requestId)))
      this.events.requestFailed(requestId, 'the JSON body did not contain the response', meta.http);
  }

  /** Reads one SSE stream to its end; resumes with GET + Last-Event-ID when a request's stream ends early. */
  private async consumeSse(
    body: ReadableStream<Uint8Array> | null,
    meta: InboundMeta,
    ctrl: AbortController,
    requestId: RequestId | undefined,
    isResume: boolean,
  ): Promise<void> {
    let lastEventId: string | undefined;
    let answered = false;
    let retryMs: number | undefined;
    /** Bytes fed since the last complete event: an endless line or event must not grow without bound. */
    let pendingBytes = 0;
    const parser = createParser({
      onEvent: (ev) => {
        pendingBytes = 0;
        if (ev.id !== undefined) lastEventId = ev.id;
        const at: InboundMeta = { ...meta, eventId: ev.id };
        if (!ev.data) {
          this.events.note(`SSE event without data${ev.event ? ` (event: ${ev.event})` : ''}`, at);
          return;
        }
        if (ev.event && ev.event !== 'message') {
          this.events.note(`SSE event of type "${ev.event}" (not a message)`, at, ev.data);
          return;
        }
        let msg: unknown;
        try {
          msg = JSON.parse(ev.data);
        } catch {
          this.events.note(`SSE data is not JSON: ${truncate(ev.data, 300)}`, at, ev.data);
          return;
        }
        if (requestId !== undefined && isResponseTo(msg, requestId)) answered = true;
        this.events.message(msg, at);
      },
      onRetry: (ms) => {
        retryMs = ms;
        this.events.note(`SSE retry: ${ms} ms`, meta);
      },
      onError: (err) => this.events.note(`SSE parse problem: ${err.message}`, meta),
    });
    const decoder = new TextDecoder();
    try {
      if (body) {
        const reader = body.getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          pendingBytes += value.byteLength;
          parser.feed(decoder.decode(value, { stream: true }));
          if (pendingBytes > this.limits.maxMessageBytes) {
            this.open.delete(ctrl);
            ctrl.abort();
            await reader.cancel().catch(() => undefined);
            this.events.overLimit(oversize(`an SSE event on ${meta.channel}`, pendingBytes, this.limits));
            return;
          }
        }
      }
    } catch (e) {
      this.open.delete(ctrl);
      if (ctrl.signal.aborted || this.ended) {
        this.events.note(`${meta.channel} stream closed by the client`, meta);
      } else {
        this.events.note(`${meta.channel} stream broke: ${(e as Error).message}`, meta);
        if (requestId !== undefined && !answered)
          this.events.requestFailed(requestId, `the SSE stream broke before the response: ${(e as Error).message}`, meta.http);
      }
      return;
    }
    this.open.delete(ctrl);
    this.events.note(`${meta.channel} stream closed by the server`, meta);
    if (this.ended || this.terminating) return;
    // Honour the server's `retry` before reconnecting (T25-CLI-14), bounded so a check never stalls on it.
    const delay = Math.min(retryMs ?? 0, 5000);
    if (requestId === undefined) {
      // The standalone GET stream: keep one open, since task messages may arrive on any stream.
      if (this.getReopens-- > 0) {
        await new Promise((r) => setTimeout(r, Math.max(delay, 250)));
        if (this.ended || this.terminating) return;
        this.events.note(`reopening the GET stream${lastEventId !== undefined ? ` with Last-Event-ID ${lastEventId}` : ''}`, meta);
        await this.openGetStream(lastEventId);
      }
      return;
    }
    if (answered) return;
    if (lastEventId !== undefined && !isResume) {
      if (delay) await new Promise((r) => setTimeout(r, delay));
      if (this.ended) return;
      this.events.note(`resuming request ${String(requestId)} with GET Last-Event-ID ${lastEventId}`, meta);
      await this.openGetStream(lastEventId, requestId);
      return;
    }
    this.events.requestFailed(
      requestId,
      isResume
        ? 'the resumed GET stream closed without the response'
        : 'the server closed the SSE stream without a response (and sent no event id to resume from)',
      meta.http,
    );
  }

  /** Aborts `ctrl` unless the response headers arrive within the deadline (clear the returned timer when they do). */
  private headersDeadline(ctrl: AbortController, what: string): NodeJS.Timeout {
    const timer = setTimeout(
      () => ctrl.abort(new DOMException(`${what}: no response headers within ${this.timeoutMs} ms`, 'TimeoutError')),
      this.timeoutMs,
    );
    timer.unref();
    return timer;
  }

  /** A non-streaming body, bounded in size (over the cap: the session is ended, '' returned) and read errors as ''. */
  private async bodyText(res: Response, what: string, ctrl: AbortController): Promise<string> {
    try {
      return await readBoundedText(res, this.limits.maxMessageBytes, what, this.limits);
    } catch (e) {
      if (e instanceof OverLimitError) {
        ctrl.abort();
        this.events.overLimit(e.message);
      }
      return '';
    }
  }

  private async passThrough(url: string | URL, init: RequestInit, method: string): Promise<Response> {
    const ctrl = new AbortController();
    this.open.add(ctrl);
    // DELETE (and anything else the SDK sends itself) has a short answer: the whole exchange is under the deadline.
    const signal = AbortSignal.any([ctrl.signal, AbortSignal.timeout(this.timeoutMs), ...(init.signal ? [init.signal] : [])]);
    try {
      const res = await fetch(url, { ...init, signal });
      this.events.note(`HTTP ${res.status} for ${method}`, {
        channel: method,
        http: { status: res.status, contentType: res.headers.get('content-type') },
      });
      return res;
    } catch (e) {
      this.events.note(`${method} failed: ${describeFetchError(e, String(url))}`, { channel: method });
      throw e;
    } finally {
      this.open.delete(ctrl);
    }
  }
}
