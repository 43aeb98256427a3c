// The -32021 MissingRequiredClientCapability answer a request without the extension must get (EXT-NOTIF-02
// here; the shape of ext §Protocol Errors): data.requiredCapabilities.extensions names the extension as an
// object, and over HTTP the status is 400.
import { fail, pass, type Verdict } from '../../../harness/checks.js';
import { MISSING_CAPABILITY, TASKS_EXTENSION } from '../../../harness/modern/envelope.js';
import type { RpcOutcome } from '../../../harness/scenario.js';
import { describeOutcome } from '../../../harness/tasks.js';
import { j } from '../../lib/format.js';

export function judgeMissingCapability(what: string, o: RpcOutcome): Verdict {
  if (o.kind !== 'error' || o.error.code !== MISSING_CAPABILITY)
    return fail(`${what} must answer -32021 (missing required client capability); got ${describeOutcome(o)}`);
  const required = (o.error.data as { requiredCapabilities?: { extensions?: Record<string, unknown> } } | undefined)?.requiredCapabilities;
  const ext = required?.extensions?.[TASKS_EXTENSION];
  if (typeof ext !== 'object' || ext === null || Array.isArray(ext))
    return fail(
      `${what} answered -32021, but data.requiredCapabilities.extensions["${TASKS_EXTENSION}"] is not an object: data ${j(o.error.data)}`,
    );
  if (o.http && o.http.status !== 400) return fail(`${what} answered -32021 with HTTP status ${o.http.status}; it must be 400`);
  return pass(`${what} answered -32021 naming the extension${o.http ? ' (HTTP 400)' : ''}`);
}
