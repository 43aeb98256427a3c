// Security limits of the reference server over HTTP (in-process, loopback binds only): DNS-rebinding
// protection on a bind address that is not a loopback literal, requests without Host, idle session
// expiry, the active-task limit per principal (or in all without auth), the cap on retained finished
// tasks, and fixture gates scoped to their principal.
import { request as httpRequest } from 'node:http';
import { connect as tcpConnect } from 'node:net';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { startReferenceServer, type RunningReferenceServer, type StartOptions } from '../../reference-server/start.js';
import { TestClient, unique, type Json } from '../helpers/ref-client.js';
import { createTask, gateState, getTask, pollGate, release } from './suite.js';

const running: RunningReferenceServer[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(running.splice(0).map((r) => r.close()));
});

async function start(options: Partial<StartOptions> = {}): Promise<RunningReferenceServer> {
  const server = await startReferenceServer({ transport: 'http', port: 0, ...options });
  running.push(server);
  return server;
}

async function client(server: RunningReferenceServer, token?: string): Promise<TestClient> {
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  const c = new TestClient(new StreamableHTTPClientTransport(new URL(server.url!), { requestInit: { headers } }), `sec#${clients.length}`);
  clients.push(c);
  return c.open();
}

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
});

interface RawResponse {
  status: number;
  session?: string;
  /** The whole body, once the response ends. */
  text: Promise<string>;
}

/** A raw POST with exactly these headers (fetch may not set Host); resolves when the response headers arrive. */
function rawStream(url: string, headers: Record<string, string>, body = INITIALIZE): Promise<RawResponse> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: u.hostname.replace(/^\[|\]$/g, ''),
        port: u.port,
        path: u.pathname,
        method: 'POST',
        setHost: false,
        headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers },
      },
      (res) => {
        const text = new Promise<string>((done) => {
          let all = '';
          res.on('data', (d: Buffer) => (all += d.toString()));
          res.on('end', () => done(all));
        });
        resolve({ status: res.statusCode ?? 0, session: res.headers['mcp-session-id'] as string | undefined, text });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A raw POST read to its end. */
async function rawPost(url: string, headers: Record<string, string>, body = INITIALIZE) {
  const res = await rawStream(url, headers, body);
  return { ...res, text: await res.text };
}

/** An HTTP/1.0 request with no Host header at all. */
function postWithoutHost(url: string): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port) }, () => {
      socket.end(
        `POST ${u.pathname} HTTP/1.0\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n` +
          `Content-Length: ${Buffer.byteLength(INITIALIZE)}\r\n\r\n${INITIALIZE}`,
      );
    });
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString()));
    socket.on('end', () => resolve(text.split('\r\n')[0]!));
    socket.on('error', reject);
  });
}

describe('DNS-rebinding protection on every bind address', () => {
  it.each(['::ffff:127.0.0.1', '127.0.0.2'])('bound to %s: foreign Host or Origin is refused, own names are served', async (host) => {
    const server = await start({ host });
    const url = server.url!;
    const port = new URL(url).port;
    const own = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    const evil = await rawPost(url, { Host: 'evil.example', Origin: 'http://evil.example' });
    expect(evil.status).toBe(403);
    expect(evil.session).toBeUndefined();
    expect((await rawPost(url, { Host: 'evil.example' })).status).toBe(403);
    expect((await rawPost(url, { Host: own, Origin: 'http://evil.example' })).status).toBe(403);
    expect((await rawPost(url, { Host: `evil.example@${own}` })).status).toBe(403);
    expect(await postWithoutHost(url)).toMatch(/^HTTP\/1\.1 400/);
    for (const name of [own, new URL(url).host, `localhost:${port}`, `127.0.0.1:${port}`]) {
      const ok = await rawPost(url, { Host: name, Origin: `http://${name}` });
      expect(ok.status, name).toBe(200);
      expect(ok.session, name).toBeTruthy();
    }
  });

  it('--allowed-host and --allowed-origin extend the allow-list', async () => {
    const server = await start({ allowedHosts: ['mcp.test'], allowedOrigins: ['https://app.example'] });
    const port = new URL(server.url!).port;
    expect((await rawPost(server.url!, { Host: `mcp.test:${port}`, Origin: 'https://app.example' })).status).toBe(200);
    expect((await rawPost(server.url!, { Host: `mcp.test:${port}`, Origin: `http://mcp.test:${port}` })).status).toBe(200);
    expect((await rawPost(server.url!, { Host: 'mcp.test:1' })).status).toBe(403);
    expect((await rawPost(server.url!, { Host: `localhost:${port}`, Origin: 'https://other.example' })).status).toBe(403);
  });
});

describe('idle HTTP sessions', () => {
  /** A server whose session expiries can be awaited (they are logged in the audit log). */
  async function withExpiryLog(idleMs: number) {
    const waiting = new Map<string, () => void>();
    const expired = new Set<string>();
    const server = await start({
      sessionIdleTimeoutMs: idleMs,
      verbose: true,
      log: (line) => {
        const id = /http session (\S+) expired/.exec(line)?.[1];
        if (!id) return;
        expired.add(id);
        waiting.get(id)?.();
      },
    });
    const expiry = (id: string) =>
      new Promise<void>((resolve) => {
        if (expired.has(id)) resolve();
        else waiting.set(id, resolve);
      });
    return { server, expiry };
  }

  const own = (server: RunningReferenceServer) => ({ Host: new URL(server.url!).host });
  const inSession = (server: RunningReferenceServer, session: string) => ({
    ...own(server),
    'mcp-session-id': session,
    'mcp-protocol-version': '2025-11-25',
  });
  const call = (id: number | string, method: string, params: Json = {}) => JSON.stringify({ jsonrpc: '2.0', id, method, params });

  it('a session with nothing open expires after the timeout: its id then answers 404', async () => {
    const { server, expiry } = await withExpiryLog(50);
    const opened = await rawPost(server.url!, own(server));
    await expiry(opened.session!);
    expect((await rawPost(server.url!, inSession(server, opened.session!), call(2, 'ping'))).status).toBe(404);
  });

  it('a session with a stream open does not expire', async () => {
    // A is idle between its requests (initialize, create, tasks/result): 50 ms could pass there on a loaded
    // machine and expire A before its stream opens, so this test's timeout is a second.
    const { server, expiry } = await withExpiryLog(1000);
    const a = (await rawPost(server.url!, own(server))).session!;
    const gateId = unique('idle');
    const created = await rawPost(
      server.url!,
      inSession(server, a),
      call(2, 'tools/call', { name: 'gated_job', arguments: { gateId }, task: {} }),
    );
    const taskId = /"taskId":"([^"]+)"/.exec(created.text)![1]!;
    // A's tasks/result stream stays open until the gate is released.
    const result = await rawStream(server.url!, inSession(server, a), call(3, 'tasks/result', { taskId }));
    expect(result.status).toBe(200);
    // B, opened later and idle, expires: by then A has been busy for longer than the timeout.
    const b = (await rawPost(server.url!, own(server))).session!;
    await expiry(b);
    expect((await rawPost(server.url!, inSession(server, a), call(5, 'ping'))).status).toBe(200);
    await rawPost(server.url!, inSession(server, a), call(6, 'tools/call', { name: 'release_gate', arguments: { gateId } }));
    expect(await result.text).toContain(`released:${gateId}`);
  });
});

describe('active-task limit and retained tasks', () => {
  const busy = (c: TestClient) => c.request('tools/call', { name: 'gated_job', arguments: { gateId: unique('q') }, task: {} });

  it('without auth, the limit counts the tasks of all sessions together', async () => {
    const server = await start({ limits: { maxActiveTasksPerOwner: 2 } });
    const [s1, s2, s3] = [await client(server), await client(server), await client(server)];
    expect((await busy(s1)).result?.task).toBeDefined();
    expect((await busy(s2)).result?.task).toBeDefined();
    const refused = await busy(s3);
    expect(refused.error?.code).toBe(-32602);
    expect(refused.error?.message).toMatch(/too many active tasks.*limit 2/);
  });

  it('with auth, each principal has its own limit, whatever the number of its sessions', async () => {
    const server = await start({ authTokens: ['token-a', 'token-b'], limits: { maxActiveTasksPerOwner: 2 } });
    const a = [await client(server, 'token-a'), await client(server, 'token-a'), await client(server, 'token-a')];
    const gate = unique('freed');
    const first = await createTask(a[0]!, 'gated_job', { gateId: gate });
    expect((await busy(a[1]!)).result?.task).toBeDefined();
    expect((await busy(a[2]!)).error?.message).toMatch(/too many active tasks for this principal \(limit 2\)/);
    const b = await client(server, 'token-b');
    expect((await busy(b)).result?.task).toBeDefined();
    // A slot is freed when a task ends.
    await release(a[0]!, gate);
    await a[0]!.ok('tasks/result', { taskId: first.taskId });
    expect((await busy(a[2]!)).result?.task).toBeDefined();
  });

  it('keeps at most maxFinishedTasks finished tasks per principal, purging the earliest finished first', async () => {
    const server = await start({ maxFinishedTasks: 2 });
    const c = await client(server);
    const ids: string[] = [];
    for (const label of ['one', 'two', 'three']) {
      const task = await createTask(c, 'slow_compute', { seconds: 0, label });
      await c.ok('tasks/result', { taskId: task.taskId });
      ids.push(task.taskId as string);
    }
    expect((await getTask(c, ids[0])).error?.code).toBe(-32602);
    expect((await getTask(c, ids[1])).result?.status).toBe('completed');
    expect((await getTask(c, ids[2])).result?.status).toBe('completed');
  });
});

describe('fixture gates', () => {
  it("are scoped to the principal: another principal can neither release nor see a principal's gate", async () => {
    const server = await start({ authTokens: ['token-a', 'token-b'] });
    const a = await client(server, 'token-a');
    const b = await client(server, 'token-b');
    const gateId = unique('scoped');
    const task = await createTask(a, 'gated_job', { gateId });
    await pollGate(a, gateId, 'waiting');
    expect(await gateState(b, gateId)).toBe('unknown');
    await release(b, gateId);
    expect(await gateState(a, gateId)).toBe('waiting');
    expect((await getTask(a, task.taskId)).result?.status).toBe('working');
    await release(a, gateId);
    expect((await a.ok('tasks/result', { taskId: task.taskId })).content).toEqual([{ type: 'text', text: `released:${gateId}` }]);
  });
});
