// Runs `node dist/harness/cli/main.js` against a third-party server the way a user would, and proves that
// nothing it spawned survives. Each server script is started through a symlink in a fresh temp folder,
// so every process of one test carries that folder in its command line and can be found (and, should
// a test fail half-way, killed) by it without touching processes of other tests.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packagePath } from '../../harness/paths.js';
import { Report } from '../../harness/report/model.js';

export const CLI = packagePath('dist', 'harness', 'cli', 'main.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  report: Report;
}

export class Workspace {
  readonly dir = mkdtempSync(join(tmpdir(), 'sep1686-it-'));
  private runs = 0;

  /** A symlink to `target` inside the workspace; node resolves the module's real path, so imports still work. */
  link(target: string, name: string): string {
    const path = join(this.dir, name);
    symlinkSync(target, path);
    return path;
  }

  /** Runs the CLI with `args` (a fresh --out folder is added) and parses report.json with the report model. */
  async cli(args: string[], timeoutMs = 150_000): Promise<CliRun> {
    const out = join(this.dir, `out-${++this.runs}`);
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [CLI, '--out', out, ...args],
        { env: { ...process.env, CI: 'true', GITHUB_STEP_SUMMARY: '' }, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
      );
    });
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    } catch (e) {
      throw new Error(`the CLI (exit ${code}) wrote no readable report.json: ${(e as Error).message}\n${stderr}`, { cause: e });
    }
    return { code, stdout, stderr, report: Report.parse(raw) };
  }

  /** Pids of live processes whose command line mentions this workspace. */
  processes(): number[] {
    const pids: number[] = [];
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
      try {
        // A zombie's command line is empty, so only live processes match.
        if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(this.dir)) pids.push(Number(name));
      } catch {
        // gone meanwhile
      }
    }
    return pids;
  }

  /** Waits (bounded) until no process of this workspace is left; returns the survivors. */
  async survivors(waitMs = 10_000): Promise<number[]> {
    const until = Date.now() + waitMs;
    let left = this.processes();
    while (left.length && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 200));
      left = this.processes();
    }
    return left;
  }

  /** Kills whatever this workspace's tests left running (by pid), then removes the folder. */
  dispose(): void {
    for (const pid of this.processes()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** id -> status of the results of one transport. */
export function statusesOf(report: Report, transport: 'stdio' | 'http'): Record<string, string> {
  return Object.fromEntries(report.checks.filter((c) => c.transport === transport).map((c) => [c.id, c.status]));
}

/** Sorted ids with the given status. */
export function idsWith(report: Report, status: string, transport: 'stdio' | 'http'): string[] {
  return report.checks
    .filter((c) => c.transport === transport && c.status === status)
    .map((c) => c.id)
    .sort();
}

export function check(report: Report, id: string, transport: 'stdio' | 'http') {
  const c = report.checks.find((x) => x.id === id && x.transport === transport);
  if (!c) throw new Error(`no ${id}@${transport} in report.json`);
  return c;
}

/** The message a result carries: errorMessage for problems, details.message otherwise, the skip reason for skips. */
export function messageOf(c: Report['checks'][number]): string {
  return c.errorMessage ?? (c.details?.message as string | undefined) ?? c.skip?.reason ?? '';
}
