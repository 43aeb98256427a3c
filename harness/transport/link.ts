// A Link is the raw message pipe under a Session: it moves JSON-RPC messages without validating or
// reshaping them, and reports what the transport saw (stream, SSE event id, HTTP status). The SDK's
// client transports do the I/O; the links bypass the SDK's zod parsing of incoming messages, because
// a checker must see (and record) malformed messages rather than lose them.
import type { TransportName } from '../checks.js';
import type { HttpResponseInfo, JsonObject } from '../scenario.js';

export type RequestId = number | string;

/** Where an incoming message (or observation) came from. */
export interface InboundMeta {
  /** "stdio", "POST <request id>", "GET", "GET (resume <last event id>)". */
  channel: string;
  eventId?: string;
  http?: HttpResponseInfo;
}

/** One HTTP POST the link made and the status it got (see Session httpPosts()). */
export interface HttpPost {
  kind: 'request' | 'notification' | 'response' | 'other';
  /** JSON-RPC id of the request or response carried (absent for notifications). */
  id?: RequestId;
  /** Method of the request or notification carried. */
  method?: string;
  status: number;
  contentType: string | null;
  /** Body text for non-SSE responses (truncated), e.g. to see that a 202 had an empty body. */
  body?: string;
}

export interface LinkEvents {
  /** A parsed JSON value arrived (not necessarily a valid JSON-RPC message). */
  message(message: unknown, meta: InboundMeta): void;
  /** Something worth recording that is not a message (stdout noise, SSE priming event, HTTP status). */
  note(note: string, meta: InboundMeta, raw?: unknown): void;
  /** The transport gave up on a request: HTTP error status, stream closed without a response, network error. */
  requestFailed(id: RequestId, reason: string, http?: HttpResponseInfo): void;
  /** HTTP: the status of a POST, once its response headers arrived. */
  post?(post: HttpPost): void;
  /** The server sent more than an intake limit allows (limits.ts): the session must end (H25-22). */
  overLimit(reason: string): void;
  /** The connection is gone (process exited, transport closed). */
  closed(reason: string): void;
}

export interface Link {
  readonly transport: TransportName;
  /** HTTP: Mcp-Session-Id once assigned. */
  readonly sessionId?: string;
  start(events: LinkEvents): Promise<void>;
  /** Hands a message to the transport. Rejects only when the message could not be sent at all. */
  send(message: JsonObject): Promise<void>;
  /** HTTP: send MCP-Protocol-Version on every later request. */
  setProtocolVersion(version: string): void;
  /** HTTP: open the standalone GET SSE stream (resolves once its response headers arrived). */
  openGetStream(): Promise<void>;
  /** HTTP: drop the connection that carries this request's response, without notifying the server. */
  abortRequest(id: RequestId): void;
  /** Graceful goodbye: HTTP DELETE, stdio stdin close (then escalating signals). */
  terminate(): Promise<void>;
  /** Hard stop: abort every HTTP connection, or SIGKILL the process. */
  drop(): Promise<void>;
  /** Friendly stop without a DELETE on HTTP (abort streams); stdio like terminate. */
  close(): Promise<void>;
}
