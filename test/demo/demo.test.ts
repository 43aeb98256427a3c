// `sep1686-check demo` as users run it (node dist/harness/cli/main.js demo, built by npm test) against the
// reference server with --quick: every part appears, the speedup line is measured (no timing
// assertions), part 6 says plainly when stdio cannot show it or when the server breaks it.
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../../harness/paths.js';

const CLI = packagePath('dist', 'harness', 'cli', 'main.js');
const REFERENCE = packagePath('dist', 'reference-server', 'main.js');

function demo(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'demo', ...args], { env: { ...process.env, CI: 'true' }, timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

describe('sep1686-check demo', () => {
  it('--quick on the embedded reference server (HTTP): every part, measured figures, plain text', async () => {
    const r = await demo(['--quick']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (let part = 0; part <= 6; part++) expect(r.stdout).toContain(`Part ${part}: `);
    expect(r.stdout).not.toContain('\x1b[');
    expect(r.stdout).toMatch(/speedup \d+\.\d\dx with tasks over sequential, time saved -?\d+\.\d{3} s/);
    expect(r.stdout).toMatch(/wake-up latency \(answer minus work, median per call\): sequential [+-]\d+ ms/);
    expect(r.stdout).toContain('client  tools/call slow_compute(0.3 s, "sequential-A-1")');
    expect(r.stdout).toMatch(/task D: working → cancelled/);
    expect(r.stdout).toContain('the task outlived its connection: fetched by id from two new sessions');
    expect(r.stdout.trim().split('\n').at(-1)).toBe('Every part ran.');
  });

  it('over stdio part 6 says plainly that stdio cannot show connection independence', async () => {
    const r = await demo(['--quick', '--transport', 'stdio']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('stdio cannot show this');
    expect(r.stdout).not.toContain('the task outlived its connection');
  });

  it('on a server that binds tasks to their session, part 6 names the lifecycle property that failed', async () => {
    const r = await demo(['--quick', '--http-command', '--', process.execPath, REFERENCE, '--http', '--port', '0', '--violate', 'H25-12']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('!! the new session cannot see the task');
    expect(r.stdout).toMatch(/survivesDisconnect .* and crossSession .* does not hold/);
  });

  it('bad input: one line, exit 2', async () => {
    for (const args of [
      ['--out', 'x'],
      ['--transport', 'pigeon'],
      ['--url', 'http://127.0.0.1:9/mcp'],
    ]) {
      const r = await demo(args);
      expect(r.code).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^sep1686-check demo: /);
    }
  });
});
