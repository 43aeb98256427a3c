// Session over real servers: the tiny SDK server (test/helpers/tiny-server.mjs) over stdio and HTTP
// (SSE and JSON response modes). Completion is controlled by gates, never by sleeps.
import { afterEach, describe, expect, it } from 'vitest';
import type { WireEntry } from '../../harness/checks.js';
import type { Target, TargetSpec } from '../../harness/transport/target.js';
import { createTarget } from '../../harness/transport/targets.js';
import type { McpSession } from '../../harness/transport/session.js';
import type { JsonObject, RpcOutcome, Session } from '../../harness/scenario.js';
import { WireLog } from '../../harness/transport/wire.js';
import { tinyHttp, tinyStdio } from '../helpers/servers.js';

const targets: Target[] = [];
afterEach(async () => {
  await Promise.all(targets.splice(0).map((t) => t.dispose()));
});

function open(spec: TargetSpec, wire = new WireLog(), requestTimeoutMs = 20_000): { target: Target; wire: WireLog } {
  const target = createTarget({ spec, wire, requestTimeoutMs, startTimeoutMs: 30_000 });
  targets.push(target);
  return { target, wire };
}

const call = (s: Session, name: string, args: JsonObject = {}, timeoutMs?: number, signal?: AbortSignal) =>
  s.request('tools/call', { name, arguments: args }, { timeoutMs, signal });
const text = (o: RpcOutcome) => (o.kind === 'result' ? ((o.result.content as { text: string }[])[0]?.text ?? '') : `(${o.kind})`);
const sent = (wire: WireLog, method: string) =>
  wire.entries().filter((e) => e.dir === 'send' && (e.message as { method?: string } | undefined)?.method === method);

const VARIANTS: [string, () => TargetSpec][] = [
  ['stdio', () => tinyStdio()],
  ['http (SSE)', () => tinyHttp()],
];

describe.each(VARIANTS)('session over %s', (_label, spec) => {
  it('initializes with 2025-11-25, our clientInfo and default capabilities, then sends initialized', async () => {
    const { target, wire } = open(spec());
    const s = await target.connect();
    expect(s.protocolVersion).toBe('2025-11-25');
    expect(s.serverCapabilities).toHaveProperty('tools');
    const init = sent(wire, 'initialize')[0]!;
    expect(init.message).toMatchObject({
      params: { protocolVersion: '2025-11-25', clientInfo: { name: 'sep1686-check' }, capabilities: { elicitation: { form: {} } } },
    });
    expect((init.message as { params: { capabilities: JsonObject } }).params.capabilities).not.toHaveProperty('tasks');
    expect(sent(wire, 'notifications/initialized')).toHaveLength(1);
    const response = wire.entries().find((e) => e.dir === 'recv' && e.answers?.method === 'initialize');
    expect(response?.connection).toBe(s.name);
  });

  it('returns results and JSON-RPC errors as outcomes, with answers recorded', async () => {
    const { target, wire } = open(spec());
    const s = await target.connect();
    const ok = await call(s, 'greet', { name: 'Bob' });
    expect(text(ok)).toBe('Hello, Bob!');
    const err = await s.request('no/such/method', {});
    expect(err.kind).toBe('error');
    if (err.kind === 'error') expect(err.error.code).toBe(-32601);
    const answered = wire.entries().filter((e) => e.dir === 'recv' && e.answers?.method === 'tools/call');
    expect(answered[0]?.answers?.params).toMatchObject({ name: 'greet' });
  });

  it('times out a request and cancels exactly that request id', async () => {
    const { target, wire } = open(spec());
    const s = await target.connect();
    const o = await call(s, 'gated_job', { gateId: 'never' }, 300);
    expect(o.kind).toBe('timeout');
    // The cancel notification is sent right after the timeout resolves; wait for it deterministically.
    await expect.poll(() => sent(wire, 'notifications/cancelled').length, { timeout: 10_000 }).toBe(1);
    expect(sent(wire, 'notifications/cancelled')[0]!.message).toMatchObject({ params: { requestId: o.id } });
    // The session keeps working.
    expect(text(await call(s, 'greet', { name: 'x' }))).toBe('Hello, x!');
  });

  it('answers elicitations by default with "Ada" and records the server request', async () => {
    const { target } = open(spec());
    const s = await target.connect();
    const o = await call(s, 'ask');
    expect(text(o)).toBe('hello:Ada');
    const reqs = s.serverRequests();
    expect(reqs).toHaveLength(1);
    expect(reqs[0]!.method).toBe('elicitation/create');
    expect(reqs[0]!.channel).toBe(s.transport === 'http' ? `POST ${o.id}` : 'stdio');
  });

  it('lets a handler hold an elicitation answer and reply later', async () => {
    const { target } = open(spec());
    const s = await target.connect();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    s.onServerRequest(async () => {
      await held;
      return { action: 'decline' };
    });
    const pending = call(s, 'ask');
    const req = await s.waitForServerRequest((r) => r.method === 'elicitation/create', 15_000);
    expect(req).toBeDefined();
    release();
    expect(text(await pending)).toBe('declined');
  });

  it('keeps notifications and finds them with waitForNotification', async () => {
    const { target } = open(spec());
    const s = await target.connect();
    expect(text(await call(s, 'notify'))).toBe('notified');
    const n = await s.waitForNotification((x) => x.method === 'notifications/message', 10_000);
    expect(n?.params).toMatchObject({ data: 'hi' });
    expect(s.notifications().map((x) => x.method)).toContain('notifications/message');
  });

  it('resolves pending requests as closed when the server dies mid-request', async () => {
    const { target } = open(spec());
    const s = await target.connect();
    const o = await call(s, 'crash');
    expect(o.kind).toBe('closed');
    if (s.transport === 'stdio') {
      expect(s.closed).toBe(true);
      expect(target.exitInfo()).toEqual({ code: 3, signal: null });
    }
  });

  it('drops a request on abort without cancelling it; the work goes on', async () => {
    const { target, wire } = open(spec());
    const s = await target.connect();
    const ctrl = new AbortController();
    const dropped = call(s, 'gated_job', { gateId: 'g1' }, undefined, ctrl.signal);
    ctrl.abort();
    const o = await dropped;
    expect(o.kind).toBe('closed');
    if (o.kind === 'closed') expect(o.reason).toMatch(/aborted/);
    expect(text(await call(s, 'release_gate', { gateId: 'g1' }))).toBe('ok');
    expect(text(await call(s, 'gated_job', { gateId: 'g1' }))).toBe('released:g1');
    expect(sent(wire, 'notifications/cancelled')).toHaveLength(0);
  });
});

describe('session over stdio: noise and process handling', () => {
  it('records non-JSON stdout lines as notes and keeps going', async () => {
    const { target, wire } = open(tinyStdio('--noise'));
    const s = await target.connect();
    expect(text(await call(s, 'noisy'))).toBe('still here');
    const noise = wire.entries().filter((e) => e.note?.startsWith('non-JSON output from server'));
    expect(noise.map((e) => e.message)).toEqual(['hello from a noisy server', 'this is not json', '{"broken": ']);
  });

  it('keeps the stderr tail', async () => {
    const { target } = open(tinyStdio());
    await target.connect();
    await expect.poll(() => target.stderrTail(), { timeout: 10_000 }).toContain('tiny server ready');
  });
});

describe('session over HTTP: streams, statuses and auth', () => {
  it('records channels, HTTP statuses, the GET stream and the 202 for our elicitation answer', async () => {
    const { target, wire } = open(tinyHttp());
    const s = (await target.connect()) as McpSession;
    expect(s.sessionId).toBeTruthy();
    const o = await call(s, 'ask');
    expect(o.kind === 'result' && o.http).toEqual({ status: 200, contentType: 'text/event-stream' });
    const mine = wire.entries().filter((e: WireEntry) => e.connection === s.name);
    expect(mine.some((e) => e.channel === 'GET' && e.note?.startsWith('GET stream open'))).toBe(true);
    const response = mine.find((e) => e.answers?.method === 'tools/call')!;
    expect(response.channel).toBe(`POST ${o.id}`);
    expect(response.http?.status).toBe(200);
    const elicitId = s.serverRequests()[0]!.id;
    const post = s.httpPosts().find((p) => p.kind === 'response' && p.id === elicitId);
    expect(post?.status).toBe(202);
  });

  it('handles JSON (non-SSE) responses', async () => {
    const { target, wire } = open(tinyHttp('--json'));
    const s = await target.connect();
    const o = await call(s, 'greet', { name: 'J' });
    expect(text(o)).toBe('Hello, J!');
    expect(o.kind === 'result' && o.http?.contentType).toMatch(/application\/json/);
    expect(wire.entries().find((e) => e.answers?.method === 'tools/call')?.channel).toBe(`POST ${o.id}`);
  });

  it('sends the bearer token of the chosen principal, and fails initialize with a clear error without one', async () => {
    const good = open({ ...tinyHttp('--auth-token', 'tokA', '--auth-token', 'tokB'), tokens: ['tokA', 'tokB'] });
    expect(good.target.principals).toBe(2);
    const b = await good.target.connect({ principal: 1 });
    expect(text(await call(b, 'greet', { name: 'B' }))).toBe('Hello, B!');
    await expect(good.target.connect({ principal: 2 })).rejects.toThrow(/principal 2/);

    const bad = open({ ...tinyHttp('--auth-token', 'tokA'), tokens: ['wrong'] });
    await expect(bad.target.connect()).rejects.toThrow(/HTTP 401/);
  });

  it('terminate() sends DELETE; later requests resolve closed', async () => {
    const { target, wire } = open(tinyHttp());
    const s = await target.connect();
    await s.terminate();
    expect(wire.entries().some((e) => e.connection === s.name && e.channel === 'DELETE' && e.http?.status === 200)).toBe(true);
    expect(s.closed).toBe(true);
    expect((await call(s, 'greet', { name: 'x' })).kind).toBe('closed');
  });
});
