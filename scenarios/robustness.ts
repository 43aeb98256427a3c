// Robustness under load and odd input: the checklist's section 7 harness-level rows (H25-*), not spec
// rules but what users want to know about a task receiver under load, races and bad input, plus
// fingerprints of known SDK behaviours with remediation (docs/requirements-2025-11-25.md §7).
// Longer than most scenario modules: each row is a small load or race experiment with its own probe.
import { isDeepStrictEqual } from 'node:util';
import { info, pass, skip, warn, worst, type Verdict } from '../harness/checks.js';
import { isTerminal, textOf, type Task } from '../harness/protocol.js';
import type { CheckContext, JsonObject, RpcOutcome, ScenarioContext, Session } from '../harness/scenario.js';
import {
  callTool,
  callToolAsTask,
  cancelTask,
  createTask,
  describeOutcome,
  pollDelay,
  releaseGate,
  setupFailureOf,
  SetupError,
  sleep,
  taskResult,
  truncate,
} from '../harness/tasks.js';
import { analyzeIds, summarizeIds } from './lib/id-stats.js';
import { judgeWake, measureWake } from './lib/wake-latency.js';
import { closeQuietly, releaseQuietly } from './lib/cleanup.js';
import { createdTask, blockingTimeoutMs, createEchoTasks, createGated, statusOf, terminalTask } from './lib/task-setup.js';
import { declaresToolTasks, needTaskTool } from './lib/preconditions.js';
import { errorCode, j, outcomeLabel, tally } from './lib/format.js';
import { textsOf } from './lib/expected-result.js';
import { textMatches } from '../harness/fixtures.js';
import { defineCheck, defineScenario } from './lib/define.js';

const H25_01 = defineCheck(
  {
    id: 'H25-01',
    name: 'Wake-up latency and direct-call overhead',
    description:
      'For F-ECHO work of several durations: how long after the work ends a blocked tasks/result answers, and how much a direct call takes over its duration. Answers quantised to the pollInterval or to 1 s (the store is re-read on a timer instead of waking on completion) are a WARNING with the figures; H25-20 names the SDK behaviour.',
    level: 'SHOULD',
    specRefs: ['tasks §Result Retrieval r3'],
    fixtures: ['F-ECHO'],
    requires: ['F-ECHO as task'],
  },
  async (ctx, c) => {
    const s = await ctx.session();
    const profile = await measureWake(ctx, s);
    if (typeof profile === 'string') return skip('missing-fixture', `the wake-up probe could not run: ${profile}`, ['F-ECHO']);
    c.note('pollInterval', profile.pollInterval);
    c.note('tasksResult', profile.result);
    if (profile.direct) c.note('directCall', profile.direct);
    const judged = judgeWake(profile);
    const details = { quantisedResult: judged.quantisedResult, quantisedDirect: judged.quantisedDirect };
    if (judged.quantisedResult || judged.quantisedDirect)
      return warn(
        `${judged.lines.join('; ')}. Answers wait for the next tick instead of the completion (see H25-20 for the remedy)`,
        details,
      );
    return pass(judged.lines.join('; '), details);
  },
);

const H25_02 = defineCheck(
  {
    id: 'H25-02',
    name: 'Concurrency: 10, 50 and 100 simultaneous tasks',
    description:
      'With 10, 50 and 100 simultaneous slow_compute tasks with distinct labels, every task completes, each result echoes its own label (no cross-talk), and no task ID collides.',
    level: 'SHOULD',
    specRefs: ['tasks §Task ID Requirements r3', 'tasks §Result Retrieval r4'],
    fixtures: ['F-ECHO'],
    requires: ['F-ECHO as task'],
  },
  async (ctx, c) => {
    // Its own session (on stdio its own process) and short-lived tasks: 160 tasks must not use up a
    // server's task quota for the checks that follow.
    const s = await ctx.connect();
    try {
      return await concurrency(ctx, c, s);
    } finally {
      await closeQuietly(s);
    }
  },
);

/** The load probe's tasks only live until their result is read; a short ttl gives the quota back soon. */
const LOAD_TTL_MS = 30_000;

async function concurrency(ctx: ScenarioContext, c: CheckContext, s: Session): Promise<Verdict> {
  const owner = new Map<string, string>();
  const problems: string[] = [];
  const levels: JsonObject[] = [];
  let quota: string | undefined;
  let basis: string | undefined;
  for (const n of CONCURRENCY_LEVELS) {
    const labels = Array.from({ length: n }, (_, i) => `${ctx.nonce('c')}-${n}-${i}`);
    const started = performance.now();
    const created = await Promise.all(
      labels.map((label) => callToolAsTask(s, ctx.fixtures, 'F-ECHO', { seconds: 0.2, label }, { ttl: LOAD_TTL_MS })),
    );
    const refused = created.filter((o) => o.kind === 'error');
    if (!owner.size && !created.some((o) => createdTask(o))) {
      // Not one task at this level: nothing about concurrency can be said (the cause is not load).
      const o = created[0]!;
      const request = { method: 'tools/call', params: { name: ctx.fixtures.tool('F-ECHO'), task: { ttl: LOAD_TTL_MS } } };
      throw new SetupError(
        `could not create an F-ECHO task (${ctx.fixtures.tool('F-ECHO')}): ${describeOutcome(o)}`,
        setupFailureOf(o),
        request,
        o,
      );
    }
    if (refused.length) {
      // Refusals while other tasks were created (at this level or before) are a creation quota (a SHOULD,
      // tasks §Resource Management), not a load failure.
      const accepted = owner.size + created.filter((o) => createdTask(o)).length;
      quota = `${refused.length} of ${n} creations were refused after ${accepted} tasks (e.g. ${describeOutcome(refused[0]!)}): a creation quota; higher levels not tried`;
    }
    const results = await Promise.all(
      created.map(async (o, i) => {
        const task = createdTask(o);
        if (!task) return { label: labels[i] as string, error: `creation: ${describeOutcome(o)}` };
        const previous = owner.get(task.taskId);
        owner.set(task.taskId, labels[i] as string);
        const r = await taskResult(s, task.taskId, blockingTimeoutMs(ctx));
        return { label: labels[i] as string, taskId: task.taskId, collidesWith: previous, outcome: r };
      }),
    );
    const ms = performance.now() - started;
    let errors = 0;
    let crossTalk = 0;
    for (const r of results) {
      if ('error' in r && quota) continue;
      if ('error' in r) {
        errors++;
        problems.push(`${n} concurrent: ${r.error}`);
        continue;
      }
      if (r.collidesWith)
        problems.push(`${n} concurrent: task ID ${r.taskId} was handed out twice (labels ${r.collidesWith} and ${r.label})`);
      const judged = resultOfLabel(ctx, r.label, labels, r.outcome);
      basis ??= judged.basis;
      if (judged.kind === 'own') continue;
      if (judged.kind === 'crossed') crossTalk++;
      else errors++;
      problems.push(`${n} concurrent: the task for label ${r.label} ${judged.what}`);
    }
    levels.push({ concurrent: n, ms: Math.round(ms), tasksPerSecond: Math.round((n / ms) * 1000), errors, crossTalk });
    if (quota) break;
  }
  c.note('levels', levels);
  if (basis) c.note('resultsJudgedBy', basis);
  if (quota) c.note('quota', quota);
  if (problems.length) {
    return warn(`${problems.length} problem(s) under concurrency, e.g. ${problems.slice(0, 3).join('; ')}`, {
      problems: problems.slice(0, 20),
    });
  }
  const own = basis?.startsWith('the promised') ? 'with their own results' : `without another task's label in their results (${basis})`;
  if (quota) return info(`${quota}; the tasks that were created completed ${own} and distinct IDs`);
  return pass(
    `all ${CONCURRENCY_LEVELS.join('/')} concurrent tasks completed ${own} and distinct IDs (${levels.map((l) => `${l.concurrent}: ${l.tasksPerSecond} tasks/s`).join(', ')})`,
  );
}

type LabelJudgement = { kind: 'own' | 'crossed' | 'wrong'; what: string; basis: string };

/**
 * One load-probe result judged against its label: the promised text (contract or mapping expect:) when
 * there is one; otherwise only what needs no expectation: a text naming another task's label is
 * cross-talk, an error or an isError result is wrong, anything else is the tool's own business.
 */
function resultOfLabel(ctx: ScenarioContext, label: string, labels: string[], o: RpcOutcome): LabelJudgement {
  const values = { seconds: 0.2, label };
  const expected = ctx.fixtures.expectedText('F-ECHO', values);
  const basis =
    expected.kind === 'known'
      ? `the promised text (${expected.source})`
      : `result text not compared: ${expected.why}; only another task's label in a result counts as cross-talk`;
  if (o.kind !== 'result') return { kind: 'wrong', what: `answered ${describeOutcome(o)}`, basis };
  const texts = textsOf(o.result);
  const shown = texts.length ? JSON.stringify(truncate(texts[0]!, 80)) : describeOutcome(o);
  const other = labels.find((l) => l !== label && texts.some((t) => t.includes(l)) && !texts.some((t) => t.includes(label)));
  if (other) return { kind: 'crossed', what: `returned ${shown}, the result of label ${other}`, basis };
  if (expected.kind === 'known') {
    if (texts.some((t) => textMatches(expected, t))) return { kind: 'own', what: '', basis };
    return { kind: 'wrong', what: `returned ${shown}, not ${JSON.stringify(expected.text)} (${expected.source})`, basis };
  }
  if (o.result.isError === true) return { kind: 'wrong', what: `returned an isError result ${shown}`, basis };
  return { kind: 'own', what: '', basis };
}

const H25_03 = defineCheck(
  {
    id: 'H25-03',
    name: 'tasks/result is idempotent',
    description:
      'On a finished task, tasks/result called 20 times in a row and by 5 concurrent callers (and tasks/get repeated) returns deep-equal payloads (A25-23).',
    level: 'SHOULD',
    specRefs: ['tasks §Result Retrieval r2', 'tasks §Result Retrieval r4'],
    fixtures: ['F-ECHO'],
    requires: ['tasks', 'F-ECHO as task'],
  },
  async (ctx, c) => {
    const s = await ctx.session();
    const t = await terminalTask(ctx, s, 'F-ECHO');
    const timeout = blockingTimeoutMs(ctx);
    const first = await taskResult(s, t.taskId, timeout);
    if (first.kind !== 'result')
      return warn(`the first tasks/result of the completed task ${t.taskId} did not return a result: ${describeOutcome(first)}`);
    const sequential: RpcOutcome[] = [];
    for (let i = 0; i < 19; i++) sequential.push(await taskResult(s, t.taskId, timeout));
    const concurrent = await Promise.all(Array.from({ length: 5 }, () => taskResult(s, t.taskId, timeout)));
    const gets: RpcOutcome[] = [];
    for (let i = 0; i < 5; i++) gets.push(await s.request('tasks/get', { taskId: t.taskId }));
    const differs = (o: RpcOutcome, ref: JsonObject) => o.kind !== 'result' || !isDeepStrictEqual(o.result, ref);
    const problems: string[] = [];
    const badSeq = sequential.findIndex((o) => differs(o, first.result));
    if (badSeq >= 0) problems.push(`sequential call ${badSeq + 2} of 20 returned ${describeOutcome(sequential[badSeq] as RpcOutcome)}`);
    const badConc = concurrent.filter((o) => differs(o, first.result));
    if (badConc.length)
      problems.push(`${badConc.length} of 5 concurrent calls differed (e.g. ${describeOutcome(badConc[0] as RpcOutcome)})`);
    const firstGet = gets[0];
    if (firstGet?.kind === 'result') {
      const badGet = gets.findIndex((o) => differs(o, firstGet.result));
      if (badGet >= 0)
        problems.push(`tasks/get ${badGet + 1} of 5 differed from the first (${describeOutcome(gets[badGet] as RpcOutcome)})`);
    } else if (firstGet) {
      problems.push(`tasks/get of the completed task failed: ${describeOutcome(firstGet)}`);
    }
    c.note('payload', truncate(JSON.stringify(first.result), 300));
    if (problems.length)
      return warn(`tasks/result (or tasks/get) of a completed task is not repeatable while the task is retained: ${problems.join('; ')}`);
    return pass('20 sequential and 5 concurrent tasks/result calls returned deep-equal payloads, and tasks/get was stable');
  },
);

const H25_09 = defineCheck(
  {
    id: 'H25-09',
    name: 'Cancel racing completion',
    description:
      'Over 20 rounds of release_gate and tasks/cancel sent concurrently, the final status is terminal and stable, agrees with the cancel response, and a cancel error is -32602 only when the task had already ended.',
    level: 'SHOULD',
    specRefs: ['tasks §Task Cancellation r1', 'tasks §Task Cancellation r3', 'tasks §Task Status Lifecycle r2'],
    fixtures: ['F-GATE', 'F-GATE-RELEASE'],
    requires: ['tasks.cancel', 'F-GATE as task'],
  },
  async (ctx, c) => {
    const s = await ctx.session();
    const rounds: RaceRound[] = [];
    for (let i = 0; i < RACE_ROUNDS; i++) rounds.push(await raceRound(ctx, s, i));
    const distribution = tally(rounds.map((r) => `cancel ${r.cancel} -> ${r.final}`));
    c.note('distribution', distribution);
    const bad = rounds.filter((r) => r.problem);
    if (bad.length) {
      return warn(
        `${bad.length} of ${RACE_ROUNDS} cancel/completion races ended inconsistently, e.g. round ${bad[0]?.round} (${bad[0]?.order}): ${bad[0]?.problem}`,
        {
          problems: bad.slice(0, 10),
        },
      );
    }
    return pass(`${RACE_ROUNDS} races all ended terminal, stable and consistent: ${j(distribution, 300)}`);
  },
);

const H25_13 = defineCheck(
  {
    id: 'H25-13',
    name: 'Task ID statistics',
    description: 'Length, character set, UUID version and an entropy estimate of the task IDs the server generates (observation).',
    level: 'MAY',
    specRefs: ['tasks §Task ID Requirements', 'tasks §Task Isolation and Access Control'],
    fixtures: ['F-ECHO'],
    requires: ['F-ECHO as task'],
  },
  async (ctx, c) => {
    const s = await ctx.session();
    const tasks = await createEchoTasks(ctx, s, 20, { concurrency: 1 });
    const stats = analyzeIds(tasks.map((t) => t.taskId));
    c.note('statistics', stats);
    c.note(
      'examples',
      tasks.slice(0, 3).map((t) => t.taskId),
    );
    const flags = [stats.sequential, stats.timeOrdered].filter(Boolean);
    return info(`${summarizeIds(stats)}${flags.length ? `; ${flags.join('; ')}` : ''}`);
  },
);

const H25_16 = defineCheck(
  {
    id: 'H25-16',
    name: 'Invalid input with a task',
    description:
      'Task-augmented calls to an unknown tool, with wrong-type arguments and with oversized arguments: records whether the server answers an immediate error or creates a task; a created task for invalid input should end failed, and the server must neither crash nor hang.',
    level: 'SHOULD',
    specRefs: ['tasks §Task Execution Errors', 'tools §Error Handling'],
    fixtures: ['F-ECHO'],
    requires: ['F-ECHO as task'],
  },
  async (ctx, c) => {
    const echo = ctx.fixtures.tool('F-ECHO');
    const label = ctx.nonce('big');
    // Arguments the tool's inputSchema rejects: the mapping's invalid:, or derived from the schema; none, no probe.
    const invalid = ctx.fixtures.invalidArguments('F-ECHO');
    c.note('invalidArguments', invalid);
    const cases: InvalidCase[] = [
      { label: 'unknown tool', params: { name: `no_such_tool_${ctx.nonce('t')}`, arguments: {} }, mustFail: true },
      ...(invalid.kind === 'known'
        ? [{ label: 'invalid arguments', params: { name: echo, arguments: invalid.arguments }, mustFail: true }]
        : []),
      {
        label: `oversized arguments (${OVERSIZED_CHARS} characters)`,
        params: { name: echo, arguments: ctx.fixtures.args('F-ECHO', { seconds: 0, label: label + 'x'.repeat(OVERSIZED_CHARS) }) },
        mustFail: false,
      },
    ];
    // A session of its own: a crash must not take the scenario's main session down with it.
    const s = await ctx.connect();
    try {
      const verdicts: Verdict[] = [];
      const matrix: Record<string, string> = {};
      for (const k of cases) {
        const o = await s.request('tools/call', { ...k.params, task: { ttl: 60_000 } });
        let behaviour: string;
        if (o.kind === 'timeout' || o.kind === 'closed') {
          behaviour = describeOutcome(o);
          verdicts.push(warn(`task-augmented call with ${k.label}: ${behaviour} (the server crashed or hung)`));
        } else if (o.kind === 'error') {
          behaviour = `immediate error ${o.error.code}`;
        } else if (createdTask(o)) {
          const t = createdTask(o) as Task;
          const final = await finalStatus(ctx, s, t.taskId);
          behaviour = `task created, ended ${final}`;
          if (k.mustFail && final !== 'failed')
            verdicts.push(warn(`task-augmented call with ${k.label} created task ${t.taskId} that ended ${final}, not failed`));
        } else {
          behaviour = `plain result (isError ${j(o.result.isError)})`;
        }
        matrix[k.label] = behaviour;
        const alive = await s.request('ping', {}, { timeoutMs: 5000 });
        if (alive.kind !== 'result') {
          verdicts.push(
            warn(
              `after the task-augmented call with ${k.label}, the server no longer answers ping (${describeOutcome(alive)}): it crashed or hangs`,
            ),
          );
          break;
        }
      }
      if (invalid.kind === 'unknown') matrix['invalid arguments'] = `not probed (${invalid.why})`;
      c.note('behaviour', matrix);
      const summary = Object.entries(matrix)
        .map(([k, v]) => `${k}: ${v}`)
        .join('; ');
      return verdicts.length ? worst(verdicts.map((v) => ({ ...v, message: `${v.message} [${summary}]` }))) : pass(summary);
    } finally {
      await closeQuietly(s);
    }
  },
);

const H25_20 = defineCheck(
  {
    id: 'H25-20',
    name: 'Known SDK fingerprints',
    description:
      'Detects known SDK behaviours from direct probes and names the fix: a required tool called without a task answered as an isError result (TS SDK v1 McpServer), tasks/result that answers only on poll ticks, and a ttl timer restarted at completion.',
    level: 'SHOULD',
    specRefs: ['tasks §Tool-Level Negotiation r2', 'tasks §Result Retrieval r3', 'tasks §TTL and Resource Management r5'],
    fixtures: [],
  },
  async (ctx, c, { earlier }) => {
    const s = await ctx.session();
    const probes = [await isErrorWrapping(ctx, s), await pollTickWake(ctx, s, earlier.get('H25-01')), await ttlReset(ctx, s)];
    const found = probes.filter((p): p is Fingerprint => typeof p !== 'string');
    c.note(
      'observations',
      probes.map((p) => (typeof p === 'string' ? p : `${p.severity}: ${p.text}`)),
    );
    const warnings = found.filter((f) => f.severity === 'WARN');
    if (warnings.length) return warn(warnings.map((f) => f.text).join(' | '));
    if (found.length) return info(found.map((f) => f.text).join(' | '));
    // A pass needs at least one probe that ran; otherwise nothing was looked at.
    if (probes.every((p) => typeof p === 'string' && p.includes('probe not run'))) {
      return skip('missing-fixture', `no fingerprint probe could run: ${probes.join('; ')}`, [
        'F-REQ',
        'F-GATE',
        'F-GATE-RELEASE',
        'F-ECHO',
      ]);
    }
    return pass(`no known SDK fingerprint: ${probes.join('; ')}`);
  },
);

const CONCURRENCY_LEVELS = [10, 50, 100];
const RACE_ROUNDS = 20;
const OVERSIZED_CHARS = 1_000_000;

interface RaceRound {
  round: number;
  order: 'cancel-first' | 'release-first';
  cancel: string;
  final: string;
  problem?: string;
}

/** Polls until terminal or deleted; returns the final status ('not-found' when deleted). */
async function finalStatus(ctx: ScenarioContext, s: Session, taskId: string): Promise<string> {
  const deadline = Date.now() + ctx.timeouts.settleMs;
  for (;;) {
    const { status, outcome } = await statusOf(s, taskId);
    if (status === 'not-found' || (status && isTerminal(status))) return status;
    if (!status) return `unreadable (${describeOutcome(outcome)})`;
    if (Date.now() >= deadline) return `still ${status}`;
    await sleep(pollDelay(outcome.kind === 'result' ? outcome.result : undefined));
  }
}

async function raceRound(ctx: ScenarioContext, s: Session, round: number): Promise<RaceRound> {
  const { task, gateId } = await createGated(ctx, s);
  const order = round % 2 === 0 ? 'cancel-first' : 'release-first';
  try {
    // Both requests go out before either answer is awaited; the send order alternates per round.
    let cancel: Promise<RpcOutcome>;
    let release: Promise<RpcOutcome>;
    if (order === 'cancel-first') {
      cancel = cancelTask(s, task.taskId);
      release = callTool(s, ctx.fixtures, 'F-GATE-RELEASE', { gateId, outcome: 'success' });
    } else {
      release = callTool(s, ctx.fixtures, 'F-GATE-RELEASE', { gateId, outcome: 'success' });
      cancel = cancelTask(s, task.taskId);
    }
    const [c] = await Promise.all([cancel, release]);
    const final = await finalStatus(ctx, s, task.taskId);
    const r: RaceRound = { round, order, cancel: c.kind === 'result' ? `result ${j(c.result.status)}` : outcomeLabel(c), final };
    if (!isTerminal(final) && final !== 'not-found') {
      r.problem = `final status ${final} is not terminal`;
      return r;
    }
    // Stable: two more reads at the polling pace see the same status.
    for (let i = 0; i < 2; i++) {
      await sleep(pollDelay(task));
      const again = (await statusOf(s, task.taskId)).status;
      if (again !== final && !(final === 'cancelled' && again === 'not-found')) {
        r.problem = `status changed from ${final} to ${again ?? 'unreadable'} after it was terminal`;
        return r;
      }
    }
    if (c.kind === 'result') {
      if (c.result.status !== 'cancelled') r.problem = `tasks/cancel answered status ${j(c.result.status)}, not "cancelled"`;
      else if (final !== 'cancelled' && final !== 'not-found') r.problem = `tasks/cancel answered "cancelled" but the task ended ${final}`;
    } else if (errorCode(c) === -32602) {
      if (final === 'cancelled') r.problem = 'tasks/cancel was rejected with -32602 but the task ended cancelled';
    } else {
      r.problem = `tasks/cancel answered ${describeOutcome(c)}; only -32602 (task already terminal) is a valid refusal`;
    }
    return r;
  } finally {
    await releaseQuietly(s, ctx, gateId);
  }
}

interface InvalidCase {
  label: string;
  params: JsonObject;
  /** A created task for this input should end failed (the input cannot succeed). */
  mustFail: boolean;
}

interface Fingerprint {
  severity: 'WARN' | 'INFO';
  text: string;
}

/** TS SDK v1 McpServer turns the -32601 McpError for a required tool into a CallToolResult{isError}. */
async function isErrorWrapping(ctx: ScenarioContext, s: Session): Promise<Fingerprint | string> {
  if (!ctx.fixtures.has('F-REQ') || !declaresToolTasks(s)) return 'required-tool probe not run (no F-REQ fixture or no task support)';
  const o = await callTool(s, ctx.fixtures, 'F-REQ', {});
  if (o.kind === 'error') return `required tool without a task: JSON-RPC error ${o.error.code}`;
  const text = o.kind === 'result' ? (textOf(o.result) ?? '') : '';
  if (
    o.kind === 'result' &&
    o.result.isError === true &&
    /-32601|method not found|task augmentation|requires? (a )?task|taskSupport/i.test(text)
  ) {
    return {
      severity: 'WARN',
      text:
        `calling the required tool ${ctx.fixtures.tool('F-REQ')} without a task returned a CallToolResult{isError:true} ("${truncate(text, 80)}") instead of JSON-RPC error -32601: ` +
        "this is the TS SDK v1 McpServer wrapping the McpError into a tool result. Fix: throw the -32601 McpError from a low-level Server.setRequestHandler(CallToolRequestSchema) (or check taskSupport before McpServer's tool wrapper runs) so it reaches the client as a JSON-RPC error",
    };
  }
  return `required tool without a task: ${describeOutcome(o)}`;
}

const POLL_TICK_REMEDY =
  'Fix: resolve waiting tasks/result requests on the terminal transition (an event or promise per task) instead of re-reading the store every pollInterval';

/**
 * TS SDK v1 Protocol's tasks/result handler sleeps pollInterval between store reads (_waitForTaskUpdate).
 * With a gate the wake-up is timed from the release; without one, H25-01's timed F-ECHO figures tell.
 */
async function pollTickWake(ctx: ScenarioContext, s: Session, wake: Verdict | undefined): Promise<Fingerprint | string> {
  if (needTaskTool(ctx, s, 'F-GATE') || !ctx.fixtures.has('F-GATE-RELEASE')) {
    const q = wake?.details?.quantisedResult;
    if (wake?.status === 'WARNING' && typeof q === 'number') {
      return {
        severity: 'WARN',
        text: `H25-01 found tasks/result answers quantised to ${q} ms (${wake.message ?? ''}): the waiter wakes only on poll ticks, as the TS SDK v1 Protocol's tasks/result handler does (it sleeps pollInterval between task store reads). ${POLL_TICK_REMEDY}`,
      };
    }
    return wake?.status === 'SUCCESS'
      ? `poll-tick probe: no gate fixture; H25-01's timed F-ECHO answers were not quantised`
      : 'poll-tick probe not run (no gate fixture, and H25-01 measured nothing)';
  }
  const latencies: number[] = [];
  let interval: number | undefined;
  for (let round = 0; round < 3; round++) {
    const { task, gateId } = await createGated(ctx, s);
    interval = typeof task.pollInterval === 'number' ? task.pollInterval : interval;
    try {
      const done = taskResult(s, task.taskId, blockingTimeoutMs(ctx)).then((o) => ({ o, at: performance.now() }));
      // Let the server start waiting, then complete the task and see how long the waiter takes to notice.
      // Measured from the release's own answer, so a slow machine delays both ends alike.
      await sleep(50);
      await releaseGate(s, ctx.fixtures, gateId);
      const releasedAt = performance.now();
      const { o, at } = await done;
      if (o.kind !== 'result') return `poll-tick probe inconclusive: tasks/result answered ${describeOutcome(o)}`;
      latencies.push(Math.max(0, Math.round(at - releasedAt)));
    } finally {
      await releaseQuietly(s, ctx, gateId);
    }
  }
  const threshold = Math.max(250, 0.5 * (interval ?? 0));
  const desc = `tasks/result answered ${latencies.join('/')} ms after release_gate completed the task (pollInterval ${j(interval)})`;
  if (latencies.every((l) => l >= threshold)) {
    return {
      severity: 'WARN',
      text:
        `${desc}: the waiter wakes only on poll ticks, as the TS SDK v1 Protocol's tasks/result handler does (it sleeps pollInterval between task store reads). ` +
        POLL_TICK_REMEDY,
    };
  }
  return desc;
}

/**
 * TS SDK v1 InMemoryTaskStore restarts the ttl timer when a task reaches terminal (A25-06). The work ends
 * well inside the ttl (a ttl shorter than the work is a different question, and crashes some SDK servers),
 * late enough that a purge counted from completion comes visibly after createdAt + ttl.
 */
async function ttlReset(ctx: ScenarioContext, s: Session): Promise<Fingerprint | string> {
  if (needTaskTool(ctx, s, 'F-ECHO')) return 'ttl probe not run (no F-ECHO task support)';
  const workMs = 1500;
  const sentAt = Date.now();
  const t = await createTask(s, ctx.fixtures, 'F-ECHO', { seconds: workMs / 1000, label: ctx.nonce('ttl') }, { ttl: 3000 });
  const ttl = t.ttl;
  if (typeof ttl !== 'number' || ttl > 10_000) return `ttl probe not run (granted ttl ${j(ttl)} is unlimited or above 10 s)`;
  if (ttl < workMs + 1000) return `ttl probe not run (granted ttl ${ttl} ms leaves the ${workMs} ms work no room to finish inside it)`;
  const deadline = sentAt + ttl + workMs + 3000;
  let completedAt: number | undefined;
  let goneAt: number | undefined;
  while (Date.now() < deadline) {
    const { status } = await statusOf(s, t.taskId);
    const now = Date.now();
    if (status === 'not-found') {
      goneAt = now;
      break;
    }
    if (status && isTerminal(status)) completedAt ??= now;
    await sleep(250);
  }
  const since = (x: number) => x - sentAt;
  const done = completedAt !== undefined ? `completed after ~${since(completedAt)} ms, ` : '';
  if (goneAt === undefined)
    return `ttl probe: a task with ttl ${ttl} ms (${done}work ${workMs} ms) was still retained ${since(Date.now())} ms after creation (no purge seen; allowed)`;
  if (completedAt !== undefined && goneAt >= completedAt + ttl - 250 && goneAt > sentAt + ttl + 500) {
    return {
      severity: 'INFO',
      text:
        `a task with ttl ${ttl} ms ${done}and was purged only ${since(goneAt)} ms after creation, i.e. ttl counted from completion: ` +
        'the TS SDK v1 InMemoryTaskStore restarts the cleanup timer at the terminal status. Allowed (A25-06), but the spec counts ttl from createdAt: schedule deletion at createdAt + ttl, or document the longer retention',
    };
  }
  return `ttl probe: a task with ttl ${ttl} ms ${done}was purged ${since(goneAt)} ms after creation (ttl counted from creation)`;
}

const scenario = defineScenario({
  name: 'robustness',
  description: 'Robustness under load, races and odd input; known SDK fingerprints (section 7, H25-*)',
  checks: [H25_01, H25_02, H25_03, H25_09, H25_13, H25_16, H25_20],
});

export default scenario;
