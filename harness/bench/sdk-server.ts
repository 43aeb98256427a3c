#!/usr/bin/env node
// A comparison server for `sep1686-check bench --compare sdk`: the fixture tools (greet, slow_compute,
// failing_job, gated_job, release_gate, gate_state) built the way the MCP TypeScript SDK 1.32 documents
// tasks — McpServer, server.experimental.tasks.registerToolTask, InMemoryTaskStore and
// InMemoryTaskMessageQueue, defaults untouched — so the bench shows the reference server against the
// SDK's own plumbing. It is deliberately plain SDK usage, not a conformance target: where the SDK is
// not spec-exact (tasks/result and direct calls of task tools wake on pollInterval ticks), so is this.
//
//   node dist/harness/bench/sdk-server.js                       stdio
//   node dist/harness/bench/sdk-server.js --http --port 0       Streamable HTTP, prints "MCP endpoint: <url>"
//   --poll-interval <ms>                                 pollInterval of new tasks (default: the store's, 1000)
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import { InMemoryTaskMessageQueue, InMemoryTaskStore } from '@modelcontextprotocol/sdk/experimental/tasks/stores/in-memory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

interface Options {
  pollInterval?: number;
}

const taskStore = new InMemoryTaskStore();

type GateOutcome = 'success' | 'tool_error' | 'protocol_error';
interface Gate {
  state: 'waiting' | 'finished';
  release?: GateOutcome;
  wake?: (outcome: GateOutcome) => void;
}
const gates = new Map<string, Gate>();

function waitGate(gateId: string): Promise<GateOutcome> {
  const gate = gates.get(gateId) ?? { state: 'waiting' as const };
  gates.set(gateId, gate);
  if (gate.release) return Promise.resolve(gate.release);
  gate.state = 'waiting';
  return new Promise((resolve) => (gate.wake = resolve));
}

const text = (t: string, isError = false): CallToolResult => ({
  content: [{ type: 'text', text: t }],
  ...(isError ? { isError: true } : {}),
});

/** Stores a result unless the task already ended (cancelled meanwhile): the SDK store refuses a second terminal write. */
async function finish(
  store: { storeTaskResult(id: string, s: 'completed' | 'failed', r: CallToolResult): Promise<void> },
  taskId: string,
  status: 'completed' | 'failed',
  result: CallToolResult,
) {
  try {
    await store.storeTaskResult(taskId, status, result);
  } catch {
    // cancelled or expired before the work ended
  }
}

function buildServer(options: Options): McpServer {
  const server = new McpServer(
    { name: 'sep1686-bench-sdk-server', version: '0.1.0' },
    {
      capabilities: { tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } } },
      taskStore,
      taskMessageQueue: new InMemoryTaskMessageQueue(),
    },
  );
  const taskParams = (ttl: number | undefined) => ({
    ttl: ttl ?? 60_000,
    ...(options.pollInterval !== undefined ? { pollInterval: options.pollInterval } : {}),
  });

  server.registerTool('greet', { description: 'Returns Hello, {name}! at once.', inputSchema: { name: z.string() } }, async ({ name }) =>
    text(`Hello, ${name}!`),
  );

  server.experimental.tasks.registerToolTask(
    'slow_compute',
    {
      description: 'Sleeps `seconds`, then returns computed:{label}.',
      inputSchema: { seconds: z.number().min(0), label: z.string().optional() },
      execution: { taskSupport: 'optional' },
    },
    {
      async createTask({ seconds, label }, extra) {
        const task = await extra.taskStore.createTask(taskParams(extra.taskRequestedTtl));
        setTimeout(() => void finish(extra.taskStore, task.taskId, 'completed', text(`computed:${label ?? ''}`)), seconds * 1000);
        return { task };
      },
      getTask: (_args, extra) => extra.taskStore.getTask(extra.taskId),
      getTaskResult: async (_args, extra) => (await extra.taskStore.getTaskResult(extra.taskId)) as CallToolResult,
    },
  );

  server.experimental.tasks.registerToolTask(
    'failing_job',
    { description: 'Ends with an isError result.', execution: { taskSupport: 'required' } },
    {
      async createTask(extra) {
        const task = await extra.taskStore.createTask(taskParams(extra.taskRequestedTtl));
        setImmediate(() => void finish(extra.taskStore, task.taskId, 'failed', text('job failed', true)));
        return { task };
      },
      getTask: (extra) => extra.taskStore.getTask(extra.taskId),
      getTaskResult: async (extra) => (await extra.taskStore.getTaskResult(extra.taskId)) as CallToolResult,
    },
  );

  server.experimental.tasks.registerToolTask(
    'gated_job',
    {
      description: 'Blocks until release_gate names the same gateId.',
      inputSchema: { gateId: z.string() },
      execution: { taskSupport: 'optional' },
    },
    {
      async createTask({ gateId }, extra) {
        const task = await extra.taskStore.createTask(taskParams(extra.taskRequestedTtl));
        void waitGate(gateId).then((outcome) => {
          gates.get(gateId)!.state = 'finished';
          const result = outcome === 'success' ? text(`released:${gateId}`) : text(`gate ${gateId} released with ${outcome}`, true);
          return finish(extra.taskStore, task.taskId, outcome === 'success' ? 'completed' : 'failed', result);
        });
        return { task };
      },
      getTask: (_args, extra) => extra.taskStore.getTask(extra.taskId),
      getTaskResult: async (_args, extra) => (await extra.taskStore.getTaskResult(extra.taskId)) as CallToolResult,
    },
  );

  server.registerTool(
    'release_gate',
    {
      description: 'Releases a gated_job.',
      inputSchema: { gateId: z.string(), outcome: z.enum(['success', 'tool_error', 'protocol_error']).optional() },
    },
    async ({ gateId, outcome }) => {
      const gate = gates.get(gateId) ?? { state: 'waiting' as const };
      gates.set(gateId, gate);
      gate.release = outcome ?? 'success';
      gate.wake?.(gate.release);
      return text('ok');
    },
  );

  server.registerTool(
    'gate_state',
    {
      description: 'State of a gate.',
      inputSchema: { gateId: z.string() },
      outputSchema: { state: z.enum(['unknown', 'waiting', 'aborted', 'finished']) },
    },
    async ({ gateId }) => {
      // A gate that was only released (no job waiting on it yet) is still unknown to the work.
      const gate = gates.get(gateId);
      const state = gate?.state === 'finished' ? 'finished' : gate?.wake ? 'waiting' : 'unknown';
      return { content: [{ type: 'text', text: state }], structuredContent: { state } };
    },
  );
  return server;
}

async function serveHttp(options: Options, host: string, port: number): Promise<void> {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const http = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const sid = req.headers['mcp-session-id'];
    const existing = typeof sid === 'string' ? transports.get(sid) : undefined;
    if (existing) return existing.handleRequest(req, res);
    if (req.method !== 'POST') {
      res.writeHead(400).end('no such MCP session');
      return;
    }
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void transports.set(id, transport),
    });
    transport.onclose = () => {
      if (transport.sessionId) transports.delete(transport.sessionId);
    };
    await buildServer(options).connect(transport);
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => http.listen(port, host, resolve));
  const address = http.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  process.stdout.write(`MCP endpoint: http://${host}:${actual}/mcp\n`);
  const stop = () => {
    taskStore.cleanup();
    http.close();
    http.closeAllConnections();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        http: { type: 'boolean' },
        port: { type: 'string' },
        host: { type: 'string' },
        'poll-interval': { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`sdk-server: ${err instanceof Error ? err.message.split('\n')[0] : String(err)} (see --help)\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write('usage: sdk-server [--http [--port N] [--host H]] [--poll-interval ms]\n');
    return;
  }
  const options: Options = {};
  if (values['poll-interval'] !== undefined) {
    const p = Number(values['poll-interval']);
    if (!Number.isInteger(p) || p <= 0) {
      process.stderr.write(`sdk-server: --poll-interval needs a positive whole number of ms, got '${values['poll-interval']}'\n`);
      process.exit(2);
    }
    options.pollInterval = p;
  }
  if (values.http) return serveHttp(options, values.host ?? '127.0.0.1', Number(values.port ?? 0));

  const server = buildServer(options);
  const transport = new StdioServerTransport();
  const stop = () => {
    taskStore.cleanup();
    void server.close().finally(() => process.exit(0));
  };
  process.stdin.on('end', stop);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  await server.connect(transport);
}

main().catch((err) => {
  process.stderr.write(`sdk-server: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
