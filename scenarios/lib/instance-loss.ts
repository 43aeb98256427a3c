// CL-05, instance loss: with gated tasks running on every instance of a deployment the harness started
// (--instances N), the last instance is killed hard; every gate is released through a surviving
// endpoint (the task's own, or A) and every task is read there until it ends. A task must end or be
// taken over, not vanish (-32602 before its ttl) or stay working: the bound is what is left of the
// check deadline, so a runner whose lease lapses within it (reference server: 10 s) passes.
import { fail, pass, skip, warn, type Verdict } from '../../harness/checks.js';
import { property } from '../../harness/profile.js';
import { isTerminal } from '../../harness/protocol.js';
import type { CheckContext, ScenarioContext } from '../../harness/scenario.js';
import { gateState, ProbeError, sleep } from '../../harness/tasks.js';
import { releaseQuietly } from './cleanup.js';
import { describeReading, endpointName, type Endpoints, readTask, type Reading, waitFor } from './endpoints.js';
import { tally } from './format.js';
import { createGated } from './task-setup.js';

/** Left of the check deadline for the answers after the wait ends (and the verdict). */
const MARGIN_MS = 2000;

interface Running {
  taskId: string;
  gateId: string;
  /** The endpoint it was created on. */
  on: number;
}

export async function instanceLoss(ctx: ScenarioContext, c: CheckContext, at: Endpoints): Promise<Verdict> {
  if (!ctx.canKillEndpoints)
    return skip('not-applicable', 'needs instances the harness starts (--http-command --instances N): it kills one', ['--instances N']);
  const started = Date.now();
  const victim = at.count - 1;
  const survivor = (t: Running) => (t.on === victim ? 0 : t.on);
  const tasks: Running[] = [];
  try {
    // One after the other on the endpoints in turn: a deployment that hands work out in turn runs some on the victim.
    for (let i = 0; i < 2 * at.count; i++) {
      const s = await at.on(i % at.count);
      const { task, gateId } = await createGated(ctx, s);
      tasks.push({ taskId: task.taskId, gateId, on: i % at.count });
      if (!(await waitFor(async () => (await gateState(s, ctx.fixtures, gateId)) === 'waiting', ctx.timeouts.settleMs)))
        throw new ProbeError(`gate_state on ${at.label(i % at.count, s)} never reported the gated task's work waiting`);
    }
    await ctx.killEndpoint(victim);
    const killedAt = Date.now();
    for (const t of tasks) await releaseQuietly(await at.on(survivor(t)), ctx, t.gateId);

    const deadline = started + ctx.timeouts.checkMs - ctx.timeouts.requestMs - MARGIN_MS;
    const last = new Map<string, Reading>();
    const ended = new Map<string, number>();
    let open = [...tasks];
    while (open.length) {
      for (const t of open) {
        const read = await readTask(await at.on(survivor(t)), t.taskId);
        last.set(t.taskId, read);
        if (!read.task || isTerminal(read.task.status)) ended.set(t.taskId, Date.now() - killedAt);
      }
      open = open.filter((t) => !ended.has(t.taskId));
      if (!open.length || Date.now() >= deadline) break;
      await sleep(250);
    }
    const waitedMs = Date.now() - killedAt;
    const outcome = (t: Running) => {
      const r = last.get(t.taskId)!;
      return r.task ? (isTerminal(r.task.status) ? r.task.status : 'still working') : r.outcome.kind === 'error' ? 'lost' : 'unreadable';
    };
    const lines = tasks.map((t) => {
      const r = last.get(t.taskId)!;
      const msg = r.task?.statusMessage ? ` ("${r.task.statusMessage}")` : '';
      return `task ${t.taskId} (created on ${endpointName(t.on)}, read on ${endpointName(survivor(t))}): ${describeReading(r)}${msg}${ended.has(t.taskId) ? ` after ${ended.get(t.taskId)} ms` : ''}`;
    });
    c.note('killed', at.label(victim));
    c.note('tasks', lines);
    const counts = tally(tasks.map(outcome));
    const observe = (v: Verdict, holds: boolean): Verdict => ({ ...v, profile: property('survivesInstanceLoss', holds) });
    const lost = tasks.filter((t) => outcome(t) === 'lost');
    const stuck = tasks.filter((t) => outcome(t) === 'still working' || outcome(t) === 'unreadable');
    if (lost.length)
      return observe(
        fail(
          `${lost.length} of ${tasks.length} tasks vanished with the killed instance ${endpointName(victim)}: a surviving endpoint answers -32602 for them before their ttl (${lines.filter((_, i) => outcome(tasks[i]!) === 'lost').join('; ')}). Keep tasks in a store every instance reads`,
        ),
        false,
      );
    if (stuck.length)
      return observe(
        warn(
          `${stuck.length} of ${tasks.length} tasks were still not ended ${waitedMs} ms after instance ${endpointName(victim)} was killed and every gate released: ${lines.filter((_, i) => stuck.includes(tasks[i]!)).join('; ')}. Let another instance take over or fail the work of an instance that died (a lease it must renew)`,
        ),
        false,
      );
    const silent = tasks.filter((t) => ['failed', 'cancelled'].includes(outcome(t)) && !last.get(t.taskId)!.task?.statusMessage);
    if (silent.length)
      return observe(
        warn(
          `tasks ended ${outcome(silent[0]!)} after the instance loss without a statusMessage saying why: ${silent.map((t) => t.taskId).join(', ')}`,
        ),
        true,
      );
    return observe(
      pass(
        `instance ${endpointName(victim)} was killed with ${tasks.length} gated tasks running; within ${waitedMs} ms every task ended (${j(counts)})`,
      ),
      true,
    );
  } finally {
    for (const t of tasks) await releaseQuietly(await at.on(survivor(t)), ctx, t.gateId).catch(() => undefined);
  }
}

const j = (v: unknown) => JSON.stringify(v);
