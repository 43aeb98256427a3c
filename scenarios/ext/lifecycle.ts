// 2.F Lifecycle and error semantics of the 2026-07-28 extension (EXT-LIFE-*, EXT-ERR-01): statuses and
// transitions over every task observation of the run, terminal immutability, isError versus failed, the
// JSON-RPC error of a failed task, and informative error messages. Runs last: it reads the run's wire.
import { fail, info, pass, skip, warn, worst, type Verdict, type WireEntry } from '../../harness/checks.js';
import type { ModernClient } from '../../harness/modern/client.js';
import { EXT, NOEXT } from '../../harness/modern/envelope.js';
import type { JsonObject, ScenarioContext } from '../../harness/scenario.js';
import { describeOutcome, ProbeError, sleep } from '../../harness/tasks.js';
import { keyOf } from '../audit/observations.js';
import { j } from '../lib/format.js';
import { defineCheck, defineScenario } from '../lib/define.js';
import { releaseModernGate, TERMINAL } from './lib/tasks.js';
import { createExtGated, createExtTask, isTerminal, settleExt } from './lib/task-flow.js';

const STATUSES = new Set(['working', 'input_required', 'completed', 'failed', 'cancelled']);
const ALLOWED: Record<string, string[]> = {
  working: ['working', 'input_required', 'completed', 'failed', 'cancelled'],
  input_required: ['input_required', 'working', 'completed', 'failed', 'cancelled'],
};

type Observation = { status: unknown; seq: number; via: string };

/**
 * Every task status the server showed (creations, tasks/get, notifications/tasks), per task, in wire order.
 * Keyed like the 2025-11-25 audits: a stdio connection is its own server process, so its ids are its own
 * namespace ("stdio#2 task-1"); one HTTP server names a task alike on every connection.
 */
function timelines(entries: WireEntry[]): Map<string, Observation[]> {
  const out = new Map<string, Observation[]>();
  for (const e of entries) {
    if (e.dir !== 'recv' || !e.message || typeof e.message !== 'object') continue;
    const m = e.message as { method?: string; params?: JsonObject; result?: JsonObject };
    const t =
      m.method === 'notifications/tasks'
        ? m.params
        : e.answers?.method === 'tasks/get' || e.answers?.method === 'tools/call'
          ? m.result
          : undefined;
    if (!t || typeof t.taskId !== 'string' || !('status' in t)) continue;
    if (e.answers?.method === 'tools/call' && t.resultType !== 'task') continue;
    const key = keyOf(e.transport, e.connection, t.taskId);
    const list = out.get(key) ?? [];
    list.push({ status: t.status, seq: e.seq, via: m.method ?? e.answers?.method ?? '?' });
    out.set(key, list);
  }
  return out;
}

const LIFE_01 = defineCheck(
  {
    id: 'EXT-LIFE-01',
    name: 'Statuses and transitions follow the state diagram',
    description:
      'Every status is one of the five, and every observed change is an allowed edge (working<->input_required, either to completed, failed or cancelled), over every task observation of the run. Each stdio connection is its own server process (its own ids), where order is strict; on HTTP an edge across streams only WARNs.',
    level: 'MUST',
    specRefs: ['ext §Task Status'],
    fixtures: [],
  },
  async (ctx) => {
    const verdicts: Verdict[] = [];
    let tasks = 0;
    for (const [taskId, list] of timelines(ctx.wire().filter((e) => e.transport === ctx.transport))) {
      tasks++;
      const unknown = list.find((o) => !STATUSES.has(String(o.status)));
      if (unknown) {
        verdicts.push(
          fail(`task ${taskId} reported status ${j(unknown.status)} (${unknown.via}, seq ${unknown.seq}), not one of the five`),
        );
        continue;
      }
      for (let i = 1; i < list.length; i++) {
        const from = String(list[i - 1]!.status);
        const to = String(list[i]!.status);
        const ok = TERMINAL.has(from) ? to === from : (ALLOWED[from] ?? []).includes(to);
        if (ok) continue;
        const text = `task ${taskId} went ${from} -> ${to} (seq ${list[i - 1]!.seq} -> ${list[i]!.seq})`;
        verdicts.push(ctx.transport === 'stdio' ? fail(text) : warn(`${text}; on HTTP the observations may cross streams`));
        break;
      }
      if (verdicts.length >= 3) break;
    }
    return verdicts.length ? worst(verdicts) : tasks ? pass(`${tasks} task timelines`) : info('no task was observed in the run');
  },
);

/** Re-polls a terminal task 3 times at max(pollIntervalMs, 500 ms): the first change, if any. */
async function changesAfterTerminal(c: ModernClient, done: JsonObject): Promise<string | undefined> {
  const gap = Math.max(Number(done.pollIntervalMs) || 0, 500);
  for (let i = 0; i < 3; i++) {
    await sleep(gap);
    const o = await c.request('tasks/get', { taskId: done.taskId }, { caps: EXT });
    if (o.kind === 'error' && o.error.code === -32602) return undefined; // expired: allowed
    if (o.kind !== 'result') throw new ProbeError(`re-polling ${String(done.taskId)} ${describeOutcome(o)}`, o);
    if (o.result.status !== done.status)
      return `${String(done.taskId)} was ${j(done.status)}, then ${j(o.result.status)} on re-poll ${i + 1}`;
  }
  return undefined;
}

const LIFE_02 = defineCheck(
  {
    id: 'EXT-LIFE-02',
    name: 'Terminal statuses never change',
    description: 'A completed, failed (tool error) or cancelled task re-polled three times keeps its status (before its TTL).',
    level: 'MUST',
    specRefs: ['ext §Task Status'],
    fixtures: ['F-ECHO', 'F-TOOLERR', 'F-GATE', 'F-GATE-RELEASE'],
  },
  async (ctx) => {
    const c = await ctx.modern();
    const echo = await createExtTask(ctx, c, 'F-ECHO', { seconds: 0, label: ctx.nonce('term') }, { caps: EXT });
    const toolErr = await createExtTask(ctx, c, 'F-TOOLERR', {}, { caps: EXT });
    const { task: gated, gateId } = await createExtGated(ctx, c);
    await c.request('tasks/cancel', { taskId: gated.taskId }, { caps: EXT });
    const [done, cancelled] = await Promise.all([
      Promise.all([echo, toolErr].map((t) => settleExt(c, t.taskId as string, isTerminal, 'a terminal status'))),
      // Ignoring tasks/cancel is allowed (A-EXT-21, EXT-CAN-03 judges it): a gated task still running is no terminal to re-poll.
      c.poll(gated.taskId as string, isTerminal),
    ]);
    await releaseModernGate(ctx, c, gateId).catch(() => undefined);
    if (cancelled.failure)
      throw new ProbeError(`tasks/get of the cancelled task failed: ${describeOutcome(cancelled.failure)}`, cancelled.failure);
    const settled = cancelled.settled && cancelled.task ? [...done, cancelled.task] : done;
    const changes = (await Promise.all(settled.map((t) => changesAfterTerminal(c, t)))).filter((x): x is string => x !== undefined);
    const kept = `${settled.map((t) => t.status).join(', ')}: unchanged over 3 re-polls`;
    if (changes.length) return fail(`a terminal status changed: ${changes.join('; ')}`);
    if (settled.length === done.length)
      return skip(
        'setup-failed',
        `the cancelled gated task ${String(gated.taskId)} never became terminal (last status ${j(cancelled.task?.status)} when T_SETTLE passed; ignoring cancel is allowed), so no cancelled status could be re-polled; ${kept}`,
      );
    return pass(kept);
  },
);

const LIFE_03 = defineCheck(
  {
    id: 'EXT-LIFE-03',
    name: 'isError:true ends completed, never failed',
    description: 'A tool result with isError:true produces status completed with result.isError true.',
    level: 'MUST',
    specRefs: ['ext §Task Status', 'ext §Task Execution Errors'],
    fixtures: ['F-TOOLERR'],
  },
  async (ctx) => {
    const c = await ctx.modern();
    const { task } = await createExtTask(ctx, c, 'F-TOOLERR', {}, { caps: EXT });
    const done = await settleExt(c, task.taskId as string, isTerminal, 'a terminal status');
    if (done.status === 'failed') return fail('a tool result with isError:true ended the task failed (failed is only for JSON-RPC errors)');
    if (done.status !== 'completed') return skip('setup-failed', `the task ended ${j(done.status)}`);
    return (done.result as JsonObject | undefined)?.isError === true
      ? pass('completed with result.isError true')
      : fail(`completed, but result.isError is ${j((done.result as JsonObject | undefined)?.isError)}`);
  },
);

/** The failed E-RPCERR task and the direct call's error, shared by EXT-LIFE-04 and EXT-LIFE-05. */
async function failedTask(ctx: ScenarioContext): Promise<{ done: JsonObject; direct?: { code: number; message: string } }> {
  const c = await ctx.modern();
  const direct = await c.callTool(ctx.fixtures.tool('F-RPCERR'), ctx.fixtures.args('F-RPCERR', {}), { caps: NOEXT });
  const { task } = await createExtTask(ctx, c, 'F-RPCERR', {}, { caps: EXT });
  const done = await settleExt(c, task.taskId as string, isTerminal, 'a terminal status');
  return { done, direct: direct.kind === 'error' ? direct.error : undefined };
}

const LIFE_04 = defineCheck(
  {
    id: 'EXT-LIFE-04',
    name: 'A JSON-RPC error ends the task failed with that error',
    description:
      'A JSON-RPC error during execution produces status failed, whose error has the code of the synchronous call (-32603 for the contract tool).',
    level: 'MUST',
    specRefs: ['ext §Task Execution Errors'],
    fixtures: ['F-RPCERR'],
  },
  async (ctx, c) => {
    const { done, direct } = await failedTask(ctx);
    c.note('direct error', direct);
    if (done.status !== 'failed') return fail(`a JSON-RPC error during execution ended the task ${j(done.status)}, not failed`);
    const e = (done.error ?? {}) as JsonObject;
    if (direct && e.code !== direct.code)
      return fail(`the failed task's error code is ${j(e.code)}, but the direct call answered ${direct.code}`);
    if (direct && e.message !== direct.message)
      return warn(`the failed task's error message ${j(e.message)} differs from the direct call's ${j(direct.message)}`);
    return pass(`failed with error ${j(e.code)}`);
  },
);

const LIFE_05 = defineCheck(
  {
    id: 'EXT-LIFE-05',
    name: 'A failed task has a diagnostic statusMessage',
    description: 'A failed task includes a non-empty statusMessage.',
    level: 'SHOULD',
    specRefs: ['ext §Task Execution Errors'],
    fixtures: ['F-RPCERR'],
  },
  async (ctx) => {
    const { done } = await failedTask(ctx);
    if (done.status !== 'failed') return skip('setup-failed', `the task ended ${j(done.status)}, not failed`);
    return typeof done.statusMessage === 'string' && done.statusMessage.trim()
      ? pass(`statusMessage ${j(done.statusMessage)}`)
      : warn('the failed task has no statusMessage');
  },
);

const ERR_01 = defineCheck(
  {
    id: 'EXT-ERR-01',
    name: 'Errors are informative',
    description: 'Internal errors use -32603; every JSON-RPC error of the run has a non-empty message.',
    level: 'MUST',
    specRefs: ['ext §Protocol Errors'],
    fixtures: [],
  },
  async (ctx) => {
    const c = await ctx.modern();
    await c.request('tasks/get', { taskId: crypto.randomUUID() }, { caps: EXT });
    const errors = ctx
      .wire()
      .filter((e) => e.dir === 'recv' && e.transport === ctx.transport && (e.message as { error?: unknown } | undefined)?.error);
    const empty = errors.filter((e) => {
      const m = ((e.message as { error: { message?: unknown } }).error ?? {}).message;
      return typeof m !== 'string' || !m.trim();
    });
    if (empty.length)
      return warn(
        `${empty.length} of ${errors.length} JSON-RPC errors have an empty message (e.g. seq ${empty[0]!.seq}, ${empty[0]!.answers?.method ?? '?'})`,
      );
    return info(
      `${errors.length} JSON-RPC errors, each with a message; codes ${j([...new Set(errors.map((e) => (e.message as { error: { code?: unknown } }).error.code))])}`,
    );
  },
);

export default defineScenario({
  name: 'ext-lifecycle',
  description: '2026-07-28 task lifecycle and error semantics (EXT-LIFE-*, EXT-ERR-01)',
  era: '2026-07-28',
  runs: 'last',
  // EXT-LIFE-01 and EXT-ERR-01 judge what the run exchanged, this scenario's own checks included: last.
  checks: [LIFE_02, LIFE_03, LIFE_04, LIFE_05, ERR_01, LIFE_01],
});
