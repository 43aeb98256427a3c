// Judges of the Task fields every task shape carries (EXT-TTL-01..03): the timestamps, ttlMs and
// pollIntervalMs, over a timeline of observations of one task (CreateTaskResult, tasks/get results,
// notifications/tasks params). Pure functions, so the rules are read in one place.
import { fail, info, pass, warn, worst, type Verdict } from '../../../harness/checks.js';
import type { JsonObject } from '../../../harness/scenario.js';
import { j } from '../../lib/format.js';

/** One Task shape as the server sent it, and where (e.g. "tasks/get #2"). */
export interface Observation {
  where: string;
  task: JsonObject;
  /** Ordering is only reliable within one channel (§4 rule 5): responses, or one subscription stream. */
  channel?: 'responses' | 'subscription';
}

/** RFC 3339 date-time (the profile of ISO 8601 the schema's format means). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function timestamp(o: Observation, field: 'createdAt' | 'lastUpdatedAt'): { ms?: number; verdict?: Verdict } {
  const v = o.task[field];
  if (typeof v !== 'string')
    return { verdict: fail(`${o.where}: ${field} must be an ISO 8601 string (ext §Tasks; schema Task), got ${j(v)}`) };
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) return { verdict: fail(`${o.where}: ${field} ${j(v)} is not a parseable ISO 8601 date-time`) };
  if (!RFC3339.test(v)) return { ms, verdict: warn(`${o.where}: ${field} ${j(v)} parses but is not RFC 3339 (e.g. 2026-07-28T12:00:00Z)`) };
  return { ms };
}

/** EXT-TTL-01 over the observations of one task, in the order they were received. */
export function judgeTimestamps(observations: Observation[]): Verdict {
  const verdicts: Verdict[] = [];
  let created: string | undefined;
  const lastUpdated = new Map<string, number>();
  for (const o of observations) {
    const c = timestamp(o, 'createdAt');
    const u = timestamp(o, 'lastUpdatedAt');
    for (const v of [c.verdict, u.verdict]) if (v) verdicts.push(v);
    if (typeof o.task.createdAt === 'string') {
      if (created !== undefined && created !== o.task.createdAt)
        verdicts.push(fail(`${o.where}: createdAt changed from ${created} to ${String(o.task.createdAt)}; it is the task's creation time`));
      created ??= o.task.createdAt;
    }
    if (c.ms !== undefined && u.ms !== undefined && u.ms < c.ms)
      verdicts.push(warn(`${o.where}: lastUpdatedAt ${String(o.task.lastUpdatedAt)} is before createdAt ${String(o.task.createdAt)}`));
    const channel = o.channel ?? 'responses';
    const previous = lastUpdated.get(channel);
    if (u.ms !== undefined) {
      if (previous !== undefined && u.ms < previous)
        verdicts.push(
          warn(`${o.where}: lastUpdatedAt went back in time (${new Date(previous).toISOString()} → ${String(o.task.lastUpdatedAt)})`),
        );
      lastUpdated.set(channel, u.ms);
    }
  }
  const problems = verdicts.filter((v) => v.status !== 'SUCCESS');
  if (problems.length) return worst(problems);
  return pass(`createdAt and lastUpdatedAt were RFC 3339 and consistent in all ${observations.length} task shapes`);
}

/** EXT-TTL-02: ttlMs a present integer >= 0 or null; pollIntervalMs an integer when present (<= 0 WARN). */
export function judgeTtlFields(observations: Observation[]): Verdict {
  const verdicts: Verdict[] = [];
  for (const { where, task } of observations) {
    if (!('ttlMs' in task)) {
      const legacy = 'ttl' in task ? ` (it carries the 2025-11-25 key ttl ${j(task.ttl)} instead)` : '';
      verdicts.push(fail(`${where}: ttlMs is missing; it is a required key (integer ms, or null for unlimited)${legacy}`));
    } else if (task.ttlMs !== null && !(Number.isInteger(task.ttlMs) && (task.ttlMs as number) >= 0))
      verdicts.push(fail(`${where}: ttlMs must be a non-negative integer or null, got ${j(task.ttlMs)}`));
    if ('pollIntervalMs' in task) {
      const p = task.pollIntervalMs;
      if (!Number.isInteger(p)) verdicts.push(fail(`${where}: pollIntervalMs must be an integer (ms), got ${j(p)}`));
      else if ((p as number) <= 0) verdicts.push(warn(`${where}: pollIntervalMs ${j(p)} is not a usable interval`));
    }
  }
  if (verdicts.length) return worst(verdicts);
  return pass(`ttlMs and pollIntervalMs were well-typed in all ${observations.length} task shapes`);
}

/** EXT-TTL-03: the values ttlMs and pollIntervalMs took over the task's life (changes are allowed). */
export function describeTtlChanges(observations: Observation[]): Verdict {
  const seen = (field: string) => [...new Set(observations.map((o) => j(o.task[field])))];
  const ttl = seen('ttlMs');
  const poll = seen('pollIntervalMs');
  const changed = ttl.length > 1 || poll.length > 1;
  return info(
    `${changed ? 'changed' : 'constant'} over ${observations.length} task shapes: ttlMs ${ttl.join(' → ')}, pollIntervalMs ${poll.join(' → ')}`,
  );
}
