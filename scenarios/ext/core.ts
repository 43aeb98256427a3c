// 2.M Core 2026-07-28 prerequisites that decide task outcomes (EXT-CORE-*): the required _meta fields,
// unsupported versions, no server->client requests, and no reliance on undeclared capabilities.
import { fail, info, pass, skip, worst, type Verdict } from '../../harness/checks.js';
import { envelope, EXT, EXT_E, META, UNSUPPORTED_VERSION } from '../../harness/modern/envelope.js';
import type { JsonObject } from '../../harness/scenario.js';
import { describeOutcome } from '../../harness/tasks.js';
import { j } from '../lib/format.js';
import { defineCheck, defineScenario } from '../lib/define.js';
import { callRole, codeOf, httpStatusOf } from './lib/tasks.js';
import { createExtTask } from './lib/task-flow.js';

const CORE_01 = defineCheck(
  {
    id: 'EXT-CORE-01',
    name: 'A request missing a required _meta field gets -32602',
    description: 'tasks/get whose _meta lacks clientCapabilities is rejected with -32602 (HTTP 400).',
    level: 'MUST',
    specRefs: ['core §_meta'],
    fixtures: ['F-ECHO'],
  },
  async (ctx) => {
    const c = await ctx.modern();
    const { task } = await createExtTask(ctx, c, 'F-ECHO', { seconds: 0, label: ctx.nonce('meta') }, { caps: EXT });
    const full = envelope(EXT);
    const verdicts: Verdict[] = [];
    // Only clientCapabilities: without protocolVersion a dual-era server may read the request as 2025-11-25.
    for (const drop of [META.clientCapabilities]) {
      const meta = Object.fromEntries(Object.entries(full).filter(([k]) => k !== drop));
      const o = await c.request('tasks/get', { taskId: task.taskId }, { meta });
      const what = `tasks/get without _meta["${drop}"]`;
      if (codeOf(o) !== -32602) verdicts.push(fail(`${what} must answer -32602, but it ${describeOutcome(o)}`));
      else if (ctx.transport === 'http' && httpStatusOf(o) !== 400)
        verdicts.push(fail(`${what}: -32602 must come with HTTP 400, got ${httpStatusOf(o)}`));
    }
    return verdicts.length ? worst(verdicts) : pass('-32602 without clientCapabilities');
  },
);

const CORE_02 = defineCheck(
  {
    id: 'EXT-CORE-02',
    name: 'An unsupported protocol version gets -32022',
    description:
      'tasks/get with protocolVersion "1900-01-01" (and the matching header) answers -32022 with data.supported[] and data.requested (HTTP 400).',
    level: 'MUST',
    specRefs: ['versioning'],
    fixtures: [],
  },
  async (ctx) => {
    const o = await (await ctx.modern()).request('tasks/get', { taskId: crypto.randomUUID() }, { caps: EXT, version: '1900-01-01' });
    if (o.kind !== 'error' || o.error.code !== UNSUPPORTED_VERSION)
      return fail(`protocolVersion "1900-01-01" must answer -32022, but it ${describeOutcome(o)}`);
    const data = (o.error.data ?? {}) as JsonObject;
    if (!Array.isArray(data.supported) || data.requested !== '1900-01-01')
      return fail(`-32022 must carry data.supported[] and data.requested "1900-01-01", got data ${j(o.error.data)}`);
    if (ctx.transport === 'http' && httpStatusOf(o) !== 400) return fail(`-32022 must come with HTTP 400, got ${httpStatusOf(o)}`);
    return pass(`-32022, supported ${j(data.supported)}`);
  },
);

const CORE_03 = defineCheck(
  {
    id: 'EXT-CORE-03',
    name: 'The server never sends a JSON-RPC request',
    description:
      'No server->client request (e.g. elicitation/create) on stdout or any SSE stream: input needs appear only as inputRequests (every 2026-07-28 connection of the run, after an input task of its own).',
    level: 'MUST',
    specRefs: ['core'],
    fixtures: ['F-ELICIT'],
  },
  async (ctx) => {
    const c = await ctx.modern();
    const { task } = await createExtTask(ctx, c, 'F-ELICIT', {}, { caps: EXT_E });
    await c.poll(task.taskId as string, (t) => t.status !== 'working', { caps: EXT_E });
    await c.request('tasks/cancel', { taskId: task.taskId }, { caps: EXT });
    const requests = ctx.wire().filter((e) => {
      const m = e.message as { method?: unknown; id?: unknown } | undefined;
      return e.dir === 'recv' && e.transport === ctx.transport && typeof m?.method === 'string' && m.id !== undefined;
    });
    if (requests.length)
      return fail(
        `the server sent ${requests.length} JSON-RPC request(s), e.g. ${(requests[0]!.message as { method: string }).method} (seq ${requests[0]!.seq}); forbidden in 2026-07-28`,
      );
    return pass('no server->client request');
  },
);

const CORE_04 = defineCheck(
  {
    id: 'EXT-CORE-04',
    name: 'No elicitation for a client that never declared it',
    description:
      'A task that needs elicitation, created and polled without elicitation declared, never surfaces elicitation/create in inputRequests (-32021 at creation or a failing task are fine).',
    level: 'MUST',
    specRefs: ['core §_meta', 'mrtr §Server Requirements'],
    fixtures: ['F-ELICIT'],
  },
  async (ctx, c) => {
    const client = await ctx.modern();
    const o = await callRole(ctx, client, 'F-ELICIT', {}, { caps: EXT });
    c.note('tools/call without elicitation', describeOutcome(o));
    if (o.kind === 'error') return pass(`tools/call without elicitation answered error ${o.error.code}`);
    if (o.kind !== 'result' || o.result.resultType !== 'task') return info(`tools/call without elicitation ${describeOutcome(o)}`);
    const taskId = o.result.taskId as string;
    const p = await client.poll(taskId, (t) => t.status !== 'working', { caps: EXT });
    await client.request('tasks/cancel', { taskId }, { caps: EXT });
    const asks = Object.values((p.task?.inputRequests ?? {}) as JsonObject).some(
      (r) => (r as JsonObject | undefined)?.method === 'elicitation/create',
    );
    if (asks) return fail('a task created and polled without elicitation declared surfaced elicitation/create in inputRequests');
    if (p.task?.status === 'working') return skip('not-applicable', 'the task never left working within T_SETTLE');
    return pass(`the task went ${j(p.task?.status)} without asking for elicitation`);
  },
);

export default defineScenario({
  name: 'ext-core',
  description: '2026-07-28 core prerequisites of task outcomes (EXT-CORE-*)',
  era: '2026-07-28',
  checks: [CORE_01, CORE_02, CORE_03, CORE_04],
});
