// Streamable HTTP specifics: the endpoint line, response content types, sessions, dropped streams, auth.
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { httpTarget, probeOf, RELATED_TASK, textOf, unique, type Json, type Target, type TestClient } from '../helpers/ref-client.js';
import { createTask, gateState, getTask, pollGate, pollStatus, release } from './suite.js';

type Http = Awaited<ReturnType<typeof httpTarget>>;

const initializeBody = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
};

function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  });
}

function trackViolations(clients: TestClient[]) {
  afterEach(() => {
    for (const client of clients) expect(client.violations, `schema violations seen by ${client.label}`).toEqual([]);
  });
}

describe('Streamable HTTP without auth', () => {
  let target: Http;
  const clients: TestClient[] = [];
  const connect = async (options?: Parameters<Target['connect']>[0]) => {
    const c = await target.connect(options);
    clients.push(c);
    return c;
  };
  beforeAll(async () => {
    target = await httpTarget();
  });
  afterAll(async () => {
    await target?.stop();
  });
  trackViolations(clients);

  it('prints exactly one stdout line: the endpoint on 127.0.0.1', async () => {
    const c = await connect();
    await c.ok('tools/call', { name: 'greet', arguments: { name: 'x' } });
    expect(target.server.stdoutLines).toEqual([`MCP endpoint: ${target.server.url}`]);
    expect(target.server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
  });

  it('answers tasks/get, tasks/list and tasks/cancel as JSON, tasks/result and tools/call as SSE', async () => {
    const c = await connect();
    const probe = probeOf(c)!;
    const gateId = unique('ct');
    const task = await createTask(c, 'gated_job', { gateId });
    const get = c.send('tasks/get', { taskId: task.taskId });
    await get.outcome;
    const list = c.send('tasks/list', {});
    await list.outcome;
    const result = c.send('tasks/result', { taskId: task.taskId });
    const cancel = c.send('tasks/cancel', { taskId: task.taskId });
    await cancel.outcome;
    await result.outcome;
    expect(probe.contentTypes.get(get.id)).toBe('application/json');
    expect(probe.contentTypes.get(list.id)).toBe('application/json');
    expect(probe.contentTypes.get(cancel.id)).toBe('application/json');
    expect(probe.contentTypes.get(result.id)).toBe('text/event-stream');
  });

  it('any session that knows a task id may use it, but tasks/list and notifications stay per session', async () => {
    const a = await connect();
    const b = await connect();
    const gateId = unique('cross');
    const task = await createTask(a, 'gated_job', { gateId });
    const taskId = task.taskId as string;
    expect((await getTask(b, taskId)).result?.status).toBe('working');
    expect(((await b.ok('tasks/list')).tasks as Json[]).map((t) => t.taskId)).not.toContain(taskId);
    expect(((await a.ok('tasks/list')).tasks as Json[]).map((t) => t.taskId)).toContain(taskId);
    await release(b, gateId);
    expect(textOf(await b.ok('tasks/result', { taskId }))).toBe(`released:${gateId}`);
    await a.waitForNotification((n) => n.method === 'notifications/tasks/status' && (n.params as Json).taskId === taskId);
    expect(b.notifications.some((n) => (n.params as Json).taskId === taskId)).toBe(false);
  });

  it('dropping the connection of a pending tasks/result does not cancel the task', async () => {
    const c = await connect();
    const gateId = unique('drop');
    const task = await createTask(c, 'gated_job', { gateId });
    const taskId = task.taskId as string;
    const pending = c.send('tasks/result', { taskId }, 60_000);
    pending.outcome.catch(() => undefined); // its stream is dropped: it is never answered
    await c.until(() => probeOf(c)!.contentTypes.has(pending.id) || undefined, undefined, 'the tasks/result stream');
    probeOf(c)!.drop(pending.id);
    expect((await getTask(c, taskId)).result?.status).toBe('working');
    expect(await gateState(c, gateId)).toBe('waiting');
    await release(c, gateId);
    expect(textOf(await c.ok('tasks/result', { taskId }))).toBe(`released:${gateId}`);
  });

  it('re-delivers an unanswered elicitation on the next tasks/result after a dropped one', async () => {
    const c = await connect();
    const task = await createTask(c, 'confirm_delete', {});
    const taskId = task.taskId as string;
    const first = c.send('tasks/result', { taskId }, 60_000);
    first.outcome.catch(() => undefined);
    await c.waitForServerRequest((r) => r.method === 'elicitation/create');
    probeOf(c)!.drop(first.id);
    await pollStatus(c, taskId, (s) => s === 'input_required');
    const second = c.send('tasks/result', { taskId });
    await c.until(() => c.serverRequests.length === 2 || undefined, undefined, 'a second delivery');
    const again = c.serverRequests[1]!;
    expect(again.params._meta).toEqual({ [RELATED_TASK]: { taskId } });
    await c.respond(again.id, { action: 'accept', content: { name: 'Ada' }, _meta: { [RELATED_TASK]: { taskId } } });
    expect(textOf((await second.outcome).result)).toBe('hello:Ada');
  });

  it('a terminated session answers 404; requests without a session id answer 400', async () => {
    const c = await connect();
    const sessionId = (c.transport as unknown as { sessionId: string }).sessionId;
    await c.close();
    const after = await post(
      target.server.url,
      { jsonrpc: '2.0', id: 2, method: 'ping' },
      { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' },
    );
    expect(after.status).toBe(404);
    const none = await post(target.server.url, { jsonrpc: '2.0', id: 3, method: 'ping' });
    expect(none.status).toBe(400);
  });

  it('rejects a foreign Host or Origin header (DNS rebinding protection)', async () => {
    const { port } = new URL(target.server.url);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/mcp',
          method: 'POST',
          headers: { Host: 'evil.example', 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify(initializeBody));
    });
    expect(status).toBe(403);
    expect((await post(target.server.url, initializeBody, { Origin: 'http://evil.example' })).status).toBe(403);
  });
});

describe('Streamable HTTP with --auth-token (S-AUTH)', () => {
  const tokenA = `a-${randomUUID()}`;
  const tokenB = `b-${randomUUID()}`;
  let target: Http;
  const clients: TestClient[] = [];
  const connect = async (token: string) => {
    const c = await target.connect({ token });
    clients.push(c);
    return c;
  };
  beforeAll(async () => {
    target = await httpTarget(['--auth-token', tokenA, '--auth-token', tokenB]);
  });
  afterAll(async () => {
    await target?.stop();
  });
  trackViolations(clients);

  it('answers 401 without a valid bearer token', async () => {
    expect((await post(target.server.url, initializeBody)).status).toBe(401);
    const wrong = await post(target.server.url, initializeBody, { Authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('binds tasks to their principal: others get -32602 and do not list them', async () => {
    const a = await connect(tokenA);
    const a2 = await connect(tokenA);
    const b = await connect(tokenB);
    const gateId = unique('auth');
    const task = await createTask(a, 'gated_job', { gateId });
    const taskId = task.taskId as string;
    for (const method of ['tasks/get', 'tasks/result', 'tasks/cancel']) {
      expect((await b.request(method, { taskId })).error?.code, method).toBe(-32602);
    }
    expect(((await b.ok('tasks/list')).tasks as Json[]).map((t) => t.taskId)).not.toContain(taskId);
    expect((await getTask(a, taskId)).result?.status).toBe('working');
    // The same principal sees its tasks from any of its sessions.
    expect(((await a2.ok('tasks/list')).tasks as Json[]).map((t) => t.taskId)).toContain(taskId);
    expect((await a2.ok('tasks/cancel', { taskId })).status).toBe('cancelled');
    await pollGate(a, gateId, 'aborted');
  });

  it("refuses a session id used with another principal's token", async () => {
    const a = await connect(tokenA);
    const sessionId = (a.transport as unknown as { sessionId: string }).sessionId;
    const res = await post(
      target.server.url,
      { jsonrpc: '2.0', id: 9, method: 'ping' },
      {
        Authorization: `Bearer ${tokenB}`,
        'mcp-session-id': sessionId,
        'mcp-protocol-version': '2025-11-25',
      },
    );
    expect(res.status).toBe(403);
  });
});
