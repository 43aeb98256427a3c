// junit.xml: one testcase per check per transport and era (classname = scenario), so CI systems show each
// check; FAILURE -> <failure>, SKIPPED -> <skipped>, WARNING/INFO pass with the message in system-out.
import type { CheckResult } from '../checks.js';
import { oneLine } from '../util/errors.js';
import { resultKey, resultMessage, type Report } from './model.js';

/** Escapes text for XML content and attributes; drops characters XML 1.0 cannot carry at all. */
export function xmlEscape(text: string): string {
  return text
    .replace(/[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function renderJunit(report: Report): string {
  const expected = new Set(report.expectedFailures ?? []);
  const groups = new Map<string, CheckResult[]>();
  for (const r of report.checks) {
    const key = `${r.transport ?? 'none'}, ${r.era}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const failures = report.checks.filter((r) => r.status === 'FAILURE' && !expected.has(resultKey(r))).length;
  const skipped = report.checks.filter((r) => r.status === 'SKIPPED').length;
  out.push(
    `<testsuites name="${xmlEscape(report.tool.name)}" tests="${report.checks.length}" failures="${failures}" skipped="${skipped}" errors="0" time="${seconds(report.run.durationMs)}">`,
  );
  for (const [suite, checks] of groups) {
    const f = checks.filter((r) => r.status === 'FAILURE' && !expected.has(resultKey(r))).length;
    const sk = checks.filter((r) => r.status === 'SKIPPED').length;
    const time = checks.reduce((sum, r) => sum + r.durationMs, 0);
    out.push(
      `  <testsuite name="${xmlEscape(`${report.tool.name} (${suite})`)}" tests="${checks.length}" failures="${f}" skipped="${sk}" errors="0" time="${seconds(time)}" timestamp="${xmlEscape(report.run.startedAt)}">`,
    );
    for (const r of checks) out.push(...testcase(r, expected.has(resultKey(r))));
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}

function testcase(r: CheckResult, expectedFailure: boolean): string[] {
  const attrs = `name="${xmlEscape(`${r.id} ${r.name} [${r.transport ?? '-'}, ${r.era}]`)}" classname="${xmlEscape(r.scenario)}" time="${(r.durationMs / 1000).toFixed(3)}"`;
  const message = resultMessage(r);
  const link = r.specReferences.find((s) => s.url)?.url;
  const body = [message, link ? `spec: ${link}` : '', `level: ${r.level}`].filter(Boolean).join('\n');
  if (r.status === 'FAILURE' && !expectedFailure) {
    return [
      `    <testcase ${attrs}>`,
      `      <failure message="${xmlEscape(oneLine(message).slice(0, 500))}" type="${r.level}">${xmlEscape(body)}</failure>`,
      '    </testcase>',
    ];
  }
  if (r.status === 'SKIPPED') {
    return [`    <testcase ${attrs}>`, `      <skipped message="${xmlEscape(oneLine(message).slice(0, 500))}"/>`, '    </testcase>'];
  }
  const note = expectedFailure ? `expected failure (baseline): ${message}` : message ? `${r.status}: ${message}` : '';
  if (!note) return [`    <testcase ${attrs}/>`];
  return [`    <testcase ${attrs}>`, `      <system-out>${xmlEscape(note)}</system-out>`, '    </testcase>'];
}
