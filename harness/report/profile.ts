// report.md section for the lifecycle profile (harness/profile.ts): one row per promise, yes / no /
// not applicable per transport, with the checks that gave the answer.
import type { CheckResult, TransportName } from '../checks.js';
import { profileRows, yesNo, type PropertyValue } from '../profile.js';

const mark = (v: PropertyValue | undefined) => (v === true ? '✅ yes' : v === false ? '❌ no' : '➖ not applicable');

/** The "Lifecycle profile" section, or [] when the lifecycle scenario did not run. */
export function renderProfileMarkdown(checks: CheckResult[]): string[] {
  const rows = profileRows(checks);
  if (!rows) return [];
  const transports = (['stdio', 'http'] as TransportName[]).filter((t) => rows.some((r) => t in r.byTransport));
  const out = [
    '## Lifecycle profile (scenario `lifecycle`)',
    '',
    'What this server promises beyond the spec\'s MUSTs. "not applicable": the check could not apply here (e.g. on stdio another session is another server process) or could not tell. `--require <property>` turns a row into a CI gate.',
    '',
    `| Promise | Property | ${transports.join(' | ')} | Evidence |`,
    `|---|---|${transports.map(() => '---').join('|')}|---|`,
  ];
  for (const r of rows) {
    const evidence =
      r.evidence.map((e) => `${e.id}${e.transport ? `@${e.transport}` : ''} (${e.status}: ${yesNo(e.value)})`).join(', ') || 'no check ran';
    out.push(`| ${r.label} | \`${r.name}\` | ${transports.map((t) => mark(r.byTransport[t])).join(' | ')} | ${evidence} |`);
  }
  out.push('');
  return out;
}
