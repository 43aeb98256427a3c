// What sep1686-check reports against @modelcontextprotocol/server-everything (McpServer + InMemoryTaskStore,
// SDK ^1.30; mapping examples/server-everything.elicit.fixtures.yaml), over stdio and Streamable HTTP, full
// default scenario set each, and the raw-request proof (no scenario code) of every FAILURE and WARNING:
//   T25-TOOL-03 FAIL, T25-TOOL-02 WARN, T25-ERR-01..03 FAIL: the SDK McpServer deviations (mcp-server-proofs.ts).
//   H25-20 WARN: the harness's fingerprint of the T25-TOOL-03 wrapping (same proof).
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { type TestClient } from '../../helpers/ref-client.js';
import { connectHttp, connectStdio, harnessArgs, startHttp, type HttpServer, type ServerProcess } from '../../helpers/real-servers.js';
import { describeVerdicts, harnessRun, Proofs, type ExpectedVerdicts } from './harness-verdicts.js';
import {
  numericIdEvidence,
  proveForbiddenToolTask32602,
  proveNumericTaskId32603,
  proveRequiredToolWrapsError,
  type McpServerTools,
} from './mcp-server-proofs.js';

const TOOLS: McpServerTools = {
  required: { name: 'simulate-research-query', arguments: { topic: 'sep1686-check' } },
  forbidden: { name: 'echo', arguments: { message: 'hi' } },
  taskMethods: ['tasks/get', 'tasks/result', 'tasks/cancel'],
};

const runs = { stdio: harnessRun(harnessArgs('server-everything', 'stdio')), http: harnessRun(harnessArgs('server-everything', 'http')) };
const proofs = new Proofs();

/** The three McpServer proofs on one transport; returns their test names. */
function mcpServerProofs(transport: string, client: () => TestClient) {
  return {
    wrap: proofs.it(
      `${transport}: T25-TOOL-03: the required simulate-research-query without a task answers CallToolResult{isError} wrapping -32601`,
      () => proveRequiredToolWrapsError(client(), TOOLS),
    ),
    forbidden: proofs.it(
      `${transport}: T25-TOOL-02 (SHOULD): a task on the forbidden echo answers -32602 "Invalid task creation result", not -32601`,
      () => proveForbiddenToolTask32602(client(), TOOLS),
    ),
    numericId: proofs.it(
      `${transport}: T25-ERR-01..03: taskId 42 answers -32603 (a zod dump) on tasks/get, tasks/result and tasks/cancel`,
      () => proveNumericTaskId32603(client(), TOOLS),
    ),
  };
}

function expected(p: ReturnType<typeof mcpServerProofs>): ExpectedVerdicts {
  const numericId = (method: string) => ({ proof: p.numericId, evidence: numericIdEvidence(method) });
  return {
    FAILURE: {
      'T25-TOOL-03': {
        proof: p.wrap,
        evidence:
          /simulate-research-query \(taskSupport required\) must return JSON-RPC error -32601, but it returned a CallToolResult with isError:true/,
      },
      'T25-ERR-01': numericId('tasks/get'),
      'T25-ERR-02': numericId('tasks/result'),
      'T25-ERR-03': numericId('tasks/cancel'),
    },
    WARNING: {
      'T25-TOOL-02': {
        proof: p.forbidden,
        evidence: /on echo \(taskSupport forbidden\), got JSON-RPC error -32602 "MCP error -32602: Invalid task creation result/,
      },
      'H25-20': {
        proof: p.wrap,
        evidence: /simulate-research-query without a task returned a CallToolResult\{isError:true\}.*TS SDK v1 McpServer/,
      },
    },
  };
}

describe('server-everything over stdio: raw proofs', () => {
  let c: TestClient;
  let server: ServerProcess;
  beforeAll(async () => ({ client: c, server } = await connectStdio('server-everything')));
  afterAll(async () => {
    await c?.close();
    await server?.stop();
  });
  const p = mcpServerProofs('stdio', () => c);
  proofs.it('stdio: declares tasks.list and tasks.cancel (so the harness checks them)', () => {
    expect(c.serverCapabilities.tasks).toEqual({ list: {}, cancel: {}, requests: { tools: { call: {} } } });
  });
  describeVerdicts('sep1686-check against server-everything over stdio', runs.stdio, 'stdio', proofs, expected(p));
});

describe('server-everything over Streamable HTTP: raw proofs', () => {
  let s: HttpServer;
  let c: TestClient;
  beforeAll(async () => {
    s = await startHttp('server-everything');
    c = await connectHttp(s.url);
  });
  afterAll(async () => {
    await c?.close();
    await s?.stop();
  });
  const p = mcpServerProofs('http', () => c);
  describeVerdicts('sep1686-check against server-everything over Streamable HTTP', runs.http, 'http', proofs, expected(p));
});
