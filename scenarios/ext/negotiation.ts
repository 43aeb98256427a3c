// 2.A Discovery and capability negotiation of the 2026-07-28 Tasks extension (EXT-NEG-*): server/discover,
// the advertised extension, and capabilities read from each request's own _meta, never from earlier ones.
import { fail, info, LEGACY_ERA, pass, skip, warn, worst, type Verdict } from '../../harness/checks.js';
import type { ModernClient } from '../../harness/modern/client.js';
import { EXT, LEGACY_TASKS_CAPS, MISSING_CAPABILITY, MODERN_VERSION, NOEXT, TASKS_EXTENSION } from '../../harness/modern/envelope.js';
import type { JsonObject, RpcOutcome, ScenarioContext } from '../../harness/scenario.js';
import { createTask, describeOutcome, getTask, ProbeError, releaseGate } from '../../harness/tasks.js';
import { j } from '../lib/format.js';
import { defineCheck, defineScenario } from '../lib/define.js';
import { callRole, codeOf, createdTask, httpStatusOf, looksLikeTask } from './lib/tasks.js';
import { createExtTask, withGatedTask } from './lib/task-flow.js';

const ECHO_ARGS = { seconds: 0, label: 'sep1686-neg' };

async function discover(c: ModernClient): Promise<{ outcome: RpcOutcome; result?: JsonObject }> {
  const outcome = await c.discover();
  return { outcome, result: outcome.kind === 'result' ? outcome.result : undefined };
}

const NEG_01 = defineCheck(
  {
    id: 'EXT-NEG-01',
    name: 'server/discover answers a valid DiscoverResult listing 2026-07-28',
    description:
      'The server implements server/discover: a DiscoverResult {resultType:"complete", supportedVersions, capabilities, ttlMs, cacheScope} whose supportedVersions contains the version under test.',
    level: 'MUST',
    specRefs: ['discover', 'versioning §Protocol Version Negotiation'],
    fixtures: [],
    withoutTasksExtension: true,
  },
  async (ctx) => {
    const c = await ctx.modern();
    const from = c.wireSeq();
    const { outcome, result } = await discover(c);
    if (!result) return fail(`server/discover must answer a DiscoverResult, but it ${describeOutcome(outcome)}`);
    const verdicts: Verdict[] = [];
    const bad = c.violations(from).map((v) => v.violation);
    if (bad.length) verdicts.push(fail(`the DiscoverResult violates the 2026-07-28 schema: ${bad.join('; ')}`));
    const versions = result.supportedVersions;
    if (!Array.isArray(versions) || !versions.includes(MODERN_VERSION))
      verdicts.push(fail(`supportedVersions ${j(versions)} does not contain ${MODERN_VERSION}, the version under test`));
    if (result.resultType !== 'complete') verdicts.push(fail(`resultType is ${j(result.resultType)}, not "complete"`));
    return verdicts.length ? worst(verdicts) : pass(`supportedVersions ${j(versions)}; cacheScope ${j(result.cacheScope)}`);
  },
);

const NEG_02 = defineCheck(
  {
    id: 'EXT-NEG-02',
    name: 'A server that creates tasks advertises the extension',
    description:
      'A server that ever returns a CreateTaskResult advertises capabilities.extensions["io.modelcontextprotocol/tasks"] as a JSON object in server/discover (no settings are defined, so it should be empty).',
    level: 'MUST',
    specRefs: ['ext §Capability Negotiation', 'versioning §Extension Negotiation'],
    fixtures: ['F-ECHO'],
    withoutTasksExtension: true,
  },
  async (ctx, c) => {
    const client = await ctx.modern();
    const { outcome, result } = await discover(client);
    if (!result) throw new ProbeError(`server/discover ${describeOutcome(outcome)}`, outcome);
    const caps = (result.capabilities ?? {}) as JsonObject;
    const advertised = (caps.extensions as JsonObject | undefined)?.[TASKS_EXTENSION];
    const created = await callRole(ctx, client, 'F-ECHO', ECHO_ARGS, { caps: EXT });
    const task = createdTask(created);
    c.note('tools/call with EXT', describeOutcome(created));
    if (advertised === undefined)
      return task
        ? fail(`tools/call answered a task (${String(task.taskId)}) but server/discover does not advertise ${TASKS_EXTENSION}`)
        : info(`the server neither advertises ${TASKS_EXTENSION} nor created a task`);
    if (typeof advertised !== 'object' || advertised === null || Array.isArray(advertised))
      return fail(`capabilities.extensions["${TASKS_EXTENSION}"] must be a JSON object, got ${j(advertised)}`);
    if (Object.keys(advertised).length) return warn(`the extension's settings object is not empty (${j(advertised)}); none are defined`);
    return pass(`${TASKS_EXTENSION}: {} advertised${task ? '; tools/call created a task' : ''}`);
  },
);

const NEG_03 = defineCheck(
  {
    id: 'EXT-NEG-03',
    name: 'No legacy tasks capability under 2026-07-28',
    description: 'The server does not advertise the 2025-11-25 capabilities.tasks (list, cancel, requests) in server/discover.',
    level: 'MUST',
    specRefs: ['SEP §Backward Compatibility'],
    fixtures: [],
    withoutTasksExtension: true,
  },
  async (ctx) => {
    const { outcome, result } = await discover(await ctx.modern());
    if (!result) throw new ProbeError(`server/discover ${describeOutcome(outcome)}`, outcome);
    const legacy = (result.capabilities as JsonObject | undefined)?.tasks;
    return legacy === undefined
      ? pass('capabilities.tasks is absent')
      : fail(`server/discover advertises the legacy capabilities.tasks ${j(legacy)}`);
  },
);

/** Client capabilities that do not declare the extension (EXT-NEG-04's variants; EXT-NEG-06's legacy one). */
const NOT_DECLARING: Array<[string, JsonObject]> = [
  ['{}', NOEXT],
  ['{extensions:{}}', { extensions: {} }],
  ['a look-alike extension id', { extensions: { [`${TASKS_EXTENSION}-x`]: {} } }],
  ['the id under experimental', { experimental: { [TASKS_EXTENSION]: {} } }],
];

/** R2 of EXT-NEG-04: the same call without the extension must not produce a task. */
async function noTaskWith(ctx: ScenarioContext, c: ModernClient, label: string, caps: JsonObject): Promise<Verdict> {
  const o = await callRole(ctx, c, 'F-ECHO', ECHO_ARGS, { caps });
  if (o.kind === 'result' && looksLikeTask(o.result))
    return fail(
      `with clientCapabilities ${label} the same tools/call answered a task (${j(o.result)}); capabilities come from each request only`,
    );
  if (o.kind === 'error' && o.error.code !== MISSING_CAPABILITY)
    return warn(`with clientCapabilities ${label} tools/call answered error ${o.error.code} (a CallToolResult or -32021 was expected)`);
  if (o.kind === 'timeout' || o.kind === 'closed') throw new ProbeError(`tools/call with ${label} ${describeOutcome(o)}`, o);
  return pass();
}

const NEG_04 = defineCheck(
  {
    id: 'EXT-NEG-04',
    name: 'No task for a request that does not declare the extension',
    description:
      'The server never returns a CreateTaskResult to a request whose own clientCapabilities lack the extension, whatever earlier requests declared.',
    level: 'MUST',
    specRefs: ['ext §Capability Negotiation', 'core §_meta'],
    fixtures: ['F-ECHO'],
  },
  async (ctx) => {
    const c = await ctx.modern();
    await createExtTask(ctx, c, 'F-ECHO', ECHO_ARGS, { caps: EXT });
    const verdicts = [];
    for (const [label, caps] of NOT_DECLARING) verdicts.push(await noTaskWith(ctx, c, label, caps));
    return worst(verdicts);
  },
);

/** EXT-NEG-05's expectation: -32021 naming the extension in requiredCapabilities, HTTP 400. */
function missingCapability(o: RpcOutcome, what: string, transport: string): Verdict {
  if (o.kind !== 'error') return fail(`${what} must answer -32021 (MissingRequiredClientCapability), but it ${describeOutcome(o)}`);
  if (o.error.code !== MISSING_CAPABILITY) return fail(`${what} must answer -32021, got ${o.error.code} "${o.error.message}"`);
  const required = (o.error.data as { requiredCapabilities?: { extensions?: JsonObject } } | undefined)?.requiredCapabilities;
  const ext = required?.extensions?.[TASKS_EXTENSION];
  if (typeof ext !== 'object' || ext === null)
    return fail(`${what}: -32021 must name ${TASKS_EXTENSION} in data.requiredCapabilities.extensions, got data ${j(o.error.data)}`);
  const status = httpStatusOf(o);
  if (transport === 'http' && status !== 400) return fail(`${what}: -32021 must come with HTTP 400, got ${status}`);
  return pass();
}

const NEG_05 = defineCheck(
  {
    id: 'EXT-NEG-05',
    name: 'A task-only request without the extension gets -32021',
    description:
      'A request that cannot be served without a task, from a client that did not declare the extension, gets -32021 with data.requiredCapabilities.extensions naming it (HTTP 400).',
    level: 'MUST',
    specRefs: ['ext §Capability Negotiation', 'core §_meta'],
    fixtures: ['F-REQ'],
  },
  async (ctx) => {
    const o = await callRole(ctx, await ctx.modern(), 'F-REQ', {}, { caps: NOEXT });
    return missingCapability(o, `tools/call ${ctx.fixtures.tool('F-REQ')} without the extension`, ctx.transport);
  },
);

/** The task methods without the extension (EXT-NEG-07, and EXT-NEG-06 with the legacy capability). */
function taskMethodsRefused(ctx: ScenarioContext, caps: JsonObject, label: string): Promise<Verdict> {
  return withGatedTask(ctx, async (c, { task }) => {
    const taskId = task.taskId as string;
    const verdicts: Verdict[] = [];
    for (const [method, params] of [
      ['tasks/get', { taskId }],
      ['tasks/update', { taskId, inputResponses: {} }],
      ['tasks/cancel', { taskId }],
    ] as const) {
      verdicts.push(
        missingCapability(await c.request(method, params, { caps }), `${method} with clientCapabilities ${label}`, ctx.transport),
      );
    }
    const after = await c.request('tasks/get', { taskId }, { caps: EXT });
    if (after.kind === 'result' && after.result.status !== 'working')
      verdicts.push(
        fail(`after the refused tasks/cancel the task is ${j(after.result.status)}, not working: the unauthorised cancel had an effect`),
      );
    return worst(verdicts);
  });
}

const NEG_06 = defineCheck(
  {
    id: 'EXT-NEG-06',
    name: 'The legacy tasks capability does not declare the extension',
    description:
      'A client that declares only the 2025-11-25 capability (clientCapabilities.tasks) counts as not declaring the extension: no task, -32021 for task-only tools and the task methods.',
    level: 'MUST',
    specRefs: ['SEP §Backward Compatibility'],
    fixtures: ['F-ECHO', 'F-REQ', 'F-GATE', 'F-GATE-RELEASE'],
  },
  async (ctx) => {
    const c = await ctx.modern();
    await createExtTask(ctx, c, 'F-ECHO', ECHO_ARGS, { caps: EXT });
    const label = 'with only the legacy tasks capability';
    const req = await callRole(ctx, c, 'F-REQ', {}, { caps: LEGACY_TASKS_CAPS });
    return worst([
      await noTaskWith(ctx, c, label, LEGACY_TASKS_CAPS),
      missingCapability(req, `tools/call ${ctx.fixtures.tool('F-REQ')} ${label}`, ctx.transport),
      await taskMethodsRefused(ctx, LEGACY_TASKS_CAPS, label),
    ]);
  },
);

const NEG_07 = defineCheck(
  {
    id: 'EXT-NEG-07',
    name: 'Task methods without the extension get -32021',
    description:
      'tasks/get, tasks/update and tasks/cancel in a request that does not declare the extension return -32021 with requiredCapabilities (HTTP 400), and have no effect.',
    level: 'MUST',
    specRefs: ['ext §Protocol Errors'],
    fixtures: ['F-GATE', 'F-GATE-RELEASE'],
  },
  async (ctx, c) => {
    const verdict = await taskMethodsRefused(ctx, NOEXT, '{}');
    // A-EXT-06: for an unknown id both -32021 and -32602 are MUSTs; -32021 is required only for real ids.
    const bogus = await (await ctx.modern()).request('tasks/get', { taskId: crypto.randomUUID() }, { caps: NOEXT });
    c.note('tasks/get of an unknown id without the extension', describeOutcome(bogus));
    const precedence =
      codeOf(bogus) === MISSING_CAPABILITY
        ? pass()
        : codeOf(bogus) === -32602
          ? warn('tasks/get of an unknown id without the extension answered -32602, not -32021 (precedence is ambiguous, A-EXT-06)')
          : fail(`tasks/get of an unknown id without the extension must be rejected, but it ${describeOutcome(bogus)}`);
    return worst([verdict, precedence]);
  },
);

const NEG_09 = defineCheck(
  {
    id: 'EXT-NEG-09',
    name: 'The server decides per request whether to create a task',
    description: 'A client that declares the extension may get either a task or a direct result; the harness records which.',
    level: 'MAY',
    specRefs: ['ext §Capability Negotiation'],
    fixtures: ['F-ECHO'],
  },
  async (ctx) => {
    const o = await callRole(ctx, await ctx.modern(), 'F-ECHO', ECHO_ARGS, { caps: EXT });
    if (o.kind !== 'result') return info(`tools/call with the extension ${describeOutcome(o)}`);
    return info(`tools/call ${ctx.fixtures.tool('F-ECHO')} with the extension answered resultType ${j(o.result.resultType)}`);
  },
);

const NEG_08 = defineCheck(
  {
    id: 'EXT-NEG-08',
    name: 'Under 2025-11-25 the extension capability switches nothing on',
    description:
      'On a dual-era server, a 2025-11-25 session that declares the extension at initialize gets plain CallToolResults from tools/call without task (no flat CreateTaskResult).',
    level: 'MUST',
    specRefs: ['SEP §Backward Compatibility'],
    fixtures: ['F-ECHO'],
  },
  async (ctx) => {
    if (!ctx.eras.includes('2025-11-25'))
      return skip('not-applicable', 'the server is not dual-era (it does not speak 2025-11-25 as well)', ['S-DUAL']);
    const session = await ctx.connect({ capabilities: { extensions: { [TASKS_EXTENSION]: {} }, elicitation: { form: {} } } });
    const o = await session.request('tools/call', { name: ctx.fixtures.tool('F-ECHO'), arguments: ctx.fixtures.args('F-ECHO', ECHO_ARGS) });
    if (o.kind !== 'result') throw new ProbeError(`tools/call on the 2025-11-25 session ${describeOutcome(o)}`, o);
    if (looksLikeTask(o.result))
      return fail(`a 2025-11-25 session that declared the extension got a task from tools/call without task: ${j(o.result)}`);
    return pass('plain CallToolResult on the 2025-11-25 session');
  },
);

/** One line for a recorded answer: the status it reports, or how it was refused. */
function recorded(o: RpcOutcome): string {
  if (o.kind === 'result') return `answered status ${j(o.result.status)}`;
  const status = httpStatusOf(o);
  return `${describeOutcome(o)}${status === undefined ? '' : ` (HTTP ${status})`}`;
}

const NEG_10 = defineCheck(
  {
    id: 'EXT-NEG-10',
    name: 'Legacy-declaring tasks/get and tasks/cancel on a 2025-11-25 task (recorded)',
    description:
      'On a dual-era server, a task created through the 2025-11-25 flow (initialize, tools/call with task) is read with tasks/get and then cancelled with tasks/cancel in 2026-07-28 requests whose clientCapabilities declare only the legacy tasks capability. The SEP says dual-era servers SHOULD keep allowing this; EXT-NEG-07 requires -32021 (A-EXT-07): what the server does is recorded.',
    level: 'SHOULD',
    specRefs: ['SEP §Backward Compatibility', 'A-EXT-07'],
    fixtures: ['F-GATE', 'F-GATE-RELEASE'],
  },
  async (ctx, c) => {
    if (!ctx.eras.includes(LEGACY_ERA))
      return skip('not-applicable', 'the server is not dual-era (it does not speak 2025-11-25 as well)', ['S-DUAL']);
    const session = await ctx.connect();
    const gateId = ctx.nonce('g');
    const task = await createTask(session, ctx.fixtures, 'F-GATE', { gateId });
    try {
      const client = await ctx.modern();
      const got = await client.request('tasks/get', { taskId: task.taskId }, { caps: LEGACY_TASKS_CAPS });
      const cancelled = await client.request('tasks/cancel', { taskId: task.taskId }, { caps: LEGACY_TASKS_CAPS });
      const read = await getTask(session, task.taskId);
      const after = read.kind === 'result' ? j(read.result.status) : describeOutcome(read);
      c.note('tasks/get', describeOutcome(got));
      c.note('tasks/cancel', describeOutcome(cancelled));
      c.note('statusOnTheLegacySession', after);
      return info(
        `on the 2025-11-25 task ${task.taskId}, legacy-declaring 2026-07-28 requests: tasks/get ${recorded(got)}; tasks/cancel ${recorded(cancelled)}; the 2025-11-25 session then reads it ${after} (A-EXT-07: SHOULD allow vs EXT-NEG-07's -32021)`,
      );
    } finally {
      await releaseGate(session, ctx.fixtures, gateId).catch(() => undefined);
    }
  },
);

export default defineScenario({
  name: 'ext-negotiation',
  description: '2026-07-28 discovery and capability negotiation of the Tasks extension (EXT-NEG-*)',
  era: '2026-07-28',
  checks: [NEG_01, NEG_02, NEG_03, NEG_04, NEG_05, NEG_06, NEG_07, NEG_08, NEG_09, NEG_10],
});
