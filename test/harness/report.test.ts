import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../harness/checks.js';
import { buildReport, writeReports } from '../../harness/report/index.js';
import { renderJunit, xmlEscape } from '../../harness/report/junit.js';
import { compactEvidence, renderMarkdown } from '../../harness/report/markdown.js';
import { Report } from '../../harness/report/model.js';
import { ProgressPrinter } from '../../harness/report/progress.js';
import { renderTerminal } from '../../harness/report/terminal.js';
import { REPORT_SCHEMA_PATH, renderReportSchema } from '../../scripts/write-schema.js';
import type { RunResult } from '../../harness/run/runner.js';
import { decide, parseBaseline } from '../../harness/run/verdict.js';
import { WireLog } from '../../harness/transport/wire.js';

const result = (id: string, status: CheckResult['status'], extra: Partial<CheckResult> = {}): CheckResult => ({
  id,
  name: `name <${id}> & "quoted"`,
  description: `description of ${id}`,
  status,
  level: 'MUST',
  specReferences: [
    {
      id: 'tasks §Task Cancellation r1',
      url: 'https://modelcontextprotocol.io/specification/2025-11-25/basic/utilities/tasks#task-cancellation',
    },
  ],
  scenario: 'cancel',
  era: '2025-11-25',
  transport: 'stdio',
  durationMs: 12.5,
  ...extra,
});

function sampleRun(): RunResult {
  return {
    startedAt: '2025-11-25T10:00:00.000Z',
    finishedAt: '2025-11-25T10:00:05.000Z',
    durationMs: 5000,
    results: [
      result('T25-CAN-01', 'SUCCESS', { details: { message: 'cancelled | ok' } }),
      result('T25-CAN-02', 'FAILURE', {
        errorMessage: 'expected status "cancelled", saw "working" <\u0001>',
        details: { exchange: [{ seq: 1, dir: 'send', message: { method: 'tasks/cancel' } }], observed: 'working' },
      }),
      result('T25-CAN-03', 'WARNING', { level: 'SHOULD', errorMessage: 'took a while' }),
      result('T25-CAN-04', 'SKIPPED', {
        skip: { kind: 'missing-fixture', reason: 'needs F-GATE (tool gated_job)', enabledBy: ['F-GATE (tool gated_job)'] },
      }),
      result('T25-CAN-05', 'FAILURE', { transport: 'http', errorMessage: 'known bug' }),
      result('T25-CAN-06', 'INFO', { level: 'MAY', details: { message: 'retained' } }),
    ],
    problems: [{ scenario: 'cancel', transport: 'stdio', target: 'stdio: x', message: 'target exited (code 1) during check T25-CAN-02' }],
    selection: ['cancel'],
    targets: [{ label: 'stdio: node server.js', transport: 'stdio' }],
    timeouts: { requestMs: 10000, settleMs: 10000, checkMs: 60000, startMs: 30000 },
  };
}

function sampleReport() {
  const run = sampleRun();
  const baseline = { file: 'expected-failures.yml', entries: parseBaseline('- T25-CAN-05@http\n') };
  const verdict = decide({ results: run.results, baseline: baseline.entries });
  return buildReport({ run, verdict, baseline, declaredIds: run.results.map((r) => r.id) });
}

describe('report model', () => {
  it('builds a report that round-trips through JSON and the zod model', () => {
    const report = sampleReport();
    const again = Report.parse(JSON.parse(JSON.stringify(report)));
    expect(again).toEqual(report);
    expect(report.run.exitCode).toBe(1);
    expect(report.summary).toMatchObject({
      total: 6,
      SUCCESS: 1,
      FAILURE: 2,
      WARNING: 1,
      SKIPPED: 1,
      INFO: 1,
      expectedFailures: 1,
      stale: 0,
    });
    expect(report.summary.coverage).toEqual({ checklistRows: 6, checked: 5, couldNotRun: 1, enabledBy: ['F-GATE (tool gated_job)'] });
    expect(report.expectedFailures).toEqual(['T25-CAN-05@http']);
    expect(report.run.incomplete).toBe(true);
  });

  it('names the eras whose checks ran: protocolVersions in run order, protocolVersion the first of them', () => {
    const run = sampleRun();
    const modern = result('EXT-NEG-01', 'SUCCESS', { era: '2026-07-28', scenario: 'ext-negotiation' });
    const notSelected = result('EXT-NEG-02', 'SKIPPED', { era: '2026-07-28', skip: { kind: 'not-selected', reason: 'not selected' } });
    const report = (results: CheckResult[]) =>
      buildReport({ run: { ...run, results }, verdict: decide({ results }), declaredIds: results.map((r) => r.id) }).run;
    expect(report(sampleRun().results)).toMatchObject({ protocolVersions: ['2025-11-25'], protocolVersion: '2025-11-25' });
    expect(report([modern, ...sampleRun().results])).toMatchObject({
      protocolVersions: ['2025-11-25', '2026-07-28'],
      protocolVersion: '2025-11-25',
    });
    expect(report([modern, notSelected])).toMatchObject({ protocolVersions: ['2026-07-28'], protocolVersion: '2026-07-28' });
    expect(report([notSelected])).toMatchObject({ protocolVersions: [], protocolVersion: '2025-11-25' });
  });

  it('the committed schema/report.schema.json is what the zod model generates (run write-schema to update)', () => {
    const stale = 'schema/report.schema.json is out of date: run `npm run schema`';
    expect(readFileSync(REPORT_SCHEMA_PATH, 'utf8') === renderReportSchema(), stale).toBe(true);
  });

  it('a built report validates against the JSON Schema file', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(JSON.parse(readFileSync(REPORT_SCHEMA_PATH, 'utf8')));
    const ok = validate(JSON.parse(JSON.stringify(sampleReport())));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('refuses to write a report that does not match the model', async () => {
    const bad = { ...sampleReport(), summary: undefined } as unknown as Report;
    await expect(writeReports(bad, mkdtempSync(join(tmpdir(), 'rep-')))).rejects.toThrow(/report does not match its schema at summary/);
  });
});

describe('writeReports', () => {
  it('writes report.json, report.md, junit.xml and wire.jsonl, and appends to the step summary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rep-'));
    const summary = join(dir, 'summary.md');
    writeFileSync(summary, 'before\n');
    const wire = new WireLog();
    wire.record({ dir: 'send', transport: 'stdio', connection: 'stdio#1', message: { jsonrpc: '2.0', id: 1, method: 'ping' } });
    const files = await writeReports(sampleReport(), join(dir, 'out'), { wire, stepSummary: summary });
    expect(Report.parse(JSON.parse(readFileSync(files.json, 'utf8'))).checks).toHaveLength(6);
    expect(readFileSync(files.markdown, 'utf8')).toMatch(/^# sep1686-check report/);
    expect(readFileSync(files.junit, 'utf8')).toContain('<testsuites');
    expect(readFileSync(files.wire!, 'utf8').trim().split('\n')).toHaveLength(1);
    expect(readFileSync(summary, 'utf8')).toMatch(/^before\n# sep1686-check report/);
  });
});

/** Tags, declarations and entities removed, nothing markup-like may remain. */
function assertWellFormedish(xml: string) {
  const stripped = xml
    .replace(/<\?xml[^<>]*\?>/g, '')
    .replace(/<\/?[A-Za-z][\w-]*(\s+[\w:-]+="[^"<>]*")*\s*\/?>/g, '')
    .replace(/&(amp|lt|gt|quot|apos);/g, '');
  expect(stripped).not.toMatch(/[<>&]/);
  expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
}

describe('junit.xml', () => {
  it('escapes text and attributes and drops characters XML cannot carry', () => {
    expect(xmlEscape(`<a href="x">Tom & 'Jerry'</a>\u0001`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;Tom &amp; &apos;Jerry&apos;&lt;/a&gt;\uFFFD',
    );
  });

  it('has one testcase per check per transport, failures and skips marked, expected failures passing', () => {
    const xml = renderJunit(sampleReport());
    assertWellFormedish(xml);
    expect(xml.match(/<testcase /g)).toHaveLength(6);
    expect(xml.match(/<failure /g)).toHaveLength(1); // T25-CAN-05@http is an expected failure
    expect(xml.match(/<skipped /g)).toHaveLength(1);
    expect(xml).toContain('classname="cancel"');
    expect(xml).toContain('name="T25-CAN-02 name &lt;T25-CAN-02&gt; &amp; &quot;quoted&quot; [stdio, 2025-11-25]"');
    expect(xml).toContain('expected failure (baseline): known bug');
    expect(xml).toContain('<testsuite name="sep1686-check (http, 2025-11-25)" tests="1" failures="0"');
  });
});

describe('report.md', () => {
  it('puts the verdict first, then coverage, failures with evidence, warnings and the full table', () => {
    const md = renderMarkdown(sampleReport());
    const lines = md.split('\n');
    expect(lines[2]).toMatch(/^❌ \*\*FAIL: 1 check failed/);
    expect(md).toContain('Coverage: 5 of 6 checks ran; 1 could not run — fixtures that would enable them: F-GATE (tool gated_job).');
    const failures = md.indexOf('## Failures (1)');
    const warnings = md.indexOf('## Warnings (1)');
    const table = md.indexOf('## All checks');
    expect(failures).toBeGreaterThan(0);
    expect(warnings).toBeGreaterThan(failures);
    expect(table).toBeGreaterThan(warnings);
    expect(md).toContain(
      '```json\n{\n"details": {"observed":"working"},\n"exchange": [\n  {"seq":1,"dir":"send","message":{"method":"tasks/cancel"}}\n]\n}\n```',
    );
    expect(md).toContain('| cancelled \\| ok |');
    expect(md).toContain('FAILURE (expected)');
    expect(md).toContain('## Run problems');
  });

  it('compacts evidence: one wire entry per line, long entries cut', () => {
    const text = compactEvidence({ exchange: [{ message: 'x'.repeat(5000) }] });
    expect(text.split('\n')).toHaveLength(5);
    expect(text.length).toBeLessThan(1400);
  });
});

describe('terminal summary', () => {
  it('fits one screen: a pass/fail/warn/skip matrix, one line per problem and failure, coverage, the verdict', () => {
    const text = renderTerminal(sampleReport(), { color: false });
    expect(text).not.toContain('\x1b[');
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^Scenario\s+stdio\s+http\s+\(pass\/fail\/warn\/skip\)$/);
    // stdio: 1 pass, 1 fail, 1 warn, 1 skip (INFO is not a verdict); http: the expected failure counts as a pass
    expect(lines[1]).toMatch(/^cancel\s+1\/1\/1\/1\s+1\/0\/0\/0$/);
    expect(lines[2]).toMatch(/^total\s+1\/1\/1\/1\s+1\/0\/0\/0$/);
    expect(text).toContain('Run problems (1)\n  - cancel [stdio] target exited (code 1) during check T25-CAN-02');
    expect(text).toContain('✗ T25-CAN-02 [stdio, 2025-11-25] cancel: expected status "cancelled"');
    expect(text).not.toContain('https://modelcontextprotocol.io/');
    expect(text).toContain('Expected failures (1): T25-CAN-05@http');
    expect(text).toContain('! T25-CAN-03 [stdio, 2025-11-25] cancel: took a while');
    expect(text.trim().split('\n').at(-1)).toMatch(/^FAIL: 1 check failed/);
  });

  it('--verbose keeps the full detail: bordered table with INFO, spec links, expected failures one per line', () => {
    const text = renderTerminal(sampleReport(), { color: false, verbose: true });
    expect(text).toMatch(/│ cancel\s+│ 2025-11-25\s+│ stdio\s+│ 1\s+│ 1\s+│ 1\s+│ 1\s+│ 1\s+│/);
    expect(text).toContain('https://modelcontextprotocol.io/specification/2025-11-25/basic/utilities/tasks#task-cancellation');
    expect(text).toContain('Expected failures (1)\n  ✗ T25-CAN-05 [http, 2025-11-25] expected failure');
  });

  it('a long list of failures is cut, pointing at report.md', () => {
    const run = sampleRun();
    run.results = Array.from({ length: 30 }, (_, i) => result(`T25-CAN-${i}`, 'FAILURE', { errorMessage: `bad ${i}` }));
    const report = buildReport({ run, verdict: decide({ results: run.results }), declaredIds: run.results.map((r) => r.id) });
    const text = renderTerminal(report, { color: false });
    expect(text).toContain('… and 15 more in report.md');
    expect(text.split('\n').length).toBeLessThan(30);
  });

  it('uses colours when asked', () => {
    expect(renderTerminal(sampleReport(), { color: true })).toContain('\x1b[31m');
  });
});

describe('progress printer', () => {
  const sink = () => {
    const chunks: string[] = [];
    return {
      chunks,
      stream: { isTTY: false, columns: 200, write: (c: string) => (chunks.push(c), true) } as unknown as NodeJS.WritableStream & {
        isTTY?: boolean;
      },
    };
  };
  const start = (scenario: string, index: number, total: number) =>
    ({ type: 'scenario-start', scenario, target: 'stdio: x', transport: 'stdio', index, total }) as const;
  const end = (scenario: string, results: CheckResult[]) =>
    ({ type: 'scenario-end', scenario, target: 'stdio: x', transport: 'stdio', results, at: performance.now() }) as const;

  it('in CI or without a TTY: the target, scenarios that failed, and one line when the target is done', () => {
    const { chunks, stream } = sink();
    const p = ProgressPrinter.forStream(stream, false, { CI: 'true' });
    p.handle({ type: 'target-start', target: 'stdio: x', transport: 'stdio', at: performance.now() });
    p.handle(start('ids', 0, 2));
    p.handle(end('ids', [result('T25-ID-01', 'SUCCESS')]));
    p.handle(start('cancel', 1, 2));
    p.handle({ type: 'check', result: result('T25-CAN-01', 'SUCCESS') });
    p.handle(end('cancel', [result('T25-CAN-01', 'SUCCESS'), result('T25-CAN-02', 'FAILURE')]));
    p.done();
    const lines = chunks.join('').trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('checking stdio: x');
    expect(lines[1]).toBe('stdio cancel           1 pass, 1 fail, 0 warn, 0 skip, 0 info');
    expect(lines[2]).toMatch(/^stdio: 2 scenarios done in \d+\.\d s: 2 pass, 1 fail, 0 warn, 0 skip, 0 info$/);
  });

  it('says "still running" when nothing was printed for a while', () => {
    const { chunks, stream } = sink();
    const p = new ProgressPrinter({ stream, live: false, color: false, verbose: false, heartbeatMs: -1 });
    p.handle(start('cancel', 0, 2));
    expect(chunks.join('')).toBe(
      'checking stdio: x\nstill running: stdio 0/2 scenarios, 0 pass, 0 fail, 0 warn, 0 skip, 0 info | running: stdio cancel\n',
    );
  });

  it('on a TTY rewrites one live line; --verbose also prints each check', () => {
    const { chunks, stream } = sink();
    const p = new ProgressPrinter({ stream, live: true, color: false, verbose: true });
    p.handle(start('cancel', 0, 2));
    p.handle({ type: 'check', result: result('T25-CAN-01', 'SUCCESS', { details: { message: 'fine' } }) });
    p.done();
    const text = chunks.join('');
    expect(text).toContain('\r\x1b[Kstdio 0/2 scenarios, 0 pass, 0 fail, 0 warn, 0 skip, 0 info | running: stdio cancel');
    expect(text).toContain('✓ T25-CAN-01 [stdio] fine\n');
    expect(text.endsWith('\r\x1b[K')).toBe(true);
  });

  it('on a TTY without --verbose nothing but the live line is written', () => {
    const { chunks, stream } = sink();
    const p = new ProgressPrinter({ stream, live: true, color: false, verbose: false });
    p.handle(start('ids', 0, 1));
    p.handle(end('ids', [result('T25-ID-01', 'SUCCESS')]));
    p.done();
    expect(chunks.join('').split('\n')).toHaveLength(1);
  });
});
