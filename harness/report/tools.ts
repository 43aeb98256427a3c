// The "Tools" part of the reports: each target's tools with their execution.taskSupport and the fixture
// role each got, or why a binding was refused. Markdown gets a table; the terminal one line per refusal.
import type { Report } from './model.js';

type Target = Report['run']['targets'][number];
type Tools = NonNullable<Target['tools']>;

/** Targets with identical tool listings (stdio and HTTP of one server) share one table. */
function groups(report: Report): Array<{ labels: string[]; tools: Tools }> {
  const out = new Map<string, { labels: string[]; tools: Tools }>();
  for (const t of report.run.targets) {
    if (!t.tools) continue;
    const key = JSON.stringify(t.tools);
    const g = out.get(key) ?? { labels: [], tools: t.tools };
    g.labels.push(`${t.label} (${t.transport})`);
    out.set(key, g);
  }
  return [...out.values()];
}

const mdText = (s: string) => s.replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;')).replace(/\|/g, '\\|');

export function renderToolsMarkdown(report: Report): string[] {
  const all = groups(report);
  if (!all.length) return [];
  const out = ['## Tools', ''];
  for (const g of all) {
    if (all.length > 1 || report.run.targets.length > 1) out.push(g.labels.map((l) => `\`${l}\``).join(', '), '');
    if (!g.tools.length) {
      out.push('The server lists no tools.', '');
      continue;
    }
    out.push('| Tool | taskSupport | Fixture role |', '|---|---|---|');
    for (const t of g.tools) {
      const roles = [...t.roles, ...t.refused.map((r) => `${r.role} refused: ${r.why}`)];
      const support = t.listed ? (t.taskSupport ?? 'not declared (forbidden)') : 'not listed';
      out.push(`| \`${mdText(t.name)}\` | ${support} | ${mdText(roles.join('; ') || '-')} |`);
    }
    out.push('');
  }
  return out;
}

/** "Binding refused: F-ECHO -> delay: delay declares taskSupport required; F-ECHO needs optional", once per distinct refusal. */
export function refusedBindingLines(report: Report): string[] {
  const lines = new Set<string>();
  for (const t of report.run.targets)
    for (const tool of t.tools ?? []) for (const r of tool.refused) lines.add(`Binding refused: ${r.role} -> ${tool.name}: ${r.why}`);
  return [...lines];
}
