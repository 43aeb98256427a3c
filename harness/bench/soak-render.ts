// The soak's figures for people: a per-window table, per-operation percentiles and the two slopes, as
// terminal lines and as the `### Soak` Markdown section. Reads only the BenchSoak model.
import type { BenchSoak } from '../report/bench-model.js';

const ms = (v: number | null) => (v === null ? '–' : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const mib = (v: number | null) => (v === null ? '–' : (v / 1024 / 1024).toFixed(1));

export function soakHeadline(s: BenchSoak): string {
  const rss = s.rssSlopeBytesPerMin === null ? '–' : `${(s.rssSlopeBytesPerMin / 1024 / 1024).toFixed(2)} MiB/min`;
  const p50 = s.p50SlopeMsPerMin === null ? '–' : `${(s.p50SlopeMsPerMin * 1000).toFixed(1)} µs/min`;
  const load = s.loadAverage ? `; load average at the end ${s.loadAverage.map((l) => l.toFixed(2)).join(' ')}` : '';
  return `${s.id ? `${s.id}: ` : ''}${s.durationS} s at ${s.rate} requests/s on ${s.target}: RSS slope ${rss}, p50 slope ${p50}${s.lagged ? `, ${s.lagged} requests skipped (client behind)` : ''}${load}`;
}

export function soakOperationRows(s: BenchSoak): string[][] {
  return s.operations.map((o) => [o.name, String(o.requests), String(o.errors), ms(o.p50Ms), ms(o.p95Ms), ms(o.p99Ms)]);
}

export function soakWindowRows(s: BenchSoak): string[][] {
  return s.windows.map((w) => [
    w.endS.toFixed(0),
    String(w.requests),
    String(w.errors),
    ms(w.p50Ms),
    ms(w.p95Ms),
    ms(w.p99Ms),
    mib(w.rssBytes),
  ]);
}

export const SOAK_OPERATION_HEAD = ['operation', 'requests', 'errors', 'p50 ms', 'p95 ms', 'p99 ms'];
export const SOAK_WINDOW_HEAD = ['until s', 'requests', 'errors', 'p50 ms', 'p95 ms', 'p99 ms', 'RSS MiB'];

export const SOAK_INTRO =
  'Mixed traffic started at a fixed rate whatever the answers (per cycle of six: a short task created and fetched with a blocking `tasks/result`, a long task created and cancelled, two `tasks/get`), tasks with a 30 s TTL so the store reaches a steady size. Slopes are least-squares fits over every window but the first (while the store fills); a leak shows as an RSS slope that stays above zero over a long soak, a drift as a p50 slope.';

/** One soak in the terminal, with the caller's table renderer (render.ts terminalTable). */
export function soakTerminal(s: BenchSoak, table: (title: string, grid: { head: string[]; rows: string[][] }) => string): string[] {
  return [
    `Soak: ${soakHeadline(s)}${s.error ? `\nsoak error: ${s.error}` : ''}\n`,
    table('Soak operations', { head: SOAK_OPERATION_HEAD, rows: soakOperationRows(s) }),
    table(`Soak windows (${s.windowS} s)`, { head: SOAK_WINDOW_HEAD, rows: soakWindowRows(s) }),
  ];
}

/** One soak in Markdown, with the caller's table renderer (render.ts markdownTable). */
export function soakMarkdown(s: BenchSoak, table: (grid: { head: string[]; rows: string[][] }) => string): string[] {
  return [
    `${soakHeadline(s)}.`,
    '',
    ...(s.error ? [`Error: ${s.error}`, ''] : []),
    table({ head: SOAK_OPERATION_HEAD, rows: soakOperationRows(s) }),
    '',
    table({ head: SOAK_WINDOW_HEAD, rows: soakWindowRows(s) }),
    '',
  ];
}
