// Processes for the cluster tests: reference-server instances and workers on one private Redis,
// each started as users start them (the CLI), and MCP clients connected to a chosen instance.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  SERVER_MAIN,
  spawnHttpServer,
  stopProcess,
  TestClient,
  textOf,
  type ClientOptions,
  type HttpServerProcess,
  type Json,
} from '../../helpers/ref-client.js';

export const TOKENS = ['alice-token', 'bob-token'];
const authArgs = TOKENS.flatMap((t) => ['--auth-token', t]);

/** Everything one test file started, stopped in reverse by stopAll(). */
export class Fleet {
  private readonly clients: TestClient[] = [];
  private readonly processes: Array<{ stop(): Promise<void> }> = [];
  private n = 0;

  /** An HTTP instance on `store` (a redis:// URL with our options), accepting the two test principals. */
  async instance(store: string): Promise<HttpServerProcess> {
    const server = await spawnHttpServer(['--store', store, ...authArgs]);
    this.processes.push(server);
    return server;
  }

  /** A worker process (no endpoint) on `store`; resolves once it serves the queue. */
  async worker(store: string): Promise<{ child: ChildProcess; stop(): Promise<void> }> {
    const child = spawn(process.execPath, [SERVER_MAIN, 'worker', '--store', store], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const worker = { child, stop: () => stopProcess(child) };
    this.processes.push(worker);
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => line.startsWith('Worker ready') && resolve());
      child.once('exit', (code) => reject(new Error(`the worker exited (${code}) before it was ready: ${stderr}`)));
    });
    return worker;
  }

  /** A new MCP session on one instance, as the principal of `token`. */
  async connect(server: HttpServerProcess, token = TOKENS[0]!, options: ClientOptions = {}): Promise<TestClient> {
    const transport = new StreamableHTTPClientTransport(new URL(server.url), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    });
    const client = new TestClient(transport, `http#${++this.n}`);
    this.clients.push(client);
    return client.open(options);
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((c) => c.close()));
    await Promise.all(this.processes.splice(0).map((p) => p.stop()));
  }
}

/** tools/call with `task`; returns the task id. */
export async function createTask(client: TestClient, name: string, args: Json, extra: Json = {}): Promise<string> {
  const result = await client.ok('tools/call', { name, arguments: args, task: {}, ...extra });
  return (result.task as Json).taskId as string;
}

export async function gateState(client: TestClient, gateId: string): Promise<string> {
  const result = await client.ok('tools/call', { name: 'gate_state', arguments: { gateId } });
  return (result.structuredContent as Json).state as string;
}

/** Re-reads `probe` until it returns `want` (on a loaded machine this may take a moment; no timing is asserted). */
export async function eventually<T>(probe: () => Promise<T>, want: T, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (last === want) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}: last ${JSON.stringify(last)}, wanted ${JSON.stringify(want)}`);
}

export { textOf };
