// Bench figures for people: cli-table3 tables for the terminal and a Markdown section for report.md.
// Both read only the BenchReport model.
import Table from 'cli-table3';
import { scaleChartLegend, targetTags } from './charts.js';
import type { BenchReport } from '../report/bench-model.js';
import { round } from './stats.js';

const ms = (v: number | null | undefined) =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
const x = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : `${v.toFixed(2)}x`);
const mb = (v: number | null | undefined) => (v === null || v === undefined ? '–' : `${(v / 1024 / 1024).toFixed(1)}`);

interface Grid {
  head: string[];
  rows: string[][];
}

function approachGrid(r: BenchReport): Grid {
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

function operationGrid(r: BenchReport): Grid {
  const multi = r.targets.length > 1;
  const tags = targetTags(r.targets);
  return {
    head: [...(multi ? ['target'] : []), 'operation', 'p50 ms', 'p95 ms', 'p99 ms', 'ops/s', 'p50 / ping', 'samples'],
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

function scaleGrid(r: BenchReport): Grid {
  const multi = r.targets.length > 1;
  const tags = targetTags(r.targets);
  return {
    head: [
      ...(multi ? ['target'] : []),
      'tasks',
      'create all ms',
      'all terminal ms',
      'fetch all ms',
      'tasks/get p50/p95/p99 ms',
      'RSS before→after MiB',
      'correct',
    ],
    rows: r.scale.map((s) => [
      ...(multi ? [tags.get(s.target) ?? s.target] : []),
      String(s.tasks),
      ms(s.createAllMs),
      ms(s.completeAllMs),
      ms(s.fetchAllMs),
      `${ms(s.getP50Ms)} / ${ms(s.getP95Ms)} / ${ms(s.getP99Ms)}`,
      `${mb(s.rssBeforeBytes)} → ${mb(s.rssAfterBytes)}`,
      s.correct ? 'yes' : `NO: ${s.error ?? ''}`,
    ]),
  };
}

function comparisonGrid(r: BenchReport): Grid {
  return {
    head: ['figure', 'A', 'B', 'A / B'],
    rows: (r.comparison ?? []).map((c) => {
      const value = (v: number) => (c.figure.endsWith(' bytes') ? `${mb(v)} MiB` : c.figure.endsWith(' ms') ? ms(v) : String(round(v, 0)));
      return [c.figure.replace(/ bytes$/, ''), value(c.first), value(c.second), x(c.ratio)];
    }),
  };
}

function terminalTable(title: string, grid: Grid): string {
  if (grid.rows.length === 0) return '';
  const t = new Table({ head: grid.head, style: { head: [], border: [] }, wordWrap: true });
  for (const row of grid.rows) t.push(row);
  return `${title}\n${t.toString()}\n`;
}

/** The terminal summary: one table per phase, then the comparison (cli-table3, no colours). */
export function renderBenchTerminal(r: BenchReport): string {
  const parts = [legend(r, 'terminal')];
  parts.push(terminalTable(`Approaches (${r.durations.join(' / ')} s, median of ${r.rounds} rounds)`, approachGrid(r)));
  parts.push(terminalTable('Operations (one request in flight)', operationGrid(r)));
  parts.push(terminalTable('Scale (concurrent tasks)', scaleGrid(r)));
  parts.push(terminalTable('Side by side', comparisonGrid(r)));
  return parts.filter(Boolean).join('\n');
}

function mdEscape(cell: string): string {
  return cell.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function markdownTable(grid: Grid): string {
  if (grid.rows.length === 0) return '';
  const line = (cells: string[]) => `| ${cells.map(mdEscape).join(' | ')} |`;
  return [line(grid.head), line(grid.head.map(() => '---')), ...grid.rows.map(line)].join('\n');
}

function legend(r: BenchReport, style: 'terminal' | 'markdown'): string {
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
  const out: string[] = ['## Benchmarks', '', legend(r, 'markdown')];
  if (r.settings) {
    out.push(
      `Settings: ${r.rounds} interleaved rounds of ${r.durations.join(' / ')} s calls; ${r.settings.opTimeMs} ms per operation; ` +
        `scale N = ${r.settings.scaleSizes.join(', ')} tasks of ${r.settings.scaleSeconds} s each, at most ${r.settings.scaleConcurrency} requests in flight.`,
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
      'N tasks alive at once: time to create them all, to see all terminal by polling `tasks/get`, and to fetch every result (each checked against its own label). `tasks/get` latency is sampled under that load.',
      '',
    );
    out.push(markdownTable(scaleGrid(r)), '');
    if (r.charts?.scale) out.push('```mermaid', r.charts.scale, '```', '', scaleChartLegend(r.targets), '');
  }
  if (r.comparison?.length) {
    out.push('### Side by side', '', 'Every figure of A divided by the same figure of B (below 1: A is faster or smaller).', '');
    out.push(markdownTable(comparisonGrid(r)), '');
  }
  return out.join('\n');
}
