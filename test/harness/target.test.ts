// Targets: spawning, restarting, disposing (no process may outlive dispose), start-up errors, and a
// real third-party server (@modelcontextprotocol/server-everything) over stdio and HTTP.
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive } from '../../harness/transport/proc.js';
import { TargetError, type Target, type TargetSpec } from '../../harness/transport/target.js';
import { createTarget, REFERENCE_SERVER_MAIN, referenceServerSpec, targetLabel } from '../../harness/transport/targets.js';
import type { Session } from '../../harness/scenario.js';
import { WireLog } from '../../harness/transport/wire.js';
import { everythingHttp, everythingStdio, tinyHttp, tinyStdio } from '../helpers/servers.js';

const targets: Target[] = [];
afterEach(async () => {
  await Promise.all(targets.splice(0).map((t) => t.dispose()));
});

function open(spec: TargetSpec, startTimeoutMs = 30_000, wire = new WireLog()): Target {
  const t = createTarget({ spec, wire, requestTimeoutMs: 20_000, startTimeoutMs });
  targets.push(t);
  return t;
}

const stdioPids = (t: Target) => t.serverPids();
const httpPid = (t: Target) => t.serverPids()[0];
const greet = async (s: Session) => {
  const o = await s.request('tools/call', { name: 'greet', arguments: { name: 'x' } });
  return o.kind === 'result' ? (o.result.content as { text: string }[])[0]?.text : o.kind;
};

describe('stdio target', () => {
  it('spawns one process per connect and kills them all on dispose', async () => {
    const t = open(tinyStdio());
    expect(t.transport).toBe('stdio');
    expect(t.canRestart).toBe(true);
    expect(t.principals).toBe(0);
    expect(t.label).toMatch(/^stdio: /);
    const a = await t.connect();
    const b = await t.connect();
    expect(a.name).not.toBe(b.name);
    const pids = stdioPids(t);
    expect(pids).toHaveLength(2);
    await t.dispose();
    await t.dispose(); // idempotent
    for (const p of pids) expect(isAlive(p)).toBe(false);
    // A session closes on the process's 'close' event, which may come just after its 'exit'.
    await expect.poll(() => a.closed && b.closed, { timeout: 10_000 }).toBe(true);
    expect(t.exitInfo()).toBeUndefined(); // we stopped it: not unexpected
  });

  it('exitInfo is the latest unexpected exit, or the latest of the given sessions', async () => {
    const t = open(tinyStdio());
    const a = await t.connect();
    const b = await t.connect();
    expect((await a.request('tools/call', { name: 'crash', arguments: {} })).kind).toBe('closed');
    await expect.poll(() => t.exitInfo(), { timeout: 10_000 }).toEqual({ code: 3, signal: null });
    const first = t.exitInfo();
    expect(t.exitInfo(new Set([b.name]))).toBeUndefined();
    expect((await b.request('tools/call', { name: 'crash', arguments: {} })).kind).toBe('closed');
    await expect.poll(() => t.exitInfo(), { timeout: 10_000 }).not.toBe(first);
    expect(t.exitInfo(new Set([a.name]))).toBe(first);
    expect(t.exitInfo(new Set([b.name]))).toBe(t.exitInfo());
  });

  it('escalates to SIGKILL for a server that ignores stdin EOF and SIGTERM', async () => {
    const t = open(tinyStdio('--ignore-term'));
    await t.connect();
    const [pid] = stdioPids(t);
    await t.dispose();
    expect(isAlive(pid!)).toBe(false);
  });

  it('restart() kills every process; the next connect spawns a new one', async () => {
    const t = open(tinyStdio());
    const a = await t.connect();
    const [before] = stdioPids(t);
    await t.restart();
    expect(isAlive(before!)).toBe(false);
    await expect.poll(() => a.closed, { timeout: 10_000 }).toBe(true);
    expect((await a.request('ping')).kind).toBe('closed');
    const b = await t.connect();
    expect(await greet(b)).toBe('Hello, x!');
    expect(stdioPids(t)).not.toContain(before);
  });

  it("restart(connections) kills only those sessions' processes", async () => {
    const t = open(tinyStdio());
    const a = await t.connect();
    const b = await t.connect();
    await t.restart(new Set([a.name]));
    await expect.poll(() => a.closed, { timeout: 10_000 }).toBe(true);
    expect(b.closed).toBe(false);
    expect(await greet(b)).toBe('Hello, x!');
    expect(stdioPids(t)).toHaveLength(1);
  });

  it('reports a missing command and a non-MCP command as one-line TargetErrors', async () => {
    await expect(open({ kind: 'stdio', command: '/no/such/server-binary', args: [] }).connect()).rejects.toThrow(TargetError);
    await expect(open({ kind: 'stdio', command: '/no/such/server-binary', args: [] }).connect()).rejects.toThrow(
      /not found|cannot start|ENOENT/,
    );
    const silent = open(
      { kind: 'stdio', command: process.execPath, args: ['-e', 'console.error("warming up"); setInterval(() => {}, 1000)'] },
      1500,
    );
    const err = await silent.connect().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TargetError);
    expect((err as Error).message).toMatch(/no answer to initialize/);
    expect((err as Error).message).not.toContain('\n');
  });

  it('reports an exit during initialize with the stderr tail', async () => {
    const t = open({ kind: 'stdio', command: process.execPath, args: ['-e', 'console.error("bad config: missing key"); process.exit(4)'] });
    const err = (await t.connect().catch((e: unknown) => e)) as TargetError;
    expect(err).toBeInstanceOf(TargetError);
    expect(err.message).toMatch(/exit code 4/);
    expect(err.message).toContain('bad config: missing key');
  });
});

describe('http-command target', () => {
  it('starts the command, reads its endpoint, restarts it and kills it on dispose', async () => {
    const t = open(tinyHttp());
    expect(t.transport).toBe('http');
    expect(t.canRestart).toBe(true);
    const a = await t.connect();
    expect(await greet(a)).toBe('Hello, x!');
    const first = httpPid(t)!;
    expect(isAlive(first)).toBe(true);
    await t.restart();
    expect(isAlive(first)).toBe(false);
    expect(a.closed).toBe(true);
    const b = await t.connect();
    expect(await greet(b)).toBe('Hello, x!');
    const second = httpPid(t)!;
    expect(second).not.toBe(first);
    await t.dispose();
    expect(isAlive(second)).toBe(false);
  });

  it('notices a server that dies and reports it via exitInfo', async () => {
    const t = open(tinyHttp());
    const s = await t.connect();
    const o = await s.request('tools/call', { name: 'crash', arguments: {} });
    expect(o.kind).toBe('closed');
    await expect.poll(() => t.exitInfo(), { timeout: 10_000 }).toEqual({ code: 3, signal: null });
  });

  it('fails with the output when the command exits before printing its endpoint', async () => {
    const t = open({ kind: 'http-command', command: process.execPath, args: ['-e', 'console.error("port in use"); process.exit(1)'] });
    await expect(t.connect()).rejects.toThrow(/exited \(exit code 1\).*port in use/);
  });
});

describe('deployment target', () => {
  it('--instances: endpoints are separate instances; killEndpoint kills one and the next connect starts it again', async () => {
    const one = tinyHttp();
    const spec: TargetSpec = { kind: 'deployment', endpoints: [one, one, one] };
    const t = open(spec);
    expect(t.endpoints).toBe(3);
    expect(t.canRestart).toBe(true);
    expect(targetLabel(spec)).toMatch(/^http: 3 instances of /);
    const sessions = await Promise.all([0, 1, 2].map((endpoint) => t.connect({ endpoint })));
    for (const s of sessions) expect(await greet(s)).toBe('Hello, x!');
    const pids = t.serverPids();
    expect(new Set(pids).size).toBe(3);
    await t.killEndpoint!(2);
    expect(sessions[2]!.closed).toBe(true);
    expect(sessions[0]!.closed).toBe(false);
    expect(t.exitInfo()).toBeUndefined();
    expect(await greet(await t.connect({ endpoint: 2 }))).toBe('Hello, x!');
    await expect(t.connect({ endpoint: 3 })).rejects.toThrow(/no endpoint 3/);
    const all = t.serverPids();
    await t.dispose();
    for (const pid of all) expect(isAlive(pid)).toBe(false);
  });

  it('a single target refuses another endpoint', async () => {
    await expect(open(tinyHttp()).connect({ endpoint: 1 })).rejects.toThrow(/one endpoint only/);
  });
});

describe('http target', () => {
  it('says the server is not running when the URL refuses connections', async () => {
    // A port that was just free: connection refused.
    const { createServer } = await import('node:net');
    const port = await new Promise<number>((r) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => r(p));
      });
    });
    const url = `http://127.0.0.1:${port}/mcp`;
    const t = open({ kind: 'http', url });
    expect(t.canRestart).toBe(false);
    expect(targetLabel({ kind: 'http', url })).toBe(`http: ${url}`);
    await expect(t.connect()).rejects.toThrow(`cannot reach ${url} (ECONNREFUSED): is the server running?`);
    await expect(t.restart()).rejects.toThrow(TargetError);
  });
});

describe('server-everything', () => {
  it('works over stdio', async () => {
    const t = open(everythingStdio());
    const s = await t.connect();
    expect(s.protocolVersion).toBe('2025-11-25');
    const o = await s.request('tools/list', {});
    expect(o.kind).toBe('result');
    if (o.kind === 'result') expect((o.result.tools as { name: string }[]).map((x) => x.name)).toContain('echo');
    const echo = await s.request('tools/call', { name: 'echo', arguments: { message: 'hi' } });
    expect(echo.kind).toBe('result');
  });

  it('works over Streamable HTTP and records SSE event ids', async () => {
    const wire = new WireLog();
    const t = open(everythingHttp(), 30_000, wire);
    const s = await t.connect();
    expect(s.sessionId).toBeTruthy();
    const echo = await s.request('tools/call', { name: 'echo', arguments: { message: 'hi' } });
    expect(echo.kind).toBe('result');
    const resp = wire.entries().find((e) => e.dir === 'recv' && e.answers?.method === 'tools/call');
    expect(resp?.channel).toBe(`POST ${echo.id}`);
    expect(resp?.eventId).toBeTruthy();
    const pid = httpPid(t)!;
    await t.dispose();
    expect(isAlive(pid)).toBe(false);
  });
});

describe.skipIf(!existsSync(REFERENCE_SERVER_MAIN()))('embedded reference server', () => {
  it.each(['stdio', 'http'] as const)('connects over %s; a dropped tasks/result does not cancel the task', async (transport) => {
    const t = open(referenceServerSpec(transport));
    expect(t.principals).toBe(transport === 'http' ? 2 : 0);
    const s = await t.connect();
    const created = await s.request('tools/call', { name: 'gated_job', arguments: { gateId: 'drop' }, task: { ttl: 60_000 } });
    expect(created.kind).toBe('result');
    const taskId = (created as unknown as { result: { task: { taskId: string } } }).result.task.taskId;
    const ctrl = new AbortController();
    const pending = s.request('tasks/result', { taskId }, { signal: ctrl.signal });
    ctrl.abort();
    expect((await pending).kind).toBe('closed');
    const got = await s.request('tasks/get', { taskId });
    expect(got.kind === 'result' && got.result.status).toBe('working');
    await s.request('tools/call', { name: 'release_gate', arguments: { gateId: 'drop' } });
    const final = await s.request('tasks/result', { taskId });
    expect(final.kind === 'result' && (final.result.content as { text: string }[])[0]?.text).toBe('released:drop');
    if (transport === 'http') {
      const other = await t.connect({ principal: 1 });
      expect((await other.request('tasks/get', { taskId })).kind).not.toBe('result');
    }
  });
});
