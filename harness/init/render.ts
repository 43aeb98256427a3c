// The role-mapping YAML that `sep1686-check init` writes: one commented entry per proposed role, a comment
// for each role bound by default, and a commented-out entry for each role nothing fits. The file parses
// with parseFixtureMapping as written (tested), so the user only has to review it.
import { ROLE_CONTRACTS } from '../fixture-contract.js';
import { declaredTaskSupport } from '../fixture-contract.js';
import type { JsonObject } from '../scenario.js';
import type { Proposal } from './propose.js';

export interface InitHeader {
  /** serverInfo name and version, when the server gave them. */
  server?: string;
  /** How the server was reached (shareable: no tokens). */
  target: string;
}

/** Flow-style JSON is valid YAML and keeps each template on one line. */
const flow = (v: unknown) => JSON.stringify(v);

function placeholderArgs(role: Proposal['role']): JsonObject {
  return Object.fromEntries(ROLE_CONTRACTS[role].properties.map((p) => [p, `{{${p}}}`]));
}

export function renderMapping(proposals: Proposal[], tools: JsonObject[], header: InitHeader): string {
  const out = [
    `# Fixture roles for ${header.server ?? 'the server'} (${header.target}), proposed by sep1686-check init.`,
    '# init guesses from tool names, taskSupport and inputSchemas; it cannot see what a tool returns.',
    '# Review every entry, add expect: (the result text) where you know it, then run:',
    '#   sep1686-check --fixtures <this file> <the same target options>',
    '# Keys per role: tool, arguments (template: {{name}}, {{seconds*1000}}), expect ({text} or {echoes}), invalid.',
  ];
  out.push('roles:');
  for (const p of proposals) {
    if (p.kind === 'default') out.push(`  # ${p.role}: ${p.tool}, ${p.why}.`);
    else if (p.kind === 'mapped') {
      out.push(
        `  # ${p.role}: ${p.tool}: ${p.why}.`,
        `  # Add expect: { text: "..." } with what it returns, so the checks that compare results run.`,
        `  ${p.role}:`,
        `    tool: ${flow(p.tool)}`,
        ...(Object.keys(p.arguments).length ? [`    arguments: ${flow(p.arguments)}`] : []),
      );
    } else {
      const args = placeholderArgs(p.role);
      out.push(
        `  # ${p.role}: ${p.why}.`,
        `  # ${p.role}:`,
        `  #   tool: <your tool>`,
        ...(Object.keys(args).length ? [`  #   arguments: ${flow(args)}`] : []),
      );
    }
  }
  const proposed = new Set(proposals.flatMap((p) => (p.kind === 'none' ? [] : [p.tool])));
  const rest = tools.filter((t) => typeof t.name === 'string' && !proposed.has(t.name));
  if (rest.length) {
    out.push('# Tools no role was proposed for:');
    for (const t of rest) {
      const s = declaredTaskSupport(t);
      const support = 'invalid' in s ? JSON.stringify(s.invalid) : s.declared ? s.value : 'not declared';
      out.push(`#   ${String(t.name)} (taskSupport ${support})`);
    }
  }
  return `${out.join('\n')}\n`;
}
