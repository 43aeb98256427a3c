// action.yml is metadata GitHub reads without running our code, so a typo surfaces only in a user's CI.
// These tests hold it to the rules that matter: required metadata, every `${{ inputs.x }}` declared and
// every input used, outputs wired to a step that exists, and the command line its script builds from
// the README's example equal to the one the README documents (run with a fake npx, outputs parsed).
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { packagePath } from '../../harness/paths.js';

const Step = z.object({
  id: z.string().optional(),
  uses: z.string().optional(),
  run: z.string().optional(),
  shell: z.string().optional(),
  if: z.string().optional(),
  env: z.record(z.string(), z.string()).optional(),
  with: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});
const Action = z.object({
  name: z.string().min(1),
  description: z.string().min(1),
  inputs: z.record(
    z.string(),
    z.object({ description: z.string().min(1), required: z.boolean().optional(), default: z.string().optional() }),
  ),
  outputs: z.record(z.string(), z.object({ description: z.string().min(1), value: z.string() })),
  runs: z.object({ using: z.literal('composite'), steps: z.array(Step).min(1) }),
});

const text = readFileSync(packagePath('action.yml'), 'utf8');
const action = Action.parse(parse(text));
const readme = readFileSync(packagePath('README.md'), 'utf8');
const expressions = (s: string, kind: string) => [...s.matchAll(new RegExp(`\\$\\{\\{\\s*${kind}\\.([\\w-]+)`, 'g'))].map((m) => m[1]!);

describe('action.yml', () => {
  it('uses only declared inputs, and every input is used', () => {
    const used = new Set(expressions(text, 'inputs'));
    for (const name of used) expect(Object.keys(action.inputs), `inputs.${name}`).toContain(name);
    for (const name of Object.keys(action.inputs)) expect(used.has(name), `input ${name} is never used`).toBe(true);
  });

  it('wires every output to a step that exists; run steps name their shell; actions are pinned to a major version', () => {
    const ids = new Set(action.runs.steps.map((s) => s.id).filter(Boolean));
    for (const [name, o] of Object.entries(action.outputs)) {
      const m = /^\$\{\{ steps\.([\w-]+)\.outputs\.([\w-]+) \}\}$/.exec(o.value);
      expect(m, `output ${name}`).not.toBeNull();
      expect(ids.has(m![1]!), `output ${name}: step ${m![1]}`).toBe(true);
      expect(action.runs.steps.find((s) => s.id === m![1])!.run).toContain(`${m![2]}=`);
    }
    for (const s of action.runs.steps) {
      expect(Boolean(s.run) !== Boolean(s.uses)).toBe(true);
      if (s.run) expect(s.shell).toBe('bash');
      if (s.uses) expect(s.uses).toMatch(/^actions\/[\w-]+@v\d+$/);
    }
    expect(action.runs.steps.map((s) => s.uses).filter(Boolean)).toEqual(['actions/setup-node@v4', 'actions/upload-artifact@v4']);
    expect(action.runs.steps.find((s) => s.uses?.startsWith('actions/upload-artifact'))!.if).toBe('always()');
  });

  it('the README documents every input and output', () => {
    for (const name of Object.keys(action.inputs)) expect(readme, `input ${name}`).toContain(`| \`${name}\` |`);
    for (const name of Object.keys(action.outputs)) expect(readme, `output ${name}`).toContain(`\`${name}\``);
  });

  it("builds the command line the README documents from the README's example", () => {
    const usage = readme
      .split('```yaml\n')
      .map((block) => block.slice(0, block.indexOf('```')))
      .find((block) => block.includes('uses: sep1686-check/sep1686-check@'));
    const documented = /With these inputs the action runs:\n\n```sh\n(.+)\n```/.exec(readme)?.[1];
    expect(usage).toBeDefined();
    expect(documented).toBeDefined();
    const workflow = parse(usage!) as { jobs: Record<string, { steps: z.infer<typeof Step>[] }> };
    const step = Object.values(workflow.jobs)[0]!.steps.find((s) => s.uses?.startsWith('sep1686-check/sep1686-check@'))!;
    const ran = runCheckStep(Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, String(v)])));
    expect(`npx ${ran.argv.join(' ')}`).toBe(documented);
    expect(ran.outputs).toEqual({
      'exit-code': '1',
      result: 'fail',
      verdict: 'FAIL: 1 check failed',
      passed: '5',
      failed: '1',
      warnings: '0',
      skipped: '2',
    });
  });

  it('passes a URL, fixtures, --http-command and extra arguments through; no report: says so', () => {
    const ran = runCheckStep(
      { url: 'http://127.0.0.1:3000/mcp', fixtures: 'f.yml', args: '--scenario cancel  --verbose' },
      { report: false },
    );
    expect(ran.argv).toEqual([
      '--yes',
      'sep1686-check@latest',
      '--out',
      'sep1686-report',
      '--url',
      'http://127.0.0.1:3000/mcp',
      '--fixtures',
      'f.yml',
      '--scenario',
      'cancel',
      '--verbose',
    ]);
    expect(ran.outputs.verdict).toBe('sep1686-check wrote no report (exit code 1)');
    expect(runCheckStep({ command: 'node s.js --port 0', 'http-command': 'true' }).argv.slice(4)).toEqual([
      '--http-command',
      '--',
      'node',
      's.js',
      '--port',
      '0',
    ]);
  });
});

/**
 * Runs the check step's script as GitHub would (inputs substituted into its env, bash), with a fake npx
 * on PATH that records its arguments and writes a small report.json; returns the argv and $GITHUB_OUTPUT.
 */
function runCheckStep(given: Record<string, string>, fake = { report: true }): { argv: string[]; outputs: Record<string, string> } {
  const step = action.runs.steps.find((s) => s.id === 'check')!;
  const inputs = { ...Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, v.default ?? ''])), ...given };
  const env = Object.fromEntries(
    Object.entries(step.env ?? {}).map(([k, v]) => [k, v.replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (_m, n: string) => inputs[n] ?? '')]),
  );
  const dir = mkdtempSync(join(tmpdir(), 'sep1686-action-'));
  const report = JSON.stringify({
    run: { verdict: 'FAIL: 1 check failed' },
    summary: { SUCCESS: 5, FAILURE: 2, expectedFailures: 1, WARNING: 0, SKIPPED: 2 },
  });
  writeFileSync(
    join(dir, 'npx'),
    `#!/usr/bin/env bash\nprintf '%s\\n' "$@" > "${dir}/argv"\n${fake.report ? `mkdir -p "$INPUT_OUT" && echo '${report}' > "$INPUT_OUT/report.json"\n` : ''}exit 1\n`,
  );
  chmodSync(join(dir, 'npx'), 0o755);
  writeFileSync(join(dir, 'step.sh'), step.run!);
  execFileSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', join(dir, 'step.sh')], {
    cwd: dir,
    env: { PATH: `${dir}:${process.env.PATH}`, GITHUB_OUTPUT: join(dir, 'output'), GITHUB_STEP_SUMMARY: join(dir, 'summary'), ...env },
    stdio: 'pipe',
  });
  const outputs = Object.fromEntries(
    readFileSync(join(dir, 'output'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return { argv: readFileSync(join(dir, 'argv'), 'utf8').trimEnd().split('\n'), outputs };
}
