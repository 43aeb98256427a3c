#!/usr/bin/env node
// A tiny SDK-based MCP server for the harness connectivity tests (plain JS: it is spawned as-is).
// stdio by default; --http [--port N] [--json] [--auth-token T]... serves Streamable HTTP and prints
// "MCP endpoint: <url>". --noise prints non-JSON lines on stdout (stdio). --ignore-term ignores SIGTERM
// and stdin EOF (to prove the harness escalates to SIGKILL).
// Tools: greet {name}; gated_job {gateId} (blocks until release_gate); release_gate {gateId};
// ask {} (one form elicitation, on the request's stream); noisy {} (stdio garbage, then answers);
// crash {} (exits mid-request with code 3); notify {} (sends a log notification, then answers).
// --paged lists tools two per page.
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema, ElicitResultSchema } from '@modelcontextprotocol/sdk/types.js';

const argv = process.argv.slice(2);
const flag = (f) => argv.includes(f);
const opt = (f) => {
  const i = argv.indexOf(f);
  return i >= 0 ? argv[i + 1] : undefined;
};
const tokens = argv.flatMap((a, i) => (a === '--auth-token' ? [argv[i + 1]] : []));

if (flag('--ignore-term')) {
  process.on('SIGTERM', () => {});
  setInterval(() => {}, 1 << 30);
}

const gates = new Map(); // gateId -> {released: boolean, waiters: []}
const gate = (id) => {
  if (!gates.has(id)) gates.set(id, { released: false, waiters: [] });
  return gates.get(id);
};

const TOOLS = ['greet', 'gated_job', 'release_gate', 'ask', 'noisy', 'crash', 'notify'].map((name) => ({
  name,
  description: `tiny ${name}`,
  inputSchema: { type: 'object', properties: {} },
}));

const text = (t) => ({ content: [{ type: 'text', text: t }] });

function makeServer() {
  const server = new Server({ name: 'tiny', version: '0.0.1' }, { capabilities: { tools: {}, logging: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async (req) => {
    if (!flag('--paged')) return { tools: TOOLS };
    // Two tools per page, opaque cursors (proves that every page is read).
    const start = req.params?.cursor ? Number(Buffer.from(req.params.cursor, 'base64url').toString()) : 0;
    const next = start + 2 < TOOLS.length ? Buffer.from(String(start + 2)).toString('base64url') : undefined;
    return { tools: TOOLS.slice(start, start + 2), ...(next ? { nextCursor: next } : {}) };
  });
  server.setRequestHandler(CallToolRequestSchema, async (req, extra) => {
    const args = req.params.arguments ?? {};
    switch (req.params.name) {
      case 'greet':
        return text(`Hello, ${args.name}!`);
      case 'gated_job': {
        const g = gate(args.gateId);
        if (!g.released) await new Promise((r) => g.waiters.push(r));
        return text(`released:${args.gateId}`);
      }
      case 'release_gate': {
        const g = gate(args.gateId);
        g.released = true;
        for (const w of g.waiters.splice(0)) w();
        return text('ok');
      }
      case 'ask': {
        const r = await extra.sendRequest(
          {
            method: 'elicitation/create',
            params: {
              mode: 'form',
              message: 'name?',
              requestedSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
            },
          },
          ElicitResultSchema,
        );
        return text(r.action === 'accept' ? `hello:${r.content?.name}` : 'declined');
      }
      case 'noisy':
        process.stdout.write('this is not json\n{"broken": \n');
        return text('still here');
      case 'crash':
        setTimeout(() => process.exit(3), 10);
        return await new Promise(() => {});
      case 'notify':
        await extra.sendNotification({ method: 'notifications/message', params: { level: 'info', data: 'hi' } });
        return text('notified');
      default:
        throw new Error(`unknown tool ${req.params.name}`);
    }
  });
  return server;
}

if (flag('--http')) {
  const sessions = new Map();
  const http = createServer(async (req, res) => {
    if (tokens.length) {
      const auth = req.headers.authorization ?? '';
      if (!tokens.some((t) => auth === `Bearer ${t}`)) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'unauthorized' }));
        return;
      }
    }
    const sid = req.headers['mcp-session-id'];
    let transport = sid ? sessions.get(sid) : undefined;
    if (!transport) {
      if (sid) {
        res
          .writeHead(404, { 'content-type': 'application/json' })
          .end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null }));
        return;
      }
      transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        enableJsonResponse: flag('--json'),
        onsessioninitialized: (id) => sessions.set(id, transport),
      });
      transport.onclose = () => transport.sessionId && sessions.delete(transport.sessionId);
      await makeServer().connect(transport);
    }
    await transport.handleRequest(req, res);
  });
  http.listen(Number(opt('--port') ?? 0), '127.0.0.1', () => {
    console.log('starting up...');
    console.log(`MCP endpoint: http://127.0.0.1:${http.address().port}/mcp`);
  });
} else {
  if (flag('--noise')) process.stdout.write('hello from a noisy server\n');
  const transport = new StdioServerTransport();
  if (flag('--ignore-term')) transport.onclose = () => {};
  await makeServer().connect(transport);
  process.stderr.write('tiny server ready\n');
}
