// Independent proofs (raw JSON-RPC) of what sep1686-check reports against dist/harness/bench/sdk-server.js: the fixture
// tools on the SDK 1.x task API (McpServer + registerToolTask + InMemoryTaskStore, defaults untouched). Beyond
// the McpServer deviations shared with every McpServer (mcp-server-proofs.ts):
//   T25-SEC-06 (SHOULD): a 10-year ttl is granted unchanged (InMemoryTaskStore keeps any requested ttl), and
//   T25-TTL-06 (SHOULD; the harness misses it): that task is deleted ~1 ms later, because Node's setTimeout
//                turns any delay above 2^31-1 ms into 1 ms. Every ttl above ~24.8 days expires at once.
//   T25-CAN-04 / LC-07 (SHOULD): tasks/cancel does not stop the work (registerToolTask gives it no abort signal).
//   LC-08: an expired task (gone, -32602) leaves its work running.
//   T25-GET-04 (SHOULD NOT, HTTP): tasks/get is answered with an SSE stream.
//   T25-META-02 (MUST): a request whose _meta names a related task gets its response queued into that task's
//                message queue (shared/protocol.js:407) instead of sent; tasks/result of that task then treats
//                the queued *response* as a reply to a server request and drops it: the request never answers.
//   H25-20 poll-tick fingerprint: a waiting tasks/result re-reads the store every pollInterval (1000 ms by
//                default), so a result arrives up to a pollInterval after the task ended (shown by the code, not by timing).
import { readFileSync } from 'node:fs';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { packagePath } from '../../../harness/paths.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpProbe, RELATED_TASK, TestClient, textOf, unique } from '../../helpers/ref-client.js';
import { connectStdio, startHttp, type HttpServer, type ServerProcess } from '../../helpers/real-servers.js';
import { proveForbiddenToolTask32602, proveNumericTaskId32603, proveRequiredToolWrapsError } from './mcp-server-proofs.js';

const gateState = async (c: TestClient, gateId: string) =>
  ((await c.ok('tools/call', { name: 'gate_state', arguments: { gateId } })).structuredContent as { state: string }).state;

/** Re-asks `probe` every 50 ms until it returns true (bounded at 30 s: a guard, not a timing assertion). */
async function eventually(probe: () => Promise<boolean>, what: string): Promise<void> {
  for (const until = Date.now() + 30_000; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) if (await probe()) return;
  throw new Error(`never: ${what}`);
}

describe('dist/harness/bench/sdk-server.js over stdio', () => {
  let c: TestClient;
  let server: ServerProcess;
  beforeAll(async () => ({ client: c, server } = await connectStdio('sdk-bench-server')));
  afterAll(async () => {
    await c?.close();
    await server?.stop();
  });

  it('the McpServer deviations: T25-TOOL-03 (failing_job), T25-TOOL-02 (greet), T25-ERR-01..03', async () => {
    const tools = {
      required: { name: 'failing_job', arguments: {} },
      forbidden: { name: 'greet', arguments: { name: 'Ada' } },
      taskMethods: ['tasks/get', 'tasks/result', 'tasks/cancel'],
    };
    await proveRequiredToolWrapsError(c, tools);
    // greet is registered without execution: McpServer lists it as "forbidden".
    await proveForbiddenToolTask32602(c, tools);
    await proveNumericTaskId32603(c, tools);
  });

  it('T25-SEC-06 / T25-TTL-06: a ttl of 10 years is granted unchanged, yet the task is deleted at once (setTimeout overflow)', async () => {
    const created = await c.ok('tools/call', { name: 'slow_compute', arguments: { seconds: 0 }, task: { ttl: 315_360_000_000 } });
    const task = created.task as { taskId: string; ttl: number };
    expect(task.ttl).toBe(315_360_000_000);
    // InMemoryTaskStore arms setTimeout(delete, ttl); Node clamps a delay above 2^31-1 ms to 1 ms.
    await eventually(async () => (await c.request('tasks/get', { taskId: task.taskId })).error?.code === -32602, 'the task is deleted');
    expect(server.stderr()).toMatch(/TimeoutOverflowWarning: 315360000000 does not fit into a 32-bit signed integer/);
  });

  it('T25-CAN-04 / LC-07: after tasks/cancel the work keeps waiting on its gate, and finishes once released', async () => {
    const gateId = unique('cancel');
    const created = await c.ok('tools/call', { name: 'gated_job', arguments: { gateId }, task: { ttl: 60_000 } });
    const taskId = (created.task as { taskId: string }).taskId;
    await eventually(async () => (await gateState(c, gateId)) === 'waiting', 'the work waits on its gate');
    expect((await c.ok('tasks/cancel', { taskId })).status).toBe('cancelled');
    expect(await gateState(c, gateId)).toBe('waiting');
    await c.ok('tools/call', { name: 'release_gate', arguments: { gateId } });
    await eventually(async () => (await gateState(c, gateId)) === 'finished', 'the cancelled work runs to its end');
    // The status itself is right (T25-CAN-03): still cancelled.
    expect((await c.ok('tasks/get', { taskId })).status).toBe('cancelled');
  });

  it('T25-META-02: tasks/get {taskId:A, _meta related-task B} is never answered, even after tasks/result of B drains its queue', async () => {
    const start = async () =>
      ((await c.ok('tools/call', { name: 'slow_compute', arguments: { seconds: 0 }, task: { ttl: 60_000 } })).task as { taskId: string })
        .taskId;
    const a = await start();
    const b = await start();
    const crossed = c.send('tasks/get', { taskId: a, _meta: { [RELATED_TASK]: { taskId: b } } });
    let answered = false;
    void crossed.outcome.then(
      () => (answered = true),
      () => undefined,
    );
    // Requests sent after it are answered, including the tasks/result that delivers B's queued messages.
    await c.ok('ping');
    expect(textOf(await c.ok('tasks/result', { taskId: b }))).toBe('computed:');
    expect((await c.ok('tasks/get', { taskId: a })).taskId).toBe(a);
    await c.ok('ping');
    expect(answered).toBe(false);
    expect(c.received.some((m) => 'id' in m && m.id === crossed.id)).toBe(false);
  });

  it('LC-08: once its ttl has elapsed the task is gone (-32602), but its work still waits on the gate', async () => {
    const gateId = unique('expire');
    const created = await c.ok('tools/call', { name: 'gated_job', arguments: { gateId }, task: { ttl: 1 } });
    const taskId = (created.task as { taskId: string }).taskId;
    await eventually(async () => (await c.request('tasks/get', { taskId })).error?.code === -32602, 'the task expires');
    expect(await gateState(c, gateId)).toBe('waiting');
    await c.ok('tools/call', { name: 'release_gate', arguments: { gateId } });
  });
});

describe('the SDK mechanism behind the H25-20 poll-tick WARNING', () => {
  it("a waiting tasks/result sleeps the task's pollInterval (default 1000) between store reads", () => {
    const protocol = readFileSync(
      packagePath('node_modules', '@modelcontextprotocol', 'sdk', 'dist', 'esm', 'shared', 'protocol.js'),
      'utf8',
    );
    const wait = protocol.slice(protocol.indexOf('async _waitForTaskUpdate('), protocol.indexOf('async _waitForTaskUpdate(') + 1200);
    expect(wait).toMatch(/let interval = this\._options\?\.defaultTaskPollInterval \?\? 1000;/);
    expect(wait).toMatch(/interval = task\.pollInterval;/);
    expect(wait).toMatch(/const timeoutId = setTimeout\(resolve, interval\);/);
    // The tasks/result handler waits on it while the task is not terminal, then re-reads the store.
    expect(protocol).toMatch(
      /if \(!isTerminal\(task\.status\)\) \{\s*\/\/[^\n]*\n\s*await this\._waitForTaskUpdate\(taskId, extra\.signal, extra\.sessionId\);/,
    );
  });
});

describe('dist/harness/bench/sdk-server.js over Streamable HTTP', () => {
  let s: HttpServer;
  let c: TestClient;
  const probe = new HttpProbe();
  beforeAll(async () => {
    s = await startHttp('sdk-bench-server');
    c = await new TestClient(new StreamableHTTPClientTransport(new URL(s.url), { fetch: probe.fetch }), 'http').open();
  });
  afterAll(async () => {
    await c?.close();
    await s?.stop();
  });

  it('T25-GET-04: tasks/get is answered with Content-Type text/event-stream (the SDK transport answers every POST with SSE)', async () => {
    const created = await c.ok('tools/call', { name: 'slow_compute', arguments: { seconds: 0 }, task: { ttl: 60_000 } });
    const { id, outcome } = c.send('tasks/get', { taskId: (created.task as { taskId: string }).taskId });
    expect((await outcome).result?.taskId).toBeDefined();
    expect(probe.contentTypes.get(id)).toBe('text/event-stream');
  });
});
