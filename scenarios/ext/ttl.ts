// 2.G TTL, timestamps, polling (EXT-TTL-01..06) and H-EXT-10 (TTL hygiene). The client cannot request a
// ttl in the extension, so expiry checks pass the fixture control `ttlMs` (reference server README) and
// use whatever the server granted; a granted ttl that is null or above the waiting budget makes them
// SKIPPED (§4 rule 4). These are the only ext checks that wait on the clock: the ttl is the server's timer.
import { fail, info, MODERN_ERA, pass, skip, warn, worst, type Verdict } from '../../harness/checks.js';
import type { JsonObject, RpcOutcome, ScenarioContext } from '../../harness/scenario.js';
import { describeOutcome, ProbeError, sleep } from '../../harness/tasks.js';
import { j } from '../lib/format.js';
import { defineCheck, defineScenario } from '../lib/define.js';
import { describeTtlChanges, judgeTimestamps, judgeTtlFields, type Observation } from './lib/task-shape.js';
import { taskTimeline } from './lib/timeline.js';
import { withProperty } from './lib/lifecycle.js';
import {
  createExtGated,
  createExtTask,
  getExt,
  releaseExtQuietly,
  settleExt,
  isTerminal,
  type Created,
  withGatedTask,
} from './lib/task-flow.js';

interface Shared {
  /** The observations of one gated task's life, made once for TTL-01..03. */
  timeline?: Promise<Observation[]>;
}
const timeline = (ctx: ScenarioContext, shared: Shared) => (shared.timeline ??= taskTimeline(ctx));

const TTL_01 = defineCheck<Shared>(
  {
    id: 'EXT-TTL-01',
    name: 'createdAt and lastUpdatedAt are ISO 8601 on every task shape',
    description:
      'createdAt and lastUpdatedAt are ISO 8601 strings on the CreateTaskResult, every tasks/get result and every notifications/tasks; createdAt never changes, lastUpdatedAt is not before createdAt and does not go back.',
    level: 'MUST',
    specRefs: ['ext §Tasks', 'ext schema Task'],
    fixtures: ['F-GATE'],
  },
  async (ctx, c, { shared }) => {
    const observations = await timeline(ctx, shared);
    c.note('observations', observations.length);
    return judgeTimestamps(observations);
  },
);

const TTL_02 = defineCheck<Shared>(
  {
    id: 'EXT-TTL-02',
    name: 'ttlMs is an integer or null; pollIntervalMs an integer',
    description: 'Every task shape carries ttlMs (an integer >= 0, or null for unlimited); pollIntervalMs, when present, is an integer.',
    level: 'MUST',
    specRefs: ['ext §Tasks', 'ext schema Task'],
    fixtures: ['F-GATE'],
  },
  async (ctx, _c, { shared }) => judgeTtlFields(await timeline(ctx, shared)),
);

const TTL_03 = defineCheck<Shared>(
  {
    id: 'EXT-TTL-03',
    name: 'ttlMs and pollIntervalMs over a task life',
    description:
      'ttlMs and pollIntervalMs may change over a task life; the harness re-reads both from every response and records the values.',
    level: 'MAY',
    specRefs: ['ext §Tasks', 'ext §Task Polling'],
    fixtures: ['F-GATE'],
  },
  async (ctx, _c, { shared }) => describeTtlChanges(await timeline(ctx, shared)),
);

/** Requested (fixture control) ttl of the expiry checks: short, so the run stays short. */
const SHORT_TTL_MS = 2_000;
/** A granted ttl above this is not waited out (§4 rule 4: "null or > 120 s" SKIPs). */
const TTL_BUDGET_MS = 120_000;
/** EXT-TTL-04: probe this long after createdAt + ttlMs. */
const EXPIRY_GRACE_MS = 1_500;

const TTL_04 = defineCheck(
  {
    id: 'EXT-TTL-04',
    name: 'After its ttl a task is kept, failed or gone (-32602)',
    description:
      'After createdAt + ttlMs the server may mark a non-terminal task failed (with an error) and may delete any task; a deleted task answers -32602. Any other error code, or failed without error, is a FAILURE.',
    level: 'MAY',
    specRefs: ['ext §Task Polling', 'ext §Protocol Errors'],
    fixtures: ['F-ECHO', 'F-GATE'],
  },
  async (ctx, c) => {
    const client = await ctx.modern();
    const done = await createExtTask(ctx, client, 'F-ECHO', { seconds: 0, label: ctx.nonce('ttl') }, { controls: { ttlMs: SHORT_TTL_MS } });
    const gated = await createExtGated(ctx, client, { controls: { ttlMs: SHORT_TTL_MS } });
    try {
      const unusable = ttlUnusable(done.task.ttlMs) ?? ttlUnusable(gated.task.ttlMs);
      if (unusable) return unusable;
      c.note('grantedTtlMs', { completed: done.task.ttlMs, gated: gated.task.ttlMs });
      await settleExt(client, done.taskId, isTerminal, 'a terminal status').catch(expiredIsFine);
      await sleepPastTtl(done);
      await sleepPastTtl(gated);
      const afterDone = await getExt(client, done.taskId);
      const afterGated = await getExt(client, gated.taskId);
      c.note('completed task after its ttl', describeOutcome(afterDone));
      c.note('gated task after its ttl', describeOutcome(afterGated));
      return worst([judgeExpired('the completed task', afterDone), judgeExpired('the gated (still running) task', afterGated)]);
    } finally {
      await releaseExtQuietly(ctx, client, gated.gateId);
    }
  },
);

const TTL_05 = defineCheck(
  {
    id: 'EXT-TTL-05',
    name: 'A task stays retrievable until its ttl',
    description:
      'tasks/get at about 50% and 90% of ttlMs (10 s requested) succeeds: a task is retained until createdAt + ttlMs (A-EXT-18).',
    level: 'SHOULD',
    specRefs: ['ext §Tasks'],
    fixtures: ['F-ECHO'],
  },
  async (ctx, c) => {
    const client = await ctx.modern();
    const created = await createExtTask(
      ctx,
      client,
      'F-ECHO',
      { seconds: 0, label: ctx.nonce('keep') },
      { controls: { ttlMs: RETENTION_TTL_MS } },
    );
    const ttl = created.task.ttlMs;
    c.note('grantedTtlMs', ttl);
    if (typeof ttl !== 'number' || ttl > 60_000 || ttl <= 0)
      return skip('not-applicable', `the granted ttlMs ${j(ttl)} is not a finite duration of at most 60 s, so retention is not probed`);
    const probes: string[] = [];
    for (const fraction of [0.5, 0.9]) {
      // Probes are timed from the answer (createdAt is before it), so a slow creation does not make them early.
      await sleep(Math.max(0, created.receivedAt + Math.min(fraction * ttl, ttl - 500) - Date.now()));
      const o = await getExt(client, created.taskId);
      const receivedAt = Date.now();
      const label = `${Math.round(fraction * 100)}% (${receivedAt - created.sentAt} ms after creation)`;
      if (o.kind === 'result') {
        probes.push(`${label}: ${String(o.result.status)}`);
        continue;
      }
      c.note('probes', probes);
      // sentAt bounds createdAt from below: an answer before sentAt + ttl is provably early.
      if (o.kind === 'error' && o.error.code === -32602 && receivedAt < created.sentAt + ttl)
        return warn(
          `task ${created.taskId} (ttlMs ${ttl}, not cancelled) answered -32602 at ${label}; it should stay retrievable until createdAt + ttlMs (A-EXT-18; the official conformance suite says MUST)`,
        );
      if (o.kind === 'error' && o.error.code === -32602)
        return info(`the ${label} probe arrived after the ttl had elapsed; -32602 is allowed then`);
      throw new ProbeError(`tasks/get of a task within its ttl failed: ${describeOutcome(o)}`, o);
    }
    c.note('probes', probes);
    return pass(`the task (ttlMs ${ttl}) was retrievable at ${probes.join(', ')}`);
  },
);

/** EXT-TTL-05: requested retention (10 s, so a server that purges ended tasks after a few seconds shows). */
const RETENTION_TTL_MS = 10_000;
/** EXT-TTL-06: polls at the suggested interval. */
const POLLS_AT_SUGGESTED_RATE = 6;

const TTL_06 = defineCheck(
  {
    id: 'EXT-TTL-06',
    name: 'No rate limiting at the suggested poll rate',
    description:
      'The server may rate-limit clients that poll faster than pollIntervalMs; a client polling at the suggested interval (capped at 1 s) is not refused.',
    level: 'MAY',
    specRefs: ['ext §Task Polling'],
    fixtures: ['F-GATE'],
  },
  async (ctx, c) =>
    withGatedTask(ctx, async (client, gated) => {
      const refusals: string[] = [];
      let last: JsonObject = gated.task;
      for (let i = 0; i < POLLS_AT_SUGGESTED_RATE; i++) {
        await sleep(pollDelayOf(last));
        const o = await getExt(client, gated.taskId);
        if (o.kind === 'result') last = o.result;
        else
          refusals.push(
            `poll ${i + 1} (after ${pollDelayOf(last)} ms): ${describeOutcome(o)}${o.kind !== 'timeout' && o.http ? ` HTTP ${o.http.status}` : ''}`,
          );
      }
      c.note('refusals', refusals);
      if (refusals.length)
        return warn(
          `polling a working task every pollIntervalMs (capped 50..1000 ms) was refused ${refusals.length} of ${POLLS_AT_SUGGESTED_RATE} times: ${refusals.join('; ')}`,
        );
      return info(`${POLLS_AT_SUGGESTED_RATE} polls at the suggested interval (${pollDelayOf(last)} ms) were all answered`);
    }),
);

const pollDelayOf = (t: JsonObject) => Math.min(Math.max(typeof t.pollIntervalMs === 'number' ? t.pollIntervalMs : 250, 50), 1000);

const H_EXT_10 = defineCheck(
  {
    id: 'H-EXT-10',
    name: 'TTL hygiene: tasks disappear after their ttl',
    description:
      'How long after createdAt + ttlMs a completed task is still retrievable (a 2 s ttl requested through the fixture control).',
    level: 'MAY',
    specRefs: ['ext §Task Polling'],
    fixtures: ['F-ECHO'],
  },
  async (ctx, c) => {
    const client = await ctx.modern();
    const created = await createExtTask(
      ctx,
      client,
      'F-ECHO',
      { seconds: 0, label: ctx.nonce('hyg') },
      { controls: { ttlMs: SHORT_TTL_MS } },
    );
    const unusable = ttlUnusable(created.task.ttlMs);
    if (unusable) return unusable;
    const ttl = created.task.ttlMs as number;
    await sleepPastTtl(created, 0);
    const deadline = Date.now() + ctx.timeouts.settleMs;
    for (;;) {
      const o = await getExt(client, created.taskId);
      const after = Date.now() - (created.receivedAt + ttl);
      if (o.kind === 'error' && o.error.code === -32602) {
        c.note('retainedPastTtlMs', after);
        return withProperty(pass(`the task (ttlMs ${ttl}) was gone at most ${after} ms after createdAt + ttlMs`), 'ttlHonoured', true);
      }
      if (o.kind !== 'result') return info(`tasks/get after the ttl answered ${describeOutcome(o)} (EXT-TTL-04 judges the code)`);
      if (Date.now() >= deadline)
        return withProperty(
          info(`the task (ttlMs ${ttl}) was still retrievable ${after} ms after createdAt + ttlMs; deletion is optional`),
          'ttlHonoured',
          false,
        );
      await sleep(200);
    }
  },
);

/** SKIPPED unless the granted ttlMs can be waited out. */
function ttlUnusable(ttl: unknown): Verdict | undefined {
  if (ttl === null)
    return skip('not-applicable', 'the server granted ttlMs null (unlimited retention): there is no expiry to observe', [
      'a ttlMs fixture control',
    ]);
  if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl < 0)
    return skip('not-applicable', `the granted ttlMs ${j(ttl)} is not a duration (see EXT-TTL-02)`);
  if (ttl > TTL_BUDGET_MS)
    return skip(
      'not-applicable',
      `the granted ttlMs ${ttl} is above the ${TTL_BUDGET_MS} ms waiting budget (the fixture did not honour ttlMs ${SHORT_TTL_MS})`,
      ['a ttlMs fixture control'],
    );
  return undefined;
}

/** receivedAt bounds createdAt from above, so this is past createdAt + ttlMs + grace whatever the skew. */
async function sleepPastTtl(created: Created, grace = EXPIRY_GRACE_MS): Promise<void> {
  await sleep(Math.max(0, created.receivedAt + (created.task.ttlMs as number) + grace - Date.now()));
}

/** A completed task may be deleted when its ttl is short: polling it may see -32602 first. */
function expiredIsFine(error: unknown): void {
  if (error instanceof ProbeError && error.outcome?.kind === 'error' && error.outcome.error.code === -32602) return;
  throw error;
}

/** After the ttl: the task (kept), failed with an error (PASS), or -32602 (deleted); anything else FAILS. */
function judgeExpired(what: string, o: RpcOutcome): Verdict {
  if (o.kind === 'error')
    return o.error.code === -32602
      ? pass(`${what} answered -32602 after its ttl (deleted)`)
      : fail(`tasks/get of ${what} after its ttl must answer the task or -32602 (deleted); got ${describeOutcome(o)}`);
  if (o.kind !== 'result') return fail(`tasks/get of ${what} after its ttl got no answer: ${describeOutcome(o)}`);
  const t = o.result;
  if (t.status === 'failed') {
    const e = t.error as { code?: unknown; message?: unknown } | undefined;
    if (!e || !Number.isInteger(e.code) || typeof e.message !== 'string')
      return fail(`${what} was marked failed after its ttl without a valid error {code, message} (EXT-GET-05): ${j(t.error)}`);
    return pass(`${what} was marked failed after its ttl (error ${String(e.code)})`);
  }
  return info(`${what} was still retained after its ttl, status ${String(t.status)} (deletion is optional)`);
}

const scenario = defineScenario<Shared>({
  name: 'ext-ttl',
  description: '2.G TTL, timestamps, polling (EXT-TTL-01..06), H-EXT-10',
  era: MODERN_ERA,
  setup: () => ({}),
  checks: [TTL_01, TTL_02, TTL_03, TTL_04, TTL_05, TTL_06, H_EXT_10],
});

export default scenario;
