// Streamable HTTP: a plain node:http server, one SDK StreamableHTTPServerTransport per MCP session,
// DNS-rebinding protection on every bind address, idle session expiry, and optional bearer-token auth
// that binds every task to its token's principal.
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isJSONRPCRequest, SUPPORTED_PROTOCOL_VERSIONS, type JSONRPCRequest, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import { claimsHttp, serveModernHttp } from './ext/http.js';
import { OriginPolicy } from './http-origin.js';
import { DEFAULT_SESSION_IDLE_MS, HttpSessions, type SessionEntry } from './http-sessions.js';
import { checkMessage, MAX_MESSAGE_BYTES, PARSE_ERROR } from './jsonrpc-input.js';
import type { JsonObject } from './connection.js';
import type { ClientSession, ReferenceServer } from './server.js';

export const MCP_PATH = '/mcp';

export interface HttpOptions {
  host: string;
  /** 0 = any free port. */
  port: number;
  /** Bearer tokens; empty = no auth (any session that knows a task id may use it). */
  authTokens?: string[];
  /** Host values served besides the loopback names and the bound address: `name` (bound port) or `name:port`. */
  allowedHosts?: string[];
  /** Origin values served besides http:// of the allowed hosts. */
  allowedOrigins?: string[];
  /** A session with nothing open for this long is closed (default 30 min). */
  sessionIdleTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface HttpEndpoint {
  url: string;
  close(): Promise<void>;
}

/**
 * Requests that never cause messages related to them are answered as one plain JSON body rather than an
 * SSE stream (tasks §Input Required: tasks/get SHOULD NOT be answered with SSE). The SDK transport either
 * streams every response or can stream none, so http.ts answers these itself, and a tools/call that only
 * creates a task (ClientSession.createsTaskOnly); everything else, notably direct tools/call and
 * tasks/result (which carry progress and elicitation), goes through the transport.
 */
const PLAIN_JSON_METHODS = new Set([
  'ping',
  'tasks/get',
  'tasks/list',
  'tasks/cancel',
  'tools/list',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'prompts/list',
  'prompts/get',
]);

export async function serveHttp(server: ReferenceServer, options: HttpOptions): Promise<HttpEndpoint> {
  const log = options.log ?? (() => undefined);
  // Principals are named by a hash of their token, so the name is stable across restarts but reveals nothing.
  const principals = new Map((options.authTokens ?? []).map((t) => [sha256(t), `principal:${sha256(t).slice(0, 16)}`]));
  const authRequired = principals.size > 0;
  const idleMs = options.sessionIdleTimeoutMs ?? DEFAULT_SESSION_IDLE_MS;
  const sessions = new HttpSessions(idleMs, (id) => server.audit(`http session ${id} expired after ${idleMs} ms idle`));
  /** Set once listening (the port may be chosen by the system). */
  let origins!: OriginPolicy;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== MCP_PATH) return sendError(res, 404, -32000, `Not found: the MCP endpoint is ${MCP_PATH}`);
    const allowed = origins.check(req.headers.host, req.headers.origin);
    if (!allowed.ok) {
      log(`http: refused a ${req.method} request: ${allowed.reason}`);
      return sendError(res, allowed.status, -32000, allowed.reason);
    }
    req.headers.host = allowed.host;

    let principal: string | undefined;
    if (authRequired) {
      principal = principals.get(sha256(bearerToken(req) ?? ''));
      if (!principal) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="mcp"');
        return sendError(
          res,
          401,
          -32001,
          'Unauthorized: send "Authorization: Bearer <token>" with one of the configured --auth-token values',
        );
      }
    }

    const body = req.method === 'POST' ? await readJsonBody(req, res, log) : undefined;
    if (body === INVALID) return;
    // ext hook (2026-07-28 era): requests of the modern era are served statelessly by ext/http.ts.
    if (server.modern && claimsHttp(server.modern, req, body)) return serveModernHttp(server.modern, req, res, body, principal);

    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const entry = sessions.get(sessionId);
      if (!entry) return sendError(res, 404, -32001, 'Session not found: it was terminated or never existed; initialize a new session');
      if (entry.principal !== principal) return sendError(res, 403, -32001, 'Forbidden: this session belongs to another principal');
      sessions.busyUntilClosed(sessionId, res);
      const behaviour = server.behaviour;
      const plain =
        behaviour.answerTasksGetOverSse && isJSONRPCRequest(body) && body.method === 'tasks/get'
          ? undefined
          : plainRequest(req, body, entry.session);
      if (plain) return answerPlain(entry.session, plain, sessionId, res);
      watchForDrop(res, body, entry.session);
      if (behaviour.cancelTasksOnStandaloneStreamLoss && req.method === 'GET') res.on('close', () => server.cancelTasksOf(entry.session));
      if (behaviour.acceptResponsesWith200 && onlyResponses(body)) acceptWith200(res);
      if (behaviour.closeResultStreamEarly && isJSONRPCRequest(body) && body.method === 'tasks/result')
        setTimeout(() => entry.transport.closeSSEStream(body.id), 200);
      return entry.transport.handleRequest(req, res, body);
    }

    if (req.method === 'POST' && isInitialize(body)) {
      const id = randomUUID();
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => id,
        onsessionclosed: () => void sessions.delete(id),
      });
      const anonymous = server.behaviour.sessionsShareOneRequestor ? 'session:shared' : `session:${id}`;
      const requestor = server.behaviour.bindTasksToSession
        ? { owner: `${principal ?? 'anonymous'}/session:${id}`, bound: true }
        : authRequired
          ? { owner: principal!, bound: true }
          : { owner: anonymous, bound: false };
      const session = await server.connect(transport, requestor, principal);
      const entry: SessionEntry = { transport, session, principal };
      sessions.add(id, entry);
      sessions.busyUntilClosed(id, res);
      session.connection.onClose(() => sessions.delete(id));
      server.audit(`http session ${id} opened${principal ? ` by ${principal}` : ''}`);
      return transport.handleRequest(req, res, body);
    }
    return sendError(
      res,
      400,
      -32000,
      'Bad Request: send the Mcp-Session-Id header from the initialize response, or POST an initialize request to open a session',
    );
  }

  const http: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`HTTP ${req.method} failed: ${(error as Error)?.stack ?? String(error)}`);
      if (!res.headersSent) sendError(res, 500, -32603, 'Internal error');
      else res.destroy();
    });
  });

  // Node closes an idle keep-alive connection after 5 s; a client that picks it from its pool at that
  // moment gets "other side closed". Under heavy load (1000 blocking tasks/result at once, a busy
  // machine) that race lost some requests; a minute makes it rare without holding sockets forever.
  http.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  origins = new OriginPolicy({
    bindAddress: options.host,
    port,
    allowedHosts: options.allowedHosts,
    allowedOrigins: options.allowedOrigins,
  });
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;

  return {
    url: `http://${host}:${port}${MCP_PATH}`,
    async close() {
      await Promise.all(sessions.entries().map((e) => e.transport.close().catch(() => undefined)));
      sessions.clear();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** A single, well-formed request of a plain method with valid headers; anything else is left to the SDK transport. */
function plainRequest(req: IncomingMessage, body: unknown, session: ClientSession): JSONRPCRequest | undefined {
  if (!isJSONRPCRequest(body)) return undefined;
  const plain =
    PLAIN_JSON_METHODS.has(body.method) || (body.method === 'tools/call' && session.createsTaskOnly((body.params ?? {}) as JsonObject));
  if (!plain) return undefined;
  const accept = req.headers.accept ?? '';
  const version = req.headers['mcp-protocol-version'];
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const headersOk = accept.includes('application/json') && accept.includes('text/event-stream') && contentType === 'application/json';
  return headersOk && (version === undefined || SUPPORTED_PROTOCOL_VERSIONS.includes(String(version))) ? body : undefined;
}

function answerPlain(session: ClientSession, request: JSONRPCRequest, sessionId: string, res: ServerResponse): void {
  session.connection.receive(request, async (reply) => {
    if (res.writableEnded || res.destroyed) return;
    if (!reply) return void res.writeHead(204, { 'mcp-session-id': sessionId }).end(); // cancelled: no response
    res.writeHead(200, { 'Content-Type': 'application/json', 'mcp-session-id': sessionId });
    res.end(JSON.stringify(reply));
  });
}

/**
 * A client may drop a POST's SSE stream (e.g. a long tasks/result). That is not a cancellation
 * (transports §Sending Messages): the requests stay pending, but messages can no longer travel on
 * that stream, so the session must stop routing task requests to it.
 */
function watchForDrop(res: ServerResponse, body: unknown, session: ClientSession): void {
  const ids = requestIds(body);
  if (ids.length === 0) return;
  res.on('close', () => {
    if (!res.writableFinished) session.streamsDropped(ids);
  });
}

function requestIds(body: unknown): RequestId[] {
  const messages = Array.isArray(body) ? body : [body];
  return messages.filter((m) => m && typeof m === 'object' && 'method' in m && 'id' in m).map((m) => (m as { id: RequestId }).id);
}

/** Under acceptResponsesWith200 only: a body made of JSON-RPC responses (no requests or notifications). */
function onlyResponses(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.length > 0 && messages.every((m) => m && typeof m === 'object' && !('method' in m) && ('result' in m || 'error' in m));
}

/** Under acceptResponsesWith200 only: turns the transport's 202 into a 200. */
function acceptWith200(res: ServerResponse): void {
  const writeHead = res.writeHead.bind(res) as (status: number, ...rest: unknown[]) => ServerResponse;
  res.writeHead = ((status: number, ...rest: unknown[]) => writeHead(status === 202 ? 200 : status, ...rest)) as typeof res.writeHead;
}

function isInitialize(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.some((m) => m && typeof m === 'object' && (m as { method?: unknown }).method === 'initialize');
}

function bearerToken(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  return match?.[1]?.trim();
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

const INVALID = Symbol('invalid body');

/** The parsed body of a POST, or INVALID once an error has been answered (and logged, one line). */
async function readJsonBody(req: IncomingMessage, res: ServerResponse, log: (line: string) => void): Promise<unknown> {
  const refuse = (status: number, code: number, message: string, reason: string, id: string | number | null = null) => {
    log(`http: rejected a POST (${code}): ${reason}`);
    sendError(res, status, code, message, id);
    return INVALID;
  };
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_MESSAGE_BYTES)
      return refuse(413, -32000, `Request body too large (limit ${MAX_MESSAGE_BYTES} bytes)`, `body over ${MAX_MESSAGE_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    return refuse(400, PARSE_ERROR, 'Parse error: the request body is not valid JSON', `not JSON (${(error as Error).message})`);
  }
  // One message per POST (transports §Sending Messages: a single request, notification or response; no batches).
  const checked = checkMessage(body);
  if (!checked.ok) return refuse(400, checked.reply.error.code, checked.reply.error.message, checked.reason, checked.reply.id);
  return body;
}

function sendError(res: ServerResponse, status: number, code: number, message: string, id: string | number | null = null): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id }));
}
