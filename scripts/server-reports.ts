// `npm run reports:servers`: checks the real servers installed from npm (test/helpers/real-servers.ts) with
// sep1686-check, each over every transport it speaks, full default scenario set, and publishes what it said:
// reports/servers/<name>/<transport>/report.{json,md}, reports/servers/README.md (one row per run: server, npm
// version, transport, verdict, deviations, the command that reproduces it) and the same table in the README
// between its "real-servers" markers. Not part of `npm test` (about 4 minutes). The published copies are made
// stable: paths relative to the repository, ports as PORT, run times at day precision, durations in whole
// seconds, and wire excerpts kept only on the FAILURE and WARNING checks they prove (the command gives them all).
// Exit: 0 written, 1 a run wrote no report, 2 setup error (one line).
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { PACKAGE_ROOT, packagePath } from '../harness/paths.js';
import { renderMarkdown } from '../harness/report/markdown.js';
import { Report } from '../harness/report/model.js';
import {
  harnessArgs,
  REAL_SERVERS,
  transportsOf,
  versionOf,
  type RealServerName,
  type RealTransport,
} from '../test/helpers/real-servers.js';

const OUT = packagePath('reports', 'servers');
const README_START = '<!-- real-servers:start (npm run reports:servers) -->';
const README_END = '<!-- real-servers:end -->';

interface Published {
  name: RealServerName;
  transport: RealTransport;
  command: string;
  report: Report;
}

/** Paths of this machine out of a text: the repository becomes relative, node is `node`, ports are PORT. */
function portable(text: string, outDir: string): string {
  return text
    .split(outDir)
    .join('<out>')
    .split(process.execPath)
    .join('node')
    .split(`${PACKAGE_ROOT}/`)
    .join('')
    .split(PACKAGE_ROOT)
    .join('.')
    .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT');
}

/** The report with what churns between identical runs held still (see the top of the file). */
function stable(report: Report): Report {
  const day = (iso: string) => `${iso.slice(0, 10)}T00:00:00.000Z`;
  const seconds = (ms: number) => Math.round(ms / 1000) * 1000;
  return Report.parse({
    ...report,
    run: {
      ...report.run,
      startedAt: day(report.run.startedAt),
      finishedAt: day(report.run.finishedAt),
      durationMs: seconds(report.run.durationMs),
    },
    checks: report.checks.map((c) => {
      const keepWire = c.status === 'FAILURE' || c.status === 'WARNING';
      const details = c.details && !keepWire ? Object.fromEntries(Object.entries(c.details).filter(([k]) => k !== 'exchange')) : c.details;
      return { ...c, durationMs: seconds(c.durationMs), ...(details ? { details } : {}) };
    }),
  });
}

async function check(name: RealServerName, transport: RealTransport): Promise<Published> {
  const out = mkdtempSync(join(tmpdir(), 'sep1686-servers-'));
  try {
    const args = harnessArgs(name, transport);
    const cli = packagePath('dist', 'harness', 'cli', 'main.js');
    const run = await execa(process.execPath, [cli, '--out', out, ...args], {
      cwd: PACKAGE_ROOT,
      reject: false,
      env: { CI: 'true', GITHUB_STEP_SUMMARY: '' },
    });
    let raw: string;
    try {
      raw = readFileSync(join(out, 'report.json'), 'utf8');
    } catch {
      throw new Error(
        `${name} over ${transport}: the CLI (exit ${run.exitCode}) wrote no report.json: ${run.stderr.split('\n').slice(-3).join(' | ')}`,
      );
    }
    const report = stable(Report.parse(JSON.parse(portable(raw, out))));
    const command = portable(['node', cli, ...args].join(' '), out);
    return { name, transport, command, report };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function idsOf(report: Report, status: 'FAILURE' | 'WARNING'): string[] {
  return [...new Set(report.checks.filter((c) => c.status === status).map((c) => c.id))].sort();
}

function versionCell(name: RealServerName): string {
  const pkg = REAL_SERVERS[name].npmPackage;
  return name === 'sdk-bench-server' ? `sep1686-check's bench server on ${pkg} ${versionOf(name)}` : `${pkg} ${versionOf(name)}`;
}

function table(runs: Published[]): string {
  const rows = runs.map(({ name, transport, command, report }) => {
    const failures = idsOf(report, 'FAILURE');
    const warnings = idsOf(report, 'WARNING');
    const deviations = [failures.length ? `FAILURE ${failures.join(', ')}` : '', warnings.length ? `WARNING ${warnings.join(', ')}` : '']
      .filter(Boolean)
      .join('; ');
    const link = `[${name}/${transport}](reports/servers/${name}/${transport}/report.md)`;
    return `| ${link} | ${versionCell(name)} | ${transport} | ${report.run.verdict} (exit ${report.run.exitCode}) | ${deviations || 'none'} | \`${command}\` |`;
  });
  return ['| Server | npm version | Transport | Verdict | Deviations found | Reproduce |', '|---|---|---|---|---|---|', ...rows].join('\n');
}

/** reports/servers/README.md: the table, then every deviation with the harness's own words. */
function serversReadme(runs: Published[]): string {
  const out = [
    '# sep1686-check against real servers',
    '',
    'Written by `npm run reports:servers` (scripts/server-reports.ts): every server installed from npm, every transport it speaks,',
    'the full default scenario set, the mapping of examples/. Each FAILURE and WARNING below is proven by an independent raw',
    'request in test/integration/real-servers/<server>.test.ts, which also pins these exact sets.',
    '',
    table(runs).replaceAll('](reports/servers/', ']('),
    '',
  ];
  for (const { name, transport, report } of runs) {
    out.push(
      `## ${name} over ${transport}`,
      '',
      `Proofs: [test/integration/real-servers/${name}.test.ts](../../test/integration/real-servers/${name}.test.ts)`,
      '',
    );
    const found = report.checks.filter((c) => c.status === 'FAILURE' || c.status === 'WARNING');
    if (!found.length) out.push('No deviation found.', '');
    for (const c of found) out.push(`- **${c.status} ${c.id}** (${c.level}): ${(c.errorMessage ?? '').replace(/\s+/g, ' ').slice(0, 400)}`);
    out.push('');
  }
  return out.join('\n');
}

function updateReadme(runs: Published[]): void {
  const path = packagePath('README.md');
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf(README_START);
  const end = text.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${README_START} … ${README_END} block`);
  writeFileSync(path, `${text.slice(0, start + README_START.length)}\n${table(runs)}\n${text.slice(end)}`);
}

async function main(): Promise<void> {
  const runs: Published[] = [];
  for (const name of Object.keys(REAL_SERVERS) as RealServerName[]) {
    for (const transport of transportsOf(name)) {
      process.stderr.write(`checking ${name} over ${transport}\n`);
      const published = await check(name, transport);
      const dir = join(OUT, name, transport);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'report.json'), `${JSON.stringify(published.report, null, 2)}\n`);
      writeFileSync(join(dir, 'report.md'), renderMarkdown(published.report));
      runs.push(published);
    }
  }
  writeFileSync(join(OUT, 'README.md'), serversReadme(runs));
  updateReadme(runs);
  process.stdout.write(`${table(runs)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`server-reports: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(err instanceof Error && /wrote no report/.test(err.message) ? 1 : 2);
});
