import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../harness/checks.js';
import { UsageError } from '../../harness/util/errors.js';
import { decide, loadBaseline, parseBaseline } from '../../harness/run/verdict.js';

const r = (id: string, status: CheckResult['status'], extra: Partial<CheckResult> = {}): CheckResult => ({
  id,
  name: id,
  description: id,
  status,
  level: 'MUST',
  specReferences: [],
  scenario: 's',
  era: '2025-11-25',
  transport: 'stdio',
  durationMs: 1,
  ...extra,
});

describe('exit codes', () => {
  it('0 when everything ran and nothing failed; warnings and info do not fail the run', () => {
    const v = decide({ results: [r('A', 'SUCCESS'), r('B', 'WARNING', { level: 'SHOULD' }), r('C', 'INFO', { level: 'MAY' })] });
    expect(v.exitCode).toBe(0);
    expect(v.line).toMatch(/^PASS: 1 check passed, 1 warning/);
  });

  it('0 when MUST checks are skipped only as not-applicable', () => {
    const v = decide({ results: [r('A', 'SUCCESS'), r('B', 'SKIPPED', { skip: { kind: 'not-applicable', reason: 'http only' } })] });
    expect(v.exitCode).toBe(0);
  });

  it('1 when a check failed', () => {
    const v = decide({ results: [r('A', 'SUCCESS'), r('B', 'FAILURE')] });
    expect(v.exitCode).toBe(1);
    expect(v.failures.map((x) => x.id)).toEqual(['B']);
  });

  it('2 when the target could not start, whatever else happened', () => {
    expect(decide({ results: [r('B', 'FAILURE')], fatal: 'command not found: nope' }).exitCode).toBe(2);
  });

  it('3 when a MUST check could not run for another reason, unless incomplete runs are allowed', () => {
    for (const kind of ['missing-fixture', 'missing-capability', 'aborted'] as const) {
      const results = [r('A', 'SUCCESS'), r('B', 'SKIPPED', { skip: { kind, reason: 'x' } })];
      expect(decide({ results }).exitCode).toBe(3);
      expect(decide({ results, allowIncomplete: true }).exitCode).toBe(0);
    }
    // a SHOULD skipped for a missing fixture does not make the run incomplete
    expect(decide({ results: [r('B', 'SKIPPED', { level: 'SHOULD', skip: { kind: 'missing-fixture', reason: 'x' } })] }).exitCode).toBe(0);
  });

  it('a failure outranks incompleteness', () => {
    const results = [r('A', 'FAILURE'), r('B', 'SKIPPED', { skip: { kind: 'aborted', reason: 'x' } })];
    expect(decide({ results }).exitCode).toBe(1);
  });
});

describe('expected-failures baseline', () => {
  it('reads a server: list and a plain list, with optional @transport', () => {
    expect(parseBaseline('server:\n  - T25-CAN-04\n  - T25-HTTP-02@http\n')).toEqual([
      { id: 'T25-CAN-04', raw: 'T25-CAN-04' },
      { id: 'T25-HTTP-02', transport: 'http', raw: 'T25-HTTP-02@http' },
    ]);
    expect(parseBaseline('- EXT-NEG-02@2026-07-28@stdio\n')).toEqual([
      { id: 'EXT-NEG-02', era: '2026-07-28', transport: 'stdio', raw: 'EXT-NEG-02@2026-07-28@stdio' },
    ]);
    expect(parseBaseline('- T25-CAN-04\n').map((e) => e.id)).toEqual(['T25-CAN-04']);
    expect(parseBaseline('server:\n  - A\nclient:\n  - some-client-scenario\n').map((e) => e.id)).toEqual(['A']);
    expect(parseBaseline('')).toEqual([]);
  });

  it('rejects malformed files with one line', () => {
    expect(() => parseBaseline('servers:\n  - A\n')).toThrow(/unknown key 'servers'/);
    expect(() => parseBaseline('- A@ftp\n')).toThrow(/unknown qualifier 'ftp'/);
    expect(() => parseBaseline('- A@http@http\n')).toThrow(/unknown qualifier 'http'/);
    expect(() => parseBaseline('- 3\n')).toThrow(/entry 1 must be a check id/);
    expect(() => parseBaseline('server: [\n')).toThrow(/not valid YAML/);
  });

  it('an @era entry covers only that era', () => {
    const baseline = parseBaseline('- B@2026-07-28\n');
    expect(decide({ results: [r('B', 'FAILURE', { era: '2026-07-28' })], baseline }).exitCode).toBe(0);
    expect(decide({ results: [r('B', 'FAILURE')], baseline }).exitCode).toBe(1);
  });

  it('an expected failure does not fail the run', () => {
    const baseline = parseBaseline('- B\n');
    const v = decide({ results: [r('A', 'SUCCESS'), r('B', 'FAILURE')], baseline });
    expect(v.exitCode).toBe(0);
    expect(v.expectedFailures.map((x) => x.id)).toEqual(['B']);
    expect(v.line).toContain('1 expected failure');
  });

  it('a transport-limited entry covers only that transport', () => {
    const baseline = parseBaseline('- B@http\n');
    const results = [r('B', 'FAILURE', { transport: 'stdio' }), r('B', 'FAILURE', { transport: 'http' })];
    const v = decide({ results, baseline });
    expect(v.exitCode).toBe(1);
    expect(v.failures.map((x) => x.transport)).toEqual(['stdio']);
  });

  it('a baseline entry whose check now passes is stale: exit 1 with a message to remove it', () => {
    const baseline = parseBaseline('- A\n- C\n');
    const v = decide({ results: [r('A', 'SUCCESS'), r('C', 'SKIPPED', { skip: { kind: 'not-applicable', reason: 'x' } })], baseline });
    expect(v.exitCode).toBe(1);
    expect(v.stale.map((e) => e.raw)).toEqual(['A']); // C did not run: not stale
    expect(v.line).toMatch(/A now pass: remove them from the expected-failures file/);
  });

  it('an unknown id in the baseline is a usage error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baseline-'));
    const file = join(dir, 'expected-failures.yml');
    writeFileSync(file, 'server:\n  - T25-NOPE-99\n');
    await expect(loadBaseline(file, ['T25-CAN-01'])).rejects.toThrow(UsageError);
    await expect(loadBaseline(file, ['T25-CAN-01'])).rejects.toThrow(/'T25-NOPE-99' is not a known check id/);
    await expect(loadBaseline(join(dir, 'missing.yml'), [])).rejects.toThrow(/cannot read --expected-failures .*ENOENT/);
  });
});
