// `sep1686-check init` as users run it (node dist/harness/cli/main.js init): against the reference server
// every role binds by default; against server-everything it proposes what fits and comments out the rest.
// What it writes parses as a --fixtures mapping and, loaded against the same server, binds without refusal.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadFixtures, parseFixtureMapping } from '../../harness/fixtures.js';
import { packagePath } from '../../harness/paths.js';
import type { Target } from '../../harness/transport/target.js';
import { createTarget } from '../../harness/transport/targets.js';
import { WireLog } from '../../harness/transport/wire.js';
import { everythingStdio } from '../helpers/servers.js';

const CLI = packagePath('dist', 'harness', 'cli', 'main.js');
const EVERYTHING = packagePath('node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');

function init(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'init', ...args], { env: { ...process.env, CI: 'true' }, timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

const targets: Target[] = [];
afterEach(async () => {
  await Promise.all(targets.splice(0).map((t) => t.dispose()));
});

describe('sep1686-check init', () => {
  it('on the reference server: every role binds by default, the mapping is empty', async () => {
    const r = await init([]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# Fixture roles for sep1686-reference-server/);
    expect(r.stdout).toContain("# F-ECHO: slow_compute, the contract's own tool (it declares taskSupport optional): binds by default");
    expect(r.stdout).not.toMatch(/nothing fits/);
    expect(parseFixtureMapping(r.stdout)).toEqual({ roles: null });
  });

  it('on server-everything: proposes echo for F-SYNC and the required research query for F-REQ, says why others do not fit', async () => {
    const r = await init(['--', process.execPath, EVERYTHING, 'stdio']);
    expect(r.code).toBe(0);
    const mapping = parseFixtureMapping(r.stdout);
    expect(mapping.roles?.['F-SYNC']).toEqual({ tool: 'echo', arguments: { message: '{{name}}' } });
    expect(mapping.roles?.['F-REQ']?.tool).toBe('simulate-research-query');
    expect(mapping.roles?.['F-ECHO']).toBeUndefined();
    expect(r.stdout).toContain('# F-PROGRESS: nothing fits');
    expect(r.stdout).toMatch(/trigger-long-running-operation declares taskSupport forbidden; F-PROGRESS needs optional or required/);
    expect(r.stdout).toContain('#   get-sum (taskSupport forbidden)');
    // Loaded against the same server, what init proposed is bound, never refused.
    const t = createTarget({ spec: everythingStdio(), wire: new WireLog(), requestTimeoutMs: 20_000, startTimeoutMs: 30_000 });
    targets.push(t);
    const f = await loadFixtures(await t.connect(), mapping);
    expect(f.toolBindings().flatMap((b) => b.refused)).toEqual([]);
    expect([f.has('F-SYNC'), f.has('F-REQ')]).toEqual([true, true]);
  });

  it('writes --out once and refuses to overwrite it', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sep1686-init-')), 'fixtures.yaml');
    const first = await init(['--out', file]);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('');
    expect(first.stderr).toMatch(
      /^wrote .*fixtures\.yaml: 11 tools; 0 role\(s\) proposed, 12 bound by default, 0 with nothing that fits\n$/,
    );
    writeFileSync(file, 'mine\n');
    const again = await init(['--out', file]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^sep1686-check init: .*fixtures\.yaml exists; refusing to overwrite it \(see --help\)\n$/);
    expect(readFileSync(file, 'utf8')).toBe('mine\n');
  });

  it('bad input: one line, exit 2', async () => {
    const r = await init(['--url', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^sep1686-check init: --url 'nope' is not a URL.*\n$/);
  });
});
