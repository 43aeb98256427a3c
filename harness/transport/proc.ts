// Process helpers shared by the stdio link and the http-command target: a bounded stderr/stdout tail,
// waiting for exit, and owning a server's whole process tree. Servers started through `npx`, shells or
// wrappers fork grandchildren, and some of those outlive their parent or leave its process group
// (`setsid`). So every server is spawned in its own process group (detached) with a marker in its
// environment that its descendants inherit; stopping it signals the group and the tree, then kills
// every process still carrying its marker. A synchronous sweep on process exit covers the paths that
// never reach a stop (fatal errors, a second Ctrl-C).
import { readdirSync, readFileSync } from 'node:fs';
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { reapOnExit } from './reaper.js';

/** Environment variables that mark a process (and, by inheritance, its descendants) as ours. */
export const OWNER_ENV = 'SEP1686_CHECK_OWNER';
export const PROCESS_ENV = 'SEP1686_CHECK_PROCESS';

/** Marker of every child spawned here, and the owners in use, for the exit sweep. */
const markers = new WeakMap<ChildProcess, string>();
const liveChildren = new Set<ChildProcess>();
const owners = new Set<string>();
let exitHookInstalled = false;

/** A random owner id: a run (or a target) tags everything it spawns with it. */
export function newOwner(): string {
  const owner = randomUUID();
  addOwner(owner);
  return owner;
}

/**
 * spawn() for a process the harness owns: its own process group (detached, so the whole group can be
 * signalled and the terminal's Ctrl-C reaches only us), and markers in its environment.
 */
export function spawnOwned(command: string, args: string[], options: SpawnOptions & { owner?: string }): ChildProcess {
  const marker = randomUUID();
  const { owner, ...rest } = options;
  if (owner) addOwner(owner);
  else reapOnExit(`${PROCESS_ENV}=${marker}`);
  const env = { ...(rest.env ?? process.env), [PROCESS_ENV]: marker, ...(owner ? { [OWNER_ENV]: owner } : {}) };
  const child = spawn(command, args, { ...rest, env, detached: process.platform !== 'win32' });
  markers.set(child, marker);
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  installExitHook();
  return child;
}

function addOwner(owner: string): void {
  if (owners.has(owner)) return;
  owners.add(owner);
  reapOnExit(`${OWNER_ENV}=${owner}`);
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of liveChildren) if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
    for (const owner of owners) killMarked(`${OWNER_ENV}=${owner}`);
  });
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // no such group (already gone, or not a group leader)
  }
}

/** Every live process whose environment contains `needle` (Linux /proc; none elsewhere), with its command line. */
export function markedProcesses(needle: string): Array<{ pid: number; command: string }> {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: Array<{ pid: number; command: string }> = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      const env = readFileSync(`/proc/${e}/environ`);
      if (!env.includes(needle)) continue;
      const command = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0').join(' ').trim();
      out.push({ pid: Number(e), command });
    } catch {
      // not ours to read, or gone
    }
  }
  return out;
}

/** SIGKILLs every process carrying the marker; returns what was found. */
export function killMarked(needle: string): Array<{ pid: number; command: string }> {
  const found = markedProcesses(needle);
  for (const p of found) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  return found;
}

/** The final sweep of an owner: kills whatever still carries its marker and names it (a leak to report). */
export function sweepOwner(owner: string): string[] {
  return killMarked(`${OWNER_ENV}=${owner}`).map((p) => `pid ${p.pid} (${p.command.slice(0, 200)})`);
}

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
    signalGroup(pid, 'SIGTERM');
    signalTree(pid, 'SIGTERM');
    await waitExit(child, termGraceMs);
  }
  if (!exited()) {
    signalTree(pid, 'SIGKILL');
    await waitExit(child, 5000);
  }
  // The server is gone; what it left behind (its group, its tree as seen before, anything with its marker) goes too.
  signalGroup(pid, 'SIGKILL');
  for (const p of [...tree, ...descendants(pid)]) {
    if (isAlive(p)) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
  const marker = markers.get(child);
  if (marker) killMarked(`${PROCESS_ENV}=${marker}`);
  liveChildren.delete(child);
  child.stdin?.destroy();
  child.stdout?.destroy();
  child.stderr?.destroy();
}
