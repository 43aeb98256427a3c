// The tools part of the reports: report.json keeps each target's tools with taskSupport and role, report.md
// has a "Tools" table (one for identical listings), the terminal prints each refused binding on one line.
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../harness/report/index.js';
import { renderMarkdown } from '../../harness/report/markdown.js';
import { renderTerminal } from '../../harness/report/terminal.js';
import type { RunResult } from '../../harness/run/runner.js';
import { decide } from '../../harness/run/verdict.js';
import { fixtures, obj, tool } from './fixture-tools.js';

function reportOf(targets: RunResult['targets']) {
  const run: RunResult = {
    startedAt: '2025-11-25T10:00:00.000Z',
    finishedAt: '2025-11-25T10:00:01.000Z',
    durationMs: 1000,
    results: [],
    problems: [],
    selection: [],
    targets,
    timeouts: { requestMs: 1, settleMs: 1, checkMs: 1, startMs: 1 },
  };
  return buildReport({ run, verdict: decide({ results: [] }), declaredIds: [] });
}

const tools = fixtures(
  [
    tool('delay', 'required', obj({ duration: { type: 'number' } })),
    tool('greet', undefined, obj({ name: { type: 'string' } }, ['name'])),
    tool('failing_job', 'required'),
  ],
  'roles:\n  F-ECHO:\n    tool: delay\n    arguments: { duration: "{{seconds*1000}}" }\n',
).toolBindings();

describe('tools in the reports', () => {
  it('report.json lists the tools with their taskSupport and role', () => {
    const report = reportOf([{ label: 'stdio: x', transport: 'stdio', tools }]);
    expect(report.run.targets[0]?.tools?.map((t) => [t.name, t.taskSupport, t.roles, t.refused.map((r) => r.role)])).toEqual([
      ['delay', 'required', [], ['F-ECHO']],
      ['greet', undefined, ['F-SYNC'], []],
      ['failing_job', 'required', ['F-REQ', 'F-TOOLERR'], []],
    ]);
  });

  it('report.md has one Tools table for identical listings; the terminal one line per refusal', () => {
    const report = reportOf([
      { label: 'x', transport: 'stdio', tools },
      { label: 'x', transport: 'http', tools },
    ]);
    const md = renderMarkdown(report);
    expect(md).toContain('## Tools\n\n`x (stdio)`, `x (http)`\n\n| Tool | taskSupport | Fixture role |');
    expect(md).toContain('| `delay` | required | F-ECHO refused: delay declares taskSupport required; F-ECHO needs optional |');
    expect(md).toContain('| `greet` | not declared (forbidden) | F-SYNC |');
    const terminal = renderTerminal(report, { color: false, verbose: false });
    expect(terminal.split('\n').filter((l) => l.startsWith('Binding refused'))).toEqual([
      'Binding refused: F-ECHO -> delay: delay declares taskSupport required; F-ECHO needs optional',
    ]);
  });
});
