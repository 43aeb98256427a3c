// Streamable HTTP front of the rogue server (`rogue-server.mjs --http`): POST carries one JSON-RPC message
// (a request is answered as application/json, anything else gets 202), GET opens the session's SSE stream for
// server-initiated messages, DELETE ends the session. It binds 127.0.0.1 on a free port and prints
// "MCP endpoint: <url>". Which session a message belongs to follows the async context of the request that
// caused it (AsyncLocalStorage), so the rogue server's handlers stay transport-agnostic.
// With `crossed` (--break http-crossed-sessions) a response is matched to a waiting POST by its JSON-RPC id
// alone, oldest first: two sessions that use the same id at once get each other's answers.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';

const MAX_BODY = 64 * 1024 * 1024;

export async function serveHttp({ onMessage, crossed }) {
  const context = new AsyncLocalStorage();
  const sessions = new Map(); // sessionId -> { stream?: ServerResponse }
  const waiting = new Map(); // key -> [{ res, sessionId }]
  const keyOf = (sessionId, id) => (crossed ? JSON.stringify(id) : `${sessionId} ${JSON.stringify(id)}`);

  function sink(message) {
    const sessionId = context.getStore();
    if (!('method' in message)) {
      const key = keyOf(sessionId, message.id);
      const queue = waiting.get(key);
      const post = queue?.shift();
      if (queue && !queue.length) waiting.delete(key);
      if (post) {
        post.res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': post.sessionId });
        post.res.end(JSON.stringify(message));
      }
      return;
    }
    const stream = sessions.get(sessionId)?.stream;
    if (stream && !stream.writableEnded) stream.write(`data: ${JSON.stringify(message)}\n\n`);
  }

  const reply = (res, status, body) => {
    res.writeHead(status, body ? { 'content-type': 'application/json' } : {});
    res.end(body ? JSON.stringify(body) : undefined);
  };
  const rpcError = (code, message) => ({ jsonrpc: '2.0', id: null, error: { code, message } });

  const server = createServer((req, res) => {
    const header = req.headers['mcp-session-id'];
    const sessionId = typeof header === 'string' ? header : undefined;
    const session = sessionId && sessions.get(sessionId);
    if (sessionId && !session) return reply(res, 404, rpcError(-32001, 'Session not found'));
    if (req.method === 'GET') {
      if (!session) return reply(res, 400, rpcError(-32000, 'No session'));
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'mcp-session-id': sessionId });
      res.write(': stream open\n\n');
      session.stream = res;
      res.on('close', () => session.stream === res && (session.stream = undefined));
      return;
    }
    if (req.method === 'DELETE') {
      if (session) session.stream?.end();
      sessions.delete(sessionId);
      return reply(res, 200);
    }
    if (req.method !== 'POST') return reply(res, 405);
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      let msg;
      try {
        msg = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return reply(res, 400, rpcError(-32700, 'Parse error'));
      }
      if (!msg || typeof msg !== 'object' || Array.isArray(msg)) return reply(res, 400, rpcError(-32600, 'Invalid request'));
      let sid = sessionId;
      if (!sid) {
        if (msg.method !== 'initialize') return reply(res, 400, rpcError(-32000, 'Bad Request: No valid session ID'));
        sid = randomUUID();
        sessions.set(sid, {});
      }
      const isRequest = 'method' in msg && 'id' in msg;
      if (isRequest) {
        const key = keyOf(sid, msg.id);
        waiting.set(key, [...(waiting.get(key) ?? []), { res, sessionId: sid }]);
      } else reply(res, 202);
      context.run(sid, () => onMessage(msg));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.stdout.write(`MCP endpoint: http://127.0.0.1:${server.address().port}/mcp\n`);
  const stop = () => {
    server.closeAllConnections();
    server.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return { sink, session: () => context.getStore() };
}
