// The bin as users run it: spawned with `node dist/harness/cli/main.js` (npm test builds first).
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { packagePath } from '../../harness/paths.js';
import { Report } from '../../harness/report/model.js';

const CLI = packagePath('dist', 'harness', 'cli', 'main.js');
const REFERENCE = packagePath('dist', 'reference-server', 'main.js');

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, CI: 'true', GITHUB_STEP_SUMMARY: '', ...env }, timeout: 120_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
      },
    );
  });
}

const tmp = () => mkdtempSync(join(tmpdir(), 'sep1686-cli-'));

// The one-process cases below run concurrently: each spawns its own CLI, and one at a time made this file the
// last to finish of the whole suite.

describe.concurrent('command line errors: one line on stderr, exit 2', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--foo'], /^sep1686-check: unknown option --foo \(see --help\)$/],
    [['--timeout'], /^sep1686-check: option --timeout needs a value/],
    [['--timeout', 'soon'], /--timeout needs a positive whole number/],
    [['--scenario', 'nope'], /unknown scenario 'nope'/],
    [['server.js'], /unexpected argument 'server.js' \(put the server command after --/],
    [['--url', 'not a url'], /is not a URL/],
    [['--url', 'http://127.0.0.1:9/mcp', '--', 'node', 's.js'], /either --url or a command/],
    [['--http-command'], /--http-command needs the server command after --/],
    [['--instances', '3', '--', 'node', 's.js'], /--instances needs --http-command/],
    [['--instances', '0', '--http-command', '--', 'node', 's.js'], /--instances needs a positive whole number/],
    [['--instances', '99', '--http-command', '--', 'node', 's.js'], /--instances can be at most 16/],
    [['--url', 'http://127.0.0.1:9/mcp', '--url', 'nope'], /'nope' is not a URL/],
    [['--expected-failures', '/no/such/file.yml'], /cannot read --expected-failures/],
    [['--fixtures', '/no/such/fixtures.yml'], /fixtures/],
    // Bad input found by a hostile tester (issue 10): each used to run (or hang) instead of failing at once.
    [['--'], /nothing after --/],
    [['--timeout', '99999999999999999999'], /--timeout can be at most 2147483647 milliseconds/],
    [['--settle', '2147483648'], /--settle can be at most 2147483647/],
    [['--out', '/proc/sep1686-x'], /^sep1686-check: --out \/proc\/sep1686-x: cannot create/],
    [['--out', CLI], /exists and is not a directory/],
    [['--out', `${CLI}/sub`], /--out/],
    [['--max-message-bytes', '0'], /--max-message-bytes needs a positive whole number/],
    [['--max-message-bytes', '99999999999'], /--max-message-bytes can be at most/],
    [['--max-server-messages', 'many'], /--max-server-messages needs a positive whole number/],
  ];
  for (const [args, pattern] of cases) {
    it(`${args.join(' ')}`, async () => {
      const r = await cli(args);
      expect(r.code).toBe(2);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(pattern);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }

  it('an unknown check id in the baseline is a usage error', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'b.yml'), 'server:\n  - T25-NOPE-01\n');
    const r = await cli(['--expected-failures', join(dir, 'b.yml'), '--out', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/'T25-NOPE-01' is not a known check id/);
  });

  it('a command that does not exist: one line, exit 2', async () => {
    const dir = tmp();
    const r = await cli(['--out', dir, '--', '/no/such/server-binary']);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/not found|ENOENT/);
  });

  it('an unreachable URL: one line, exit 2', async () => {
    const dir = tmp();
    const r = await cli(['--out', dir, '--url', 'http://127.0.0.1:9/mcp']);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/127\.0\.0\.1:9/);
  });
});

/** A loopback port nobody listens on (bound, then closed). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe('a --url nobody listens on (ECONNREFUSED)', () => {
  it('one finding naming the cause, every check SKIPPED target down, exit 3 INCOMPLETE, no stack trace', async () => {
    const dir = tmp();
    const url = `http://127.0.0.1:${await closedPort()}/mcp`;
    // --allow-incomplete does not make an unreachable target green.
    const r = await cli(['--out', dir, '--url', url, '--allow-incomplete']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('');
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/\n\s+at /);
    const cause = `cannot reach ${url} (ECONNREFUSED)`;
    expect(r.stdout.split('\n').filter((l) => l.includes(cause))).toEqual([
      expect.stringMatching(/^\s*● F1 \[http\] the target is unreachable: cannot reach .*no check could run/),
      expect.stringMatching(/^INCOMPLETE: the target is unreachable: cannot reach /),
    ]);
    const report = Report.parse(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')));
    expect(report.findings?.map((f) => f.kind)).toEqual(['target-unreachable']);
    expect(report.checks.length).toBeGreaterThan(100);
    for (const c of report.checks) {
      expect(c.status, c.id).toBe('SKIPPED');
      expect(c.skip?.kind, c.id).toBe('setup-failed');
      expect(c.skip?.reason, c.id).toMatch(/^setup failed: target down \(cannot reach .*ECONNREFUSED.*\); see finding F1$/);
    }
    expect(report.run.exitCode).toBe(3);
  });
});

describe.concurrent('bench and demo say why a listed tool was refused its role', () => {
  // The rogue server lists slow_compute with taskSupport "Optional" (--break support-capitalized).
  const rogue = [process.execPath, packagePath('test', 'rogue', 'rogue-server.mjs'), '--break', 'support-capitalized'];
  const refusal =
    /binding refused: slow_compute declares taskSupport "Optional" \(not forbidden, optional or required\); F-ECHO needs optional/;
  for (const command of [['demo', '--quick'], ['bench']]) {
    it(`${command[0]}: one line naming the refusal, exit 2`, async () => {
      const r = await cli([...command, ...(command[0] === 'bench' ? ['--out', tmp()] : []), '--', ...rogue]);
      expect(r.code).toBe(2);
      const lines = r.stderr
        .trimEnd()
        .split('\n')
        .filter((l) => !l.startsWith('bench: connecting'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/lacks .*slow_compute/);
      expect(lines[0]).toMatch(refusal);
    });
  }
});

describe.concurrent('informational commands', () => {
  it('--help shows usage and examples', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage:/);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('--expected-failures');
  });

  it('--version prints the package version', async () => {
    const r = await cli(['--version']);
    const pkg = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string };
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('--list prints every scenario and check with level, fixtures and transports', async () => {
    const r = await cli(['--list']);
    expect(r.code).toBe(0);
    const { SCENARIOS } = await import('../../scenarios/index.js');
    for (const s of SCENARIOS) {
      expect(r.stdout).toContain(`${s.name} — `);
      for (const c of s.checks) expect(r.stdout).toMatch(new RegExp(`^  ${c.id}\\s+${c.level}\\s+fixtures: `, 'm'));
    }
  });
});

const liveWrappers = new Set<string>();

/** Pids of live processes whose command line contains `marker`. */
function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

afterEach(() => {
  for (const w of liveWrappers) for (const pid of processesWith(w)) process.kill(pid, 'SIGKILL');
  liveWrappers.clear();
});

describe.skipIf(!existsSync(REFERENCE))('runs against the reference server', () => {
  it('writes report.json, report.md, junit.xml and wire.jsonl and exits 0', async () => {
    const dir = tmp();
    const r = await cli(['--scenario', 'ids', '--out', dir]);
    expect(r.stderr).not.toContain('unexpected error');
    expect(r.code).toBe(0);
    for (const f of ['report.json', 'report.md', 'junit.xml', 'wire.jsonl']) expect(existsSync(join(dir, f))).toBe(true);
    const report = Report.parse(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')));
    expect(report.run.exitCode).toBe(0);
    expect(report.run.targets.map((t) => t.transport)).toEqual(['stdio', 'http']);
    expect(new Set(report.checks.map((c) => c.transport))).toEqual(new Set(['stdio', 'http']));
    expect(report.checks.every((c) => c.scenario === 'ids')).toBe(true);
    // the random auth tokens of the embedded HTTP server never reach the report
    expect(JSON.stringify(report.run.targets)).not.toMatch(/--auth-token [0-9a-f]{8}/);
    expect(r.stdout).toContain(`Reports: ${dir}`);
    // one screen: the matrix row of the scenario, a line per target started and done, the verdict
    expect(r.stdout).toMatch(/^ids\s+\d+\/0\/0\/\d+\s+\d+\/0\/0\/\d+$/m);
    expect(`${r.stdout}${r.stderr}`.trim().split('\n').length).toBeLessThanOrEqual(12);
  });

  it('Ctrl-C stops the run, writes a partial report, exits 130 and leaves no server behind', async () => {
    const dir = tmp();
    // A uniquely named wrapper lets the test find every server process the run spawned.
    const wrapper = join(dir, 'server-wrapper.mjs');
    writeFileSync(wrapper, `await import(${JSON.stringify(REFERENCE)});\n`);
    liveWrappers.add(wrapper);
    const child = spawn(
      process.execPath,
      [
        CLI,
        '--verbose',
        '--scenario',
        'cancel',
        '--scenario',
        'result',
        '--scenario',
        'get',
        '--out',
        dir,
        '--',
        process.execPath,
        wrapper,
      ],
      {
        env: { ...process.env, CI: 'true', GITHUB_STEP_SUMMARY: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (/T25-/.test(stderr)) resolve();
      });
      child.on('exit', () => reject(new Error(`exited before the first check: ${stderr}`)));
    });
    child.kill('SIGINT');
    const code = await exited;
    expect(code).toBe(130);
    const report = Report.parse(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')));
    expect(report.run.interrupted).toBe('signal');
    expect(report.run.exitCode).toBe(130);
    expect(report.checks.some((c) => c.skip?.kind === 'aborted')).toBe(true);
    expect(processesWith(wrapper)).toEqual([]);
  });
});
