// Field rules over every observed Task: taskId type (T25-ID-01), createdAt / lastUpdatedAt format and
// monotonicity (T25-TTL-01/02), ttl (T25-TTL-03), pollInterval (T25-TTL-07).
import { fail, info, pass, warn, worst, type TransportName, type Verdict } from '../../harness/checks.js';
import { RFC3339 } from '../../harness/protocol.js';
import { describeObservation, noTaskObserved, ordering, timelines, type TaskObservation } from './observations.js';

const MAX_CITED = 10;

const cite = (o: TaskObservation, field: string) => ({
  seq: o.seq,
  kind: o.kind,
  taskId: o.taskId,
  [field]: field in o.task ? o.task[field] : '(missing)',
});

function examples(list: TaskObservation[], field: string): string {
  return list
    .slice(0, 3)
    .map((o) => `${field in o.task ? JSON.stringify(o.task[field]) : 'missing'} in ${describeObservation(o)}`)
    .join('; ');
}

/** T25-ID-01: taskId is a JSON string (and, for the harness, not empty). */
export function taskIdsAreStrings(obs: TaskObservation[]): Verdict {
  if (obs.length === 0) return noTaskObserved();
  const notString = obs.filter((o) => typeof o.taskId !== 'string');
  const empty = obs.filter((o) => o.taskId === '');
  const verdicts: Verdict[] = [];
  if (notString.length)
    verdicts.push(
      fail(`${notString.length} Task(s) whose taskId is not a string: ${examples(notString, 'taskId')}`, {
        notString: notString.slice(0, MAX_CITED).map((o) => cite(o, 'taskId')),
      }),
    );
  if (empty.length) verdicts.push(warn(`${empty.length} Task(s) with an empty taskId: ${examples(empty, 'taskId')}`));
  verdicts.push(pass(`all ${obs.length} observed taskIds are non-empty strings`));
  return worst(verdicts);
}

/** ISO 8601 forms that are not RFC 3339 profile: no offset, basic format, space separator, hour-only offset. */
const ISO8601 = /^\d{4}-?\d{2}-?\d{2}[T ]\d{2}(:?\d{2}(:?\d{2}([.,]\d+)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/i;

export type TimestampForm = 'rfc3339' | 'iso8601' | 'invalid' | 'missing';

export function timestampForm(task: Record<string, unknown>, field: string): TimestampForm {
  if (!(field in task) || task[field] === undefined) return 'missing';
  const v = task[field];
  if (typeof v !== 'string') return 'invalid';
  if (RFC3339.test(v) && !Number.isNaN(Date.parse(v))) return 'rfc3339';
  return ISO8601.test(v) ? 'iso8601' : 'invalid';
}

function timestampFormat(obs: TaskObservation[], field: 'createdAt' | 'lastUpdatedAt'): Verdict[] {
  const forms = obs.map((o) => ({ o, form: timestampForm(o.task, field) }));
  const missing = forms.filter((f) => f.form === 'missing').map((f) => f.o);
  const invalid = forms.filter((f) => f.form === 'invalid').map((f) => f.o);
  const loose = forms.filter((f) => f.form === 'iso8601').map((f) => f.o);
  const verdicts: Verdict[] = [];
  if (missing.length)
    verdicts.push(
      fail(`${missing.length} Task(s) without ${field}: ${examples(missing, field)}`, {
        [`${field}Missing`]: missing.slice(0, MAX_CITED).map((o) => cite(o, field)),
      }),
    );
  if (invalid.length) {
    verdicts.push(
      fail(`${invalid.length} Task(s) whose ${field} is not an ISO 8601 / RFC 3339 timestamp: ${examples(invalid, field)}`, {
        [`${field}Invalid`]: invalid.slice(0, MAX_CITED).map((o) => cite(o, field)),
      }),
    );
  }
  if (loose.length) {
    verdicts.push(
      warn(`${loose.length} Task(s) whose ${field} is ISO 8601 but not RFC 3339 (e.g. no UTC offset): ${examples(loose, field)}`, {
        [`${field}NotRfc3339`]: loose.slice(0, MAX_CITED).map((o) => cite(o, field)),
      }),
    );
  }
  return verdicts;
}

/** T25-TTL-01: every Task carries an RFC 3339 createdAt. */
export function createdAtFormat(obs: TaskObservation[]): Verdict {
  if (obs.length === 0) return noTaskObserved();
  return worst([...timestampFormat(obs, 'createdAt'), pass(`all ${obs.length} Task(s) carry an RFC 3339 createdAt`)]);
}

const instant = (o: TaskObservation, field: string) => (typeof o.task[field] === 'string' ? Date.parse(o.task[field] as string) : NaN);

/**
 * T25-TTL-02: every Task carries an RFC 3339 lastUpdatedAt (FAIL); semantics WARN only: not before
 * createdAt, and never decreasing between observations whose order is certain (A25-19).
 */
export function lastUpdatedAt(obs: TaskObservation[], transport: TransportName): Verdict {
  if (obs.length === 0) return noTaskObserved();
  const verdicts = timestampFormat(obs, 'lastUpdatedAt');
  const beforeCreated = obs.filter((o) => instant(o, 'lastUpdatedAt') < instant(o, 'createdAt'));
  if (beforeCreated.length) {
    verdicts.push(
      warn(
        `${beforeCreated.length} Task(s) with lastUpdatedAt before createdAt: ${beforeCreated
          .slice(0, 3)
          .map((o) => `${String(o.task.lastUpdatedAt)} < ${String(o.task.createdAt)} in ${describeObservation(o)}`)
          .join('; ')}`,
      ),
    );
  }
  const backwards: Array<{ taskId: unknown; from: unknown; to: unknown; fromSeq: number; toSeq: number }> = [];
  for (const list of timelines(obs).values()) {
    for (let j = 0; j < list.length; j++) {
      const b = list[j]!;
      const tb = instant(b, 'lastUpdatedAt');
      if (Number.isNaN(tb)) continue;
      const a = list.slice(0, j).find((x) => instant(x, 'lastUpdatedAt') > tb && ordering(x, b, transport) === 'certain');
      if (a) backwards.push({ taskId: b.taskId, from: a.task.lastUpdatedAt, to: b.task.lastUpdatedAt, fromSeq: a.seq, toSeq: b.seq });
    }
  }
  if (backwards.length) {
    verdicts.push(
      warn(
        `lastUpdatedAt went backwards for ${new Set(backwards.map((b) => b.taskId)).size} task(s): ${backwards
          .slice(0, 3)
          .map((b) => `${String(b.taskId)}: ${String(b.from)} (seq ${b.fromSeq}) then ${String(b.to)} (seq ${b.toSeq})`)
          .join('; ')}`,
        {
          lastUpdatedAtBackwards: backwards.slice(0, MAX_CITED),
        },
      ),
    );
  }
  verdicts.push(pass(`all ${obs.length} Task(s) carry an RFC 3339 lastUpdatedAt, not before createdAt and never decreasing`));
  return worst(verdicts);
}

/** T25-TTL-03: ttl present in every Task (tasks/get above all): null or a non-negative integer. */
export function ttlPresent(obs: TaskObservation[]): Verdict {
  if (obs.length === 0) return noTaskObserved();
  const verdicts: Verdict[] = [];
  const missing = obs.filter((o) => !('ttl' in o.task));
  const missingInGet = missing.filter((o) => o.kind === 'get');
  const missingElsewhere = missing.filter((o) => o.kind !== 'get');
  if (missingInGet.length)
    verdicts.push(
      fail(
        `${missingInGet.length} tasks/get result(s) without ttl (it must carry the actual ttl, or null): ${examples(missingInGet, 'ttl')}`,
        { ttlMissingInGet: missingInGet.slice(0, MAX_CITED).map((o) => cite(o, 'ttl')) },
      ),
    );
  if (missingElsewhere.length) {
    verdicts.push(
      fail(`${missingElsewhere.length} Task(s) without ttl (the schema requires it in every Task): ${examples(missingElsewhere, 'ttl')}`, {
        ttlMissing: missingElsewhere.slice(0, MAX_CITED).map((o) => cite(o, 'ttl')),
      }),
    );
  }
  const present = obs.filter((o) => 'ttl' in o.task && o.task.ttl !== null);
  const wrongType = present.filter((o) => typeof o.task.ttl !== 'number' || !Number.isFinite(o.task.ttl));
  const negative = present.filter((o) => typeof o.task.ttl === 'number' && o.task.ttl < 0);
  const fractional = present.filter((o) => typeof o.task.ttl === 'number' && o.task.ttl >= 0 && !Number.isInteger(o.task.ttl));
  if (wrongType.length)
    verdicts.push(
      fail(`${wrongType.length} Task(s) whose ttl is neither a number nor null: ${examples(wrongType, 'ttl')}`, {
        ttlWrongType: wrongType.slice(0, MAX_CITED).map((o) => cite(o, 'ttl')),
      }),
    );
  if (negative.length) verdicts.push(fail(`${negative.length} Task(s) with a negative ttl: ${examples(negative, 'ttl')}`));
  if (fractional.length)
    verdicts.push(
      warn(`${fractional.length} Task(s) with a fractional ttl (the JSON Schema says integer, A25-05): ${examples(fractional, 'ttl')}`),
    );
  verdicts.push(pass(`all ${obs.length} Task(s) carry ttl as an integer or null`));
  return worst(verdicts);
}

/** T25-TTL-07: pollInterval, when present, is a positive integer number of ms. */
export function pollIntervalType(obs: TaskObservation[]): Verdict {
  const present = obs.filter((o) => 'pollInterval' in o.task && o.task.pollInterval !== undefined);
  if (present.length === 0) return obs.length ? info('no Task carried pollInterval (it is optional)') : noTaskObserved();
  const verdicts: Verdict[] = [];
  const notNumber = present.filter((o) => typeof o.task.pollInterval !== 'number' || !Number.isFinite(o.task.pollInterval));
  const odd = present.filter(
    (o) =>
      typeof o.task.pollInterval === 'number' &&
      Number.isFinite(o.task.pollInterval) &&
      (!Number.isInteger(o.task.pollInterval) || o.task.pollInterval <= 0),
  );
  if (notNumber.length)
    verdicts.push(
      fail(`${notNumber.length} Task(s) whose pollInterval is not a number: ${examples(notNumber, 'pollInterval')}`, {
        pollIntervalNotNumber: notNumber.slice(0, MAX_CITED).map((o) => cite(o, 'pollInterval')),
      }),
    );
  if (odd.length)
    verdicts.push(warn(`${odd.length} Task(s) whose pollInterval is not a positive integer: ${examples(odd, 'pollInterval')}`));
  const values = [...new Set(present.map((o) => o.task.pollInterval))].slice(0, 5);
  verdicts.push(pass(`${present.length} Task(s) carried pollInterval as a positive integer (values: ${values.map(String).join(', ')})`));
  return worst(verdicts);
}
