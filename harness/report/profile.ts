// The lifecycle profile in report.md and on the terminal (harness/profile.ts derives it): per protocol
// era, one row per promise, yes / no / not applicable per transport, with the checks that gave the answer.
import type { TransportName } from '../checks.js';
import { yesNo, type PropertyValue } from '../profile.js';
import type { EraProfile, Report } from './model.js';

/** A cell: yes / no / not applicable, or "not checked" when none of the property's checks ran on that transport. */
const mark = (v: PropertyValue | undefined) =>
  v === undefined ? '· not checked' : v === true ? '✅ yes' : v === false ? '❌ no' : '➖ not applicable';

const transportsOf = (p: EraProfile) => (['stdio', 'http'] as TransportName[]).filter((t) => p.properties.some((r) => t in r.byTransport));

function eraTable(p: EraProfile): string[] {
  const transports = transportsOf(p);
  const out = [
    `### Protocol ${p.era} (scenario \`${p.scenario}\`)`,
    '',
    `| Promise | Property | ${transports.join(' | ')} | Evidence |`,
    `|---|---|${transports.map(() => '---').join('|')}|---|`,
  ];
  for (const r of p.properties) {
    const evidence =
      r.evidence.map((e) => `${e.id}${e.transport ? `@${e.transport}` : ''} (${e.status}: ${yesNo(e.value)})`).join(', ') ||
      `no check ran (${r.checks.join(', ')})`;
    out.push(`| ${r.label} | \`${r.property}\` | ${transports.map((t) => mark(r.byTransport[t])).join(' | ')} | ${evidence} |`);
  }
  out.push('');
  return out;
}

/** The "Lifecycle profile" section, one table per era, or [] when no lifecycle check ran. */
export function renderProfileMarkdown(report: Report): string[] {
  if (!report.profiles?.length) return [];
  return [
    '## Lifecycle profile',
    '',
    'What this server promises beyond the spec\'s MUSTs, per protocol era. "not applicable": the check could not apply here (e.g. on stdio another connection is another server process) or could not tell. `--require <property>` turns a row into a CI gate (every era combined).',
    '',
    ...report.profiles.flatMap(eraTable),
  ];
}

/** Terminal lines: per era, which properties hold, do not, or are not applicable (report.md has the evidence). */
export function renderProfileTerminal(report: Report, paint: { green(s: string): string; red(s: string): string; dim(s: string): string }) {
  if (!report.profiles?.length) return [];
  const lines = report.profiles.map((p) => {
    // A property none of whose checks ran (not selected) is left out: report.md names its checks.
    const named = (v: PropertyValue) =>
      p.properties.filter((r) => r.value === v && (r.evidence.length || Object.keys(r.byTransport).length)).map((r) => r.property);
    const parts = [
      named(true).length ? paint.green(`yes ${named(true).join(', ')}`) : '',
      named(false).length ? paint.red(`no ${named(false).join(', ')}`) : '',
      named(null).length ? paint.dim(`n/a ${named(null).join(', ')}`) : '',
    ].filter(Boolean);
    return `  ${p.era}: ${parts.join(' · ')}`;
  });
  return ['Lifecycle profile', ...lines, ''];
}
