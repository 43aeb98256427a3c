// One HTTP exchange of the bench's lean Streamable HTTP link (lean-http-link.ts): an undici dispatch
// handler that reads the response as it arrives, without fetch's Request/Response/web streams. A JSON
// body is buffered (bounded by the intake limit) and parsed once; an SSE body is fed chunk by chunk to
// eventsource-parser and every message is delivered the moment its event is complete, which is what a
// long-lived stream (`subscriptions/listen`, the GET stream) needs. What it cannot read becomes one line
// for the link: `failed` (the request's outcome), `overLimit` (the session must end).
import { StringDecoder } from 'node:string_decoder';
import type { Dispatcher } from 'undici';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { InboundMeta, RequestId } from './link.js';
import type { HttpResponseInfo } from '../scenario.js';
import { oversize, type IntakeLimits } from './limits.js';

/** What an exchange tells its link. */
export interface ExchangeSink {
  /** The endpoint, for the one-line reasons. */
  readonly url: string;
  readonly limits: IntakeLimits;
  /** Whether the link was closed: errors after that are the close, not the server. */
  readonly ended: boolean;
  message(message: unknown, meta: InboundMeta): void;
  note(note: string, meta: InboundMeta, raw?: unknown): void;
  assignSession(id: string): void;
  overLimit(reason: string): void;
}

/** How the exchange ended for its sender: undefined = fine, else a one-line reason (and the status seen). */
export type ExchangeEnd = (failure: string | undefined, http?: HttpResponseInfo) => void;

const header = (headers: Record<string, string | string[] | undefined>, name: string) => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};
const mediaType = (contentType: string | undefined) => contentType?.split(';')[0]?.trim().toLowerCase();
const oneLine = (s: string, n = 300) => {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > n ? `${flat.slice(0, n)}… (${flat.length} chars)` : flat;
};

export function isResponseTo(message: unknown, id: RequestId): boolean {
  if (!message || typeof message !== 'object') return false;
  const m = message as Record<string, unknown>;
  return m.id === id && ('result' in m || 'error' in m) && !('method' in m);
}

export class Exchange implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private abortedByClient = false;
  private finished = false;
  private mode: 'sse' | 'buffer' = 'buffer';
  private http: HttpResponseInfo | undefined;
  private statusText = '';
  private readonly chunks: Buffer[] = [];
  /** Bytes buffered, or fed to the SSE parser since its last complete event. */
  private pending = 0;
  private answered = false;
  private decoder: StringDecoder | undefined;
  private parser: ReturnType<typeof createParser> | undefined;
  private meta: InboundMeta;

  constructor(
    private readonly sink: ExchangeSink,
    /** The JSON-RPC request whose response this exchange carries (undefined: a notification, a response, GET, DELETE). */
    private readonly requestId: RequestId | undefined,
    channel: string,
    /** Whether this exchange is the standalone GET stream (SSE expected, messages of any kind). */
    private readonly stream: boolean,
    end: ExchangeEnd,
  ) {
    this.meta = { channel };
    // Exactly once, whatever ends the exchange (a late error after the end is ignored).
    this.end = (failure, http) => {
      if (this.finished) return;
      this.finished = true;
      end(failure, http);
    };
  }

  private readonly end: ExchangeEnd;
  /** Called once the response headers arrived (the GET stream's open resolves then). */
  headersArrived: (() => void) | undefined;

  /** The client dropped it (abort(), close, over a limit): its end is no news to report. */
  get aborted(): boolean {
    return this.abortedByClient;
  }

  /** Drops the connection that carries this exchange (no report: the client chose to). */
  abort(): void {
    this.abortedByClient = true;
    this.controller?.abort(new Error('aborted by the client'));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.abortedByClient) controller.abort(new Error('aborted by the client'));
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    status: number,
    headers: Record<string, string | string[] | undefined>,
    statusText?: string,
  ): void {
    const contentType = header(headers, 'content-type') ?? null;
    this.http = { status, contentType };
    this.meta = { channel: this.meta.channel, http: this.http };
    this.statusText = statusText ?? '';
    const sid = header(headers, 'mcp-session-id');
    if (sid) this.sink.assignSession(sid);
    const announced = Number(header(headers, 'content-length'));
    if (announced > this.sink.limits.maxMessageBytes) return this.overLimit(controller, 'an HTTP body (Content-Length)', announced);
    const ok = status >= 200 && status < 300;
    if (ok && (this.requestId !== undefined || this.stream) && mediaType(contentType ?? undefined) === 'text/event-stream') {
      this.mode = 'sse';
      this.decoder = new StringDecoder('utf8');
      this.parser = createParser({ onEvent: (ev) => this.onEvent(ev) });
      if (this.stream) this.sink.note(`GET stream open (HTTP ${status})`, this.meta);
    }
    this.headersArrived?.();
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.pending += chunk.byteLength;
    if (this.pending > this.sink.limits.maxMessageBytes)
      return this.overLimit(controller, this.mode === 'sse' ? `an SSE event on ${this.meta.channel}` : 'an HTTP body', this.pending);
    if (this.parser) this.parser.feed(this.decoder!.write(chunk));
    else this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.abortedByClient) return this.end('aborted by the client', this.http);
    const http = this.http!;
    if (this.mode === 'sse') {
      this.sink.note(`${this.meta.channel} stream closed by the server`, this.meta);
      const lost = this.requestId !== undefined && !this.answered;
      return this.end(lost ? 'the server closed the SSE stream without a response' : undefined, http);
    }
    const text = Buffer.concat(this.chunks).toString('utf8');
    const ok = http.status >= 200 && http.status < 300;
    const status = `HTTP ${http.status}${this.statusText ? ` ${this.statusText}` : ''}`;
    if (this.stream) {
      this.sink.note(`GET stream not opened: ${status}, Content-Type ${http.contentType}`, this.meta, text || undefined);
      return this.end(undefined, http);
    }
    if (this.requestId === undefined) return this.end(ok ? undefined : `${status}${text ? `: ${oneLine(text)}` : ''}`, http);
    const type = mediaType(http.contentType ?? undefined);
    // An error status may carry the request's JSON-RPC error (the 2026-07-28 era maps errors to statuses).
    const parsed = type === 'application/json' ? parseJson(text) : undefined;
    if (parsed !== undefined) for (const m of Array.isArray(parsed) ? parsed : [parsed]) this.deliver(m, this.meta);
    if (!ok) {
      const hint =
        http.status === 404
          ? ' (session unknown or expired: re-initialize)'
          : http.status === 401 || http.status === 403
            ? ' (check the bearer token)'
            : '';
      return this.end(`${status}${hint}${text ? `: ${oneLine(text)}` : ''}`, http);
    }
    if (type !== 'application/json')
      return this.end(
        `the server answered the POST with HTTP ${http.status} and Content-Type ${http.contentType ?? '(none)'} instead of JSON or SSE`,
        http,
      );
    if (parsed === undefined) return this.end(`the response body is not JSON: ${oneLine(text)}`, http);
    this.end(this.answered ? undefined : 'the JSON body did not contain the response', http);
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    if (this.abortedByClient || this.sink.ended) return this.end('aborted by the client', this.http);
    if (this.mode === 'sse') this.sink.note(`${this.meta.channel} stream broke: ${error.message}`, this.meta);
    if (this.mode === 'sse' && this.answered) return this.end(undefined, this.http);
    this.end(describeUndiciError(error, this.sink.url), this.http);
  }

  private onEvent(ev: EventSourceMessage): void {
    this.pending = 0;
    if (!ev.data || (ev.event && ev.event !== 'message')) return;
    const parsed = parseJson(ev.data);
    if (parsed === undefined) return this.sink.note(`SSE data is not JSON: ${oneLine(ev.data)}`, this.meta, ev.data);
    this.deliver(parsed, ev.id === undefined ? this.meta : { ...this.meta, eventId: ev.id });
  }

  private deliver(message: unknown, meta: InboundMeta): void {
    if (this.requestId !== undefined && isResponseTo(message, this.requestId)) this.answered = true;
    this.sink.message(message, meta);
  }

  private overLimit(controller: Dispatcher.DispatchController, what: string, seen: number): void {
    this.abortedByClient = true;
    controller.abort(new Error('over the intake limit'));
    this.sink.overLimit(oversize(what, seen, this.sink.limits));
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** One line for an undici error (network, timeout), in the words of the recording link (http-link.ts). */
export function describeUndiciError(error: Error & { code?: string }, url: string): string {
  const code = error.code;
  if (code === 'ECONNREFUSED') return `cannot reach ${url} (ECONNREFUSED): is the server running?`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot reach ${url} (${code}): check the host name`;
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT')
    return `no response from ${url} in time (${error.message}, --timeout)`;
  return `cannot reach ${url}${code ? ` (${code})` : ''}: ${error.message}`;
}
