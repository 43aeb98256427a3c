// 2.Q Interplay with Streamable HTTP (T25-HTTP-01, -03, -04). T25-HTTP-02 is passive and owned by the
// wire-audit scenario.
import { info, pass, warn } from '../harness/checks.js';
import type { RpcOutcome, ScenarioContext } from '../harness/scenario.js';
import { describeOutcome, releaseGate, sleep, taskResult } from '../harness/tasks.js';
import { closeQuietly, releaseQuietly } from './lib/cleanup.js';
import { isPromisedResult, promised } from './lib/expected-result.js';
import { j } from './lib/format.js';
import { blockingTimeoutMs, createEchoTasks, createGated, statusOf } from './lib/task-setup.js';
import { property } from '../harness/profile.js';
import { defineCheck, defineScenario } from './lib/define.js';

const HTTP_01 = defineCheck(
  {
    id: 'T25-HTTP-01',
    name: 'Dropping the tasks/result stream does not cancel the task',
    description:
      'Disconnecting the SSE stream of a pending tasks/result is not treated as cancelling the request, and certainly not the task: the task keeps working and a new tasks/result returns the final result.',
    level: 'SHOULD',
    specRefs: ['transports §Sending Messages r6', 'tasks §Retrieving Task Results'],
    fixtures: ['F-GATE', 'F-GATE-RELEASE'],
    transports: ['http'],
    requires: ['tasks', 'F-GATE as task'],
  },
  async (ctx, c) => {
    const s = await ctx.session();
    const { task, gateId } = await createGated(ctx, s);
    try {
      const abort = new AbortController();
      const first = taskResult(s, task.taskId, blockingTimeoutMs(ctx), abort.signal);
      await sleep(DROP_AFTER_MS);
      abort.abort();
      c.note('dropped tasks/result', describeOutcome(await first));
      // Give the server time to notice the closed connection before looking at the task.
      await sleep(500);
      const afterDrop = await statusOf(s, task.taskId);
      c.note('status after the drop', afterDrop.status ?? describeOutcome(afterDrop.outcome));
      if (afterDrop.status !== 'working') {
        return warn(
          `dropping the HTTP stream of a pending tasks/result changed the task: tasks/get now shows ${afterDrop.status ? `"${afterDrop.status}"` : describeOutcome(afterDrop.outcome)} instead of "working". A disconnect must not be treated as cancellation`,
        );
      }
      await releaseGate(s, ctx.fixtures, gateId);
      const again = await taskResult(s, task.taskId, blockingTimeoutMs(ctx));
      if (!released(ctx, gateId, again)) {
        return warn(
          `after the drop and the release, a new tasks/result should return the final result ${promised(ctx, 'F-GATE', { gateId })}; got ${describeOutcome(again)}`,
        );
      }
      return pass('the task kept working after its tasks/result stream was dropped, and a new tasks/result returned the final result');
    } finally {
      await releaseQuietly(s, ctx, gateId);
    }
  },
);

const HTTP_03 = defineCheck(
  {
    id: 'T25-HTTP-03',
    name: 'The tasks/result stream eventually carries its response',
    description:
      'The SSE stream of a blocked tasks/result eventually carries its JSON-RPC response; if the server closes it early, it supports resumption (GET with Last-Event-ID).',
    level: 'SHOULD',
    specRefs: ['transports §Sending Messages r6', 'transports §Resumability and Redelivery'],
    fixtures: ['F-GATE', 'F-GATE-RELEASE'],
    transports: ['http'],
    requires: ['tasks', 'F-GATE as task'],
  },
  async (ctx, c) => {
    const s = await ctx.session();
    const { task, gateId } = await createGated(ctx, s);
    try {
      const pending = taskResult(s, task.taskId, HOLD_MS + blockingTimeoutMs(ctx));
      await sleep(HOLD_MS);
      await releaseGate(s, ctx.fixtures, gateId);
      const o = await pending;
      const reply = ctx.wire().find((e) => {
        const m = e.message as { id?: unknown; result?: unknown; error?: unknown } | null;
        return e.dir === 'recv' && e.connection === s.name && m?.id === o.id && (m.result !== undefined || m.error !== undefined);
      });
      c.note('response channel', reply ? { channel: reply.channel, eventId: reply.eventId } : 'not found in the wire log');
      if (o.kind === 'result' || o.kind === 'error') {
        const how = reply?.channel === 'GET' ? ' after resuming on GET with Last-Event-ID' : reply?.channel ? ` on ${reply.channel}` : '';
        return pass(`the blocked tasks/result received its response${how} (${describeOutcome(o)})`);
      }
      const again = await taskResult(s, task.taskId, blockingTimeoutMs(ctx));
      return warn(
        `the tasks/result stream ended without its response and it was not replayed (${describeOutcome(o)}); a new tasks/result answered ${describeOutcome(again)}. Keep the stream open until the response, or send SSE event IDs and support resumption`,
      );
    } finally {
      await releaseQuietly(s, ctx, gateId);
    }
  },
);

const HTTP_04 = defineCheck(
  {
    id: 'T25-HTTP-04',
    name: 'Task visibility across HTTP sessions (observation)',
    description:
      'Whether a task created in one HTTP session can be read from another session of the same requestor is implementation-defined (A25-08). Recorded only.',
    level: 'MAY',
    specRefs: ['tasks §Task Isolation and Access Control'],
    fixtures: ['F-ECHO'],
    transports: ['http'],
    requires: ['tasks', 'F-ECHO as task'],
  },
  async (ctx) => {
    const a = await ctx.session();
    const [task] = await createEchoTasks(ctx, a, 1);
    if (!task) throw new Error('no task was created');
    const b = await ctx.connect();
    try {
      const seen = await statusOf(b, task.taskId);
      const who = ctx.principals > 0 ? ' (same principal, another MCP session)' : '';
      // What it saw is the lifecycle profile's crossSession promise (harness/profile.ts), whatever else ran.
      if (seen.outcome.kind === 'result')
        return {
          ...info(`a task created in session A is visible from session B${who}: tasks/get answered status ${j(seen.status)}`),
          profile: property('crossSession', true),
        };
      return {
        ...info(`a task created in session A is not visible from session B${who}: tasks/get answered ${describeOutcome(seen.outcome)}`),
        profile: property('crossSession', false),
      };
    } finally {
      await closeQuietly(b);
    }
  },
);

/** How long the first tasks/result stays open before the drop (recipe: ~300 ms). */
const DROP_AFTER_MS = 300;
/** How long a blocked tasks/result is held before the gate opens, so early stream closes show up. */
const HOLD_MS = 2000;

/** The gated task's final result: the promised text (contract or mapping expect:), or any result without isError. */
const released = (ctx: ScenarioContext, gateId: string, o: RpcOutcome) => isPromisedResult(ctx, 'F-GATE', { gateId }, o);

const scenario = defineScenario({
  name: 'http',
  description: '2.Q Interplay with Streamable HTTP (T25-HTTP-01, -03, -04; T25-HTTP-02 lives in wire-audit)',
  checks: [HTTP_01, HTTP_03, HTTP_04],
});

export default scenario;
