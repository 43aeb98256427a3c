// Part 4 of the demo: three tasks polled together, printing each live state transition as tasks/get
// reports it (working → completed), and a fourth task cancelled with tasks/cancel while it works.
import { isTerminal } from '../protocol.js';
import { describeOutcome, pollDelay, sleep } from '../tasks.js';
import { type DemoContext, DemoProblem, shortId, status, submit } from './calls.js';
import { seconds } from './narrator.js';
import { pollDeadline } from './parts.js';

interface Watched {
  name: string;
  taskId: string;
  work: number;
  status: string;
  history: string[];
}

export async function partWatch(ctx: DemoContext): Promise<void> {
  const { say } = ctx;
  say.part(
    4,
    'three tasks polled, one cancelled',
    'Watch every status change as tasks/get reports it; cancel a long task once the first is done.',
  );
  const plan = [
    { name: 'A', work: ctx.units(1) },
    { name: 'B', work: ctx.units(2) },
    { name: 'C', work: ctx.units(3) },
    { name: 'D', work: ctx.units(30) },
  ];
  const watched: Watched[] = await Promise.all(
    plan.map(async (p) => {
      const t = await submit(ctx, ctx.session, p.work, ctx.label(`watch-${p.name}`));
      return { name: p.name, taskId: t.taskId, work: p.work, status: t.status, history: [t.status] };
    }),
  );
  for (const w of watched)
    say.server(`task ${w.name} ${shortId(w.taskId)}: ${w.status} (${w.work} s of work${w === watched[3] ? ', to be cancelled' : ''})`);
  const victim = watched[3]!;
  let cancelled = false;
  let delay = 250;
  const deadline = pollDeadline(ctx.units(3));
  while (watched.some((w) => !isTerminal(w.status))) {
    await sleep(delay);
    for (const w of watched.filter((x) => !isTerminal(x.status))) {
      const now = await status(ctx.session, w.taskId);
      delay = pollDelay(now);
      if (now.status === w.status) continue;
      say.server(`task ${w.name}: ${w.status} → ${now.status}`);
      w.status = now.status;
      w.history.push(now.status);
    }
    if (!cancelled && watched.some((w) => w !== victim && isTerminal(w.status))) {
      cancelled = true;
      say.client(`tasks/cancel ${shortId(victim.taskId)} (task ${victim.name})`);
      const o = await ctx.session.request('tasks/cancel', { taskId: victim.taskId });
      if (o.kind === 'result') say.server(`tasks/cancel answered status ${String(o.result.status)}`);
      else say.problem(`tasks/cancel answered ${describeOutcome(o)}`);
    }
    if (performance.now() > deadline) throw new DemoProblem(`tasks still not done 30 s after their work should have ended`);
  }
  say.figure(`all four ended by ${seconds(say.now())}: ${watched.map((w) => `${w.name} ${w.history.join(' → ')}`).join('; ')}`);
  if (victim.status !== 'cancelled') say.problem(`task D ended ${victim.status}, not cancelled: tasks/cancel did not stop it`);
}
