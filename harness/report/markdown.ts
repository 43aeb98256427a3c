// report.md: verdict first, then coverage, failures with their evidence, warnings, and a table of
// everything. Written for GitHub (also appended to $GITHUB_STEP_SUMMARY).
import type { CheckResult } from '../checks.js';
import { oneLine } from '../util/errors.js';
import { findingLine, resultKey, resultMessage, type Report } from './model.js';
import { renderProfileMarkdown } from './profile.js';
import { renderToolsMarkdown } from './tools.js';

/** `sections`: Markdown the caller rendered itself (the bench's figures), placed after the run's own sections. */
export function renderMarkdown(report: Report, sections: string[] = []): string {
  const expected = new Set(report.expectedFailures ?? []);
  const out: string[] = [];
  const icon = report.run.exitCode === 0 ? '✅' : report.run.exitCode === 3 ? '⚠️' : '❌';
  out.push(`# ${report.tool.name} report`, '');
  out.push(`${icon} **${md(report.run.verdict)}** (exit ${report.run.exitCode})`, '');
  const targets = report.run.targets.map((t) => `\`${t.label}\`${t.eras?.length ? ` (${t.eras.join(' + ')})` : ''}`).join(', ') || 'none';
  out.push(
    `Targets: ${targets} · ${(report.run.durationMs / 1000).toFixed(1)} s · ${report.tool.name} ${report.tool.version} · ${report.run.startedAt}`,
    '',
  );
  // A bench-only report (sep1686-check bench) has no checks: no coverage, results or checks table.
  const checksRan = report.checks.length > 0 || !report.bench;
  if (checksRan) out.push(coverageLine(report), '');
  const s = report.summary;
  if (checksRan)
    out.push(
      `Results: ${s.SUCCESS} passed, ${s.FAILURE} failed${s.expectedFailures ? ` (${s.expectedFailures} expected)` : ''}, ${s.WARNING} warnings, ${s.SKIPPED} skipped, ${s.INFO} info.`,
      '',
    );

  if (report.findings?.length) {
    out.push('## Root causes', '');
    for (const f of report.findings) {
      out.push(`- **${f.id}** ${md(findingLine(f).slice(f.id.length + 1))}`);
      if (f.checks.length) out.push(`  Skipped because of it: ${f.checks.map((c) => `\`${c}\``).join(', ')}`);
    }
    out.push('');
  }
  if (report.run.fatal) {
    out.push('## The target could not be started', '', md(report.run.fatal.message), '');
    if (report.run.fatal.stderrTail) out.push('```text', report.run.fatal.stderrTail, '```', '');
  }

  const failures = report.checks.filter((r) => r.status === 'FAILURE' && !expected.has(resultKey(r)));
  if (failures.length) {
    out.push(`## Failures (${failures.length})`, '');
    for (const r of failures) out.push(...detailed(r, '❌'));
  }
  if (report.run.baseline?.stale.length) {
    out.push(
      '## Stale baseline entries',
      '',
      'These checks are listed as expected failures but now pass. Remove them from the expected-failures file:',
      '',
    );
    for (const e of report.run.baseline.stale) out.push(`- \`${e}\``);
    out.push('');
  }
  if (report.runProblems?.length) {
    out.push('## Run problems', '');
    for (const p of report.runProblems) {
      out.push(`- ${p.scenario ? `scenario \`${p.scenario}\` ` : ''}(${p.transport}): ${md(p.message)}`);
      if (p.stderrTail) out.push('', '  ```text', ...p.stderrTail.split('\n').map((l) => `  ${l}`), '  ```', '');
    }
    out.push('');
  }
  const warnings = report.checks.filter((r) => r.status === 'WARNING');
  if (warnings.length) {
    out.push(`## Warnings (${warnings.length})`, '');
    for (const r of warnings) out.push(...detailed(r, '⚠️'));
  }
  const expectedList = report.checks.filter((r) => expected.has(resultKey(r)));
  if (expectedList.length) {
    out.push(`## Expected failures (${expectedList.length})`, '');
    for (const r of expectedList) out.push(`- \`${r.id}\` (${r.transport}): ${md(shortLine(resultMessage(r)))}`);
    out.push('');
  }
  for (const section of sections) out.push(section, '');
  if (!checksRan) return out.join('\n');

  out.push(...renderProfileMarkdown(report));
  out.push(...renderToolsMarkdown(report));
  out.push('## All checks', '', '| ID | Level | Status | Era | Transport | Message |', '|---|---|---|---|---|---|');
  for (const r of report.checks) {
    const status = expected.has(resultKey(r)) ? 'FAILURE (expected)' : r.status;
    const link = r.specReferences.find((x) => x.url)?.url;
    const id = link ? `[${r.id}](${link})` : r.id;
    out.push(`| ${id} | ${r.level} | ${status} | ${r.era} | ${r.transport ?? '-'} | ${cell(shortLine(resultMessage(r)))} |`);
  }
  out.push('');
  return out.join('\n');
}

export function coverageLine(report: Report): string {
  const c = report.summary.coverage;
  // Rows that apply nowhere on this target (e.g. the cluster checks on one endpoint) are neither run nor missing.
  const notApplicable = c.checklistRows - c.checked - c.couldNotRun;
  const base = `Coverage: ${c.checked} of ${c.checklistRows} checks ran${notApplicable > 0 ? ` (${notApplicable} not applicable to this target)` : ''}`;
  if (!c.couldNotRun) return `${base}.`;
  const enable = c.enabledBy.length ? ` — fixtures that would enable them: ${c.enabledBy.join(', ')}` : '';
  return `${base}; ${c.couldNotRun} could not run${enable}.`;
}

function detailed(r: CheckResult, icon: string): string[] {
  const refs = r.specReferences.map((x) => (x.url ? `[${x.id}](${x.url})` : x.id)).join(', ');
  const lines = [
    `### ${icon} ${r.id} — ${md(r.name)} (${r.era}, ${r.transport ?? '-'})`,
    '',
    `${r.level} · scenario \`${r.scenario}\`${refs ? ` · ${refs}` : ''}`,
    '',
  ];
  const message = resultMessage(r);
  if (message) lines.push(...message.split('\n').map((l) => `> ${l}`), '');
  const evidence = compactEvidence(r.details);
  if (evidence) lines.push('<details><summary>Evidence</summary>', '', '```json', evidence, '```', '', '</details>', '');
  return lines;
}

const ENTRY_CHARS = 1200;

/** Details as compact JSON: one wire entry per line, long entries cut. */
export function compactEvidence(details: Record<string, unknown> | undefined): string {
  if (!details) return '';
  const { exchange, attempts, message: _m, ...rest } = details;
  void _m;
  const parts: string[] = [];
  const line = (v: unknown) => {
    const s = JSON.stringify(v) ?? 'undefined';
    return s.length > ENTRY_CHARS ? `${s.slice(0, ENTRY_CHARS)}…` : s;
  };
  if (Object.keys(rest).length) parts.push(`"details": ${line(rest)}`);
  if (Array.isArray(exchange) && exchange.length) {
    parts.push(`"exchange": [\n${exchange.map((e) => `  ${line(e)}`).join(',\n')}\n]`);
  }
  if (Array.isArray(attempts)) parts.push(`"attempts": [\n${attempts.map((a) => `  ${line(a)}`).join(',\n')}\n]`);
  return parts.length ? `{\n${parts.join(',\n')}\n}` : '';
}

/** The first line, at most 300 characters. */
const shortLine = (s: string) => {
  const first = oneLine(s);
  return first.length > 300 ? `${first.slice(0, 300)}…` : first;
};
/** Markdown-inert text for prose. */
const md = (s: string) => s.replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'));
/** A table cell: no pipes or newlines. */
const cell = (s: string) => md(s).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
