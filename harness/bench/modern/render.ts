// The 2026-07-28 era's figures for people: terminal tables and the `## Benchmarks: 2026-07-28 era` section
// of report.md, from the `bench.modern` model only, with the 2025-11-25 renderer's tables (render.ts).
import type { BenchModern, BenchModernScale, BenchWakeup } from '../../report/bench-model.js';
import { targetTags } from '../charts.js';
import {
  approachGrid,
  comparisonGrid,
  formatMs as ms,
  formatRatio as x,
  legend,
  markdownTable,
  operationGrid,
  terminalTable,
  type Grid,
} from '../render.js';
import { soakMarkdown, soakTerminal } from '../soak-render.js';

const TITLE = '2026-07-28 era (io.modelcontextprotocol/tasks)';

/** What the modern section shares with the rest of the report: the call sizes, and the load average when it stands alone. */
export interface ModernContext {
  durations: number[];
  rounds: number;
  loadAverage?: { start: number[]; end: number[] };
}

const loadLine = (l: NonNullable<ModernContext['loadAverage']>) =>
  `Load average (1, 5, 15 min): ${l.start.map((v) => v.toFixed(2)).join(' ')} at the start, ${l.end.map((v) => v.toFixed(2)).join(' ')} at the end`;

function withTarget<T extends { target: string }>(m: BenchModern, rows: T[], cells: (r: T) => string[]): string[][] {
  const tags = targetTags(m.targets);
  return rows.map((r) => [...(m.targets.length > 1 ? [tags.get(r.target) ?? r.target] : []), ...cells(r)]);
}

function wakeupGrid(m: BenchModern): Grid {
  const mode = (w: BenchWakeup) => (w.mode === 'poll' ? `tasks/get every ${w.pollIntervalMs ?? '–'} ms` : 'subscriptions/listen push');
  return {
    head: [
      ...(m.targets.length > 1 ? ['target'] : []),
      'seen terminal by',
      'samples',
      'p50 ms',
      'p95 ms',
      'max ms',
      'from release sent p50 / p95 ms',
      'requests per task',
      'correct',
    ],
    rows: withTarget(m, m.wakeup, (w) => [
      mode(w),
      String(w.samplesMs.length),
      ms(w.p50Ms),
      ms(w.p95Ms),
      ms(w.maxMs),
      `${ms(w.fromSentP50Ms)} / ${ms(w.fromSentP95Ms)}`,
      w.requestsPerTask === null ? '–' : w.requestsPerTask.toFixed(1),
      w.correct ? 'yes' : `NO: ${w.error ?? ''}`,
    ]),
  };
}

function scaleGrid(m: BenchModern): Grid {
  const what = (s: BenchModernScale) => (s.mode === 'poll' ? `${s.messages} tasks/get` : `${s.messages} notifications`);
  return {
    head: [
      ...(m.targets.length > 1 ? ['target'] : []),
      'tasks',
      'seen by',
      'create all ms',
      'last create → all terminal ms',
      '× floor',
      'messages',
      'correct',
    ],
    rows: withTarget(m, m.scale, (s) => [
      String(s.tasks),
      s.mode,
      ms(s.createAllMs),
      ms(s.lastCreateToAllTerminalMs),
      x(s.floorRatio),
      what(s),
      s.correct ? 'yes' : `NO: ${s.error ?? ''}`,
    ]),
  };
}

export function renderModernTerminal(m: BenchModern, c: ModernContext): string {
  const parts = [`${TITLE}\n`, legend(m, 'terminal')];
  parts.push(terminalTable(`Approaches (${c.durations.join(' / ')} s, median of ${c.rounds} rounds)`, approachGrid(m)));
  parts.push(terminalTable('Wake-up after the work ends (release_gate answered → terminal seen)', wakeupGrid(m)));
  parts.push(terminalTable(`Operations (one request in flight; baseline ${m.operationsBaseline})`, operationGrid(m, 'discover')));
  parts.push(terminalTable('Scale (concurrent tasks)', scaleGrid(m)));
  for (const s of m.soak ?? []) parts.push(...soakTerminal(s, terminalTable));
  parts.push(terminalTable('Side by side', comparisonGrid(m)));
  if (c.loadAverage) parts.push(`${loadLine(c.loadAverage)}\n`);
  return parts.filter(Boolean).join('\n');
}

export const MODERN_SOAK_INTRO =
  'H-EXT-15 Sustained soak (requirements-ext-tasks.md §7). Mixed traffic started at a fixed rate whatever the answers; per cycle of eight: a short task and an input task (`confirm_delete`, E-INPUT) created, three `tasks/get`, one `tasks/update` answering a task seen waiting for input, a long task created and cancelled. Tasks ask for a 30 s TTL (the fixture control `ttlMs`, where the tool takes it). Slopes are least-squares fits over every window but the first.';

/** A `###` section: title, the paragraph saying how to read it, the table (nothing when it has no rows). */
function section(title: string, intro: string, grid: Grid): string[] {
  return grid.rows.length ? [`### ${title}`, '', intro, '', markdownTable(grid), ''] : [];
}

export function renderModernMarkdown(m: BenchModern, c: ModernContext): string {
  const out: string[] = [`## Benchmarks: ${TITLE}`, '', legend(m, 'markdown')];
  out.push(
    `Settings: ${c.rounds} interleaved rounds of ${c.durations.join(' / ')} s calls; ${2 * c.rounds} gated tasks per wake-up way.`,
    '',
  );
  out.push(
    ...section(
      'Approaches',
      "The same `slow_compute` calls made four ways: sequential and concurrent (gather) `tools/call` without the extension declared (the server answers synchronously), tasks polled with `tasks/get` at the server's `pollIntervalMs` (clamped to 50..1000 ms, as the harness client does), and tasks waited on with `subscriptions/listen` (`notifications/tasks`, then the inlined result or one `tasks/get`).",
      approachGrid(m),
    ),
    ...section(
      'Wake-up after the work ends',
      "A gated task (`gated_job`) ends when `release_gate` is answered; the figure is the time from that answer to the client seeing the task terminal. Polling releases at stratified phases of the poll interval (a client's clock is not the server's), so its p50 is about half the interval plus a round trip; a push costs one message. 0 means the terminal status arrived before `release_gate`'s own answer (a push often does); *from release sent* counts from the request instead, its round trip included.",
      wakeupGrid(m),
    ),
    ...section(
      'Operations',
      'Latency with one request in flight (tinybench). `ping` is gone in 2026-07-28: `p50 / discover` sets each p50 against `server/discover`, the one stateless request every server answers. `tasks/update` answers a fresh input_required task, `tasks/cancel` cancels a fresh working one (each made before its sample, untimed).',
      operationGrid(m, 'discover'),
    ),
    ...section(
      'Scale',
      "N tasks alive at once, seen terminal by polling every pending task at the server's `pollIntervalMs` (clamped), or by one `subscriptions/listen` for all N task ids. *Last create → all terminal* is set against the floor, the work of one task; every inlined result is checked against its own label.",
      scaleGrid(m),
    ),
  );
  if (m.soak?.length) {
    out.push('### Soak (H-EXT-15)', '', MODERN_SOAK_INTRO, '');
    for (const s of m.soak) out.push(...soakMarkdown(s, markdownTable));
  }
  out.push(
    ...section('Side by side', 'Every figure of A divided by the same figure of B (below 1: A is faster or smaller).', comparisonGrid(m)),
  );
  return out.join('\n');
}
