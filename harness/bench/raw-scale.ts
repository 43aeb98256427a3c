// The schedule the rawcheck script's raw clients (raw-stdio-client.ts, raw-http-client.ts) run, the
// bench's own blocking scale path (scale.ts) without a Session: N slow_compute tasks, creates capped at
// the bench's concurrency, each answered create followed at once by its blocking tasks/result, every
// result checked against its label.
import { mapLimit } from '../tasks.js';
import { DEFAULT_SCALE_CONCURRENCY } from './scale.js';
import { BENCH_TTL_MS } from './types.js';

export interface Figures {
  createAllMs: number;
  lastCreateToAllResultsMs: number;
}

/** A JSON-RPC response as a raw client reads it. */
export type RawMessage = { id?: number; result?: Record<string, unknown>; error?: { message?: string } };

/** What the schedule needs of a raw client: one request, its response. */
export interface RawClient {
  request(method: string, params: Record<string, unknown>): Promise<RawMessage>;
  stop(): void;
}

/** The initialize params of both raw clients (the era the bench's scale step measures). */
export const RAW_INITIALIZE = {
  protocolVersion: '2025-11-25',
  capabilities: {},
  clientInfo: { name: 'sep1686-rawcheck', version: '0' },
};

/** N tasks, creates capped like the bench's, each result requested as its create is answered. */
export async function rawScale(client: RawClient, n: number, seconds: number, prefix: string): Promise<Figures> {
  let lastCreate = 0;
  let lastResult = 0;
  let wrong = 0;
  const t0 = performance.now();
  const results: Promise<void>[] = [];
  await mapLimit(
    Array.from({ length: n }, (_, i) => i),
    DEFAULT_SCALE_CONCURRENCY,
    async (i) => {
      const label = `${prefix}-${i}`;
      const params = { name: 'slow_compute', arguments: { seconds, label }, task: { ttl: BENCH_TTL_MS } };
      const created = await client.request('tools/call', params);
      lastCreate = performance.now();
      const taskId = (created.result?.task as { taskId?: string } | undefined)?.taskId;
      if (!taskId) throw new Error(`create failed: ${JSON.stringify(created).slice(0, 200)}`);
      results.push(
        client.request('tasks/result', { taskId }).then((r) => {
          lastResult = performance.now();
          const text = (r.result?.content as Array<{ text?: string }> | undefined)?.[0]?.text;
          if (text !== `computed:${label}`) wrong++;
        }),
      );
    },
  );
  await Promise.all(results);
  if (wrong) throw new Error(`${wrong} of ${n} raw results were wrong`);
  return { createAllMs: lastCreate - t0, lastCreateToAllResultsMs: lastResult - lastCreate };
}
