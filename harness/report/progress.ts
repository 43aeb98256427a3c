// Progress while checks run (stderr). On a terminal: one live line, rewritten in place (done so far,
// counts, what is running). In CI or when piped: a line per target started and finished, a line per
// scenario that failed or was aborted, and a "still running" line when nothing was said for 30 s, so a
// log stays short and a slow server still shows signs of life. --verbose: a line per scenario and per
// check, and the scenario logs, as they happen.
import type { CheckResult, TransportName } from '../checks.js';
import type { ProgressEvent } from '../run/runner.js';
import { count, type Counts, palette, useColor } from './terminal.js';
import { resultMessage } from './model.js';

export interface ProgressOptions {
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Rewrite one line in place (TTY and not CI); otherwise plain lines. */
  live: boolean;
  color: boolean;
  verbose: boolean;
  /** Plain mode: say "still running" after this long without a line (ms). */
  heartbeatMs?: number;
}

const HEARTBEAT_MS = 30_000;

const tally = (results: CheckResult[]): Counts =>
  results.reduce((n, r) => count(n, r.status), { pass: 0, fail: 0, warn: 0, skip: 0, info: 0 });

/** Prints run progress; call done() before printing anything else to the same stream. */
export class ProgressPrinter {
  private readonly c: ReturnType<typeof palette>;
  private lineShown = false;
  private lastPrint = performance.now();
  private readonly running: string[] = [];
  private readonly totals: Counts = { pass: 0, fail: 0, warn: 0, skip: 0, info: 0 };
  /** Per transport: scenarios announced, scenarios ended, counts, start time. */
  private readonly perTransport = new Map<TransportName, { total: number; ended: number; n: Counts; started: number }>();
  /** When each target started (its target-start event's `at`): events of a later target arrive after earlier ones end. */
  private readonly startedAt = new Map<TransportName, number>();

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
        this.startedAt.set(e.transport, e.at);
        if (this.o.verbose) this.print(this.c.dim(`checking ${maskTokens(e.target)}`));
        break;
      case 'scenario-start': {
        // Plain mode names the target once it is up (a target that cannot start gets its one error line only).
        if (!this.o.live && !this.o.verbose && !this.perTransport.has(e.transport))
          this.print(this.c.dim(`checking ${maskTokens(e.target)}`));
        const t = this.transport(e.transport);
        t.total = e.total;
        this.running.push(`${e.transport} ${e.scenario}`);
        break;
      }
      case 'check':
        if (this.o.verbose)
          this.print(`  ${statusMark(e.result, this.c)} ${e.result.id} [${e.result.transport}] ${firstLine(resultMessage(e.result))}`);
        break;
      case 'scenario-end':
        this.scenarioEnded(e);
        break;
      case 'log':
        if (this.o.verbose) this.print(this.c.dim(`  [${e.transport}] ${e.scenario}: ${e.message}`));
        break;
    }
    if (this.o.live) this.live();
    else if (performance.now() - this.lastPrint > (this.o.heartbeatMs ?? HEARTBEAT_MS)) this.print(`still running: ${this.status()}`);
  };

  /** Clears the live line. */
  done(): void {
    if (this.lineShown) this.o.stream.write('\r\x1b[K');
    this.lineShown = false;
  }

  private scenarioEnded(e: Extract<ProgressEvent, { type: 'scenario-end' }>): void {
    const i = this.running.indexOf(`${e.transport} ${e.scenario}`);
    if (i >= 0) this.running.splice(i, 1);
    const n = tally(e.results);
    const t = this.transport(e.transport);
    t.ended++;
    for (const r of e.results) {
      count(t.n, r.status);
      count(this.totals, r.status);
    }
    const aborted = e.error ? this.c.red(` — aborted: ${e.error}`) : '';
    if (this.o.verbose || n.fail || e.error) this.print(`${e.transport.padEnd(5)} ${e.scenario.padEnd(16)} ${this.counts(n)}${aborted}`);
    if (!this.o.verbose && !this.o.live && t.ended === t.total) {
      const secs = ((e.at - (this.startedAt.get(e.transport) ?? t.started)) / 1000).toFixed(1);
      this.print(`${e.transport}: ${t.total} scenarios done in ${secs} s: ${this.counts(t.n)}`);
    }
  }

  private transport(name: TransportName) {
    let t = this.perTransport.get(name);
    if (!t)
      this.perTransport.set(
        name,
        (t = { total: 0, ended: 0, n: { pass: 0, fail: 0, warn: 0, skip: 0, info: 0 }, started: performance.now() }),
      );
    return t;
  }

  private counts(n: Counts, c = this.c): string {
    return [
      `${n.pass} pass`,
      n.fail ? c.red(`${n.fail} fail`) : '0 fail',
      n.warn ? c.yellow(`${n.warn} warn`) : '0 warn',
      `${n.skip} skip`,
      `${n.info} info`,
    ].join(', ');
  }

  /** "stdio 20/20, http 3/20 scenarios, 110 pass, 0 fail, ... | running: http lifecycle" (no colour: the live line is cut to width). */
  private status(): string {
    const done = [...this.perTransport].map(([name, t]) => `${name} ${t.ended}/${t.total}`).join(', ');
    const running = this.running.length ? ` | running: ${this.running.join(', ')}` : '';
    return `${done || 'starting'} scenarios, ${this.counts(this.totals, palette({ color: false }))}${running}`;
  }

  private live() {
    const width = Math.max(20, (this.o.stream.columns ?? 80) - 1);
    this.o.stream.write(`\r\x1b[K${this.status().slice(0, width)}`);
    this.lineShown = true;
  }

  private print(line: string) {
    this.done();
    this.o.stream.write(`${line}\n`);
    this.lastPrint = performance.now();
  }
}

const firstLine = (s: string) => s.split('\n')[0] ?? '';

/** Target labels carry the command line; bearer tokens on it (the embedded server's random ones) stay out of CI logs. */
const maskTokens = (label: string) => label.replace(/(--auth-token[= ])\S+/g, '$1***');

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
