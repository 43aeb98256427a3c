// Part 0: the seed demo. The same three slow_compute calls (3, 2 and 1 s; --quick 0.3, 0.2, 0.1 s) made
// three ways: one after another, concurrently as direct calls, and as tasks fetched with tasks/result.
// Every start and end is printed as it happens; the closing figures are measured on this run.
import { median } from '../bench/stats.js';
import { awaitResult, callDirect, type DemoContext, describeCall, shortId, submit } from './calls.js';
import { lateness, seconds } from './narrator.js';

type Approach = 'sequential' | 'concurrent' | 'tasks';

interface Measured {
  wallMs: number;
  /** Per call: how long after its own work (seconds) the answer came. */
  latenessMs: number[];
}

const NAMES = ['A', 'B', 'C', 'D', 'E', 'F'];

/** One call's story: start line, the call, end line with its lateness. Returns the lateness in ms. */
async function narrated(ctx: DemoContext, approach: Approach, seconds_: number, label: string): Promise<number> {
  const { say } = ctx;
  const start = say.now();
  let text: string;
  if (approach === 'tasks') {
    say.client(`tools/call ${describeCall(ctx, seconds_, label)} as a task`);
    const task = await submit(ctx, ctx.session, seconds_, label);
    say.server(`task ${shortId(task.taskId)} created, status ${task.status} (answered in ${Math.round(say.now() - start)} ms)`);
    say.client(`tasks/result ${shortId(task.taskId)} (waits for the work)`);
    text = await awaitResult(ctx, ctx.session, task.taskId, label);
  } else {
    say.client(`tools/call ${describeCall(ctx, seconds_, label)}`);
    text = await callDirect(ctx, ctx.session, seconds_, label);
  }
  const took = say.now() - start;
  const late = took - seconds_ * 1000;
  say.server(`${text}  (started ${seconds(start)}, took ${seconds(took)}: work ${seconds_} s, ${lateness(late)})`);
  return late;
}

async function run(ctx: DemoContext, approach: Approach): Promise<Measured> {
  ctx.say.restartClock();
  const labels = ctx.durations.map((_, i) => ctx.label(`${approach}-${NAMES[i] ?? i}`));
  const t0 = performance.now();
  let latenessMs: number[];
  if (approach === 'sequential') {
    latenessMs = [];
    for (const [i, d] of ctx.durations.entries()) latenessMs.push(await narrated(ctx, approach, d, labels[i]!));
  } else {
    latenessMs = await Promise.all(ctx.durations.map((d, i) => narrated(ctx, approach, d, labels[i]!)));
  }
  return { wallMs: performance.now() - t0, latenessMs };
}

const TITLES: Record<Approach, string> = {
  sequential: '1) sequential: each call waits for the one before',
  concurrent: '2) concurrent direct calls: all three at once, each holds its request open',
  tasks: '3) tasks: each call answers a task at once; tasks/result collects the results',
};

export async function partApproaches(ctx: DemoContext): Promise<void> {
  const { say, durations } = ctx;
  const work = durations.reduce((a, b) => a + b, 0);
  say.part(
    0,
    'three approaches side by side',
    `Three calls of ${durations.join(', ')} s of work (${work.toFixed(1)} s in total, the longest ${Math.max(...durations)} s).`,
  );
  const measured = {} as Record<Approach, Measured>;
  for (const approach of ['sequential', 'concurrent', 'tasks'] as const) {
    say.plain(`  ${TITLES[approach]}`);
    measured[approach] = await run(ctx, approach);
    say.figure(`${approach}: ${seconds(measured[approach].wallMs)} wall clock`);
  }
  const { sequential, concurrent, tasks } = measured;
  say.plain('');
  say.figure(`sequential ${seconds(sequential.wallMs)} | concurrent direct ${seconds(concurrent.wallMs)} | tasks ${seconds(tasks.wallMs)}`);
  say.figure(
    `wake-up latency (answer minus work, median per call): sequential ${lateness(median(sequential.latenessMs))}, concurrent ${lateness(median(concurrent.latenessMs))}, tasks ${lateness(median(tasks.latenessMs))}`,
  );
  say.figure(
    `speedup ${(sequential.wallMs / tasks.wallMs).toFixed(2)}x with tasks over sequential, time saved ${seconds(sequential.wallMs - tasks.wallMs)} (concurrent direct calls: ${(sequential.wallMs / concurrent.wallMs).toFixed(2)}x; tasks also survive the connection, part 6)`,
  );
}
