// `npm run crosscheck`: runs the official MCP conformance suite's task scenarios against the reference server
// over HTTP, runs our 2026-07-28 checks against the same server, and prints both verdicts side by side, one row
// per official check, and every difference. Not part of `npm test`: it installs the official package (and the
// Node 22 it needs) from npm into a temp folder, removed afterwards. Exit: 0 no official failure and every
// verdict difference explained in the README ("Cross-check with the official suite"), 1 otherwise (an official
// failure, an unexplained difference, an unmapped official check), 2 setup error (one line). Always stops the
// server it started. Over 150 lines because the mapping, one commented row per official check, is the point.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Table from 'cli-table3';
import { execa } from 'execa';
import { packagePath } from '../harness/paths.js';
import { signalTree, stopProcess } from '../harness/transport/proc.js';

/**
 * The newest published version (2026-10-01; `npm view @modelcontextprotocol/conformance versions`). The task
 * scenarios exist only in the 0.2.0 alphas; the `latest` tag (0.1.16) has none. Pinned, not `@next`: a new
 * alpha may rename checks, and MAPPING and DIFFERENCES are keyed by check id.
 */
const OFFICIAL = '@modelcontextprotocol/conformance@0.2.0-alpha.12';
const NODE = 'node@22';
/** The official suite's task scenarios exist for the extension only, so ours run for that era alone. */
const ERA = '2026-07-28';

type Verdict = 'SUCCESS' | 'FAILURE' | 'WARNING' | 'SKIPPED' | 'INFO';
interface OfficialCheck {
  scenario: string;
  id: string;
  status: Verdict;
  errorMessage?: string;
}

/** Official check -> our requirement ids (requirements-ext-tasks.md). Key `scenario/check`; `*` = every scenario. */
const MAPPING: Record<string, string[]> = {
  // Every message the server sent validates against the official schema: ours validates inside each check (no own id).
  '*/wire-schema-valid': [],
  // A sync tool answers resultType "complete" with content and no taskId.
  'tasks-lifecycle/tasks-sync-tool-call': ['EXT-DISP-06'],
  // The CreateTaskResult is flat, resultType "task", taskId/status/timestamps at the top, no result/error.
  'tasks-lifecycle/sep-2663-result-type-task-on-create': ['EXT-DISP-04', 'EXT-CRT-01', 'EXT-CRT-03'],
  // tasks/get of a working task: same taskId, a status.
  'tasks-lifecycle/sep-2663-tasks-get-status-working': ['EXT-GET-01', 'EXT-GET-02'],
  // A completed task inlines the tool's result.
  'tasks-lifecycle/sep-2663-tasks-get-status-completed': ['EXT-GET-04', 'EXT-GET-09'],
  // isError tool result => completed with result.isError, never failed.
  'tasks-lifecycle/sep-2663-tool-error-uses-completed-status': ['EXT-LIFE-03'],
  // JSON-RPC error during the work => failed with an inlined error and no result.
  'tasks-lifecycle/sep-2663-tasks-get-status-failed': ['EXT-LIFE-04', 'EXT-GET-05'],
  // tasks/cancel acks {resultType:"complete"} without task fields.
  'tasks-lifecycle/sep-2663-cancel-ack-empty-result': ['EXT-CAN-01'],
  // Cancelling a terminal task is acked the same way (the spec leaves it open: A-EXT-04).
  'tasks-lifecycle/tasks-cancel-terminal-idempotent-ack': ['EXT-CAN-05'],
  // The extension under capabilities.extensions, never the legacy capabilities.tasks.
  'tasks-capability-negotiation/tasks-extension-advertised': ['EXT-NEG-02', 'EXT-NEG-03'],
  // tasks/get|update|cancel without the extension => -32021.
  'tasks-capability-negotiation/sep-2663-tasks-methods-non-declaring': ['EXT-NEG-07'],
  // No CreateTaskResult to a request that does not declare the extension.
  'tasks-capability-negotiation/sep-2663-server-rejects-undeclared-client': ['EXT-NEG-04'],
  // Declaring the extension in the request's own _meta yields a task (the official suite requires one; the spec lets the server decide).
  'tasks-capability-negotiation/tasks-per-request-meta-opt-in': ['EXT-NEG-09'],
  // ttlMs / pollIntervalMs as integers, no legacy ttl / pollInterval.
  'tasks-wire-fields/tasks-wire-field-renames': ['EXT-TTL-02', 'EXT-CRT-01'],
  // The task is still there 500 ms after it ended (well inside its ttlMs).
  'tasks-wire-fields/tasks-no-early-ttl-expiry': ['EXT-TTL-05'],
  // No legacy related-task _meta on the inlined result.
  'tasks-wire-fields/tasks-no-related-task-meta-on-inlined-result': ['EXT-GET-09'],
  // No requestState on a CreateTaskResult.
  'tasks-request-state-removal/tasks-create-result-no-request-state': ['EXT-CRT-01'],
  // No requestState on tasks/get.
  'tasks-request-state-removal/tasks-get-detailed-no-request-state': ['EXT-GET-01'],
  // An input_required task lists its outstanding requests.
  'tasks-mrtr-input/sep-2663-tasks-get-status-input-required': ['EXT-GET-03'],
  // tasks/update is acked and the task ends completed.
  'tasks-mrtr-input/tasks-mrtr-tasks-update-resumes': ['EXT-UPD-01', 'EXT-UPD-02'],
  // A partial update keeps input_required with only the other key.
  'tasks-mrtr-input/tasks-mrtr-partial-fulfillment': ['EXT-UPD-05'],
  // Mcp-Method on tools/call that matches the body is accepted.
  'tasks-request-headers/tasks-headers-tolerate-mcp-method-on-tools-call': ['EXT-HTTP-01'],
  // Matching Mcp-Method + Mcp-Name on tasks/get are accepted.
  'tasks-request-headers/sep-2663-routing-headers-accepted-on-tasks-get': ['EXT-HTTP-02'],
  // Mcp-Method that disagrees with the body => 400 / -32020.
  'tasks-request-headers/tasks-headers-reject-mismatched-method': ['EXT-HTTP-01'],
  // Mcp-Name that disagrees with params.taskId => 400 / -32020.
  'tasks-request-headers/sep-2663-server-rejects-mismatched-mcp-name-on-tasks-get': ['EXT-HTTP-02'],
  // tasks/result => -32601.
  'tasks-dispatch-and-envelope/sep-2663-tasks-result-removed-method-not-found': ['EXT-DISP-01'],
  // tasks/list => -32601.
  'tasks-dispatch-and-envelope/tasks-removed-tasks-list': ['EXT-DISP-02'],
  // A task without any client hint (the official suite requires one; the spec lets the server decide).
  'tasks-dispatch-and-envelope/tasks-server-directed-creation-no-hint': ['EXT-NEG-09'],
  // The legacy `task` param is ignored: no error, no task for a sync tool.
  'tasks-dispatch-and-envelope/sep-2663-legacy-task-param-ignored': ['EXT-DISP-03'],
  // A fast task-capable call may answer either shape.
  'tasks-dispatch-and-envelope/tasks-immediate-result-shortcut': ['EXT-NEG-09'],
  // resultType "complete" on sync results and task acks; also sends a non-outstanding key to tasks/update.
  'tasks-dispatch-and-envelope/tasks-result-type-complete-on-non-task-responses': ['EXT-DISP-06', 'EXT-UPD-04'],
  // tasks/get right after the CreateTaskResult resolves.
  'tasks-dispatch-and-envelope/sep-2663-durable-create-strong-consistency': ['EXT-CRT-02'],
  // Unknown taskId on tasks/get => -32602.
  'tasks-dispatch-and-envelope/sep-2663-tasks-get-invalid-task-id-32602': ['EXT-GET-07'],
  // Pending upstream (always SKIPPED): notifications/tasks over subscriptions/listen.
  'tasks-status-notifications/tasks-status-notifications': ['EXT-NOTIF-02', 'EXT-NOTIF-03', 'EXT-NOTIF-06'],
  // A required-task tool without the extension => -32021 ...
  'tasks-required-task-error/sep-2663-server-returns-missing-capability-when-required': ['EXT-NEG-05'],
  // ... whose data names the extension under requiredCapabilities.
  'tasks-required-task-error/sep-2663-server-returns-missing-capability-data-shape': ['EXT-NEG-05'],
  // An MRTR round settled before the CreateTaskResult.
  'tasks-mrtr-composition/sep-2663-mrtr-synchronous-before-task-creation': ['EXT-CRT-04', 'EXT-CRT-05'],
};

type Kind = 'ours stricter' | 'theirs stricter' | 'theirs wrong' | 'spec ambiguity' | 'no official check';
/**
 * Official checks whose verdict on the reference server differs from ours, each a row of the README table.
 * Key `scenario/check`; `official` must match, and `message` too when given, so a new difference is not hidden.
 */
const DIFFERENCES: Record<string, { kind: Kind; official: Verdict; message?: RegExp; why: string }> = {
  'tasks-status-notifications/tasks-status-notifications': {
    kind: 'no official check',
    official: 'SKIPPED',
    message: /^Skipped: .*subscriptions\/listen.*needs a rewrite/,
    why: 'their check is a placeholder (SKIPPED, "pending subscriptions/listen rewrite"); ours subscribe and check notifications/tasks',
  },
};

class SetupError extends Error {}

/** The command running now, so that an interrupt can stop its whole tree (npm forks installers). */
let running: { pid: number | undefined; done: Promise<unknown> } | undefined;

async function run(cmd: string, args: string[], what: string, timeoutMs: number, cwd?: string) {
  const child = execa(cmd, args, { cwd, reject: false, timeout: timeoutMs, stdin: 'ignore' });
  running = { pid: child.pid, done: child };
  const r = await child.finally(() => (running = undefined));
  if (r.timedOut || r.exitCode === undefined) throw new SetupError(`${what}: no answer within ${timeoutMs} ms`);
  return r;
}

/** Installs the official suite and Node 22 into `dir`; returns the node binary and the suite's entry point. */
async function installOfficial(dir: string): Promise<{ node: string; cli: string; version: string; nodeVersion: string }> {
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ private: true, allowScripts: { node: true } }));
  const r = await run('npm', ['install', '--no-save', '--no-audit', '--no-fund', NODE, OFFICIAL], `npm install ${OFFICIAL}`, 600_000, dir);
  if (r.exitCode !== 0) throw new SetupError(`npm install ${NODE} ${OFFICIAL} failed: ${npmError(r.stderr)}`);
  const node = join(dir, 'node_modules', 'node', 'bin', 'node');
  const pkg = join(dir, 'node_modules', '@modelcontextprotocol', 'conformance');
  if (!existsSync(node)) throw new SetupError(`the npm package ${NODE} installed no binary at ${node}`);
  const nodeVersion = (await run(node, ['--version'], 'node --version', 30_000)).stdout.trim();
  if (!nodeVersion.startsWith('v22.')) throw new SetupError(`${NODE} gave ${nodeVersion}, not Node 22`);
  const version = (JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { version: string }).version;
  return { node, cli: join(pkg, 'dist', 'index.js'), version, nodeVersion };
}

/** Starts the reference server over HTTP on a free loopback port; resolves with its endpoint. */
function startServer(): { child: ChildProcess; url: Promise<string> } {
  const child = spawn(process.execPath, [packagePath('dist/reference-server/main.js'), '--http', '--port', '0'], { stdio: 'pipe' });
  const url = new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new SetupError('the reference server printed no "MCP endpoint: <url>" within 20 s')), 20_000);
    child.stdout.on('data', (c: Buffer) => {
      const m = /MCP endpoint: (\S+)/.exec((out += c.toString()));
      if (m?.[1]) resolve(m[1]);
      if (m) clearTimeout(timer);
    });
    child.once('exit', (code) => reject(new SetupError(`the reference server exited (code ${code}) before printing its endpoint`)));
  });
  child.stderr.resume();
  return { child, url };
}

/** The official task scenarios with the era tags `list` prints: `  - tasks-lifecycle [extension]`. */
async function taskScenarios(node: string, cli: string): Promise<Array<{ name: string; tags: string[] }>> {
  const r = await run(node, [cli, 'list'], 'conformance list', 60_000);
  const server = r.stdout.split(/\n\s*\n/)[0] ?? '';
  const found = [...server.matchAll(/^\s*- (tasks-\S+) \[([^\]]*)\]$/gm)].map((m) => ({ name: m[1]!, tags: m[2]!.split(',') }));
  if (found.length === 0) throw new SetupError(`${OFFICIAL} lists no tasks-* server scenario`);
  return found;
}

/** Runs one scenario at one era tag; its verdicts come from the checks.json it writes. */
async function runScenario(node: string, cli: string, url: string, name: string, tag: string, out: string): Promise<OfficialCheck[]> {
  const era = /^\d{4}-\d{2}-\d{2}$/.test(tag) ? ['--spec-version', tag] : [];
  const r = await run(node, [cli, 'server', '--url', url, '--scenario', name, ...era, '-o', out], `scenario ${name}`, 300_000);
  const dir = existsSync(out) ? readdirSync(out).find((d) => existsSync(join(out, d, 'checks.json'))) : undefined;
  if (!dir) throw new SetupError(`scenario ${name} wrote no checks.json (exit ${r.exitCode}): ${lastLine(r.stderr || r.stdout)}`);
  const checks = JSON.parse(readFileSync(join(out, dir, 'checks.json'), 'utf8')) as OfficialCheck[];
  return checks.map((c) => ({
    scenario: tag === 'extension' ? name : `${name}@${tag}`,
    id: c.id,
    status: c.status,
    errorMessage: c.errorMessage,
  }));
}

interface Ours {
  /** id -> the verdicts our checks reported for it (a check may report once per transport). */
  verdicts: Map<string, Set<Verdict>>;
  line: string;
}

/** Our harness, the extension era only, over HTTP against the same server. */
async function runOurs(url: string, out: string): Promise<Ours> {
  const args = [packagePath('dist/harness/cli/main.js'), '--url', url, '--protocol', ERA, '--out', out];
  const r = await run(process.execPath, args, 'sep1686-check', 600_000);
  const file = join(out, 'report.json');
  if (!existsSync(file)) throw new SetupError(`sep1686-check wrote no report.json (exit ${r.exitCode}): ${lastLine(r.stderr)}`);
  const report = JSON.parse(readFileSync(file, 'utf8')) as {
    run: { verdict: string; targets: Array<{ label: string; eras: string[] }> };
    checks: Array<{ id: string; status: Verdict; era: string }>;
  };
  const target = report.run.targets.find((t) => t.eras.includes(ERA));
  if (!target) throw new SetupError(`sep1686-check did not check the ${ERA} era (exit ${r.exitCode}): ${report.run.verdict}`);
  const verdicts = new Map<string, Set<Verdict>>();
  for (const c of report.checks.filter((c) => c.era === ERA)) verdicts.set(c.id, (verdicts.get(c.id) ?? new Set()).add(c.status));
  return { verdicts, line: `${target.label}, ${ERA}: ${report.run.verdict}` };
}

function mappedIds(c: OfficialCheck): string[] | undefined {
  const name = c.scenario.split('@')[0]!;
  return MAPPING[`${name}/${c.id}`] ?? MAPPING[`*/${c.id}`];
}

type Comparison = 'same' | 'differs' | 'unmapped' | 'no id of ours';

/** Our verdict for the mapped ids (the worst of them), and whether it agrees with the official one. */
function compare(c: OfficialCheck, ours: Ours): { oursText: string; worst?: Verdict; comparison: Comparison } {
  const ids = mappedIds(c);
  if (!ids) return { oursText: '-', comparison: 'unmapped' };
  if (ids.length === 0) return { oursText: '-', comparison: 'no id of ours' };
  const seen = ids.flatMap((id) => [...(ours.verdicts.get(id) ?? [])]);
  if (seen.length === 0) return { oursText: 'not reported', comparison: 'differs' };
  const worst = (['FAILURE', 'WARNING', 'SUCCESS', 'INFO', 'SKIPPED'] as const).find((v) => seen.includes(v))!;
  // INFO is our verdict for a MAY the server may take either way (EXT-NEG-09): it agrees with any official pass.
  const agree = worst === c.status || (c.status === 'SUCCESS' && worst === 'INFO');
  return { oursText: [...new Set(seen)].join('/'), worst, comparison: agree ? 'same' : 'differs' };
}

/** The README explanation of a verdict difference, when its verdict and message are the ones explained. */
function explanation(c: OfficialCheck) {
  const known = DIFFERENCES[`${c.scenario}/${c.id}`];
  return known && known.official === c.status && (!known.message || known.message.test(c.errorMessage ?? '')) ? known : undefined;
}

const lastLine = (text: string) => text.trim().split('\n').pop()?.slice(0, 300) ?? '';
/** npm's first `npm error` line says what went wrong; its last one only points to the log. */
const npmError = (stderr: string) =>
  stderr
    .split('\n')
    .find((l) => l.startsWith('npm error'))
    ?.slice(0, 300) ?? lastLine(stderr);

async function main(): Promise<number> {
  for (const f of ['dist/reference-server/main.js', 'dist/harness/cli/main.js'])
    if (!existsSync(packagePath(f))) throw new SetupError(`${f} is missing: run npm run build first`);
  const tmp = mkdtempSync(join(tmpdir(), 'sep1686-crosscheck-'));
  let server: ReturnType<typeof startServer> | undefined;
  const cleanup = async () => {
    if (running?.pid) signalTree(running.pid, 'SIGKILL');
    await running?.done;
    if (server) await stopProcess(server.child, { termGraceMs: 2000 });
    rmSync(tmp, { recursive: true, force: true, maxRetries: 5 });
  };
  const interrupted = () => {
    console.error('crosscheck: interrupted');
    void cleanup().finally(() => process.exit(130));
  };
  // `on`, not `once`: execa's exit hook re-raises the signal (killing us before the cleanup) when it is the only listener.
  process.on('SIGINT', interrupted).on('SIGTERM', interrupted);
  try {
    const official = await installOfficial(tmp);
    server = startServer();
    const url = await server.url;
    const scenarios = await taskScenarios(official.node, official.cli);
    console.log(`Official suite ${OFFICIAL.replace(/@[^@]*$/, '')} ${official.version} (Node ${official.nodeVersion}) against ${url}`);
    console.log(`Task scenarios: ${scenarios.map((s) => `${s.name} [${s.tags.join(',')}]`).join(', ')}`);
    if (!scenarios.some((s) => s.tags.includes('2025-11-25')))
      console.log('The official suite has no 2025-11-25 task scenario: it attaches the tasks extension to 2026-07-28 only.');
    const checks: OfficialCheck[] = [];
    for (const s of scenarios)
      for (const tag of s.tags)
        checks.push(...(await runScenario(official.node, official.cli, url, s.name, tag, join(tmp, 'official', `${s.name}-${tag}`))));
    const ours = await runOurs(url, join(tmp, 'ours'));
    console.log(`Our suite on the same server: ${ours.line}`);
    return report(checks, ours);
  } finally {
    await cleanup();
  }
}

const VERDICTS = ['SUCCESS', 'FAILURE', 'WARNING', 'INFO', 'SKIPPED'] as const;
const counts = (statuses: readonly string[]) => VERDICTS.map((v) => `${statuses.filter((x) => x === v).length} ${v}`).join(', ');
/** EXT-UPD-04 -> EXT-UPD, H-EXT-12 -> H-EXT: the families our unmatched checks are summarised by. */
const family = (id: string) => id.replace(/-\d+$/, '');

function report(checks: OfficialCheck[], ours: Ours): number {
  const table = new Table({
    head: ['Official scenario / check', 'Official', 'Our ids', 'Ours', 'Comparison'],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  const rows = checks.map((c) => ({ c, ...compare(c, ours), known: explanation(c) }));
  for (const { c, oursText, comparison, known } of rows) {
    const shown = comparison === 'differs' ? (known ? `differs: ${known.kind}` : 'DIFFERS, unexplained') : comparison;
    table.push([`${c.scenario} / ${c.id}`, c.status, (mappedIds(c) ?? []).join(' ') || '-', oursText, shown]);
  }
  console.log(table.toString());

  const compared = rows.filter((r) => r.comparison === 'same' || r.comparison === 'differs');
  console.log(`\nOfficial verdicts: ${checks.length} checks: ${counts(checks.map((c) => c.status))}.`);
  console.log(`Our verdicts on the compared rows (the worst of their ids): ${counts(compared.flatMap((r) => r.worst ?? []))}.`);
  console.log(
    `Compared: ${compared.length} of ${checks.length} official checks, ${compared.filter((r) => r.comparison === 'same').length} the same; ` +
      `${rows.filter((r) => r.comparison === 'no id of ours').length} wire-schema-valid rows have no id of ours (our checks validate what they read).`,
  );
  const covered = new Set(Object.values(MAPPING).flat());
  const oursOnly = [...ours.verdicts.keys()].filter((id) => !covered.has(id));
  const families = new Map<string, number>();
  for (const id of oursOnly) families.set(family(id), (families.get(family(id)) ?? 0) + 1);
  console.log(
    `Our checks with no official counterpart: ${oursOnly.length} of ${ours.verdicts.size} (` +
      [...families].map(([f, n]) => `${f} ${n}`).join(', ') +
      `): ${counts(oursOnly.flatMap((id) => [...ours.verdicts.get(id)!]))}.`,
  );

  const problems: string[] = [];
  for (const { c, comparison, known } of rows) {
    const line = `${c.scenario} / ${c.id}: official ${c.status}${c.errorMessage ? ` (${c.errorMessage})` : ''}`;
    if (comparison === 'unmapped') problems.push(`UNMAPPED: ${line}: add a row to MAPPING in scripts/crosscheck.ts`);
    else if (comparison === 'differs' && known) console.log(`DIFFERS, ${known.kind} (README): ${line}\n    -> ${known.why}`);
    else if (comparison === 'differs') problems.push(`DIFFERS, unexplained: ${line}`);
    if (c.status === 'FAILURE') problems.push(`OFFICIAL FAILURE: ${line}`);
  }
  for (const key of Object.keys(DIFFERENCES))
    if (!rows.some((r) => `${r.c.scenario}/${r.c.id}` === key && r.comparison === 'differs' && r.known))
      console.log(`Explained difference no longer seen: ${key} (update the README and DIFFERENCES)`);
  for (const p of problems) console.log(p);
  console.log(
    problems.length
      ? `FAIL: ${problems.length} problem(s) above.`
      : 'PASS: no official task check fails on the reference server; every verdict difference is explained in the README.',
  );
  return problems.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`crosscheck: ${e instanceof SetupError ? e.message : `setup error: ${(e as Error).message ?? String(e)}`}`);
    process.exit(2);
  },
);
