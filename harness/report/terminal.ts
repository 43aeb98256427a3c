// Terminal summary of a check run (stdout). By default it fits one screen: a compact matrix (a row per
// scenario, a column per transport, each cell pass/fail/warn/skip), then what needs attention (run
// problems, failures, expected and stale baseline entries, warnings) one line each, coverage and the
// verdict. --verbose keeps the full detail: the bordered table with INFO counts and every spec link.
// Colours only on a TTY without NO_COLOR. The live progress while checks run is progress.ts.
import Table from 'cli-table3';
import type { CheckResult, CheckStatus } from '../checks.js';
import { coverageLine } from './markdown.js';
import { findingLine, resultKey, resultMessage, type Report } from './model.js';
import { renderProfileTerminal } from './profile.js';
import { refusedBindingLines } from './tools.js';

export interface Style {
  color: boolean;
  /** Full detail instead of the one-screen summary. */
  verbose?: boolean;
}

export function useColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && env.NO_COLOR === undefined && env.TERM !== 'dumb';
}

const paint = (on: boolean, code: string) => (s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);

export function palette(style: Pick<Style, 'color'>) {
  return {
    red: paint(style.color, '31'),
    green: paint(style.color, '32'),
    yellow: paint(style.color, '33'),
    dim: paint(style.color, '2'),
    bold: paint(style.color, '1'),
  };
}
type Palette = ReturnType<typeof palette>;

/** Lines listed per section in the one-screen summary; the rest is counted and left to report.md. */
const COMPACT_LIMIT = { failures: 15, warnings: 5 };

export function renderTerminal(report: Report, style: Style): string {
  const c = palette(style);
  const expected = new Set(report.expectedFailures ?? []);
  const out: string[] = [];
  // Root causes first: they explain the skips (and failures) below them.
  if (report.findings?.length) {
    out.push(c.bold(`Root causes (${report.findings.length})`));
    for (const f of report.findings) {
      const text = firstLine(findingLine(f));
      out.push(`  ${c.red('●')} ${style.verbose || text.length <= 240 ? text : `${text.slice(0, 240)}…`}`);
    }
    out.push('');
  }
  // Which protocol eras each target was found to speak (and was checked in).
  const eras = report.run.targets.filter((t) => t.eras?.length).map((t) => `${t.transport} ${t.eras!.join(' + ')}`);
  if (eras.length) out.push(c.dim(`Protocol eras found: ${eras.join(' · ')}`));
  if (report.checks.length)
    out.push(...(style.verbose ? detailedTable(report.checks, expected, c) : matrix(report.checks, expected, c)), '');

  if (report.run.fatal) {
    out.push(c.red(`The target could not be started: ${report.run.fatal.message}`));
    if (style.verbose && report.run.fatal.stderrTail) out.push(c.dim(indent(report.run.fatal.stderrTail)));
    out.push('');
  }
  if (report.runProblems?.length) {
    out.push(c.bold(`Run problems (${report.runProblems.length})`));
    for (const p of report.runProblems) out.push(`  - ${p.scenario ? `${p.scenario} ` : ''}[${p.transport}] ${firstLine(p.message)}`);
    out.push('');
  }
  const failures = report.checks.filter((r) => r.status === 'FAILURE' && !expected.has(resultKey(r)));
  section(out, c, `Failures (${failures.length})`, failures, style.verbose ? Infinity : COMPACT_LIMIT.failures, (r) =>
    item(r, c.red('✗'), c, style),
  );
  const expectedList = report.checks.filter((r) => expected.has(resultKey(r)));
  if (expectedList.length) {
    if (style.verbose) {
      out.push(c.bold(`Expected failures (${expectedList.length})`));
      for (const r of expectedList) out.push(`  ${c.dim('✗')} ${r.id} [${r.transport}, ${r.era}] ${c.dim('expected failure')}`);
    } else out.push(`${c.bold(`Expected failures (${expectedList.length})`)}: ${expectedList.map(resultKey).join(', ')}`);
    out.push('');
  }
  if (report.run.baseline?.stale.length) {
    out.push(
      c.red(`Stale baseline entries: ${report.run.baseline.stale.join(', ')} now pass; remove them from ${report.run.baseline.file}`),
      '',
    );
  }
  const refused = refusedBindingLines(report);
  if (refused.length) out.push(...refused.map((l) => c.yellow(l)), '');
  const warnings = report.checks.filter((r) => r.status === 'WARNING');
  section(out, c, `Warnings (${warnings.length})`, warnings, style.verbose ? Infinity : COMPACT_LIMIT.warnings, (r) =>
    item(r, c.yellow('!'), c, style),
  );
  out.push(...renderProfileTerminal(report, c));
  out.push(coverageLine(report));
  const verdictColor = report.run.exitCode === 0 ? c.green : report.run.exitCode === 3 ? c.yellow : c.red;
  out.push(verdictColor(c.bold(report.run.verdict)));
  return out.join('\n');
}

function section(out: string[], c: Palette, title: string, list: CheckResult[], limit: number, render: (r: CheckResult) => string[]): void {
  if (!list.length) return;
  out.push(c.bold(title));
  for (const r of list.slice(0, limit)) out.push(...render(r));
  if (list.length > limit) out.push(`  … and ${list.length - limit} more in report.md`);
  out.push('');
}

function item(r: CheckResult, mark: string, c: Palette, style: Style): string[] {
  const msg = firstLine(resultMessage(r));
  const max = style.verbose ? 240 : 160;
  const lines = [
    `  ${mark} ${c.bold(r.id)} [${r.transport ?? '-'}, ${r.era}] ${r.scenario}: ${msg.length > max ? `${msg.slice(0, max)}…` : msg}`,
  ];
  const link = r.specReferences.find((x) => x.url)?.url;
  if (style.verbose && link) lines.push(`    ${c.dim(link)}`);
  return lines;
}

export interface Counts {
  pass: number;
  fail: number;
  warn: number;
  skip: number;
  info: number;
}

const zero = (): Counts => ({ pass: 0, fail: 0, warn: 0, skip: 0, info: 0 });

/** Adds one result; a FAILURE the baseline expects counts as a pass (it does not fail the run). */
export function count(n: Counts, status: CheckStatus, expectedFailure = false): Counts {
  if (status === 'SUCCESS' || (status === 'FAILURE' && expectedFailure)) n.pass++;
  else if (status === 'FAILURE') n.fail++;
  else if (status === 'WARNING') n.warn++;
  else if (status === 'SKIPPED') n.skip++;
  else n.info++;
  return n;
}

/** The matrix column of a result: its transport (each era's scenarios are rows of their own, headed by the era). */
const columnOf = (r: CheckResult): string => r.transport ?? '-';

/** Counts per scenario (rows, in run order) and column, plus a total per column. */
function tallies(checks: CheckResult[], expected: Set<string>) {
  const columns = [...new Set(checks.map(columnOf))];
  const rows = new Map<string, Map<string, Counts>>();
  const totals = new Map(columns.map((k) => [k, zero()]));
  for (const r of checks) {
    const row = rows.get(r.scenario) ?? new Map<string, Counts>();
    rows.set(r.scenario, row);
    const cell = row.get(columnOf(r)) ?? zero();
    row.set(columnOf(r), count(cell, r.status, expected.has(resultKey(r))));
    count(totals.get(columnOf(r))!, r.status, expected.has(resultKey(r)));
  }
  return { columns, rows, totals };
}

function matrix(checks: CheckResult[], expected: Set<string>, c: Palette): string[] {
  const { columns, rows, totals } = tallies(checks, expected);
  const nameWidth = Math.max(8, ...[...rows.keys()].map((s) => s.length)) + 2;
  const cellWidth = Math.max(14, ...columns.map((k) => k.length + 2));
  const cell = (n: Counts | undefined) => {
    if (!n) return c.dim('-'.padEnd(cellWidth));
    const text = `${n.pass}/${n.fail}/${n.warn}/${n.skip}`.padEnd(cellWidth);
    return n.fail ? c.red(text) : n.warn ? c.yellow(text) : text;
  };
  const line = (name: string, cells: string[]) => `${name.padEnd(nameWidth)}${cells.join('')}`.trimEnd();
  const out = [
    `${c.bold(
      line(
        'Scenario',
        columns.map((k) => k.padEnd(cellWidth)),
      ).padEnd(nameWidth + cellWidth * columns.length),
    )}${c.dim('(pass/fail/warn/skip)')}`,
  ];
  const eraOf = new Map(checks.map((r) => [r.scenario, r.era]));
  const eras = new Set(eraOf.values());
  let era: string | undefined;
  for (const [scenario, row] of rows) {
    if (eras.size > 1 && eraOf.get(scenario) !== era) out.push(c.dim(`protocol ${(era = eraOf.get(scenario))}`));
    out.push(
      line(
        scenario,
        columns.map((k) => cell(row.get(k))),
      ),
    );
  }
  out.push(
    line(
      'total',
      columns.map((k) => cell(totals.get(k))),
    ),
  );
  return out;
}

function detailedTable(checks: CheckResult[], expected: Set<string>, c: Palette): string[] {
  const table = new Table({
    head: ['Scenario', 'Era', 'Transport', 'Pass', 'Fail', 'Warn', 'Skip', 'Info'],
    style: { head: [], border: [] },
  });
  const { columns, rows } = tallies(checks, expected);
  const eraOf = new Map(checks.map((r) => [r.scenario, r.era]));
  for (const k of columns) {
    for (const [scenario, row] of rows) {
      const n = row.get(k);
      if (!n) continue;
      table.push([
        scenario,
        eraOf.get(scenario) ?? '-',
        k,
        String(n.pass),
        n.fail ? c.red(String(n.fail)) : '0',
        n.warn ? c.yellow(String(n.warn)) : '0',
        n.skip ? c.dim(String(n.skip)) : '0',
        String(n.info),
      ]);
    }
  }
  return [table.toString()];
}

const firstLine = (s: string) => s.split('\n')[0] ?? '';

const indent = (s: string) =>
  s
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
