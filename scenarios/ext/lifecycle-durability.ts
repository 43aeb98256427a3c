// Durability of 2026-07-28 tasks beyond one server process: a restart of a server the harness owns
// (H-EXT-08, survivesRestart) and a deployment of several endpoints, where a task created on one
// instance must be served by another, however a balancer routes (H-EXT-05, crossInstance). Both are
// harness-level rows (checklist §7): whether tasks are durable is implementation-defined, so a restart
// that loses them is INFO; only a task that claims to be working but never ends after the restart WARNs.
// H-EXT-05 checks EXT-CRT-02 ("a tasks/get would succeed") in a real deployment: there a -32602 FAILs.
import { isDeepStrictEqual } from 'node:util';
import { fail, info, MODERN_ERA, pass, warn, type Verdict } from '../../harness/checks.js';
import { EXT } from '../../harness/modern/envelope.js';
import type { JsonObject } from '../../harness/scenario.js';
import { describeOutcome } from '../../harness/tasks.js';
import { j } from '../lib/format.js';
import { defineCheck, defineScenario } from '../lib/define.js';
import { look, releasedResult, withProperty, type Seen } from './lib/lifecycle.js';
import { createExtGated, createExtTask, isTerminal, releaseExtQuietly, releaseModernGate, settleExt } from './lib/task-flow.js';

/** What must not change about a terminal task (ttlMs, pollIntervalMs and _meta may). */
const outcomeOf = (t: JsonObject) => ({ status: t.status, result: t.result, error: t.error });

const seenText = (s: Seen) => (s.kind === 'task' ? `status ${j(s.task.status)}` : describeOutcome(s.outcome));

const H_EXT_08 = defineCheck(
  {
    id: 'H-EXT-08',
    name: 'Durability and restarts',
    description:
      'The harness kills the server it started (stdio: the process; HTTP: the --http-command server) while one task is completed and another is working, and starts it again. Reported: whether the completed task is still there with the same outcome, and what became of the working one. Implementation-defined (report only); a task still claiming to work after its gate is released WARNs.',
    level: 'MAY',
    specRefs: ['core §Statelessness', 'ext §Task Status'],
    fixtures: ['F-ECHO', 'F-GATE', 'F-GATE-RELEASE', 'S-RESTART'],
  },
  async (ctx, c) => {
    const before = await ctx.modern();
    const done = await createExtTask(ctx, before, 'F-ECHO', { seconds: 0, label: ctx.nonce('dur') });
    const finished = await settleExt(before, done.taskId, isTerminal, 'a terminal status');
    const running = await createExtGated(ctx, before);
    await ctx.restart();
    const after = await ctx.modern();
    const problems: Verdict[] = [];

    const kept = await look(after, done.taskId);
    c.note('finishedAfterRestart', seenText(kept));
    const keptSame = kept.kind === 'task' && isDeepStrictEqual(outcomeOf(kept.task), outcomeOf(finished));
    if (kept.kind === 'task' && !keptSame)
      problems.push(
        warn(
          `after the restart the ${j(finished.status)} task reads ${j(outcomeOf(kept.task), 200)} instead of ${j(outcomeOf(finished), 200)}: a terminal task's outcome never changes`,
        ),
      );
    else if (kept.kind === 'other')
      problems.push(warn(`after the restart tasks/get of the finished task ${seenText(kept)}; expected the task or -32602`));

    let inFlight: string;
    let stuck = false;
    try {
      const seen = await look(after, running.taskId);
      if (seen.kind !== 'task') inFlight = seen.kind === 'gone' ? 'gone (-32602)' : seenText(seen);
      else if (isTerminal(seen.task))
        inFlight = `${String(seen.task.status)}${seen.task.statusMessage ? ` (${j(seen.task.statusMessage)})` : ''}`;
      else {
        // Resumed work finishes once its gate opens; lost work stays working.
        await releaseModernGate(ctx, after, running.gateId);
        const end = await after.poll(running.taskId, isTerminal, { caps: EXT });
        if (end.settled)
          inFlight = `resumed, then ${String(end.task?.status)}${releasedResult(ctx, running.gateId, end.task) ? ' with its result' : ''}`;
        else {
          stuck = true;
          inFlight = `still ${j(end.task?.status ?? seen.task.status)} ${ctx.timeouts.settleMs} ms after its gate was released`;
          problems.push(
            warn(
              `after the restart the task that was working is still reported ${j(seen.task.status)} and never ends (gate released, T_SETTLE passed): its work was lost but the task claims to be working. Fail such tasks with a statusMessage at start-up`,
            ),
          );
        }
      }
    } finally {
      await releaseExtQuietly(ctx, after, running.gateId);
    }
    c.note('runningAfterRestart', inFlight);
    if (problems.length) return withProperty(problems[0]!, 'survivesRestart', false);
    if (keptSame)
      return withProperty(
        info(
          `after a hard restart the ${j(finished.status)} task is still there with the same outcome; the task that was working is ${inFlight}`,
        ),
        'survivesRestart',
        !stuck,
      );
    return withProperty(
      info(
        `a hard restart loses the tasks: the finished task is gone (-32602) and the one that was working is ${inFlight}. Keep tasks in a durable store if clients must read them across restarts`,
      ),
      'survivesRestart',
      false,
    );
  },
);

const H_EXT_05 = defineCheck(
  {
    id: 'H-EXT-05',
    name: 'Horizontal-scale routing: a task created on one instance is served by another',
    description:
      'The harness plays the load balancer across two endpoints, both ways: a task created on X is read at once on Y, and a gated task created on X is read working on Y, released on X, and read completed with its result on Y. Routing by Mcp-Name sends tools/call by tool name and tasks/get by task id, round-robin sends anywhere: either way a task is read on other instances than the one that created it. Any -32602 contradicts EXT-CRT-02 in the deployment.',
    level: 'MUST',
    specRefs: ['ext §Task Creation', 'core/streamable-http §Request Headers'],
    fixtures: ['F-ECHO', 'F-GATE', 'F-GATE-RELEASE'],
    transports: ['http'],
    minEndpoints: 2,
  },
  async (ctx, c) => {
    const problems: string[] = [];
    const reads: string[] = [];
    for (const [from, to] of [
      [0, 1],
      [1, 0],
    ] as const) {
      const x = await ctx.connectModern({ endpoint: from });
      const y = await ctx.connectModern({ endpoint: to });
      const where = `created on endpoint ${from}, read on endpoint ${to}`;
      try {
        const created = await createExtTask(ctx, x, 'F-ECHO', { seconds: 0, label: ctx.nonce('route') });
        const seen = await look(y, created.taskId);
        reads.push(`${where}: ${seenText(seen)}`);
        if (seen.kind !== 'task') problems.push(`a task ${where} at once: tasks/get ${seenText(seen)}`);
        const gated = await createExtGated(ctx, x);
        try {
          const working = await look(y, gated.taskId);
          if (working.kind !== 'task') problems.push(`a gated task ${where}: tasks/get ${seenText(working)}`);
          await releaseModernGate(ctx, x, gated.gateId);
          const end = await y.poll(gated.taskId, isTerminal, { caps: EXT });
          reads.push(`gated ${where}: ${end.task ? String(end.task.status) : describeOutcome(end.failure!)}`);
          if (working.kind === 'task' && !releasedResult(ctx, gated.gateId, end.task))
            problems.push(
              `a gated task ${where}, released on ${from}: endpoint ${to} reads ${end.task ? j(outcomeOf(end.task), 160) : describeOutcome(end.failure!)}, not the completed task`,
            );
        } finally {
          await releaseExtQuietly(ctx, x, gated.gateId);
        }
      } finally {
        await Promise.all([x.close(), y.close()].map((p) => p.catch(() => undefined)));
      }
    }
    c.note('reads', reads);
    if (problems.length)
      return withProperty(
        fail(`the endpoints do not serve one another's tasks: ${problems.join('; ')} (EXT-CRT-02: a created task is readable at once)`),
        'crossInstance',
        false,
      );
    return withProperty(
      pass('each endpoint read the tasks created on the other at once (tasks/get with its Mcp-Name) and saw the gated one complete'),
      'crossInstance',
      true,
    );
  },
);

export default defineScenario({
  name: 'ext-lifecycle-durability',
  description: '2026-07-28 durability: tasks across a server restart (H-EXT-08) and across the endpoints of a deployment (H-EXT-05)',
  era: MODERN_ERA,
  checks: [H_EXT_05, H_EXT_08],
});
