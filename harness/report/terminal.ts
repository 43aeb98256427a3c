// Terminal output: a progress line while scenarios run (stderr) and the final summary (a table per
// scenario x transport, the failures with links, the verdict). Colours only on a TTY without NO_COLOR.
import Table from 'cli-table3';
import type { CheckResult, TransportName } from '../checks.js';
import type { ProgressEvent } from '../run/runner.js';
import { coverageLine } from './markdown.js';
import { resultKey, resultMessage, type Report } from './model.js';

export interface Style {
  color: boolean;
}

export function useColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && env.NO_COLOR === undefined && env.TERM !== 'dumb';
}

const paint = (on: boolean, code: string) => (s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);

function palette(style: Style) {
  return {
    red: paint(style.color, '31'),
    green: paint(style.color, '32'),
    yellow: paint(style.color, '33'),
    dim: paint(style.color, '2'),
    bold: paint(style.color, '1'),
  };
}

export function renderTerminal(report: Report, style: Style): string {
  const c = palette(style);
  const expected = new Set(report.expectedFailures ?? []);
  const out: string[] = [];

  if (report.checks.length) {
    const table = new Table({
      head: ['Scenario', 'Transport', 'Pass', 'Fail', 'Warn', 'Skip', 'Info'],
      style: { head: [], border: [] },
    });
    for (const row of rows(report.checks, expected)) {
      table.push([
        row.scenario,
        row.transport,
        String(row.pass),
        row.fail ? c.red(String(row.fail)) : '0',
        row.warn ? c.yellow(String(row.warn)) : '0',
        row.skip ? c.dim(String(row.skip)) : '0',
        String(row.info),
      ]);
    }
    out.push(table.toString(), '');
  }

  if (report.run.fatal) {
    out.push(c.red(`The target could not be started: ${report.run.fatal.message}`));
    if (report.run.fatal.stderrTail) out.push(c.dim(indent(report.run.fatal.stderrTail)));
    out.push('');
  }

  const failures = report.checks.filter((r) => r.status === 'FAILURE' && !expected.has(resultKey(r)));
  if (failures.length) {
    out.push(c.bold(`Failures (${failures.length})`));
    for (const r of failures) out.push(...item(r, c.red('✗'), c));
    out.push('');
  }
  const expectedList = report.checks.filter((r) => expected.has(resultKey(r)));
  if (expectedList.length) {
    out.push(c.bold(`Expected failures (${expectedList.length})`));
    for (const r of expectedList) out.push(`  ${c.dim('✗')} ${r.id} [${r.transport}] ${c.dim('expected failure')}`);
    out.push('');
  }
  if (report.run.baseline?.stale.length) {
    out.push(
      c.red(`Stale baseline entries: ${report.run.baseline.stale.join(', ')} now pass; remove them from ${report.run.baseline.file}`),
      '',
    );
  }
  const warnings = report.checks.filter((r) => r.status === 'WARNING');
  if (warnings.length) {
    out.push(c.bold(`Warnings (${warnings.length})`));
    for (const r of warnings) out.push(...item(r, c.yellow('!'), c));
    out.push('');
  }
  if (report.runProblems?.length) {
    out.push(c.bold('Run problems'));
    for (const p of report.runProblems) out.push(`  - ${p.scenario ? `${p.scenario} ` : ''}[${p.transport}] ${p.message}`);
    out.push('');
  }
  out.push(coverageLine(report));
  const verdictColor = report.run.exitCode === 0 ? c.green : report.run.exitCode === 3 ? c.yellow : c.red;
  out.push(verdictColor(c.bold(report.run.verdict)));
  return out.join('\n');
}

function item(r: CheckResult, mark: string, c: ReturnType<typeof palette>): string[] {
  const msg = resultMessage(r).split('\n')[0] ?? '';
  const lines = [`  ${mark} ${c.bold(r.id)} [${r.transport ?? '-'}] ${r.scenario}: ${msg.length > 240 ? `${msg.slice(0, 240)}…` : msg}`];
  const link = r.specReferences.find((x) => x.url)?.url;
  if (link) lines.push(`    ${c.dim(link)}`);
  return lines;
}

interface Row {
  scenario: string;
  transport: string;
  pass: number;
  fail: number;
  warn: number;
  skip: number;
  info: number;
}

function rows(checks: CheckResult[], expected: Set<string>): Row[] {
  const map = new Map<string, Row>();
  for (const r of checks) {
    const key = `${r.scenario}\u0000${r.transport}`;
    const row = map.get(key) ?? { scenario: r.scenario, transport: r.transport ?? '-', pass: 0, fail: 0, warn: 0, skip: 0, info: 0 };
    if (r.status === 'SUCCESS' || (r.status === 'FAILURE' && expected.has(resultKey(r)))) row.pass++;
    else if (r.status === 'FAILURE') row.fail++;
    else if (r.status === 'WARNING') row.warn++;
    else if (r.status === 'SKIPPED') row.skip++;
    else row.info++;
    map.set(key, row);
  }
  return [...map.values()];
}

const indent = (s: string) =>
  s
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');

export interface ProgressOptions {
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Rewrite one line in place (TTY and not CI); otherwise plain lines per scenario. */
  live: boolean;
  color: boolean;
  verbose: boolean;
}

/** Prints run progress; call done() before printing anything else to the same stream. */
export class ProgressPrinter {
  private current = '';
  private lineShown = false;
  private readonly c: ReturnType<typeof palette>;

  constructor(private readonly o: ProgressOptions) {
    this.c = palette({ color: o.color });
  }

  static forStream(stream: ProgressOptions['stream'], verbose: boolean, env: NodeJS.ProcessEnv = process.env): ProgressPrinter {
    const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
    return new ProgressPrinter({ stream, live: Boolean(stream.isTTY) && !ci, color: useColor(stream, env), verbose });
  }

  readonly handle = (e: ProgressEvent): void => {
    switch (e.type) {
      case 'target-start':
        if (this.o.verbose) this.print(this.c.dim(`checking ${e.target}`));
        break;
      case 'scenario-start':
        this.current = `[${e.transport} ${e.index + 1}/${e.total}] ${e.scenario}`;
        if (this.o.live) this.live();
        break;
      case 'check':
        if (this.o.verbose)
          this.print(
            `  ${statusMark(e.result, this.c)} ${e.result.id} [${e.result.transport}] ${resultMessage(e.result).split('\n')[0] ?? ''}`,
          );
        if (this.o.live) this.live(e.result.id);
        break;
      case 'scenario-end': {
        const n = tally(e.results);
        this.current = '';
        const parts = [
          `${n.pass} pass`,
          n.fail ? this.c.red(`${n.fail} fail`) : '0 fail',
          n.warn ? this.c.yellow(`${n.warn} warn`) : '0 warn',
          `${n.skip} skip`,
          `${n.info} info`,
        ];
        this.print(`${label(e.transport, e.scenario)} ${parts.join(', ')}${e.error ? this.c.red(` — aborted: ${e.error}`) : ''}`);
        break;
      }
      case 'log':
        if (this.o.verbose) this.print(this.c.dim(`  [${e.transport}] ${e.scenario}: ${e.message}`));
        break;
    }
  };

  /** Clears the live line. */
  done(): void {
    if (this.lineShown) this.o.stream.write('\r\x1b[K');
    this.lineShown = false;
  }

  private live(extra = '') {
    const width = Math.max(20, (this.o.stream.columns ?? 80) - 1);
    const text = `${this.current}${extra ? ` ${extra}` : ''}`;
    this.o.stream.write(`\r\x1b[K${text.slice(0, width)}`);
    this.lineShown = true;
  }

  private print(line: string) {
    this.done();
    this.o.stream.write(`${line}\n`);
    if (this.o.live && this.current) this.live();
  }
}

function label(transport: TransportName, scenario: string) {
  return `${transport.padEnd(5)} ${scenario.padEnd(16)}`;
}

function tally(results: CheckResult[]) {
  const n = { pass: 0, fail: 0, warn: 0, skip: 0, info: 0 };
  for (const r of results) {
    if (r.status === 'SUCCESS') n.pass++;
    else if (r.status === 'INFO') n.info++;
    else if (r.status === 'FAILURE') n.fail++;
    else if (r.status === 'WARNING') n.warn++;
    else n.skip++;
  }
  return n;
}

function statusMark(r: CheckResult, c: ReturnType<typeof palette>): string {
  switch (r.status) {
    case 'SUCCESS':
      return c.green('✓');
    case 'FAILURE':
      return c.red('✗');
    case 'WARNING':
      return c.yellow('!');
    case 'SKIPPED':
      return c.dim('-');
    case 'INFO':
      return c.dim('i');
  }
}
