// The bench's lean Streamable HTTP link (harness/transport/lean-http-link.ts) against the embedded
// reference server over HTTP: the session id, JSON and SSE responses (notifications before the response
// on its SSE stream), a notification's 202 and an error status, HTTP error statuses as
// requestFailed, abortRequest, the DELETE of terminate, the intake limit, the 2026-07-28 listen stream,
// and no server process left after dispose.
import { existsSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EXT, EXT_E, NOEXT } from '../../harness/modern/envelope.js';
import type { JsonObject } from '../../harness/scenario.js';
import { LeanHttpLink } from '../../harness/transport/lean-http-link.js';
import type { LinkEvents, RequestId } from '../../harness/transport/link.js';
import { isAlive } from '../../harness/transport/proc.js';
import type { Target } from '../../harness/transport/target.js';
import { createTarget, REFERENCE_SERVER_MAIN, referenceServerSpec } from '../../harness/transport/targets.js';
import { WireLog } from '../../harness/transport/wire.js';
import { spawnHttpServer, unique, type HttpServerProcess } from '../helpers/ref-client.js';

const targets: Target[] = [];
const links: LeanHttpLink[] = [];
afterEach(async () => {
  await Promise.all(links.splice(0).map((l) => l.close()));
  await Promise.all(targets.splice(0).map((t) => t.dispose()));
});

function leanTarget(wire = new WireLog()): Target {
  const t = createTarget({ spec: referenceServerSpec('http'), wire, requestTimeoutMs: 20_000, startTimeoutMs: 30_000, lean: true });
  targets.push(t);
  return t;
}

/** A bare link with recorded events; `request` resolves each request's outcome (message or failure). */
function bareLink(url: string, token: string, maxMessageBytes = 1024 * 1024) {
  const link = new LeanHttpLink({
    url,
    headers: { Authorization: `Bearer ${token}` },
    requestTimeoutMs: 10_000,
    limits: { maxMessageBytes, maxServerMessages: 1000 },
  });
  links.push(link);
  const waiting = new Map<RequestId, (o: { message?: JsonObject; failure?: string }) => void>();
  const overLimit: string[] = [];
  const events: LinkEvents = {
    message: (m) => waiting.get((m as JsonObject).id as RequestId)?.({ message: m as JsonObject }),
    note: () => undefined,
    requestFailed: (id, reason) => waiting.get(id)?.({ failure: reason }),
    overLimit: (reason) => overLimit.push(reason),
    closed: () => undefined,
  };
  const request = (id: number, method: string, params: JsonObject = {}) =>
    new Promise<{ message?: JsonObject; failure?: string }>((resolve) => {
      waiting.set(id, resolve);
      void link.send({ jsonrpc: '2.0', id, method, params });
    });
  return { link, events, request, overLimit };
}

const INIT = { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'lean-link-test', version: '0' } };

describe.skipIf(!existsSync(REFERENCE_SERVER_MAIN()))('lean HTTP link on the reference server', () => {
  it('session id, JSON and SSE answers, messages before the response, abortRequest, no process left', async () => {
    const wire = new WireLog();
    const t = leanTarget(wire);
    const s = await t.connect();
    expect(s.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    const created = await s.request('tools/call', { name: 'gated_job', arguments: { gateId: 'lean' }, task: { ttl: 60_000 } });
    // A tools/call that only creates a task is answered as JSON (reference-server/http.ts); tasks/result streams.
    expect(created.kind === 'result' && created.http?.contentType).toMatch(/^application\/json/);
    const taskId = (created.kind === 'result' && (created.result.task as { taskId: string }).taskId) as string;
    const got = await s.request('tasks/get', { taskId });
    expect(got.kind === 'result' && got.result.status).toBe('working');
    expect(got.kind === 'result' && got.http?.contentType).toMatch(/^application\/json/);

    // A dropped blocking tasks/result: no failure reported, and the task goes on (a drop is not a cancel).
    const ctrl = new AbortController();
    const dropped = s.request('tasks/result', { taskId }, { signal: ctrl.signal });
    ctrl.abort();
    expect(await dropped).toMatchObject({ kind: 'closed', reason: 'aborted by the client' });

    await s.request('tools/call', { name: 'release_gate', arguments: { gateId: 'lean', outcome: 'success' } });
    const final = await s.request('tasks/result', { taskId });
    expect(final.kind === 'result' && final.http?.contentType).toMatch(/^text\/event-stream/);
    expect(final.kind === 'result' && (final.result.content as { text: string }[])[0]?.text).toBe('released:lean');

    // Messages before the response on the request's own SSE stream, each delivered, in order.
    const progress = await s.request('tools/call', {
      name: 'progress_job',
      arguments: { steps: 2, intervalSeconds: 0 },
      _meta: { progressToken: 'p' },
    });
    expect(progress.kind === 'result' && (progress.result.content as { text: string }[])[0]?.text).toBe('done');
    const stream = wire.entries().filter((e) => e.channel === `POST ${progress.id}` && e.dir === 'recv' && e.note === undefined);
    expect(stream.map((e) => (e.message as JsonObject).method ?? 'response')).toEqual([
      'notifications/progress',
      'notifications/progress',
      'response',
    ]);

    const pid = t.serverPids()[0]!;
    await t.dispose();
    expect(isAlive(pid)).toBe(false);
    expect(s.closed).toBe(true);
  });
});

describe.skipIf(!existsSync(REFERENCE_SERVER_MAIN()))('lean HTTP link: statuses, DELETE, limits, the 2026-07-28 era', () => {
  const token = unique('token');
  let server: HttpServerProcess;
  beforeAll(async () => {
    server = await spawnHttpServer(['--auth-token', token]);
  });
  afterAll(async () => server?.stop());

  it('a notification is answered 202 (send resolves); HTTP errors become requestFailed or a rejected send', async () => {
    const { link, events, request } = bareLink(server.url, token);
    await link.start(events);
    const init = await request(1, 'initialize', INIT);
    expect(init.message?.result).toBeDefined();
    expect(link.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    link.setProtocolVersion('2025-11-25');
    await expect(link.send({ jsonrpc: '2.0', method: 'notifications/initialized' })).resolves.toBeUndefined();
    expect((await request(2, 'ping')).message?.result).toEqual({});

    const wrongToken = bareLink(server.url, 'not-the-token');
    await wrongToken.link.start(wrongToken.events);
    const refused = await wrongToken.request(1, 'initialize', INIT);
    expect(refused.failure).toMatch(/^HTTP 401 Unauthorized \(check the bearer token\): /);
    expect(refused.failure).not.toContain('\n');
    await expect(wrongToken.link.send({ jsonrpc: '2.0', method: 'notifications/initialized' })).rejects.toThrow(/HTTP 401/);
  });

  it('terminate sends DELETE with the session id: the server forgets the session', async () => {
    const { link, events, request } = bareLink(server.url, token);
    await link.start(events);
    await request(1, 'initialize', INIT);
    const sessionId = link.sessionId!;
    await link.terminate();
    const after = await fetch(server.url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': sessionId,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'ping' }),
    });
    expect(after.status).toBe(404);
    await expect(link.send({ jsonrpc: '2.0', id: 2, method: 'ping' })).rejects.toThrow(/closed/);
  });

  it('a body over the size cap ends the session through overLimit', async () => {
    const { link, events, request, overLimit } = bareLink(server.url, token, 200);
    await link.start(events);
    void request(1, 'initialize', INIT);
    await expect.poll(() => overLimit.length).toBe(1);
    expect(overLimit[0]).toMatch(/exceeded 200 bytes/);
  });

  it('2026-07-28: an error status delivers its JSON-RPC error; subscriptions/listen delivers notifications as they come', async () => {
    const t = createTarget({
      spec: { kind: 'http', url: server.url, tokens: [token] },
      wire: new WireLog(),
      requestTimeoutMs: 20_000,
      startTimeoutMs: 30_000,
      lean: true,
    });
    targets.push(t);
    const c = await t.connectModern({ settleMs: 5000 });
    // A header that contradicts the body: -32020 with HTTP 400, its JSON-RPC error in the body.
    const refused = await c.request('tasks/get', { taskId: 'any' }, { caps: EXT, headers: { 'mcp-method': 'tasks/cancel' } });
    expect(refused.kind === 'error' && [refused.error.code, refused.http?.status]).toEqual([-32020, 400]);
    const gateId = unique('listen');
    const created = await c.request('tools/call', { name: 'gated_job', arguments: { gateId } }, { caps: EXT_E });
    const taskId = (created.kind === 'result' && created.result.taskId) as string;
    const sub = await c.listen({ taskIds: [taskId] });
    expect(await sub.next((n) => n.method === 'notifications/subscriptions/acknowledged', 10_000)).toBeDefined();
    await c.request('tools/call', { name: 'release_gate', arguments: { gateId, outcome: 'success' } }, { caps: NOEXT });
    const done = await sub.next((n) => n.method === 'notifications/tasks' && n.params.status === 'completed', 10_000);
    expect(done?.channel).toBe(`POST ${sub.id}`);
    await sub.close();
    expect((await sub.answer).kind).toBe('closed');
  });
});
