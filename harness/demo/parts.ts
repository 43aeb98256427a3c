// Parts 1, 2, 3 and 5 of the demo: polling a task while doing other work, awaiting its result directly
// with tasks/result, several tasks at once, and an instant tool for comparison. Figures are measured.
import { median } from '../bench/stats.js';
import { isTerminal } from '../protocol.js';
import { describeOutcome, pollDelay, sleep } from '../tasks.js';
import { awaitResult, type DemoContext, DemoProblem, describeCall, firstText, shortId, status, submit, submitNarrated } from './calls.js';
import { lateness, seconds } from './narrator.js';

/** Polls until terminal; bounded so a task that never ends cannot hang the demo. */
export function pollDeadline(workSeconds: number): number {
  return performance.now() + workSeconds * 1000 + 30_000;
}

export async function partPolling(ctx: DemoContext): Promise<void> {
  const { say } = ctx;
  const work = ctx.units(3);
  say.part(1, 'polling while doing other work', 'Submit a task, then check on it with tasks/get between pieces of other work.');
  const task = await submitNarrated(ctx, work, 'poll');
  const label = task.label;
  let last = task.status;
  let polls = 0;
  const otherMs: number[] = [];
  const deadline = pollDeadline(work);
  let delay = pollDelay(task);
  while (!isTerminal(last)) {
    const t = performance.now();
    const greet = await ctx.session.request('tools/call', {
      name: ctx.fixtures.tool('F-SYNC'),
      arguments: ctx.fixtures.args('F-SYNC', { name: 'demo' }),
    });
    otherMs.push(performance.now() - t);
    if (otherMs.length === 1) say.client(`other work meanwhile: ${ctx.fixtures.tool('F-SYNC')} answered ${firstText(greet)}`);
    await sleep(delay);
    const now = await status(ctx.session, task.taskId);
    polls++;
    delay = pollDelay(now);
    if (now.status !== last) say.server(`tasks/get #${polls}: ${last} → ${now.status}`);
    last = now.status;
    if (performance.now() > deadline) throw new DemoProblem(`task ${task.taskId} still ${last} 30 s after its work should have ended`);
  }
  const seenAt = say.now();
  const text = await awaitResult(ctx, ctx.session, task.taskId, label);
  say.server(`tasks/result: ${text}`);
  say.figure(
    `${polls} poll(s) (every ${delay} ms), ${otherMs.length} other call(s) meanwhile (median ${Math.round(median(otherMs))} ms); completion seen ${seconds(seenAt)} after submit, ${lateness(seenAt - work * 1000)} after the work`,
  );
}

export async function partAwait(ctx: DemoContext): Promise<void> {
  const { say } = ctx;
  const work = ctx.units(2);
  say.part(2, 'direct await of a task result', 'Submit a task and call tasks/result at once: it answers when the work ends.');
  const task = await submitNarrated(ctx, work, 'await');
  say.client(`tasks/result ${shortId(task.taskId)}`);
  const text = await awaitResult(ctx, ctx.session, task.taskId, task.label);
  const took = say.now();
  say.server(`tasks/result: ${text}`);
  say.figure(`result after ${seconds(took)} for ${work} s of work: wake-up latency ${lateness(took - work * 1000)}`);
}

export async function partMany(ctx: DemoContext): Promise<void> {
  const { say } = ctx;
  const work = ctx.units(2);
  const n = 5;
  say.part(3, 'several tasks at once', `${n} tasks of ${work} s each, submitted together, results collected as they come.`);
  const labels = Array.from({ length: n }, (_, i) => ctx.label(`many-${i + 1}`));
  const tasks = await Promise.all(labels.map((l) => submit(ctx, ctx.session, work, l)));
  say.server(`${n} tasks created in ${Math.round(say.now())} ms: ${tasks.map((t) => shortId(t.taskId)).join(' ')}`);
  await Promise.all(
    tasks.map(async (t, i) => {
      const text = await awaitResult(ctx, ctx.session, t.taskId, labels[i]!);
      say.server(`tasks/result ${shortId(t.taskId)}: ${text}`);
    }),
  );
  const took = say.now();
  say.figure(
    `${n} × ${work} s of work done in ${seconds(took)} (one after another: ${seconds(n * work * 1000)}); wake-up latency ${lateness(took - work * 1000)}`,
  );
}

export async function partInstant(ctx: DemoContext): Promise<void> {
  const { say } = ctx;
  say.part(5, 'an instant tool for comparison', 'A tool that answers at once needs no task; a task around instant work costs round trips.');
  const sync = ctx.fixtures.tool('F-SYNC');
  say.client(`tools/call ${sync}("demo")`);
  const t = performance.now();
  const o = await ctx.session.request('tools/call', { name: sync, arguments: ctx.fixtures.args('F-SYNC', { name: 'demo' }) });
  const directMs = performance.now() - t;
  if (o.kind !== 'result') throw new DemoProblem(`${sync} answered ${describeOutcome(o)}`);
  say.server(`${firstText(o)} in ${Math.round(directMs)} ms`);
  const label = ctx.label('instant');
  say.client(`tools/call ${describeCall(ctx, 0, label)} as a task, then tasks/result`);
  const t2 = performance.now();
  const task = await submit(ctx, ctx.session, 0, label);
  const text = await awaitResult(ctx, ctx.session, task.taskId, label);
  const taskMs = performance.now() - t2;
  say.server(`${text} in ${Math.round(taskMs)} ms (two requests)`);
  say.figure(`direct ${Math.round(directMs)} ms vs task ${Math.round(taskMs)} ms for instant work: tasks pay off when the work takes time`);
}
