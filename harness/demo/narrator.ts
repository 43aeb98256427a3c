// The demo's voice: plain lines on stdout saying who speaks (client or server), what happens, and the
// measured figure, each stamped with the seconds since the current part began. Colour only on a TTY
// (useColor), so piped or CI output is plain text.
import { useColor } from '../report/terminal.js';

type Paint = (s: string) => string;

export interface NarratorOptions {
  write: (text: string) => void;
  color: boolean;
}

export class Narrator {
  /** How many problem lines were said (the closing line counts them). */
  problems = 0;
  private t0 = performance.now();
  private readonly bold: Paint;
  private readonly dim: Paint;
  private readonly cyan: Paint;
  private readonly green: Paint;
  private readonly red: Paint;
  private readonly yellow: Paint;

  constructor(private readonly o: NarratorOptions) {
    const paint =
      (code: string): Paint =>
      (s) =>
        o.color ? `\x1b[${code}m${s}\x1b[0m` : s;
    this.bold = paint('1');
    this.dim = paint('2');
    this.cyan = paint('36');
    this.green = paint('32');
    this.red = paint('31');
    this.yellow = paint('33');
  }

  static forStdout(): Narrator {
    return new Narrator({ write: (t) => process.stdout.write(t), color: useColor(process.stdout) });
  }

  /** Milliseconds since the current part began. */
  now(): number {
    return performance.now() - this.t0;
  }

  /** Starts a part: a heading, one line of why, and the clock reset to 0. */
  part(n: number, title: string, why: string): void {
    this.o.write(`\n${this.bold(`Part ${n}: ${title}`)}\n${this.dim(why)}\n`);
    this.t0 = performance.now();
  }

  /** Restarts the clock without a heading (between the approaches of part 0). */
  restartClock(): void {
    this.t0 = performance.now();
  }

  /** The client does something (sends a request, works locally). */
  client(text: string): void {
    this.line(this.cyan('client'), text);
  }

  /** The server answered or something happened on it. */
  server(text: string): void {
    this.line(this.green('server'), text);
  }

  /** A measured figure or a conclusion. */
  figure(text: string): void {
    this.o.write(`  ${this.bold('=>')} ${text}\n`);
  }

  /** Something that did not work as a task server should: said plainly. */
  problem(text: string): void {
    this.problems++;
    this.o.write(`  ${this.red('!!')} ${text}\n`);
  }

  /** A remark that is neither a message nor a figure. */
  note(text: string): void {
    this.o.write(`  ${this.yellow('--')} ${text}\n`);
  }

  plain(text: string): void {
    this.o.write(`${text}\n`);
  }

  private line(who: string, text: string): void {
    this.o.write(`  ${this.dim(seconds(this.now()).padStart(8))}  ${who}  ${text}\n`);
  }
}

/** "1.234 s" */
export const seconds = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;

/** "+12 ms" / "-3 ms": how far an end came after the work's own duration. */
export const lateness = (ms: number): string => `${ms >= 0 ? '+' : ''}${Math.round(ms)} ms`;
