// LC-08 without the gate fixtures: a ttl shorter than the work. An F-ECHO task whose work outlasts its
// ttl, with a tasks/result blocked on it: once createdAt + ttl has passed, is the still-working task
// deleted (the spec allows it, T25-TTL-05), what does the blocked tasks/result then answer, and does the
// work stop? Without gate_state the last one is only observable when the task is retained (a later
// status) — deleted, "cannot tell" is the honest answer. Some SDK servers crash here (FINDINGS R5):
// that crash is theirs, and this is the probe that shows it.
import { info, warn, type Verdict } from '../../harness/checks.js';
import { property } from '../../harness/profile.js';
import type { CheckContext, ScenarioContext, Session } from '../../harness/scenario.js';
import { createTask, describeOutcome, sleep, taskResult, TIMED_OUT, within } from '../../harness/tasks.js';
import { quietWindowMs, statusOf } from './task-setup.js';

/** The work outlasts the ttl (plus the quiet window) by this much. */
const WORK_BEYOND_TTL_MS = 3000;

export async function ttlShorterThanWork(
  ctx: ScenarioContext,
  s: Session,
  c: CheckContext,
  ttlMs: number,
  budgetMs: number,
): Promise<Verdict> {
  const quiet = quietWindowMs(ctx);
  const workMs = ttlMs + quiet + WORK_BEYOND_TTL_MS;
  const sent = Date.now();
  const task = await createTask(s, ctx.fixtures, 'F-ECHO', { seconds: workMs / 1000, label: ctx.nonce('lc08') }, { ttl: ttlMs });
  const ttl = task.ttl;
  c.note('granted', { requestedTtl: ttlMs, ttl, workMs, basis: 'no gate_state fixture: a timed F-ECHO whose work outlasts its ttl' });
  const pending = taskResult(s, task.taskId, workMs + ctx.timeouts.settleMs + ctx.timeouts.requestMs);
  const withValue = (v: Verdict, value: boolean | null): Verdict => ({ ...v, profile: property('ttlHonoured', value) });
  if (typeof ttl !== 'number' || ttl > budgetMs || ttl >= workMs) {
    await within(pending, workMs + quiet);
    return withValue(
      info(
        `the server granted ttl ${JSON.stringify(ttl)} for a requested ${ttlMs} ms, which the ${workMs} ms work does not outlast: no expiry to observe`,
      ),
      null,
    );
  }
  await sleep(Math.max(0, sent + ttl + quiet - Date.now()));
  const seen = await statusOf(s, task.taskId);
  c.note('afterTtl', seen.status ?? describeOutcome(seen.outcome));
  if (seen.status !== 'not-found') {
    // Retained past its ttl: whether the work goes on is visible in its later status.
    const answered = await within(pending, workMs + quiet);
    const later = await statusOf(s, task.taskId);
    c.note('blockedTasksResult', answered === TIMED_OUT ? 'no answer' : describeOutcome(answered));
    return withValue(
      info(
        `a still-working task was retained past its ttl (${ttl} ms): tasks/get answered ${JSON.stringify(seen.status ?? describeOutcome(seen.outcome))} at createdAt + ttl + ${quiet} ms, then ${JSON.stringify(later.status ?? describeOutcome(later.outcome))} once its work (${workMs} ms) was due; the blocked tasks/result answered ${answered === TIMED_OUT ? 'nothing' : describeOutcome(answered)}. Allowed (deletion is a MAY), but the ttl does not free resources`,
      ),
      false,
    );
  }
  const answered = await within(pending, Math.max(quiet, sent + workMs + quiet - Date.now()));
  const what = answered === TIMED_OUT ? `nothing within the work's ${workMs} ms` : describeOutcome(answered);
  c.note('blockedTasksResult', what);
  if (answered === TIMED_OUT)
    return withValue(
      warn(
        `the still-working task was deleted at its ttl (${ttl} ms; allowed), but the tasks/result blocked on it answered ${what}: answer a waiting tasks/result (-32602) when its task is deleted`,
      ),
      false,
    );
  return withValue(
    info(
      `the still-working task was deleted at its ttl (${ttl} ms; allowed) and the blocked tasks/result answered ${what}; whether its work stopped cannot be told without the gate_state fixture (F-GATE-STATE)`,
    ),
    null,
  );
}
