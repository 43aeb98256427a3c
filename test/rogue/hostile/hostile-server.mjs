#!/usr/bin/env node
// Small hostile MCP servers for the harness's own robustness (issue 10): each `--case <name>` attacks the
// checker rather than breaking a protocol rule. It answers initialize and tools/list (no tools), refuses
// everything else with -32601, and then misbehaves. stdio by default; the http-* cases serve Streamable
// HTTP on 127.0.0.1 and print "MCP endpoint: <url>". `--tag <t>` is ignored (lets a test find its processes).
import { spawn } from 'node:child_process';
import { closeSync } from 'node:fs';
import { createServer } from 'node:http';

const CASES = {
  'notification-flood': 'after initialized, 100 000 notifications/tasks/status per connection',
  'elicitation-flood': 'after initialized, elicitation/create requests without end',
  'huge-line': 'answers tools/list with one stdout line that never ends',
  'orphan-child': 'starts a child (sleep) that outlives the server',
  'setsid-grandchild': 'starts a grandchild in its own session (setsid sleep), out of the process group',
  'close-stdout': 'closes stdout after initialize and keeps running',
  'http-big-body': '(HTTP) answers tools/list with Content-Length 2 GiB and streams it',
  'http-endless-sse': '(HTTP) answers tools/list with an SSE data line that never ends',
  'http-hang-after-initialize': '(HTTP) answers initialize, then never answers any other POST',
};

const argv = process.argv.slice(2);
const name = argv[argv.indexOf('--case') + 1];
if (!Object.hasOwn(CASES, name ?? '')) {
  process.stderr.write(`hostile-server: --case must be one of ${Object.keys(CASES).join(', ')}\n`);
  process.exit(2);
}

const INIT_RESULT = {
  protocolVersion: '2025-11-25',
  capabilities: { tools: {} },
  serverInfo: { name: 'hostile-server', version: '0.0.0' },
};

/** The ordinary answer to a request, or undefined for notifications and responses. */
function answer(msg) {
  if (msg.id === undefined || msg.method === undefined) return undefined;
  if (msg.method === 'initialize') return { jsonrpc: '2.0', id: msg.id, result: INIT_RESULT };
  if (msg.method === 'tools/list') return { jsonrpc: '2.0', id: msg.id, result: { tools: [] } };
  if (msg.method === 'ping') return { jsonrpc: '2.0', id: msg.id, result: {} };
  return { jsonrpc: '2.0', id: msg.id, error: { code: -32601, message: `${msg.method} not supported` } };
}

/** Writes `count` messages made by `make`, yielding to the event loop between batches (and on backpressure). */
function flood(write, make, count) {
  let i = 0;
  const step = () => {
    for (let n = 0; n < 500 && i < count; n++, i++) {
      if (!write(make(i))) return void process.stdout.once('drain', step);
    }
    if (i < count) setImmediate(step);
  };
  step();
}

const status = (i) => ({
  jsonrpc: '2.0',
  method: 'notifications/tasks/status',
  params: {
    taskId: `fake-${i}`,
    status: 'working',
    createdAt: new Date().toISOString(),
    lastUpdatedAt: new Date().toISOString(),
    ttl: 60000,
  },
});
const elicit = (i) => ({
  jsonrpc: '2.0',
  id: `e${i}`,
  method: 'elicitation/create',
  params: { message: 'name?', requestedSchema: { type: 'object', properties: { name: { type: 'string' } } } },
});

// The children carry the server's arguments (and so any --tag), so a test can find them.
const idle = ['-e', 'setInterval(() => {}, 1 << 30)', 'hostile-child', ...argv];
if (name === 'orphan-child') spawn(process.execPath, idle, { stdio: 'ignore' });
if (name === 'setsid-grandchild') spawn('setsid', [process.execPath, ...idle], { stdio: 'ignore' });

if (name.startsWith('http-')) serveHttp();
else serveStdio();

function serveStdio() {
  let stdoutClosed = false;
  const write = (m) => stdoutClosed || process.stdout.write(`${JSON.stringify(m)}\n`);
  let buffer = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => {
    buffer += chunk;
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      let msg;
      try {
        msg = JSON.parse(line);
      } catch {
        continue;
      }
      if (msg.method === 'notifications/initialized') {
        if (name === 'notification-flood') flood(write, status, 100_000);
        if (name === 'elicitation-flood') flood(write, elicit, Number.MAX_SAFE_INTEGER);
        if (name === 'close-stdout') {
          stdoutClosed = true;
          closeSync(1);
        }
        continue;
      }
      if (name === 'huge-line' && msg.method === 'tools/list') {
        process.stdout.write(`{"jsonrpc":"2.0","id":${JSON.stringify(msg.id)},"result":{"tools":[],"pad":"`);
        flood(
          (s) => process.stdout.write(s),
          () => 'x'.repeat(65536),
          Number.MAX_SAFE_INTEGER,
        );
        continue;
      }
      const reply = answer(msg);
      if (reply) write(reply);
    }
  });
  // A server that closed stdout keeps running until it is killed; the others end with their stdin.
  process.stdin.on('end', () => {
    if (name !== 'close-stdout') process.exit(0);
  });
}

function serveHttp() {
  const server = createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      let msg;
      try {
        msg = JSON.parse(body);
      } catch {
        res.writeHead(400).end();
        return;
      }
      const headers = { 'mcp-session-id': 'hostile-session' };
      if (msg.method === 'tools/list') {
        if (name === 'http-big-body') {
          res.writeHead(200, { ...headers, 'content-type': 'application/json', 'content-length': String(2 ** 31) });
          const chunk = Buffer.alloc(1 << 20, 0x20);
          const pump = () => {
            while (!res.destroyed && res.write(chunk));
            if (!res.destroyed) res.once('drain', pump);
          };
          pump();
          return;
        }
        if (name === 'http-endless-sse') {
          res.writeHead(200, { ...headers, 'content-type': 'text/event-stream' });
          res.write(`data: {"jsonrpc":"2.0","id":${JSON.stringify(msg.id)},"result":{"pad":"`);
          const chunk = 'x'.repeat(1 << 20);
          const pump = () => {
            while (!res.destroyed && res.write(chunk));
            if (!res.destroyed) res.once('drain', pump);
          };
          pump();
          return;
        }
      }
      if (name === 'http-hang-after-initialize' && msg.method !== 'initialize') return; // never answered, never closed
      const reply = answer(msg);
      if (!reply) res.writeHead(202, headers).end();
      else res.writeHead(200, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify(reply));
    });
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`MCP endpoint: http://127.0.0.1:${server.address().port}/mcp\n`));
}
