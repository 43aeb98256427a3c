// The last line of defence against orphans: one small watcher process per harness process, holding a
// pipe from it. The exit sweep in proc.ts runs on every exit Node sees, but a SIGKILLed harness (a CI
// timeout, the OOM killer, `kill -9`) runs nothing, and its servers live in their own process groups,
// so nothing else would stop them. The watcher learns each owner marker as it is used and, when the
// pipe closes (the harness is gone, however it went), kills every process still carrying one.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import { packagePath } from '../paths.js';

/** The watcher's program (built JavaScript: it must run without the TypeScript toolchain). */
const REAPER_CHILD = () => packagePath('dist', 'harness', 'transport', 'reaper-child.js');

let reaper: ChildProcess | undefined;
let unavailable = false;

/**
 * Tells the watcher about one environment marker (`NAME=value`) that every process to reap carries.
 * Best effort: without /proc (not Linux) or without the built watcher it does nothing.
 * @param needle the exact `NAME=value` entry to look for in `/proc/<pid>/environ`
 */
export function reapOnExit(needle: string): void {
  const child = ensureReaper();
  child?.stdin?.write(`${needle}\n`);
}

function ensureReaper(): ChildProcess | undefined {
  if (reaper || unavailable) return reaper;
  const program = REAPER_CHILD();
  if (process.platform !== 'linux' || !existsSync(program)) {
    unavailable = true;
    return undefined;
  }
  // Its own process group: a Ctrl-C to the harness's group must not take the watcher before the harness.
  const child = spawn(process.execPath, [program], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  child.on('error', () => (unavailable = true));
  child.stdin?.on('error', () => undefined);
  // Neither the process nor its pipe may keep the harness alive.
  child.unref();
  (child.stdin as Socket | null)?.unref();
  reaper = child;
  return child;
}
