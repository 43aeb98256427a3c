// Independent proofs (raw JSON-RPC) of what sep1686-check reports against the MCP TypeScript SDK 1.x example
// server simpleStreamableHttp (node_modules/@modelcontextprotocol/sdk/dist/esm/examples/server/, HTTP only).
//   - It dies (exit 1) when a task's ttl ends before its work: the example's fire-and-forget work calls
//     InMemoryTaskStore.storeTaskResult on the deleted task, which throws, and nothing catches it. Every harness
//     check running at that moment then reads "connection closed": one root cause, many FAILUREs.
//   - It dies the same way when a task waiting for input is cancelled and the elicitation is answered later
//     (storeTaskResult on a cancelled task throws, inside the catch that was meant to store "failed").
//   - T25-INP-02 (MUST) / T25-INP-01 (SHOULD): collect-user-info-task elicits on the session, not on behalf of the
//     task: no related-task _meta, and the task stays "working" while the elicitation is outstanding.
//   - H25-SCHEMA: serverInfo.icons[0].src is "./mcp.svg", not a URI (schema Icon.src has format "uri").
//   - T25-TOOL-03, T25-TOOL-02, T25-ERR-01..03: the McpServer deviations (mcp-server-proofs.ts).
// The harness run (mapping examples/sdk-simple-streamable-http.fixtures.yaml, full default scenario set) must
// report exactly the proven ones. It shows neither crash: the mapping binds no tool the harness creates with a
// short ttl (delay is taskSupport required, so it cannot play F-ECHO), and it does not cancel without
// capabilities.tasks.cancel. tasks/cancel is not declared, so T25-ERR-03 is not probed.
import { afterEach, describe, expect } from 'vitest';
import { RELATED_TASK, type TestClient } from '../../helpers/ref-client.js';
import { connectHttp, harnessArgs, startHttp, type HttpServer } from '../../helpers/real-servers.js';
import { describeVerdicts, harnessRun, Proofs } from './harness-verdicts.js';
import {
  numericIdEvidence,
  proveForbiddenToolTask32602,
  proveNumericTaskId32603,
  proveRequiredToolWrapsError,
} from './mcp-server-proofs.js';

const run = harnessRun(harnessArgs('sdk-simple-streamable-http', 'http'));
const proofs = new Proofs();
const TOOLS = {
  required: { name: 'delay', arguments: { duration: 0 } },
  forbidden: { name: 'greet', arguments: { name: 'Ada' } },
  taskMethods: ['tasks/get', 'tasks/result', 'tasks/cancel'],
};

let server: HttpServer | undefined;
let client: TestClient | undefined;
afterEach(async () => {
  await client?.close();
  await server?.stop();
  client = server = undefined;
});

async function open(): Promise<TestClient> {
  server = await startHttp('sdk-simple-streamable-http');
  client = await connectHttp(server.url);
  return client;
}

/** Creates a collect-user-info-task and holds its elicitation/create unanswered; returns both. */
async function elicitingTask(
  c: TestClient,
): Promise<{ taskId: string; elicitation: { id: string | number; params: Record<string, unknown> } }> {
  c.onServerRequest(() => undefined);
  const created = await c.ok('tools/call', { name: 'collect-user-info-task', arguments: { infoType: 'contact' }, task: { ttl: 60_000 } });
  const taskId = (created.task as { taskId: string }).taskId;
  const elicitation = await c.waitForServerRequest((r) => r.method === 'elicitation/create', 'the elicitation of collect-user-info-task');
  return { taskId, elicitation };
}

describe('SDK example simpleStreamableHttp: raw proofs', () => {
  proofs.it(
    'the process exits (code 1) when a delay task outlives its ttl: storeTaskResult throws "Task with ID … not found"',
    async () => {
      const c = await open();
      // The store deletes the task after ttl (1 ms); the work stores its result after 500 ms: timers fire in that order.
      const created = await c.ok('tools/call', { name: 'delay', arguments: { duration: 500 }, task: { ttl: 1 } });
      expect(created.task).toMatchObject({ status: 'working', ttl: 1 });
      const exit = await server!.exited;
      expect(exit.code).toBe(1);
      expect(server!.stderr()).toMatch(/Error: Task with ID [0-9a-f]+ not found\s+at InMemoryTaskStore\.storeTaskResult/);
    },
  );

  proofs.it('the process exits (code 1) when a task waiting for input is cancelled and its elicitation is answered later', async () => {
    const c = await open();
    // tasks.cancel is not declared, yet the SDK's Protocol answers tasks/cancel (a taskStore is configured).
    expect((c.serverCapabilities.tasks as Record<string, unknown>).cancel).toBeUndefined();
    const { taskId, elicitation } = await elicitingTask(c);
    expect((await c.ok('tasks/cancel', { taskId })).status).toBe('cancelled');
    await c.respond(elicitation.id, { action: 'accept', content: { name: 'Ada', email: 'ada@example.com' } });
    const exit = await server!.exited;
    expect(exit.code).toBe(1);
    expect(server!.stderr()).toMatch(new RegExp(`Cannot store result for task ${taskId} in terminal status 'cancelled'`));
  });

  const inp = proofs.it(
    'T25-INP-02 / T25-INP-01: the elicitation of collect-user-info-task has no related-task _meta, and the task stays working',
    async () => {
      const c = await open();
      const { taskId, elicitation } = await elicitingTask(c);
      const meta = elicitation.params._meta as Record<string, unknown> | undefined;
      expect(meta?.[RELATED_TASK]).toBeUndefined();
      expect(elicitation.params.requestedSchema).toMatchObject({ required: ['name', 'email'] });
      // Outstanding elicitation, yet the task is not input_required (the tool never sets it).
      expect((await c.ok('tasks/get', { taskId })).status).toBe('working');
      await c.respond(elicitation.id, { action: 'decline' });
      const result = await c.ok('tasks/result', { taskId });
      expect(result.content).toEqual([{ type: 'text', text: 'User declined to provide contact information' }]);
    },
  );

  const schema = proofs.it(
    'H25-SCHEMA: serverInfo.icons[0].src is the relative "./mcp.svg", which the schema\'s format "uri" rejects',
    async () => {
      const c = await open();
      expect((c.initializeResult.serverInfo as { icons: Array<{ src: string }> }).icons[0]!.src).toBe('./mcp.svg');
      expect(c.violations.join('\n')).toMatch(/InitializeResult: \/serverInfo\/icons\/0\/src must match format "uri"/);
    },
  );

  const wrap = proofs.it('T25-TOOL-03: delay (required) without a task answers CallToolResult{isError} wrapping -32601', async () =>
    proveRequiredToolWrapsError(await open(), TOOLS),
  );
  const forbidden = proofs.it(
    'T25-TOOL-02 (SHOULD): a task on the forbidden greet answers -32602 "Invalid task creation result"',
    async () => proveForbiddenToolTask32602(await open(), TOOLS),
  );
  const numericId = proofs.it(
    'T25-ERR-01..03: taskId 42 answers -32603 (a zod dump) on tasks/get, tasks/result and tasks/cancel',
    async () => proveNumericTaskId32603(await open(), TOOLS),
  );

  describeVerdicts('sep1686-check against simpleStreamableHttp over Streamable HTTP', run, 'http', proofs, {
    FAILURE: {
      'T25-TOOL-03': {
        proof: wrap,
        evidence: /delay \(taskSupport required\) must return JSON-RPC error -32601, but it returned a CallToolResult with isError:true/,
      },
      'T25-ERR-01': { proof: numericId, evidence: numericIdEvidence('tasks/get') },
      'T25-ERR-02': { proof: numericId, evidence: numericIdEvidence('tasks/result') },
      'T25-INP-02': {
        proof: inp,
        evidence: /lack params\._meta\["io\.modelcontextprotocol\/related-task"\]\.taskId equal to it: elicitation\/create/,
      },
      'H25-SCHEMA': { proof: schema, evidence: /against InitializeResult: \/serverInfo\/icons\/0\/src must match format "uri"$/ },
    },
    WARNING: {
      'T25-TOOL-02': {
        proof: forbidden,
        evidence: /on greet \(taskSupport forbidden\), got JSON-RPC error -32602 "MCP error -32602: Invalid task creation result/,
      },
      'T25-INP-01': {
        proof: inp,
        evidence:
          /an elicitation\/create for task \w+ was unanswered, but tasks\/get showed "working" \(before: working\); expected input_required/,
      },
      'H25-20': {
        proof: wrap,
        evidence: /the required tool delay without a task returned a CallToolResult\{isError:true\}.*TS SDK v1 McpServer/,
      },
    },
  });
});
