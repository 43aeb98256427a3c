#!/usr/bin/env node
// `npm run bench:rawcheck`: shows that the bench's scale figures are the server's, not its client's. A
// minimal raw JSON-RPC client (newline-delimited JSON over the child's stdio: no SDK, no Session, no
// wire log; the same schedule: creates capped at the bench's concurrency, each answered create followed
// at once by its tasks/result) and the bench's own scale step (measureScale over a harness
// session) each drive a fresh reference server with the same N tasks; rounds alternate between the two
// so load from elsewhere hits both alike. Exits 1 when a median of the bench is more than 10% above the
// raw client's (plus 2 ms, below which a ratio is noise).
//
//   node dist/harness/bench/rawcheck.js [--tasks 1000] [--rounds 5] [--seconds 0.1]
import { spawn, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createTarget } from '../transport/targets.js';
import { referenceServerSpec } from '../transport/targets.js';
import { loadFixtures } from '../fixtures.js';
import { resolveLimits } from '../transport/limits.js';
import { DEFAULT_TIMEOUTS } from '../run/timeouts.js';
import { DiscardingWireLog } from './discarding-wire.js';
import { DEFAULT_SCALE_CONCURRENCY, measureScale } from './scale.js';
import { median } from './stats.js';
import { BENCH_TTL_MS } from './types.js';
import { errorText } from '../util/errors.js';
import { mapLimit } from '../tasks.js';

interface Figures {
  createAllMs: number;
  lastCreateToAllResultsMs: number;
}

/** Runs one round and adds the client's own CPU time (this process, user + system) to the figures. */
async function withCpu(round: () => Promise<Figures>): Promise<Figures & { cpuShare: number }> {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const f = await round();
  const used = process.cpuUsage(cpu);
  return { ...f, cpuShare: (used.user + used.system) / 1000 / (performance.now() - t0) };
}

type Message = { id?: number; result?: Record<string, unknown>; error?: { message?: string } };

/**
 * The raw client: one child process, a pending-request table, nothing else. Like the bench's stdio link,
 * it writes the lines of one tick in one write (a line per write would make the server read them one by one).
 */
class RawClient {
  private nextId = 1;
  private readonly pending = new Map<number, (m: Message) => void>();
  private buffer = '';
  private out = '';
  private constructor(private readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        if (!line.trim()) continue;
        const m = JSON.parse(line) as Message;
        if (typeof m.id === 'number') this.pending.get(m.id)?.(m);
        this.pending.delete(m.id as number);
      }
    });
  }

  static async start(command: string, args: string[]): Promise<RawClient> {
    // Detached like every server the harness starts (proc.ts): with Linux autogroup scheduling a new
    // session is its own scheduling group, and on a loaded machine a server in the client's group got
    // half the CPU of the bench's, which made the raw client look 1.5 to 2 times slower than the bench.
    const client = new RawClient(spawn(command, args, { stdio: ['pipe', 'pipe', 'ignore'], detached: true }));
    const init = await client.request('initialize', {
      protocolVersion: '2025-11-25',
      capabilities: {},
      clientInfo: { name: 'sep1686-rawcheck', version: '0' },
    });
    if (!init.result) throw new Error(`initialize failed: ${JSON.stringify(init.error)}`);
    client.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
    return client;
  }

  request(method: string, params: Record<string, unknown>): Promise<Message> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  }

  private write(line: string): void {
    if (!this.out)
      process.nextTick(() => {
        this.child.stdin!.write(this.out);
        this.out = '';
      });
    this.out += line;
  }

  /** N tasks, creates capped like the bench's, each result requested as its create is answered. */
  async scale(n: number, seconds: number, prefix: string): Promise<Figures> {
    let lastCreate = 0;
    let lastResult = 0;
    let wrong = 0;
    const t0 = performance.now();
    const results: Promise<void>[] = [];
    const creates = mapLimit(
      Array.from({ length: n }, (_, i) => i),
      DEFAULT_SCALE_CONCURRENCY,
      async (i) => {
        const label = `${prefix}-${i}`;
        const params = { name: 'slow_compute', arguments: { seconds, label }, task: { ttl: BENCH_TTL_MS } };
        const created = await this.request('tools/call', params);
        lastCreate = performance.now();
        const taskId = (created.result?.task as { taskId?: string } | undefined)?.taskId;
        if (!taskId) throw new Error(`create failed: ${JSON.stringify(created).slice(0, 200)}`);
        results.push(
          this.request('tasks/result', { taskId }).then((r) => {
            lastResult = performance.now();
            const text = (r.result?.content as Array<{ text?: string }> | undefined)?.[0]?.text;
            if (text !== `computed:${label}`) wrong++;
          }),
        );
      },
    );
    await creates;
    await Promise.all(results);
    if (wrong) throw new Error(`${wrong} of ${n} raw results were wrong`);
    return { createAllMs: lastCreate - t0, lastCreateToAllResultsMs: lastResult - lastCreate };
  }

  stop(): void {
    this.child.kill();
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { tasks: { type: 'string' }, rounds: { type: 'string' }, seconds: { type: 'string' } } });
  const n = Number(values.tasks ?? 1000);
  const rounds = Number(values.rounds ?? 5);
  const seconds = Number(values.seconds ?? 0.1);
  if (![n, rounds, seconds].every((v) => Number.isFinite(v) && v > 0))
    throw new Error('--tasks, --rounds and --seconds need positive numbers');

  const spec = referenceServerSpec('stdio');
  if (spec.kind !== 'stdio') throw new Error('expected a stdio spec');
  const raw = await RawClient.start(spec.command, spec.args);
  const target = createTarget({
    spec,
    wire: new DiscardingWireLog(),
    // As the bench's own targets (cli/execute.ts): a status notification per task, far over the checks' cap.
    limits: resolveLimits({ maxServerMessages: Number.MAX_SAFE_INTEGER }),
    requestTimeoutMs: DEFAULT_TIMEOUTS.requestMs,
    startTimeoutMs: 30_000,
  });
  try {
    const session = await target.connect();
    const fixtures = await loadFixtures(session, {}, { principals: target.principals, canRestart: target.canRestart });
    const bench = { label: 'bench client', session, fixtures };
    const options = { sizes: [n], seconds, concurrency: DEFAULT_SCALE_CONCURRENCY, skipPoll: true };
    // One unrecorded round each: JIT warm-up of both clients and servers.
    await raw.scale(n, seconds, 'raw-warm');
    await measureScale(bench, n, { ...options, labelPrefix: 'bench-warm' });
    const figures: Record<'raw' | 'bench', Array<Figures & { cpuShare: number }>> = { raw: [], bench: [] };
    for (let r = 0; r < rounds; r++) {
      figures.raw.push(await withCpu(() => raw.scale(n, seconds, `raw-${r}`)));
      figures.bench.push(
        await withCpu(async () => {
          const b = await measureScale(bench, n, { ...options, labelPrefix: `bench-${r}` });
          if (!b.correct) throw new Error(`bench round ${r}: ${b.error}`);
          return b;
        }),
      );
    }
    let ok = true;
    process.stdout.write(
      `rawcheck: ${n} tasks of ${seconds} s, median of ${rounds} alternating rounds, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}\n`,
    );
    for (const key of ['createAllMs', 'lastCreateToAllResultsMs'] as const) {
      const rawMs = median(figures.raw.map((f) => f[key]));
      const benchMs = median(figures.bench.map((f) => f[key]));
      const within = benchMs <= rawMs * 1.1 + 2;
      ok &&= within;
      process.stdout.write(
        `  ${key.padEnd(26)} raw ${rawMs.toFixed(1).padStart(8)} ms   bench ${benchMs.toFixed(1).padStart(8)} ms   bench/raw ${(benchMs / rawMs).toFixed(2)}  ${within ? 'ok' : 'MORE THAN 10% ABOVE'}\n`,
      );
    }
    const share = (k: 'raw' | 'bench') => `${(median(figures[k].map((f) => f.cpuShare)) * 100).toFixed(0)}%`;
    process.stdout.write(
      `  client CPU time / wall time: raw ${share('raw')}, bench ${share('bench')} (the rest of the wall time the client waits for the server)\n`,
    );
    process.stdout.write(ok ? 'rawcheck: the bench client adds less than 10% to every scale figure\n' : 'rawcheck: FAILED\n');
    return ok ? 0 : 1;
  } finally {
    raw.stop();
    await target.dispose();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`rawcheck: ${errorText(err)}\n`);
    process.exit(2);
  },
);
