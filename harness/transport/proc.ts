// Process helpers shared by the stdio link and the http-command target: a bounded stderr/stdout tail,
// waiting for exit, and killing a whole process tree. Servers started through `npx`, shells or
// wrappers fork grandchildren; killing only the direct child would leave them running, so on Linux
// the descendants are found through /proc and killed too.
import { readdirSync, readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';

/** Keeps the last `max` lines of a text stream. */
export class LineTail {
  private readonly lines: string[] = [];
  private partial = '';
  constructor(private readonly max = 200) {}

  push(chunk: string | Buffer): void {
    const text = this.partial + chunk.toString();
    const parts = text.split(/\r?\n/);
    this.partial = parts.pop() ?? '';
    for (const l of parts) this.add(l);
    // A very long line without newline must not grow without bound.
    if (this.partial.length > 64_000) {
      this.add(this.partial);
      this.partial = '';
    }
  }

  add(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.max) this.lines.splice(0, this.lines.length - this.max);
  }

  tail(n = 20): string {
    const all = this.partial ? [...this.lines, this.partial] : this.lines;
    return all.slice(-n).join('\n');
  }
}

/** Pids of every descendant of `pid` (Linux /proc; empty elsewhere). */
export function descendants(pid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      // Field 4 (ppid) follows the parenthesised command name, which may itself contain spaces.
      const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(after[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(e));
      children.set(ppid, list);
    } catch {
      // the process went away while we looked
    }
  }
  const out: number[] = [];
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    for (const c of children.get(p) ?? []) {
      out.push(c);
      stack.push(c);
    }
  }
  return out;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Sends `signal` to the process and all of its descendants (descendants first, so none is re-parented unseen). */
export function signalTree(pid: number, signal: NodeJS.Signals): void {
  const all = [...descendants(pid).reverse(), pid];
  for (const p of all) {
    try {
      process.kill(p, signal);
    } catch {
      // already gone
    }
  }
}

/** Resolves once the child has exited (immediately if it already has), or after `ms` with false. */
export function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, ms);
    timer.unref();
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

export interface StopOptions {
  /** Close stdin first and give the process this long to exit on its own (0 = skip). */
  stdinGraceMs?: number;
  /** After SIGTERM, wait this long before SIGKILL (0 = SIGKILL at once). */
  termGraceMs?: number;
}

/**
 * Stops a child process and its descendants: optional stdin close, SIGTERM, then SIGKILL. Resolves once the
 * direct child has exited; descendants still alive at that point are SIGKILLed.
 */
export async function stopProcess(child: ChildProcess, options: StopOptions = {}): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  const { stdinGraceMs = 0, termGraceMs = 2000 } = options;
  // Collect the tree before the child dies: once it exits, its children are re-parented and lost to us.
  const tree = descendants(pid);
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  if (!exited() && stdinGraceMs > 0) {
    child.stdin?.end();
    await waitExit(child, stdinGraceMs);
  }
  if (!exited() && termGraceMs > 0) {
    signalTree(pid, 'SIGTERM');
    await waitExit(child, termGraceMs);
  }
  if (!exited()) {
    signalTree(pid, 'SIGKILL');
    await waitExit(child, 5000);
  }
  for (const p of tree) {
    if (isAlive(p)) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
  child.stdin?.destroy();
  child.stdout?.destroy();
  child.stderr?.destroy();
}
