// Benchmark: does waiting on tasks cost anything? Three slow_compute calls (0.3 s, 0.2 s, 0.1 s) run
// (a) as direct tools/call requests under Promise.all, and (b) as tasks, each fetched with a blocking
// tasks/result, also under Promise.all. Rounds interleave both paths on the same server process, the
// report prints medians side by side, and the run fails (exit 1) if the task path is more than 5% slower.
//
//   node dist/bench/result-vs-gather.js [--rounds 9] [--transport stdio|http|both]
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { packagePath } from '../harness/paths.js';

const SECONDS = [0.3, 0.2, 0.1];
const TOLERANCE = 0.05;
const SERVER_MAIN = packagePath('dist', 'reference-server', 'main.js');

type Json = Record<string, unknown>;

/** The smallest JSON-RPC client that can drive the comparison. */
class Rpc {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (m: Json) => void; reject: (e: Error) => void }>();

  constructor(private readonly transport: Transport) {
    transport.onmessage = (message) => {
      const m = message as Json;
      if ('method' in m) return; // notifications are not part of this benchmark
      const p = this.pending.get(m.id as number);
      this.pending.delete(m.id as number);
      if (!p) return;
      if ('error' in m) p.reject(new Error(`JSON-RPC error: ${JSON.stringify(m.error)}`));
      else p.resolve(m.result as Json);
    };
  }

  async open(): Promise<void> {
    await this.transport.start();
    const init = await this.call('initialize', {
      protocolVersion: '2025-11-25',
      capabilities: {},
      clientInfo: { name: 'result-vs-gather', version: '0' },
    });
    (this.transport as { setProtocolVersion?: (v: string) => void }).setProtocolVersion?.(init.protocolVersion as string);
    await this.transport.send({ jsonrpc: '2.0', method: 'notifications/initialized' } as JSONRPCMessage);
  }

  call(method: string, params: Json): Promise<Json> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.transport.send({ jsonrpc: '2.0', id, method, params } as JSONRPCMessage).catch(reject);
    });
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}

const compute = (seconds: number) => ({ name: 'slow_compute', arguments: { seconds, label: String(seconds) } });

async function direct(rpc: Rpc): Promise<number> {
  const start = performance.now();
  await Promise.all(SECONDS.map((s) => rpc.call('tools/call', compute(s))));
  return performance.now() - start;
}

async function viaTasks(rpc: Rpc): Promise<number> {
  const start = performance.now();
  await Promise.all(
    SECONDS.map(async (s) => {
      const created = await rpc.call('tools/call', { ...compute(s), task: { ttl: 60_000 } });
      const result = await rpc.call('tasks/result', { taskId: (created.task as Json).taskId });
      if ((result.content as Array<{ text: string }>)[0]?.text !== `computed:${s}`)
        throw new Error('tasks/result returned the wrong payload');
    }),
  );
  return performance.now() - start;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

interface Row {
  transport: string;
  direct: number[];
  tasks: number[];
}

async function measure(transport: string, rpc: Rpc, rounds: number): Promise<Row> {
  await direct(rpc); // warm-up: JIT, connection set-up
  await viaTasks(rpc);
  const row: Row = { transport, direct: [], tasks: [] };
  for (let i = 0; i < rounds; i++) {
    // Alternate which path goes first so drift (GC, load) does not favour one side.
    if (i % 2 === 0) {
      row.direct.push(await direct(rpc));
      row.tasks.push(await viaTasks(rpc));
    } else {
      row.tasks.push(await viaTasks(rpc));
      row.direct.push(await direct(rpc));
    }
  }
  return row;
}

async function overStdio(rounds: number): Promise<Row> {
  const rpc = new Rpc(new StdioClientTransport({ command: process.execPath, args: [SERVER_MAIN], stderr: 'inherit' }));
  await rpc.open();
  try {
    return await measure('stdio', rpc, rounds);
  } finally {
    await rpc.close();
  }
}

async function overHttp(rounds: number): Promise<Row> {
  const child = spawn(process.execPath, [SERVER_MAIN, '--http', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const match = /^MCP endpoint: (\S+)$/.exec(line);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) =>
        reject(new Error(`the reference server exited (${code}) before printing its endpoint: ${stderr.trim()}`)),
      );
    });
    const transport = new StreamableHTTPClientTransport(new URL(url));
    const rpc = new Rpc(transport);
    await rpc.open();
    try {
      return await measure('http', rpc, rounds);
    } finally {
      await transport.terminateSession().catch(() => undefined);
      await rpc.close();
    }
  } finally {
    child.kill('SIGTERM');
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '9' }, transport: { type: 'string', default: 'both' } } });
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer, got "${values.rounds}"`);
  if (!['stdio', 'http', 'both'].includes(values.transport!)) throw new Error('--transport must be stdio, http or both');

  const rows: Row[] = [];
  if (values.transport !== 'http') rows.push(await overStdio(rounds));
  if (values.transport !== 'stdio') rows.push(await overHttp(rounds));

  const ms = (x: number) => `${x.toFixed(1)} ms`.padStart(10);
  console.log(`result-vs-gather: slow_compute ${SECONDS.join(' s, ')} s; ${rounds} interleaved rounds after one warm-up; medians`);
  console.log(
    `${'transport'.padEnd(10)}${'Promise.all (direct)'.padStart(22)}${'tasks + tasks/result'.padStart(22)}${'ratio'.padStart(8)}`,
  );
  let ok = true;
  for (const row of rows) {
    const d = median(row.direct);
    const t = median(row.tasks);
    const ratio = t / d;
    if (ratio > 1 + TOLERANCE) ok = false;
    console.log(`${row.transport.padEnd(10)}${ms(d).padStart(22)}${ms(t).padStart(22)}${ratio.toFixed(3).padStart(8)}`);
  }
  console.log(
    ok
      ? `verdict: the task path is within ${TOLERANCE * 100}% of Promise.all`
      : `verdict: the task path is more than ${TOLERANCE * 100}% slower than Promise.all`,
  );
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`result-vs-gather: ${(error as Error).message}`);
    process.exit(2);
  },
);
