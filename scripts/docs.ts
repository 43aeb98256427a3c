// Keeps the README's check table in step with the scenario modules: `npm run docs` rewrites the block
// between the checks markers; a test fails when the committed README differs from what this renders.
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { SCENARIOS } from '../scenarios/index.js';
import { packagePath } from '../harness/paths.js';
import { LEGACY_ERA } from '../harness/checks.js';

const START = '<!-- checks:start -->';
const END = '<!-- checks:end -->';

export function renderCheckTable(): string {
  const rows = ['| ID | Era | Level | Scenario | Check | Fixtures | Transports |', '|---|---|---|---|---|---|---|'];
  // One row per id: a rule observed by two scenarios (T25-LIFE-03: its own probe, and the wire audit over the run) lists both.
  const byId = new Map<string, { spec: (typeof SCENARIOS)[number]['checks'][number]; scenarios: string[] }>();
  for (const scenario of SCENARIOS) {
    for (const spec of scenario.checks) {
      const row = byId.get(spec.id);
      if (row) row.scenarios.push(scenario.name);
      else byId.set(spec.id, { spec, scenarios: [scenario.name] });
    }
  }
  for (const { spec, scenarios } of byId.values()) {
    const fixtures = spec.fixtures.length ? spec.fixtures.join(', ') : '-';
    const transports = (spec.transports ?? ['stdio', 'http']).join(', ');
    rows.push(
      `| \`${spec.id}\` | ${spec.era ?? LEGACY_ERA} | ${spec.level} | ${scenarios.join(', ')} | ${spec.name.replace(/\|/g, '\\|')} | ${fixtures} | ${transports} |`,
    );
  }
  return rows.join('\n');
}

export function renderReadme(readme: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the ${START} ... ${END} markers`);
  return `${readme.slice(0, start + START.length)}\n${renderCheckTable()}\n${readme.slice(end)}`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const path = packagePath('README.md');
  writeFileSync(path, renderReadme(readFileSync(path, 'utf8')));
  console.log('README.md check table updated');
}
