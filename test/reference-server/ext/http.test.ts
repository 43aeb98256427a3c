// The 2026-07-28 era over Streamable HTTP: the behaviour suite, the header rules (Mcp-Method, Mcp-Name,
// MCP-Protocol-Version, Base64 sentinel), status codes, statelessness (no session, GET 405), the SSE
// listen stream, principal binding, and a 2025-11-25 session served beside it on the same endpoint.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { httpTarget, unique } from '../../helpers/ref-client.js';
import { EXT_E, HttpModernClient, httpServer, meta, NOEXT } from './client.js';
import { createTask, defineModernSuite, expectError, pollTask, release, status, terminal } from './suite.js';

describe('2026-07-28 over Streamable HTTP', () => {
  defineModernSuite(async () => {
    const server = await httpServer();
    return { open: async () => server.client(), stop: () => server.stop() };
  });
});

describe('Streamable HTTP rules of 2026-07-28', () => {
  let server: Awaited<ReturnType<typeof httpServer>>;
  let c: HttpModernClient;
  beforeAll(async () => {
    server = await httpServer();
    c = server.client();
  });
  afterAll(async () => server?.stop());
  afterEach(() => expect(c.violations).toEqual([]));

  it('answers plain JSON, and the listen stream as SSE', async () => {
    const reply = await c.call('server/discover', {});
    expect(reply.contentType).toMatch(/^application\/json/);
    const sub = await c.listen({});
    await sub.next((m) => m.method === 'notifications/subscriptions/acknowledged');
    await sub.close();
  });

  it('Mcp-Method and MCP-Protocol-Version must match the body (-32020, 400); the task is untouched', async () => {
    const gateId = unique('hdr');
    const taskId = (await createTask(c, 'gated_job', { gateId })).taskId as string;
    expectError(await c.call('tasks/get', { taskId }, { headers: { 'mcp-method': 'tasks/cancel' } }), -32020, 400);
    expectError(await c.call('tasks/get', { taskId }, { headers: { 'mcp-method': undefined } }), -32020, 400);
    expectError(await c.call('tasks/get', { taskId }, { headers: { 'mcp-protocol-version': '2025-11-25' } }), -32020, 400);
    expectError(await c.call('tasks/cancel', { taskId }, { headers: { 'mcp-protocol-version': undefined } }), -32020, 400);
    expect((await c.ok('tasks/get', { taskId })).status).toBe('working');
    await release(c, gateId);
  });

  it('Mcp-Name must name the body task (tasks/*) or tool; a Base64 sentinel is decoded', async () => {
    const a = unique('a');
    const b = unique('b');
    const ta = (await createTask(c, 'gated_job', { gateId: a })).taskId as string;
    const tb = (await createTask(c, 'gated_job', { gateId: b })).taskId as string;
    expectError(await c.call('tasks/cancel', { taskId: ta }, { headers: { 'mcp-name': tb } }), -32020, 400);
    expectError(await c.call('tasks/cancel', { taskId: ta }, { headers: { 'mcp-name': undefined } }), -32020, 400);
    expectError(
      await c.call('tools/call', { name: 'greet', arguments: { name: 'x' } }, { caps: NOEXT, headers: { 'mcp-name': 'slow_compute' } }),
      -32020,
      400,
    );
    expect((await c.ok('tasks/get', { taskId: tb })).status).toBe('working');
    const encoded = `=?base64?${Buffer.from(ta).toString('base64')}?=`;
    expect((await c.ok('tasks/get', { taskId: ta }, { headers: { 'mcp-name': encoded } })).status).toBe('working');
    await release(c, a);
    await release(c, b);
    await pollTask(c, tb, terminal);
  });

  it('status codes: -32021, -32022, -32602 for missing _meta are 400; -32601 is 404; task not found is 200', async () => {
    expectError(await c.call('tools/call', { name: 'failing_job', arguments: {} }, { caps: NOEXT }), -32021, 400);
    expectError(await c.call('server/discover', {}, { meta: meta(EXT_E, '1900-01-01') }), -32022, 400);
    expectError(await c.call('server/discover', {}, { meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' } }), -32602, 400);
    expectError(await c.call('ping', {}), -32601, 404);
    expectError(await c.call('tasks/get', { taskId: crypto.randomUUID() }), -32602, 200);
  });

  it('stateless: no session minted, a client Mcp-Session-Id ignored, GET and DELETE 405', async () => {
    const taskId = (await createTask(c, 'slow_compute', { seconds: 0 })).taskId as string;
    const response = await c.post(
      { jsonrpc: '2.0', id: 'x1', method: 'tasks/get', params: { taskId, _meta: meta() } },
      { headers: { 'mcp-session-id': 'bogus' } },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('mcp-session-id')).toBeNull();
    expect(((await response.json()) as { result: { taskId: string } }).result.taskId).toBe(taskId);
    for (const method of ['GET', 'DELETE']) expect((await fetch(server.url, { method })).status).toBe(405);
  });

  it('a notification POST is accepted with 202', async () => {
    const response = await c.post({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1, _meta: meta() } });
    expect(response.status).toBe(202);
  });

  it('closing a direct tools/call stream cancels that call only', async () => {
    const gateId = unique('drop');
    const controller = new AbortController();
    const body = {
      jsonrpc: '2.0',
      id: 'drop-1',
      method: 'tools/call',
      params: { name: 'gated_job', arguments: { gateId }, _meta: meta(NOEXT) },
    };
    const pending = c.post(body, {}, controller.signal).catch(() => undefined);
    await waitFor(async () => (await gateState(c, gateId)) === 'waiting');
    controller.abort();
    await pending;
    await waitFor(async () => (await gateState(c, gateId)) === 'aborted');
  });
});

async function gateState(c: HttpModernClient, gateId: string): Promise<string> {
  const r = await c.ok('tools/call', { name: 'gate_state', arguments: { gateId } }, { caps: NOEXT });
  return (r.structuredContent as { state: string }).state;
}

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('condition never held');
}

describe('principals (--auth-token) in 2026-07-28', () => {
  let server: Awaited<ReturnType<typeof httpServer>>;
  beforeAll(async () => {
    server = await httpServer(['--auth-token', 'token-a', '--auth-token', 'token-b']);
  });
  afterAll(async () => server?.stop());

  it('another principal cannot get, update or cancel a task (-32602, as for an unknown id)', async () => {
    const a = server.client({ authorization: 'Bearer token-a' });
    const b = server.client({ authorization: 'Bearer token-b' });
    const gateId = unique('auth');
    const taskId = (await createTask(a, 'gated_job', { gateId })).taskId as string;
    expectError(await b.call('tasks/get', { taskId }), -32602, 200);
    expectError(await b.call('tasks/update', { taskId, inputResponses: {} }), -32602, 200);
    expectError(await b.call('tasks/cancel', { taskId }), -32602, 200);
    expect((await a.ok('tasks/get', { taskId })).status).toBe('working');
    expect((await fetch(server.url, { method: 'POST', body: '{}' })).status).toBe(401);
    await release(a, gateId);
    await pollTask(a, taskId, status('completed'));
    expect([...a.violations, ...b.violations]).toEqual([]);
  });
});

describe('dual-era HTTP endpoint', () => {
  it('a 2025-11-25 session works beside modern requests; its tasks stay in its era', async () => {
    const target = await httpTarget();
    try {
      const legacy = await target.connect();
      const modern = new HttpModernClient(target.server.url);
      const modernTask = await createTask(modern, 'slow_compute', { seconds: 0 });
      const legacyTask = await legacy.ok('tools/call', { name: 'slow_compute', arguments: { seconds: 0 }, task: {} });
      const legacyId = (legacyTask.task as { taskId: string }).taskId;
      expectError(await modern.call('tasks/get', { taskId: legacyId }), -32602, 200);
      const listed = await legacy.ok('tasks/list', {});
      expect((listed.tasks as Array<{ taskId: string }>).map((t) => t.taskId)).toEqual([legacyId]);
      expect(modernTask.taskId).not.toBe(legacyId);
      expect([...legacy.violations, ...modern.violations]).toEqual([]);
    } finally {
      await target.stop();
    }
  });
});

describe('one principal across both eras', () => {
  it('shares one task quota (--max-tasks) and one set of fixture gates; another principal has its own', async () => {
    const target = await httpTarget(['--auth-token', 'token-a', '--auth-token', 'token-b', '--max-tasks', '1']);
    try {
      const legacy = await target.connect({ token: 'token-a' });
      const modern = new HttpModernClient(target.server.url, { authorization: 'Bearer token-a' });
      const other = new HttpModernClient(target.server.url, { authorization: 'Bearer token-b' });
      const gateId = unique('eras');
      const created = await legacy.ok('tools/call', { name: 'gated_job', arguments: { gateId }, task: {} });
      const legacyId = (created.task as { taskId: string }).taskId;
      // The principal's one active slot is taken by its 2025-11-25 task: the modern era is refused too.
      const refused = expectError(
        await modern.call('tools/call', { name: 'gated_job', arguments: { gateId: unique('x') } }, { caps: EXT_E }),
        -32602,
        200,
      );
      expect(refused.message).toMatch(/too many active tasks for this principal/);
      const otherTask = await createTask(other, 'gated_job', { gateId });
      // A modern release_gate of the same principal releases the legacy job; the other principal's job waits.
      await modern.ok('tools/call', { name: 'release_gate', arguments: { gateId } }, { caps: NOEXT });
      const { result } = await legacy.request('tasks/result', { taskId: legacyId });
      expect(result?.content).toEqual([{ type: 'text', text: `released:${gateId}` }]);
      expect((await other.ok('tasks/get', { taskId: otherTask.taskId as string })).status).toBe('working');
      await release(other, gateId);
      await pollTask(other, otherTask.taskId as string, status('completed'));
      expect([...legacy.violations, ...modern.violations, ...other.violations]).toEqual([]);
    } finally {
      await target.stop();
    }
  });
});
