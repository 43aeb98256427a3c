// Independent proofs (raw JSON-RPC) of what sep1686-check reports against the MCP TypeScript SDK 1.x example
// server simpleTaskInteractive (a low-level Server with hand-written tools/call, tasks/get and tasks/result
// handlers over InMemoryTaskStore; HTTP only). Its handlers throw plain Errors, which the SDK answers as -32603:
//   T25-TOOL-03 (MUST): write_haiku (required) without a task answers -32603 "Tool write_haiku requires task mode".
//   T25-ERR-01 / T25-ERR-02 (MUST): an unknown taskId answers -32603 on tasks/get and tasks/result.
// And two facts behind harness mistakes (not deviations), so the fix can be checked against the real thing:
//   - a task's server->client requests are queued and only delivered once tasks/result is called (the spec's
//     "requestor SHOULD preemptively call tasks/result" on input_required): polling tasks/get alone waits forever.
//   - confirm_delete's requestedSchema is {confirm: boolean} (required): an answer that ignores the schema
//     ({name:"Ada"}) fails the task; a schema-valid one completes it.
// The harness run (mapping examples/sdk-simple-task-interactive.fixtures.yaml, full default scenario set) must
// report exactly T25-TOOL-03, T25-ERR-01 and T25-ERR-02, and no WARNING.
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { RELATED_TASK, textOf, type TestClient } from '../../helpers/ref-client.js';
import { connectHttp, harnessArgs, startHttp, type HttpServer } from '../../helpers/real-servers.js';
import { describeVerdicts, harnessRun, Proofs } from './harness-verdicts.js';

const run = harnessRun(harnessArgs('sdk-simple-task-interactive', 'http'));
const proofs = new Proofs();

let server: HttpServer;
const clients: TestClient[] = [];
beforeAll(async () => {
  server = await startHttp('sdk-simple-task-interactive');
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server?.stop();
});

async function session(): Promise<TestClient> {
  const c = await connectHttp(server.url);
  clients.push(c);
  return c;
}

async function createTask(c: TestClient, name: string, args: Record<string, unknown>): Promise<string> {
  const created = await c.ok('tools/call', { name, arguments: args, task: { ttl: 60_000 } });
  return (created.task as { taskId: string }).taskId;
}

/** Polls tasks/get until the status satisfies `wanted` (bounded: 30 s, a generous limit that is not a timing assertion). */
async function statusWhen(c: TestClient, taskId: string, wanted: (s: string) => boolean): Promise<string> {
  for (const until = Date.now() + 30_000; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
    const status = (await c.ok('tasks/get', { taskId })).status as string;
    if (wanted(status)) return status;
  }
  throw new Error(`task ${taskId} never reached the wanted status`);
}

describe('SDK example simpleTaskInteractive: raw proofs', () => {
  proofs.it('declares only tasks.requests.tools.call, and both tools are required', async () => {
    const c = await session();
    expect(c.serverCapabilities.tasks).toEqual({ requests: { tools: { call: {} } } });
    const tools = (await c.ok('tools/list')).tools as Array<{ name: string; execution?: { taskSupport?: string } }>;
    expect(tools.map((t) => [t.name, t.execution?.taskSupport])).toEqual([
      ['confirm_delete', 'required'],
      ['write_haiku', 'required'],
    ]);
  });

  const requiredTool = proofs.it(
    'T25-TOOL-03: write_haiku without a task answers -32603 "Tool write_haiku requires task mode", not -32601',
    async () => {
      const c = await session();
      const o = await c.request('tools/call', { name: 'write_haiku', arguments: { topic: 'tasks' } });
      expect(o.error).toEqual({ code: -32603, message: 'Tool write_haiku requires task mode' });
    },
  );

  const unknownId = proofs.it(
    'T25-ERR-01 / T25-ERR-02: an unknown taskId answers -32603 on tasks/get and tasks/result, not -32602',
    async () => {
      const c = await session();
      const id = '0a0da079-e665-4b4f-a548-623c82830d4f';
      expect((await c.request('tasks/get', { taskId: id })).error).toEqual({ code: -32603, message: `Task ${id} not found` });
      expect((await c.request('tasks/result', { taskId: id })).error).toEqual({ code: -32603, message: `Task not found: ${id}` });
      // tasks/list and tasks/cancel have no handler (and are not declared).
      expect((await c.request('tasks/list', {})).error?.code).toBe(-32601);
      expect((await c.request('tasks/cancel', { taskId: id })).error?.code).toBe(-32601);
    },
  );

  proofs.it("a task's sampling request is delivered only once tasks/result is called; refused, the task ends failed", async () => {
    const c = await session();
    c.onServerRequest((r) => (r.method === 'sampling/createMessage' ? { error: { code: -32601, message: 'no sampling' } } : undefined));
    const taskId = await createTask(c, 'write_haiku', { topic: 'tasks' });
    await statusWhen(c, taskId, (s) => s === 'input_required');
    // input_required, but nothing was sent: the request waits in the task's queue for a tasks/result.
    expect(c.serverRequests).toEqual([]);
    const result = await c.ok('tasks/result', { taskId });
    const sampling = c.serverRequests.find((r) => r.method === 'sampling/createMessage');
    expect((sampling?.params._meta as Record<string, unknown>)[RELATED_TASK]).toEqual({ taskId });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^Error: /);
    expect((await c.ok('tasks/get', { taskId })).status).toBe('failed');
  });

  proofs.it(
    'confirm_delete asks for {confirm: boolean} (required): an answer of {name} fails the task, {confirm: true} completes it',
    async () => {
      const c = await session();
      let answer: Record<string, unknown> = { name: 'Ada' };
      c.onServerRequest((r) => (r.method === 'elicitation/create' ? { action: 'accept', content: answer } : undefined));

      const bad = await createTask(c, 'confirm_delete', { filename: 'a.txt' });
      const badResult = await c.ok('tasks/result', { taskId: bad });
      const asked = c.serverRequests.find((r) => r.method === 'elicitation/create');
      expect(asked?.params.requestedSchema).toEqual({
        type: 'object',
        properties: { confirm: { type: 'boolean' } },
        required: ['confirm'],
      });
      expect(textOf(badResult)).toMatch(
        /Elicitation response content does not match requested schema: data must have required property 'confirm'/,
      );
      expect((await c.ok('tasks/get', { taskId: bad })).status).toBe('failed');

      answer = { confirm: true };
      const good = await createTask(c, 'confirm_delete', { filename: 'b.txt' });
      expect(textOf(await c.ok('tasks/result', { taskId: good }))).toBe("Deleted 'b.txt'");
    },
  );

  describeVerdicts('sep1686-check against simpleTaskInteractive over Streamable HTTP', run, 'http', proofs, {
    FAILURE: {
      'T25-TOOL-03': {
        proof: requiredTool,
        evidence:
          /write_haiku \(taskSupport required\) must return JSON-RPC error -32601, got JSON-RPC error -32603 "Tool write_haiku requires task mode"/,
      },
      'T25-ERR-01': {
        proof: unknownId,
        evidence: /tasks\/get with a random UUID as taskId must fail with -32602; got JSON-RPC error -32603 "Task [0-9a-f-]+ not found"/,
      },
      'T25-ERR-02': {
        proof: unknownId,
        evidence:
          /^tasks\/result with a random UUID as taskId must fail with -32602; got JSON-RPC error -32603 "Task not found: [0-9a-f-]+"/,
      },
    },
    WARNING: {},
  });
});
