// Streamable HTTP: a plain node:http server, one SDK StreamableHTTPServerTransport per MCP session, and
// optional bearer-token auth that binds every task to its token's principal.
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isJSONRPCRequest, SUPPORTED_PROTOCOL_VERSIONS, type JSONRPCRequest, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import { claimsHttp, serveModernHttp } from './ext/http.js';
import type { ClientSession, ReferenceServer } from './server.js';

export const MCP_PATH = '/mcp';
/** Largest request body accepted (requests are small; results may be large, but they flow the other way). */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface HttpOptions {
  host: string;
  /** 0 = any free port. */
  port: number;
  /** Bearer tokens; empty = no auth (any session that knows a task id may use it). */
  authTokens?: string[];
  log?: (line: string) => void;
}

export interface HttpEndpoint {
  url: string;
  close(): Promise<void>;
}

interface SessionEntry {
  transport: StreamableHTTPServerTransport;
  session: ClientSession;
  /** The principal that created the session (auth only); other principals may not use it. */
  principal?: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * Requests that never cause messages related to them are answered as one plain JSON body rather than an
 * SSE stream (tasks §Input Required: tasks/get SHOULD NOT be answered with SSE). The SDK transport either
 * streams every response or can stream none, so http.ts answers these itself; everything else, notably
 * tools/call and tasks/result (which carry progress and elicitation), goes through the transport.
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
  const sessions = new Map<string, SessionEntry>();
  let port = options.port;

  // DNS-rebinding protection (transports §Security Warning): on loopback, serve only local Host and Origin values.
  const loopback = LOOPBACK.has(options.host);
  const localHost = (value: string | undefined) =>
    value === undefined || [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(value);
  const localOrigin = (value: string | undefined) =>
    value === undefined || [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`].includes(value);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== MCP_PATH) return sendError(res, 404, -32000, `Not found: the MCP endpoint is ${MCP_PATH}`);
    if (loopback && (!localHost(req.headers.host) || !localOrigin(req.headers.origin))) {
      return sendError(res, 403, -32000, 'Forbidden: this server only answers requests addressed to its loopback endpoint');
    }

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

    const body = req.method === 'POST' ? await readJsonBody(req, res) : undefined;
    if (body === INVALID) return;
    // ext hook (2026-07-28 era): requests of the modern era are served statelessly by ext/http.ts.
    if (server.modern && claimsHttp(server.modern, req, body)) return serveModernHttp(server.modern, req, res, body, principal);

    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const entry = sessions.get(sessionId);
      if (!entry) return sendError(res, 404, -32001, 'Session not found: it was terminated or never existed; initialize a new session');
      if (entry.principal !== principal) return sendError(res, 403, -32001, 'Forbidden: this session belongs to another principal');
      // Fault seam (T25-GET-04): answer tasks/get over an SSE stream, like the requests the transport streams.
      const plain =
        server.faults.has('T25-GET-04') && isJSONRPCRequest(body) && body.method === 'tasks/get' ? undefined : plainRequest(req, body);
      if (plain) return answerPlain(entry.session, plain, sessionId, res);
      watchForDrop(res, body, entry.session);
      // Fault seam (LC-05): losing the standalone GET stream counts as the client being gone.
      if (server.faults.has('LC-05') && req.method === 'GET') res.on('close', () => server.cancelTasksOf(entry.session));
      // Fault seam (T25-INP-05): a POST of responses only is answered 200 instead of 202 Accepted.
      if (server.faults.has('T25-INP-05') && onlyResponses(body)) acceptWith200(res);
      // Fault seam (T25-HTTP-03): end a tasks/result stream early, with no event ids to resume from.
      if (server.faults.has('T25-HTTP-03') && isJSONRPCRequest(body) && body.method === 'tasks/result')
        setTimeout(() => entry.transport.closeSSEStream(body.id), 200);
      return entry.transport.handleRequest(req, res, body);
    }

    if (req.method === 'POST' && isInitialize(body)) {
      const id = randomUUID();
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => id,
        onsessionclosed: () => void sessions.delete(id),
      });
      // Fault seam (T25-SEC-04): without auth, every session lists as one shared requestor.
      const anonymous = server.faults.has('T25-SEC-04') ? 'session:shared' : `session:${id}`;
      // Fault seam (H25-12): tasks are bound to the session that created them.
      const requestor = server.faults.has('H25-12')
        ? { owner: `${principal ?? 'anonymous'}/session:${id}`, bound: true }
        : authRequired
          ? { owner: principal!, bound: true }
          : { owner: anonymous, bound: false };
      const session = await server.connect(transport, requestor);
      const entry: SessionEntry = { transport, session, principal };
      sessions.set(id, entry);
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

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  port = (http.address() as AddressInfo).port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;

  return {
    url: `http://${host}:${port}${MCP_PATH}`,
    async close() {
      await Promise.all([...sessions.values()].map((e) => e.transport.close().catch(() => undefined)));
      sessions.clear();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** A single, well-formed request of a plain method with valid headers; anything else is left to the SDK transport. */
function plainRequest(req: IncomingMessage, body: unknown): JSONRPCRequest | undefined {
  if (!isJSONRPCRequest(body) || !PLAIN_JSON_METHODS.has(body.method)) return undefined;
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

/** T25-INP-05 fault only: a body made of JSON-RPC responses (no requests or notifications). */
function onlyResponses(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.length > 0 && messages.every((m) => m && typeof m === 'object' && !('method' in m) && ('result' in m || 'error' in m));
}

/** T25-INP-05 fault only: turns the transport's 202 into a 200. */
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

async function readJsonBody(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      sendError(res, 413, -32000, `Request body too large (limit ${MAX_BODY_BYTES} bytes)`);
      return INVALID;
    }
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    sendError(res, 400, -32700, 'Parse error: the request body is not valid JSON');
    return INVALID;
  }
}

function sendError(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}
