// Streamable HTTP of the 2026-07-28 era: every POST is one request, served statelessly (no session; a
// client Mcp-Session-Id is ignored). A response is one JSON body, unless the request sends messages
// before its answer (progress of a direct tools/call, the subscriptions/listen stream): then SSE, opened
// at the first such message. Closing the stream cancels that request only, never a task.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { NO_REPLY, RpcError, type JsonObject } from '../connection.js';
import type { Requestor } from '../engine.js';
import { MODERN_OWNER_PREFIX, type Outbound } from './context.js';
import type { ModernSurface } from './dispatch.js';
import { httpStatusOf, isObject, MODERN_VERSION } from './envelope.js';
import { checkHeaders } from './http-headers.js';

/**
 * Whether http.ts should hand this HTTP request to the modern surface: a modern-only server takes all; a
 * dual-era one takes POSTs of the modern era (not initialize) and GET/DELETE without a session.
 */
export function claimsHttp(surface: ModernSurface, req: IncomingMessage, body: unknown): boolean {
  if (!surface.dualEra) return true;
  if (req.method === 'GET' || req.method === 'DELETE') return req.headers['mcp-session-id'] === undefined;
  if (!isObject(body) || typeof body.method !== 'string' || body.method === 'initialize') return false;
  return req.headers['mcp-protocol-version'] === MODERN_VERSION || surface.claims(body.method, body.params);
}

export async function serveModernHttp(
  surface: ModernSurface,
  req: IncomingMessage,
  res: ServerResponse,
  body: unknown,
  principal: string | undefined,
): Promise<void> {
  const b = surface.behaviour;
  const status = (error: RpcError) => (b.errorsWithStatus200 ? 200 : httpStatusOf(error));
  const json = (code: number, message: JsonObject) => {
    res.writeHead(code, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(message));
  };
  if (req.method !== 'POST' || (b.requireNoSessionHeader && req.headers['mcp-session-id'] !== undefined)) {
    if (b.requireNoSessionHeader) return json(400, { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid request' } });
    res.writeHead(405, { Allow: 'POST', 'Content-Type': 'application/json' });
    return void res.end(
      JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Method not allowed: POST one JSON-RPC message' } }),
    );
  }
  if (!isObject(body) || body.jsonrpc !== '2.0' || typeof body.method !== 'string')
    return json(400, {
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message: 'Invalid request: POST one JSON-RPC request or notification' },
    });
  if (!('id' in body)) return void res.writeHead(202).end(); // no client notification means anything over HTTP in this revision
  const id = body.id as string | number;
  if (typeof id !== 'string' && typeof id !== 'number')
    return json(400, { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid request: id must be a string or an integer' } });

  let request: { method: string; params?: unknown };
  try {
    request = checkHeaders(req.headers, { method: body.method, params: body.params }, b);
  } catch (error) {
    const e = error as RpcError;
    return json(status(e), { jsonrpc: '2.0', id, error: e.toJSON() });
  }

  // The request is cancelled when the client closes the connection before the answer (cancellation §Transport-Specific).
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort(new Error('the client closed the response stream'));
  });
  let streaming = false;
  const write = (message: JsonObject) => {
    if (res.writableEnded || res.destroyed) return;
    if (!streaming) {
      streaming = true;
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' });
    }
    res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  };
  const out: Outbound = { notify: (method, params) => write({ jsonrpc: '2.0', method, params }) };
  const who: Requestor = principal
    ? { owner: `${MODERN_OWNER_PREFIX}${principal}`, bound: true }
    : { owner: `${MODERN_OWNER_PREFIX}anonymous`, bound: false };
  const params = isObject(request.params) ? request.params : {};

  let reply: JsonObject | undefined;
  let code = 200;
  try {
    const result = await surface.dispatch({ id, method: request.method, params }, who, out, controller.signal);
    if (result !== NO_REPLY) reply = { jsonrpc: '2.0', id, result };
  } catch (error) {
    const e = error instanceof RpcError ? error : new RpcError(-32603, `Internal error: ${(error as Error)?.message ?? String(error)}`);
    reply = { jsonrpc: '2.0', id, error: e.toJSON() };
    code = status(e);
  }
  if (controller.signal.aborted || res.writableEnded || res.destroyed) return;
  if (b.streamEndCancelsTask && reply?.result && (reply.result as JsonObject).resultType === 'task') {
    const taskId = (reply.result as JsonObject).taskId as string;
    res.on(
      'finish',
      () =>
        void surface
          .dispatch({ id: `${id}-cancel`, method: 'tasks/cancel', params: { taskId, _meta: params._meta } }, who, out, controller.signal)
          .catch(() => undefined),
    );
  }
  if (streaming) {
    if (reply) write(reply);
    return void res.end();
  }
  if (!reply) return void res.writeHead(204).end();
  json(code, reply);
}
