// Bench figures for people: cli-table3 tables for the terminal and a Markdown section for report.md.
// Both read only the BenchReport model.
import Table from 'cli-table3';
import { scaleChartLegend, targetTags } from './charts.js';
import type { BenchReport } from '../report/bench-model.js';
import { round } from './stats.js';
import { SOAK_INTRO, soakMarkdown, soakTerminal } from './soak-render.js';

const ms = (v: number | null | undefined) =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
const x = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : `${v.toFixed(2)}x`);
const mb = (v: number | null | undefined) => (v === null || v === undefined ? '–' : `${(v / 1024 / 1024).toFixed(1)}`);

export interface Grid {
  head: string[];
  rows: string[][];
}

export function approachGrid(r: Pick<BenchReport, 'targets' | 'approaches'>): Grid {
  const multi = r.targets.length > 1;
  const tags = targetTags(r.targets);
  return {
    head: [...(multi ? ['target'] : []), 'approach', 'median wall ms', 'speedup vs sequential', 'ratio to gather', 'rounds ms', 'correct'],
    rows: r.approaches.map((a) => [
      ...(multi ? [tags.get(a.target) ?? a.target] : []),
      a.name,
      ms(a.wallMs),
      x(a.speedupOverSequential),
      x(a.ratioToGather),
      a.roundsMs.map((v) => ms(v)).join(' '),
      a.correct ? 'yes' : `NO: ${a.error ?? ''}`,
    ]),
  };
}

/** `baseline`: what ratioToPing divides by (ping in 2025-11-25, server/discover in 2026-07-28). */
export function operationGrid(r: Pick<BenchReport, 'targets' | 'operations'>, baseline = 'ping'): Grid {
  const multi = r.targets.length > 1;
  const tags = targetTags(r.targets);
  return {
    head: [...(multi ? ['target'] : []), 'operation', 'p50 ms', 'p95 ms', 'p99 ms', 'ops/s', `p50 / ${baseline}`, 'samples'],
    rows: r.operations.map((o) =>
      o.error
        ? [...(multi ? [tags.get(o.target) ?? o.target] : []), o.name, `error: ${o.error}`, '', '', '', '', '']
        : [
            ...(multi ? [tags.get(o.target) ?? o.target] : []),
            o.name,
            ms(o.p50Ms),
            ms(o.p95Ms),
            ms(o.p99Ms),
            o.opsPerSec.toFixed(0),
            x(o.ratioToPing),
            String(o.samples),
          ],
    ),
  };
}

const kib = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : `${(v / 1024).toFixed(2)}`);

function scaleGrid(r: BenchReport): Grid {
  const multi = r.targets.length > 1;
  const tags = targetTags(r.targets);
  return {
    head: [
      ...(multi ? ['target'] : []),
      'tasks',
      'create all ms',
      'last create → all results ms',
      'floor ms',
      '× floor',
      'polled: all terminal / fetch ms',
      'tasks/get p50/p95/p99 ms',
      'KiB per retained task (heap / RSS, after GC)',
      'correct',
    ],
    rows: r.scale.map((s) => [
      ...(multi ? [tags.get(s.target) ?? s.target] : []),
      String(s.tasks),
      ms(s.createAllMs),
      ms(s.lastCreateToAllResultsMs),
      ms(s.floorMs),
      x(s.floorRatio),
      s.poll ? `${ms(s.poll.completeAllMs)} / ${ms(s.poll.fetchAllMs)}` : '–',
      s.poll ? `${ms(s.poll.getP50Ms)} / ${ms(s.poll.getP95Ms)} / ${ms(s.poll.getP99Ms)}` : '–',
      s.memory ? `${kib(s.memory.heapUsedPerTaskBytes)} / ${kib(s.memory.rssPerTaskBytes)}` : '–',
      s.correct ? 'yes' : `NO: ${s.error ?? ''}`,
    ]),
  };
}

export function comparisonGrid(r: Pick<BenchReport, 'comparison'>): Grid {
  return {
    head: ['figure', 'A', 'B', 'A / B'],
    rows: (r.comparison ?? []).map((c) => {
      const value = (v: number) =>
        c.figure.endsWith(' per retained task bytes')
          ? `${kib(v)} KiB`
          : c.figure.endsWith(' bytes')
            ? `${mb(v)} MiB`
            : c.figure.endsWith(' ms')
              ? ms(v)
              : String(round(v, 0));
      return [c.figure.replace(/ bytes$/, ''), value(c.first), value(c.second), x(c.ratio)];
    }),
  };
}

export function terminalTable(title: string, grid: Grid): string {
  if (grid.rows.length === 0) return '';
  const t = new Table({ head: grid.head, style: { head: [], border: [] }, wordWrap: true });
  for (const row of grid.rows) t.push(row);
  return `${title}\n${t.toString()}\n`;
}

/** The terminal summary: one table per phase, then the comparison (cli-table3, no colours). */
export function renderBenchTerminal(r: BenchReport): string {
  const parts = [...(r.modern ? ['2025-11-25 era\n'] : []), legend(r, 'terminal')];
  parts.push(terminalTable(`Approaches (${r.durations.join(' / ')} s, median of ${r.rounds} rounds)`, approachGrid(r)));
  parts.push(terminalTable('Operations (one request in flight)', operationGrid(r)));
  parts.push(terminalTable('Scale (concurrent tasks)', scaleGrid(r)));
  for (const s of r.soak ?? []) parts.push(...soakTerminal(s, terminalTable));
  parts.push(terminalTable('Side by side', comparisonGrid(r)));
  if (r.loadAverage)
    parts.push(
      `Load average: ${r.loadAverage.start.map((l) => l.toFixed(2)).join(' ')} at the start, ${r.loadAverage.end.map((l) => l.toFixed(2)).join(' ')} at the end\n`,
    );
  return parts.filter(Boolean).join('\n');
}

function mdEscape(cell: string): string {
  return cell.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function markdownTable(grid: Grid): string {
  if (grid.rows.length === 0) return '';
  const line = (cells: string[]) => `| ${cells.map(mdEscape).join(' | ')} |`;
  return [line(grid.head), line(grid.head.map(() => '---')), ...grid.rows.map(line)].join('\n');
}

export function legend(r: Pick<BenchReport, 'targets' | 'targetInfo'>, style: 'terminal' | 'markdown'): string {
  const tags = targetTags(r.targets);
  const info = new Map((r.targetInfo ?? []).map((t) => [t.label, t]));
  const describe = (label: string) => {
    const i = info.get(label);
    const server = i?.serverName ? ` — ${i.serverName}${i.serverVersion ? ` ${i.serverVersion}` : ''}` : '';
    const poll = i ? `, pollInterval ${i.pollIntervalMs ?? 'none'}` : '';
    const code = style === 'markdown' ? `\`${label}\`` : label;
    return `${tags.get(label) ? `${tags.get(label)}: ` : 'Target: '}${code}${server}${poll}`;
  };
  return r.targets.map((t) => (style === 'markdown' ? `- ${describe(t)}` : describe(t))).join('\n') + '\n';
}

/** The `## Benchmarks` section of report.md (figures, Mermaid charts, how to read them). */
export function renderBenchMarkdown(r: BenchReport): string {
  const out: string[] = [r.modern ? '## Benchmarks: 2025-11-25 era' : '## Benchmarks', '', legend(r, 'markdown')];
  if (r.settings) {
    out.push(
      `Settings: ${r.rounds} interleaved rounds of ${r.durations.join(' / ')} s calls; ${r.settings.opTimeMs} ms per operation; ` +
        `scale N = ${r.settings.scaleSizes.join(', ')} tasks of ${r.settings.scaleSeconds} s each, at most ${r.settings.scaleConcurrency} creates in flight${(r.settings.scaleRounds ?? 1) > 1 ? `, median of ${r.settings.scaleRounds} rounds per N (targets alternating)` : ''}.`,
      '',
    );
  }
  if (r.approaches.length) {
    out.push(
      '### Approaches',
      '',
      "Three `slow_compute` calls made four ways on one warm connection: sequential direct calls, concurrent direct calls (gather), tasks fetched with `tasks/result`, tasks polled with `tasks/get` at the server's `pollInterval`. Ratio to gather above 1 is the cost of the task path.",
      '',
    );
    out.push(markdownTable(approachGrid(r)), '');
    if (r.charts?.timeline)
      out.push('One round (the last), each call from request sent to result received:', '', '```mermaid', r.charts.timeline, '```', '');
  }
  if (r.operations.length) {
    out.push(
      '### Operations',
      '',
      "Latency with one request in flight (tinybench); `p50 / ping` sets each against `ping` on the same connection, the transport's floor.",
      '',
    );
    out.push(markdownTable(operationGrid(r)), '');
  }
  if (r.scale.length) {
    out.push(
      '### Scale',
      '',
      "N tasks alive at once. Each create is followed, as soon as it is answered, by a blocking `tasks/result`: *last create → all results* is the time from the last create answered to the last result received, set against the floor (the work of one task; 1.00x = every result the moment its work ended). Then N fresh tasks are polled with `tasks/get` at the server's `pollInterval` until terminal and fetched (the polling figures; `tasks/get` latency is sampled under that load). Every result is checked against its own label. Each N runs in rounds, the targets alternating; the times are the medians. Memory per retained task: heap used and RSS after a full GC, before the first round of an N and after its last (every task completed and fetched, TTL not over), divided by all the tasks the rounds created.",
      '',
    );
    out.push(markdownTable(scaleGrid(r)), '');
    if (r.charts?.scale) out.push('```mermaid', r.charts.scale, '```', '', scaleChartLegend(r.targets), '');
  }
  if (r.soak?.length) {
    out.push('### Soak', '', SOAK_INTRO, '');
    for (const s of r.soak) out.push(...soakMarkdown(s, markdownTable));
  }
  if (r.loadAverage)
    out.push(
      `Load average (1, 5, 15 min) from elsewhere on the machine: ${r.loadAverage.start.join(' ')} at the start, ${r.loadAverage.end.join(' ')} at the end.`,
      '',
    );
  if (r.comparison?.length) {
    out.push('### Side by side', '', 'Every figure of A divided by the same figure of B (below 1: A is faster or smaller).', '');
    out.push(markdownTable(comparisonGrid(r)), '');
  }
  return out.join('\n');
}

export { ms as formatMs, x as formatRatio };
