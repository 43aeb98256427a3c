// Harness-level checks of the extension (checklist §7, H-EXT-*): what a task costs over a direct call,
// concurrency without cross-talk, idempotent reads, behaviour under a poll storm, large inlined results,
// the quality of error answers, dual-era interop, and SDK fingerprints with remediation hints. Not spec requirements:
// figures are INFO, and only a broken promise of the protocol (cross-talk, a read that changes) WARNs.
import { info, LEGACY_ERA, MODERN_ERA, pass, skip, warn, worst, type Verdict } from '../../harness/checks.js';
import type { ModernClient } from '../../harness/modern/client.js';
import { NOEXT } from '../../harness/modern/envelope.js';
import type { JsonObject, RpcOutcome, ScenarioContext } from '../../harness/scenario.js';
import { createTask, describeOutcome, mapLimit, sleep, taskResult } from '../../harness/tasks.js';
import { j, outcomeLabel, tally } from '../lib/format.js';
import { defineCheck, defineScenario } from '../lib/define.js';
import { withProperty } from './lib/lifecycle.js';
import {
  createExtGated,
  createExtTask,
  firstText,
  getExt,
  isTerminal,
  releaseModernGate,
  releaseExtQuietly,
  settleExt,
  withGatedTask,
} from './lib/task-flow.js';

const ms = (t0: number) => Math.round(performance.now() - t0);

/** A client of the check's own (load must not spend the main client's message budget), closed after `run`. */
async function ownClient<T>(ctx: ScenarioContext, run: (client: ModernClient) => Promise<T>): Promise<T> {
  const client = await ctx.connectModern();
  try {
    return await run(client);
  } finally {
    await client.close().catch(() => undefined);
  }
}

const H_EXT_01 = defineCheck(
  {
    id: 'H-EXT-01',
    name: 'Task overhead over a direct call',
    description:
      'For E-TASK work of 0 and 100 ms: CreateTaskResult latency, time and tasks/get round trips to completion, against the direct call without the extension; and the delay from release_gate until a poller sees a gated task terminal.',
    level: 'MAY',
    specRefs: ['ext §Task Creation', 'ext §Task Polling'],
    fixtures: ['F-ECHO'],
  },
  async (ctx, c) => {
    const client = await ctx.modern();
    const rows: string[] = [];
    const figures: JsonObject = {};
    for (const seconds of [0, 0.1]) {
      const t0 = performance.now();
      const created = await createExtTask(ctx, client, 'F-ECHO', { seconds, label: ctx.nonce('o') });
      const createMs = ms(t0);
      const p = await client.poll(created.taskId, isTerminal);
      const taskMs = ms(t0);
      const t1 = performance.now();
      const direct = await client.request(
        'tools/call',
        { name: ctx.fixtures.tool('F-ECHO'), arguments: ctx.fixtures.args('F-ECHO', { seconds, label: 'd' }) },
        { caps: NOEXT },
      );
      const directMs = ms(t1);
      figures[`${seconds * 1000}ms`] = { createMs, taskMs, gets: p.reads.length, directMs, direct: outcomeLabel(direct) };
      rows.push(
        `${seconds * 1000} ms work: created in ${createMs} ms, terminal after ${taskMs} ms and ${p.reads.length} tasks/get; direct call ${directMs} ms`,
      );
    }
    if (ctx.fixtures.has('F-GATE') && ctx.fixtures.has('F-GATE-RELEASE')) {
      const gated = await createExtGated(ctx, client);
      const t0 = performance.now();
      await releaseModernGate(ctx, client, gated.gateId);
      const p = await client.poll(gated.taskId, isTerminal);
      figures.releaseToTerminalMs = ms(t0);
      rows.push(
        `release_gate → terminal seen after ${ms(t0)} ms (pollIntervalMs ${j(gated.task.pollIntervalMs)}, ${p.reads.length} tasks/get)`,
      );
    }
    c.note('figures', figures);
    return info(rows.join('; '));
  },
);

const CONCURRENCY_LEVELS = [10, 50, 100];

const H_EXT_02 = defineCheck(
  {
    id: 'H-EXT-02',
    name: 'Concurrency: 10, 50 and 100 simultaneous tasks',
    description:
      'Simultaneous E-TASK tasks with distinct labels: every task ends with its own label (no cross-talk) and no task id repeats.',
    level: 'SHOULD',
    specRefs: ['ext §Task Creation'],
    fixtures: ['F-ECHO'],
  },
  async (ctx, c) =>
    ownClient(ctx, async (client) => {
      const owner = new Map<string, string>();
      const problems: string[] = [];
      const rows: string[] = [];
      for (const n of CONCURRENCY_LEVELS) {
        const t0 = performance.now();
        const labels = Array.from({ length: n }, (_, i) => ctx.nonce(`c${n}-${i}`));
        const ends = await Promise.all(
          labels.map(async (label) => {
            const created = await createExtTask(ctx, client, 'F-ECHO', { seconds: 0.2, label });
            const previous = owner.get(created.taskId);
            if (previous) problems.push(`task id ${created.taskId} was issued for ${previous} and ${label}`);
            owner.set(created.taskId, label);
            const done = await settleExt(client, created.taskId, isTerminal, 'a terminal status');
            const expected = ctx.fixtures.expectedText('F-ECHO', { seconds: 0.2, label });
            if (expected.kind === 'known' && firstText(done.result) !== expected.text)
              problems.push(`${label}: got ${j(firstText(done.result))}`);
            return String(done.status);
          }),
        );
        rows.push(`${n}: ${j(tally(ends))} in ${ms(t0)} ms`);
      }
      c.note('levels', rows);
      if (problems.length) return warn(`cross-talk or id collisions under load: ${problems.slice(0, 5).join('; ')}`);
      return pass(`no cross-talk and no id collision: ${rows.join('; ')}`);
    }),
);

/** Fields that may change between reads of a terminal task (ext §Tasks: ttlMs, pollIntervalMs MAY change). */
const volatile = ({ _meta, ttlMs, pollIntervalMs, ...rest }: JsonObject) => (void _meta, void ttlMs, void pollIntervalMs, rest);

const H_EXT_03 = defineCheck(
  {
    id: 'H-EXT-03',
    name: 'Idempotent reads',
    description:
      'tasks/get of a completed task 20 times after the first terminal read, 5 callers at once: every body is deep-equal apart from ttlMs, pollIntervalMs and _meta.',
    level: 'SHOULD',
    specRefs: ['ext §Task Polling'],
    fixtures: ['F-ECHO'],
  },
  async (ctx, c) => {
    const client = await ctx.modern();
    const created = await createExtTask(ctx, client, 'F-ECHO', { seconds: 0, label: ctx.nonce('idem') });
    // The read that first saw it terminal counts too: a body that changes from the second read on is caught.
    const first = await settleExt(client, created.taskId, isTerminal, 'a terminal status');
    const reads = await mapLimit(
      Array.from({ length: 20 }, (_, i) => i),
      5,
      () => getExt(client, created.taskId),
    );
    const bodies = [j(volatile(first), 1e7), ...reads.map((o) => (o.kind === 'result' ? j(volatile(o.result), 1e7) : describeOutcome(o)))];
    const distinct = [...new Set(bodies)];
    c.note('distinctBodies', distinct.length);
    // The result inlined in a terminal task is what the lifecycle profile calls repeatableResult.
    if (distinct.length > 1)
      return withProperty(
        warn(
          `21 reads of the terminal task ${created.taskId} gave ${distinct.length} different bodies, e.g. ${distinct
            .slice(0, 2)
            .map((b) => b.slice(0, 200))
            .join(' vs ')}`,
        ),
        'repeatableResult',
        false,
      );
    return withProperty(pass('20 concurrent reads of the terminal task were identical'), 'repeatableResult', true);
  },
);

const H_EXT_04 = defineCheck(
  {
    id: 'H-EXT-04',
    name: 'Poll storm',
    description:
      'tasks/get every 10 ms for 1 s, ignoring pollIntervalMs: rate-limit signals (error codes, HTTP 429) are recorded, and the server must answer normally afterwards.',
    level: 'MAY',
    specRefs: ['ext §Task Polling'],
    fixtures: ['F-GATE'],
  },
  async (ctx, c) =>
    ownClient(ctx, async (client) => {
      const gated = await createExtGated(ctx, client);
      try {
        const labels: string[] = [];
        const end = performance.now() + 1_000;
        while (performance.now() < end) {
          const o = await getExt(client, gated.taskId);
          labels.push(o.kind !== 'timeout' && o.http?.status === 429 ? 'HTTP 429' : outcomeLabel(o));
          await sleep(10);
        }
        await sleep(1_000);
        const after = await getExt(client, gated.taskId);
        const distribution = tally(labels);
        c.note('distribution', distribution);
        if (after.kind !== 'result')
          return warn(`after ${labels.length} polls in 1 s the server no longer answered tasks/get normally: ${describeOutcome(after)}`, {
            distribution,
          });
        return info(`${labels.length} polls in 1 s: ${j(distribution)}; healthy afterwards`, { distribution });
      } finally {
        await releaseExtQuietly(ctx, client, gated.gateId);
      }
    }),
);

const SIZES = [1_000_000, 10_000_000];

const H_EXT_09 = defineCheck(
  {
    id: 'H-EXT-09',
    name: 'Large results inlined in tasks/get',
    description:
      'big_result of 1 MB and 10 MB as a task: the inlined text has exactly the requested length and equals the direct call; latency is recorded.',
    level: 'SHOULD',
    specRefs: ['ext §Task Polling'],
    fixtures: ['F-BIG'],
  },
  async (ctx, c) =>
    ownClient(ctx, async (client) => {
      const rows: string[] = [];
      const verdicts: Verdict[] = [];
      for (const bytes of SIZES) {
        const t0 = performance.now();
        const created = await createExtTask(ctx, client, 'F-BIG', { bytes });
        const done = await settleExt(client, created.taskId, isTerminal, 'a terminal status');
        const viaTask = firstText(done.result);
        const taskMs = ms(t0);
        const direct = await client.request(
          'tools/call',
          { name: ctx.fixtures.tool('F-BIG'), arguments: ctx.fixtures.args('F-BIG', { bytes }) },
          { caps: NOEXT },
        );
        const viaDirect = direct.kind === 'result' ? firstText(direct.result) : undefined;
        rows.push(`${bytes} bytes: ${taskMs} ms via the task, ${viaTask?.length ?? 'no'} characters`);
        if (viaTask?.length !== bytes)
          verdicts.push(warn(`the ${bytes}-byte result came back with ${viaTask?.length ?? 'no'} characters (${String(done.status)})`));
        else if (viaDirect !== undefined && viaDirect !== viaTask)
          verdicts.push(warn(`the ${bytes}-byte result inlined in tasks/get differs from the direct call's`));
      }
      c.note('sizes', rows);
      return verdicts.length ? worst(verdicts) : pass(rows.join('; '));
    }),
);

const H_EXT_16 = defineCheck(
  {
    id: 'H-EXT-16',
    name: 'SDK fingerprints',
    description:
      'Known SDK quirks with remediation hints: the 2025-11-25 Task leaking into extension shapes (nested task, ttl/pollInterval), and an "era gate" that serves tasks/get to requests without the extension.',
    level: 'MAY',
    specRefs: ['SEP §Backward Compatibility'],
    fixtures: ['F-GATE'],
  },
  async (ctx, c) =>
    withGatedTask(ctx, async (client, gated) => {
      const hints: string[] = [];
      const legacy = ['task', 'ttl', 'pollInterval'].filter((k) => k in gated.task);
      if (legacy.length)
        hints.push(
          `the CreateTaskResult carries the 2025-11-25 member(s) ${legacy.join(', ')}: the server builds the legacy CreateTaskResult; emit the flat Task with ttlMs/pollIntervalMs`,
        );
      const noExt = await getExt(client, gated.taskId, { caps: NOEXT });
      if (noExt.kind === 'result')
        hints.push('tasks/get without the extension is served: an "era gate" lets legacy clients through (EXT-NEG-07 requires -32021)');
      c.note('hints', hints);
      return info(hints.length ? hints.join('; ') : 'no known SDK quirk seen');
    }),
);

const H_EXT_14 = defineCheck(
  {
    id: 'H-EXT-14',
    name: 'Error quality',
    description:
      'The errors of a few invalid requests (a task-only tool and tasks/get without the extension, an unknown taskId, the removed tasks/result) have informative messages, and -32021 names requiredCapabilities.',
    level: 'SHOULD',
    specRefs: ['ext §Protocol Errors'],
    fixtures: ['F-REQ'],
  },
  async (ctx, c) => {
    const client = await ctx.modern();
    const probes: Array<[string, RpcOutcome]> = [
      [
        'tools/call of the task-only tool without the extension',
        await client.request(
          'tools/call',
          { name: ctx.fixtures.tool('F-REQ'), arguments: ctx.fixtures.args('F-REQ', {}) },
          { caps: NOEXT },
        ),
      ],
      ['tasks/get without the extension', await getExt(client, crypto.randomUUID(), { caps: NOEXT })],
      ['tasks/get of an unknown taskId', await getExt(client, crypto.randomUUID())],
      ['tasks/result', await client.request('tasks/result', { taskId: crypto.randomUUID() })],
    ];
    const poor: string[] = [];
    const rows: string[] = [];
    for (const [what, o] of probes) {
      rows.push(`${what}: ${describeOutcome(o)}`);
      if (o.kind !== 'error') continue;
      if (o.error.message.trim().length < 8) poor.push(`${what}: message ${j(o.error.message)} says nothing`);
      if (o.error.code === -32021 && !(o.error.data as { requiredCapabilities?: unknown } | undefined)?.requiredCapabilities)
        poor.push(`${what}: -32021 without data.requiredCapabilities`);
    }
    c.note('errors', rows);
    return poor.length ? warn(`uninformative errors: ${poor.join('; ')}`) : info(rows.join('; '));
  },
);

const H_EXT_13 = defineCheck(
  {
    id: 'H-EXT-13',
    name: 'Dual-era interop',
    description:
      'On a server of both eras the same E-TASK work as a 2025-11-25 task (task param, tasks/result) and as an extension task gives the same result, and neither surface leaks into the other (resultType on 2025-11-25 results; a nested task or ttl/pollInterval on extension ones).',
    level: 'SHOULD',
    specRefs: ['SEP §Backward Compatibility'],
    fixtures: ['F-ECHO'],
  },
  async (ctx, c) => {
    if (!ctx.eras.includes(LEGACY_ERA))
      return skip('not-applicable', 'the server speaks only 2026-07-28, so there is no other era to compare with');
    const label = ctx.nonce('dual');
    const session = await ctx.connect();
    try {
      const legacy = await createTask(session, ctx.fixtures, 'F-ECHO', { seconds: 0, label });
      const legacyResult = await taskResult(session, legacy.taskId, ctx.timeouts.requestMs + ctx.timeouts.settleMs);
      const client = await ctx.modern();
      const modern = await createExtTask(ctx, client, 'F-ECHO', { seconds: 0, label });
      const done = await settleExt(client, modern.taskId, isTerminal, 'a terminal status');
      if (legacyResult.kind !== 'result')
        return info(`tasks/result of the 2025-11-25 task answered ${describeOutcome(legacyResult)}; nothing to compare`);
      const strip = ({ _meta, resultType, ...rest }: JsonObject) => (void _meta, void resultType, rest);
      c.note('results', { legacy: legacyResult.result, modern: done.result });
      const verdicts: Verdict[] = [];
      if (j(strip(legacyResult.result), 1e6) !== j(strip((done.result ?? {}) as JsonObject), 1e6))
        verdicts.push(
          warn(`the same work gave ${j(strip(legacyResult.result))} through 2025-11-25 and ${j(done.result)} through the extension`),
        );
      if ('resultType' in legacyResult.result)
        verdicts.push(warn(`the 2025-11-25 tasks/result carries the 2026-07-28 member resultType ${j(legacyResult.result.resultType)}`));
      const leaked = ['task', 'ttl', 'pollInterval'].filter((k) => k in modern.task);
      if (leaked.length) verdicts.push(warn(`the extension CreateTaskResult carries the 2025-11-25 member(s) ${leaked.join(', ')}`));
      return verdicts.length
        ? worst(verdicts)
        : pass(`both eras gave the same result (${j(firstText(done.result))}) with no cross-era members`);
    } finally {
      await session.close().catch(() => undefined);
    }
  },
);

const scenario = defineScenario({
  name: 'ext-robustness',
  description: 'Harness-level checks of the extension (H-EXT-01..04, 09, 13, 14, 16)',
  era: MODERN_ERA,
  checks: [H_EXT_01, H_EXT_02, H_EXT_03, H_EXT_04, H_EXT_09, H_EXT_13, H_EXT_14, H_EXT_16],
});

export default scenario;
