#!/usr/bin/env node
// `npm run bench:rawcheck`: shows that the bench's scale figures are the server's, not its client's. A
// minimal raw JSON-RPC client (raw-stdio-client.ts: newline-delimited JSON over the child's stdio;
// raw-http-client.ts with --transport http: node:http POSTs with keep-alive and the session header; no
// SDK, no Session, no wire log; the same schedule, raw-scale.ts) and the bench's own scale step
// (measureScale over a harness session, through the bench's lean HTTP link over HTTP) each drive a fresh
// reference server with the same N tasks; rounds alternate between the two so load from elsewhere hits
// both alike. Exits 1 when a median of the bench is more than 10% above the raw client's (plus 2 ms,
// below which a ratio is noise).
//
//   node dist/harness/bench/rawcheck.js [--transport stdio|http] [--tasks 1000] [--rounds 5] [--seconds 0.1]
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { referenceServerSpec } from '../transport/targets.js';
import type { TargetSpec } from '../transport/target.js';
import { loadFixtures } from '../fixtures.js';
import { DEFAULT_TIMEOUTS } from '../run/timeouts.js';
import { createBenchTarget } from './bench-target.js';
import { rawScale, type Figures, type RawClient } from './raw-scale.js';
import { RawHttpClient } from './raw-http-client.js';
import { RawStdioClient } from './raw-stdio-client.js';
import { DEFAULT_SCALE_CONCURRENCY, measureScale } from './scale.js';
import { median } from './stats.js';
import { errorText } from '../util/errors.js';

/** Runs one round and adds the client's own CPU time (this process, user + system) to the figures. */
async function withCpu(round: () => Promise<Figures>): Promise<Figures & { cpuShare: number }> {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const f = await round();
  const used = process.cpuUsage(cpu);
  return { ...f, cpuShare: (used.user + used.system) / 1000 / (performance.now() - t0) };
}

/** The raw client on its own reference server, started from the same spec as the bench's. */
function startRaw(spec: TargetSpec): Promise<RawClient> {
  if (spec.kind === 'stdio') return RawStdioClient.start(spec.command, spec.args);
  if (spec.kind === 'http-command') return RawHttpClient.start(spec.command, spec.args, spec.tokens?.[0]);
  throw new Error(`rawcheck starts its own servers, not a ${spec.kind} target`);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { transport: { type: 'string' }, tasks: { type: 'string' }, rounds: { type: 'string' }, seconds: { type: 'string' } },
  });
  const transport = values.transport ?? 'stdio';
  if (transport !== 'stdio' && transport !== 'http') throw new Error('--transport is stdio or http');
  const n = Number(values.tasks ?? 1000);
  const rounds = Number(values.rounds ?? 5);
  const seconds = Number(values.seconds ?? 0.1);
  if (![n, rounds, seconds].every((v) => Number.isFinite(v) && v > 0))
    throw new Error('--tasks, --rounds and --seconds need positive numbers');

  const spec = referenceServerSpec(transport);
  const raw = await startRaw(spec);
  // Over HTTP every blocking tasks/result holds a connection: the bench's --timeout 60000, not the default.
  const target = createBenchTarget(spec, { requestMs: Math.max(DEFAULT_TIMEOUTS.requestMs, 60_000), startMs: 30_000 });
  try {
    const session = await target.connect();
    const fixtures = await loadFixtures(session, {}, { principals: target.principals, canRestart: target.canRestart });
    const bench = { label: 'bench client', session, fixtures };
    const options = { sizes: [n], seconds, concurrency: DEFAULT_SCALE_CONCURRENCY, skipPoll: true };
    // One unrecorded round each: JIT warm-up of both clients and servers.
    await rawScale(raw, n, seconds, 'raw-warm');
    await measureScale(bench, n, { ...options, labelPrefix: 'bench-warm' });
    const figures: Record<'raw' | 'bench', Array<Figures & { cpuShare: number }>> = { raw: [], bench: [] };
    for (let r = 0; r < rounds; r++) {
      figures.raw.push(await withCpu(() => rawScale(raw, n, seconds, `raw-${r}`)));
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
      `rawcheck: ${n} tasks of ${seconds} s over ${transport}, median of ${rounds} alternating rounds, load average ${loadavg()
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
