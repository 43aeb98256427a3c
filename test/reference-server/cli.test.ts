// The command line: flags, usage errors, clean shutdown, stdout discipline, --no-tasks and limits.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { SERVER_MAIN, spawnHttpServer, stdioTarget, stopProcess, textOf, unique, type Json, type Target } from '../helpers/ref-client.js';
import { createTask, pollGate, pollStatus, release } from './suite.js';

const children: ChildProcess[] = [];
const targets: Target[] = [];
afterAll(async () => {
  await Promise.all(targets.map((t) => t.stop()));
  await Promise.all(children.map((c) => stopProcess(c)));
});

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion with the given stdin lines (stdin is closed afterwards). */
function run(args: string[], input: string[] = []): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SERVER_MAIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end(input.map((l) => `${l}\n`).join(''));
  });
}

/** A raw stdio server for lifecycle tests: write lines, read parsed responses by id. */
function rawServer(args: string[] = []) {
  const child = spawn(process.execPath, [SERVER_MAIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  const lines: string[] = [];
  const waiting = new Map<number, (m: Json) => void>();
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    const m = JSON.parse(line) as Json;
    if (typeof m.id === 'number') waiting.get(m.id)?.(m);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let nextId = 1;
  return {
    child,
    lines,
    exited,
    request(method: string, params: Json = {}): Promise<Json> {
      const id = nextId++;
      const answer = new Promise<Json>((resolve) => waiting.set(id, resolve));
      child.stdin!.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
      return answer;
    },
  };
}

const INIT = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '0' } },
});

describe('command line', () => {
  it('--help prints usage and exits 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: sep1686-reference-server/);
  });

  it('--list-faults prints one line per fault', async () => {
    const r = await run(['--list-faults']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^T25-TOOL-03 {2}/m);
  });

  it.each([
    [['--bogus']],
    [['--violate', 'T25-NOPE-99']],
    [['--http', '--port', '99999']],
    [['--port', '3000']],
    [['--max-tasks', 'many']],
    [['--allowed-host', 'mcp.test']],
    [['--http', '--allowed-host', 'evil.example@127.0.0.1']],
    [['--http', '--allowed-origin', 'ftp://app.example']],
    [['--http', '--session-idle-timeout', '0']],
    [['--max-finished-tasks', '0']],
    [['extra-positional']],
  ])('%j is a usage error: one line on stderr, exit 2', async (args) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('stdio: writes nothing but JSON-RPC on stdout and exits 0 when stdin closes', async () => {
    const r = await run([], [INIT, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' })]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(1);
    for (const line of lines) expect((JSON.parse(line) as Json).jsonrpc).toBe('2.0');
  });

  it('stdio: closing stdin with a task running stops the work and exits 0', async () => {
    const s = rawServer();
    await s.request('initialize', JSON.parse(INIT).params as Json);
    const created = await s.request('tools/call', { name: 'gated_job', arguments: { gateId: 'g' }, task: { ttl: 60_000 } });
    expect((created.result as Json).task).toBeDefined();
    s.child.stdin!.end();
    expect(await s.exited).toEqual({ code: 0, signal: null });
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('stdio: %s shuts down cleanly with exit 0', async (signal) => {
    const s = rawServer();
    await s.request('initialize', JSON.parse(INIT).params as Json);
    await s.request('tools/call', { name: 'slow_compute', arguments: { seconds: 600 }, task: {} });
    s.child.kill(signal);
    expect(await s.exited).toEqual({ code: 0, signal: null });
  });

  it('http: SIGTERM shuts down cleanly with exit 0', async () => {
    const server = await spawnHttpServer();
    children.push(server.child);
    const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
    server.child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

describe('--no-tasks (S-NOTASK)', () => {
  const target = stdioTarget(['--no-tasks']);
  targets.push(target);

  it('declares no tasks capability, no taskSupport, ignores task and has no tasks/* methods', async () => {
    const c = await target.connect();
    expect(c.serverCapabilities.tasks).toBeUndefined();
    const tools = (await c.ok('tools/list')).tools as Json[];
    expect(tools.some((t) => 'execution' in t)).toBe(false);
    const r = await c.ok('tools/call', { name: 'slow_compute', arguments: { seconds: 0, label: 'n' }, task: { ttl: 60_000 } });
    expect(r).toEqual({ content: [{ type: 'text', text: 'computed:n' }] });
    expect(await c.ok('tools/call', { name: 'failing_job', arguments: {} })).toEqual({
      content: [{ type: 'text', text: 'job failed' }],
      isError: true,
    });
    expect(textOf(await c.ok('tools/call', { name: 'greet', arguments: { name: 'x' }, task: {} }))).toBe('Hello, x!');
    for (const method of ['tasks/get', 'tasks/result', 'tasks/cancel', 'tasks/list']) {
      expect((await c.request(method, { taskId: 'x' })).error?.code, method).toBe(-32601);
    }
    expect(c.violations).toEqual([]);
  });
});

describe('limits', () => {
  it('--max-tasks refuses more active tasks per requestor with a clear -32602, and frees slots at terminal', async () => {
    const target = stdioTarget(['--max-tasks', '2']);
    targets.push(target);
    const c = await target.connect();
    const g1 = unique('lim');
    const first = await createTask(c, 'gated_job', { gateId: g1 });
    await createTask(c, 'gated_job', { gateId: unique('lim') });
    const refused = await c.request('tools/call', { name: 'gated_job', arguments: { gateId: unique('lim') }, task: {} });
    expect(refused.error?.code).toBe(-32602);
    expect(refused.error?.message).toMatch(/too many active tasks.*limit 2/);
    await release(c, g1);
    await pollStatus(c, first.taskId as string, (s) => s === 'completed');
    await pollGate(c, g1, 'finished');
    expect((await createTask(c, 'slow_compute', { seconds: 0 })).status).toBe('working');
    expect(c.violations).toEqual([]);
  });

  it('--max-ttl and --default-ttl set the granted ttls', async () => {
    const target = stdioTarget(['--max-ttl', '120000', '--default-ttl', '90000', '--poll-interval', '250']);
    targets.push(target);
    const c = await target.connect();
    const byDefault = await createTask(c, 'slow_compute', { seconds: 0 }, {});
    expect(byDefault.ttl).toBe(90_000);
    expect(byDefault.pollInterval).toBe(250);
    expect((await createTask(c, 'slow_compute', { seconds: 0 }, { ttl: 10_000_000 })).ttl).toBe(120_000);
  });
});
