// 2.A Capabilities and negotiation (T25-CAP-*): what the server declares in initialize, whether its
// tools agree with it, and whether it only uses the client capabilities that were negotiated.
import { fail, info, pass, warn, worst, type Verdict } from '../harness/checks.js';
import { isTerminal, RELATED_TASK, taskSupportOf } from '../harness/protocol.js';
import type { JsonObject, ServerRequest, ScenarioContext, Session } from '../harness/scenario.js';
import { validateDef } from '../harness/schema.js';
import {
  callTool,
  callToolAsTask,
  describeOutcome,
  listTasks,
  pollUntil,
  taskResult,
  untilTerminal,
  within,
  TIMED_OUT,
} from '../harness/tasks.js';
import { at, j } from './lib/format.js';
import { cancelQuietly, closeQuietly, releaseQuietly } from './lib/cleanup.js';
import { createdTask } from './lib/task-setup.js';
import { declaresToolTasks, hasGate, needTaskTool } from './lib/preconditions.js';
import { defineCheck, defineScenario } from './lib/define.js';

const CAP_01 = defineCheck(
  {
    id: 'T25-CAP-01',
    name: 'Task support is declared',
    description:
      'A server that supports task-augmented tools/call declares capabilities.tasks.requests.tools.call in its InitializeResult; this also applies when any tool advertises taskSupport optional/required or the server ever returns a CreateTaskResult.',
    level: 'MUST',
    specRefs: ['tasks §Capabilities', 'tasks §Tool-Level Negotiation r1'],
    fixtures: [],
  },
  async (ctx, c) => {
    const session = await ctx.session();
    const declared = declaresToolTasks(session);
    const advertising = ctx.fixtures.tools
      .map((t) => ({ name: String(t.name), support: taskSupportOf(t) }))
      .filter((t) => t.support === 'optional' || t.support === 'required');
    // Cross-check: any CreateTaskResult seen so far in the run (this scenario usually runs first, so
    // this mostly covers runs where it is selected after others).
    const creates = ctx
      .wire()
      .filter((e) => e.dir === 'recv' && e.transport === ctx.transport && e.answers?.method === 'tools/call')
      .filter((e) => isPlainObject(at(e.message, ['result', 'task'])))
      .map((e) => e.seq);
    c.note('capabilities.tasks', session.serverCapabilities.tasks ?? null);
    c.note(
      'toolsAdvertisingTaskSupport',
      advertising.map((t) => `${t.name}: ${t.support}`),
    );
    if (declared) return pass(`tasks.requests.tools.call is declared (${advertising.length} tool(s) advertise task support)`);
    // sep1686-check judges a Tasks implementation: a server with none gets this one FAILURE, the rest is skipped (issue 9).
    if (session.serverCapabilities.tasks === undefined && !advertising.length && !creates.length)
      return fail('this server does not implement MCP tasks (no `tasks` capability declared)');
    const problems: string[] = [];
    if (advertising.length)
      problems.push(`tools advertise task support without it: ${advertising.map((t) => `${t.name} (${t.support})`).join(', ')}`);
    if (creates.length) {
      c.note('createTaskResultWireSeqs', creates);
      problems.push(`${creates.length} CreateTaskResult(s) were received in this run (wire seq ${creates.slice(0, 5).join(', ')})`);
    }
    if (problems.length)
      return fail(`expected capabilities.tasks.requests.tools.call in the InitializeResult, but it is absent while ${problems.join('; ')}`);
    return pass('the server declares no task support for tools/call and no tool advertises taskSupport optional/required');
  },
);

const CAP_02 = defineCheck(
  {
    id: 'T25-CAP-02',
    name: 'Task capability members are objects',
    description:
      'tasks, tasks.list, tasks.cancel, tasks.requests, tasks.requests.tools and tasks.requests.tools.call are JSON objects when present (normally {}); presence means supported.',
    level: 'MUST',
    specRefs: ['schema ServerCapabilities', 'tasks §Capabilities'],
    fixtures: [],
  },
  async (ctx, c) => {
    const session = await ctx.session();
    const caps = session.serverCapabilities;
    c.note('capabilities.tasks', caps.tasks ?? null);
    if (caps.tasks === undefined) return pass('capabilities.tasks is absent (nothing to type-check)');
    const verdicts: Verdict[] = [];
    for (const path of TASK_MEMBERS) {
      const v = at(caps, path);
      const name = `capabilities.${path.join('.')}`;
      if (v === undefined) continue;
      if (isPlainObject(v)) verdicts.push(pass());
      else if (v === true)
        verdicts.push(warn(`${name} is true; the schema types it as an object ({}) (the prose says "boolean properties", A25-04)`));
      else verdicts.push(fail(`${name} must be a JSON object (normally {}), but is ${j(v)}`));
    }
    const v = worst(verdicts);
    return v.status === 'SUCCESS' ? pass(`every declared tasks member is an object: ${j(caps.tasks)}`) : v;
  },
);

const CAP_03 = defineCheck(
  {
    id: 'T25-CAP-03',
    name: 'Non-standard tasks.requests keys',
    description:
      'tasks.requests lists every request type the server will task-augment; for a server tools.call is the only defined one, other keys are non-standard (recorded).',
    level: 'MAY',
    specRefs: ['tasks §Capability Negotiation'],
    fixtures: [],
  },
  async (ctx, c) => {
    const session = await ctx.session();
    const requests = at(session.serverCapabilities, ['tasks', 'requests']);
    if (!isPlainObject(requests)) return info('capabilities.tasks.requests is absent: no request type is task-augmentable');
    const extraTop = Object.keys(requests as JsonObject).filter((k) => k !== 'tools');
    const tools = at(requests, ['tools']);
    const extraTools = isPlainObject(tools) ? Object.keys(tools as JsonObject).filter((k) => k !== 'call') : [];
    const extras = [...extraTop.map((k) => `tasks.requests.${k}`), ...extraTools.map((k) => `tasks.requests.tools.${k}`)];
    c.note('tasks.requests', requests);
    c.note('nonStandardKeys', extras);
    if (!extras.length) return info('tasks.requests declares only the standard tools.call');
    return info(`tasks.requests declares non-standard request types: ${extras.join(', ')} (only tools.call is defined for servers)`);
  },
);

const CAP_04 = defineCheck(
  {
    id: 'T25-CAP-04',
    name: 'Declared tasks/list and tasks/cancel work',
    description: 'If tasks.list is declared, tasks/list works; if tasks.cancel is declared, tasks/cancel works (neither returns -32601).',
    level: 'MUST',
    specRefs: ['tasks §Capability Negotiation'],
    fixtures: [],
  },
  async (ctx, c) => {
    const session = await ctx.session();
    const listDeclared = at(session.serverCapabilities, ['tasks', 'list']) !== undefined;
    const cancelDeclared = at(session.serverCapabilities, ['tasks', 'cancel']) !== undefined;
    const verdicts: Verdict[] = [];

    const listed = await listTasks(session);
    c.note('tasks/list', describeOutcome(listed));
    if (listDeclared) {
      if (listed.kind === 'error' && listed.error.code === -32601)
        verdicts.push(fail('tasks.list is declared, but tasks/list {} returned -32601 (Method not found)'));
      else if (listed.kind !== 'result')
        verdicts.push(fail(`tasks.list is declared, so tasks/list {} must return a ListTasksResult, but got ${describeOutcome(listed)}`));
      else {
        const bad = validateDef('ListTasksResult', listed.result);
        verdicts.push(
          bad ? fail(`tasks.list is declared, but tasks/list returned an invalid ListTasksResult: ${bad.errors.join('; ')}`) : pass(),
        );
      }
    } else {
      verdicts.push(info(`tasks.list is not declared; tasks/list {} answered ${describeOutcome(listed)} (unspecified, A25-13)`));
    }

    // tasks/cancel needs a running task; a gated one is provably still running.
    if (cancelDeclared || declaresToolTasks(session)) {
      const role = hasGate(ctx) ? 'F-GATE' : 'F-ECHO';
      const unusable = needTaskTool(ctx, session, role);
      if (unusable) {
        verdicts.push(await cancelRouted(session, cancelDeclared, `no running task to cancel (${unusable.message})`));
      } else {
        const gateId = ctx.nonce('g');
        let taskId: string | undefined;
        try {
          const args = role === 'F-GATE' ? { gateId } : { seconds: 5, label: ctx.nonce('cap04') };
          const created = await callToolAsTask(session, ctx.fixtures, role, args);
          taskId = createdTask(created)?.taskId;
          if (!taskId) {
            verdicts.push(
              await cancelRouted(
                session,
                cancelDeclared,
                `no running task to cancel (creating a ${role} task answered ${describeOutcome(created)})`,
              ),
            );
          } else {
            const cancelled = await session.request('tasks/cancel', { taskId });
            c.note('tasks/cancel', describeOutcome(cancelled));
            if (!cancelDeclared)
              verdicts.push(
                info(`tasks.cancel is not declared; tasks/cancel answered ${describeOutcome(cancelled)} (unspecified, A25-13)`),
              );
            else if (cancelled.kind === 'error' && cancelled.error.code === -32601)
              verdicts.push(fail('tasks.cancel is declared, but tasks/cancel on a running task returned -32601 (Method not found)'));
            else if (cancelled.kind !== 'result')
              verdicts.push(
                fail(`tasks.cancel is declared, so tasks/cancel on a running task must succeed, but got ${describeOutcome(cancelled)}`),
              );
            else verdicts.push(pass());
          }
        } finally {
          if (role === 'F-GATE') await releaseQuietly(session, ctx, gateId);
          else await cancelQuietly(session, taskId);
        }
      }
    }
    const v = worst(verdicts);
    if (v.status !== 'SUCCESS') return v;
    // INFO sub-verdicts say what could not be exercised; a pass must not hide them.
    const notes = verdicts.filter((x) => x.status === 'INFO' && x.message).map((x) => x.message);
    return pass(
      `declared operations work (list: ${listDeclared ? 'declared' : 'not declared'}, cancel: ${cancelDeclared ? 'declared' : 'not declared'})${notes.length ? `; ${notes.join('; ')}` : ''}`,
    );
  },
);

const CAP_05 = defineCheck(
  {
    id: 'T25-CAP-05',
    name: 'No task-augmented requests toward a client without tasks',
    description:
      'The server does not task-augment server-to-client requests (elicitation/create, sampling/createMessage with params.task) unless the client declared the matching tasks.requests.*; a client that declared no tasks capability gets no task-augmented requests.',
    level: 'SHOULD',
    specRefs: ['tasks §Capability Negotiation'],
    fixtures: ['F-ELICIT'],
  },
  async (ctx, c) => {
    // The main session declares no client `tasks` (ConnectOptions default, T25-CLI-02).
    const session = await ctx.session();
    const from = session.serverRequests().length;
    const direct = await callTool(session, ctx.fixtures, 'F-ELICIT', {}, {}, ctx.timeouts.settleMs);
    c.note('directCall', describeOutcome(direct));
    if (!needTaskTool(ctx, session, 'F-ELICIT')) {
      const o = await callToolAsTask(session, ctx.fixtures, 'F-ELICIT', {});
      const taskId = createdTask(o)?.taskId;
      c.note('taskCall', describeOutcome(o));
      if (taskId) await driveToTerminal(ctx, session, taskId, (k, v) => c.note(k, v));
    }
    const requests = session.serverRequests().slice(from);
    c.note(
      'serverRequests',
      requests.map((r) => ({ method: r.method, channel: r.channel, hasTask: r.params.task !== undefined })),
    );
    const augmented = requests.filter(
      (r) => (r.method === 'elicitation/create' || r.method === 'sampling/createMessage') && r.params.task !== undefined,
    );
    if (augmented.length) {
      return warn(
        `the client declared no capabilities.tasks, yet the server task-augmented ${augmented.length} request(s): ${augmented.map((r) => `${r.method} with params.task ${j(r.params.task)}`).join('; ')}`,
      );
    }
    if (!requests.length) return pass('the server sent no server-to-client request at all while running F-ELICIT');
    return pass(`${requests.length} server-to-client request(s), none with params.task`);
  },
);

const CAP_06 = defineCheck(
  {
    id: 'T25-CAP-06',
    name: 'Only negotiated client capabilities are used',
    description:
      'Only negotiated capabilities are used, including from inside a task: no elicitation/create to a client that did not declare elicitation, no sampling/createMessage to one that did not declare sampling.',
    level: 'MUST',
    specRefs: ['lifecycle §Operation'],
    fixtures: ['F-ELICIT'],
  },
  async (ctx, c) => {
    let bare: Session | undefined;
    try {
      bare = await ctx.connect({ capabilities: {} });
      bare.onServerRequest(decliningHandler);
      const s = bare;
      if (needTaskTool(ctx, s, 'F-ELICIT')) {
        // Without task support the same rule applies to the direct call.
        const direct = await callTool(s, ctx.fixtures, 'F-ELICIT', {}, {}, ctx.timeouts.settleMs);
        c.note('directCall', describeOutcome(direct));
      } else {
        const o = await callToolAsTask(s, ctx.fixtures, 'F-ELICIT', {}, { ttl: 60_000 });
        c.note('taskCall', describeOutcome(o));
        const taskId = createdTask(o)?.taskId;
        if (taskId) await driveToTerminal(ctx, s, taskId, (k, v) => c.note(k, v));
      }
      const used = s.serverRequests().filter((r) => r.method in CAPABILITY_OF);
      c.note(
        'serverRequests',
        s.serverRequests().map((r) => ({ method: r.method, channel: r.channel })),
      );
      if (used.length) {
        return fail(
          `the client initialized with capabilities {}, yet the server sent ${used.map((r) => `${r.method} (needs client capability "${CAPABILITY_OF[r.method]}")`).join(', ')}`,
        );
      }
      return pass('no elicitation/create, sampling/createMessage or roots/list was sent to a client that declared no capabilities');
    } finally {
      await closeQuietly(bare);
    }
  },
);

const TASK_MEMBERS: string[][] = [
  ['tasks'],
  ['tasks', 'list'],
  ['tasks', 'cancel'],
  ['tasks', 'requests'],
  ['tasks', 'requests', 'tools'],
  ['tasks', 'requests', 'tools', 'call'],
];

/** Server-to-client requests that need a client capability, by the capability they need. */
const CAPABILITY_OF: Record<string, string> = {
  'elicitation/create': 'elicitation',
  'sampling/createMessage': 'sampling',
  'roots/list': 'roots',
};

function isPlainObject(v: unknown): boolean {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Without a running task, tasks/cancel of an unknown taskId still shows whether the method exists (-32601 = not implemented). */
async function cancelRouted(session: Session, declared: boolean, why: string): Promise<Verdict> {
  const o = await session.request('tasks/cancel', { taskId: `unknown-${crypto.randomUUID()}` });
  const seen = `tasks/cancel only probed with an unknown taskId, ${why}: it answered ${describeOutcome(o)}`;
  if (declared && o.kind === 'error' && o.error.code === -32601) return fail(`tasks.cancel is declared, but ${seen} (Method not found)`);
  return info(seen);
}

/** Answers elicitations by declining (echoing related-task, T25-CLI-10); anything else gets -32601. */
function decliningHandler(req: ServerRequest): JsonObject | { code: number; message: string } {
  if (req.method === 'elicitation/create') {
    const related = (req.params._meta as JsonObject | undefined)?.[RELATED_TASK];
    return related ? { action: 'decline', _meta: { [RELATED_TASK]: related } } : { action: 'decline' };
  }
  return { code: -32601, message: `client does not support ${req.method}` };
}

const scenario = defineScenario({
  name: 'capabilities',
  description: '2.A Capabilities and negotiation (T25-CAP-*)',
  checks: [CAP_01, CAP_02, CAP_03, CAP_04, CAP_05, CAP_06],
});

/**
 * Gives a task the tasks/result channel (servers may deliver task requests only there, A25-10) and polls
 * it to terminal; cancels it if it does not settle, so nothing keeps running.
 */
async function driveToTerminal(
  ctx: ScenarioContext,
  session: Session,
  taskId: string,
  note: (k: string, v: unknown) => void,
): Promise<void> {
  const pending = taskResult(session, taskId, ctx.timeouts.settleMs + 5_000);
  const polled = await pollUntil(session, taskId, untilTerminal, ctx.timeouts.settleMs);
  const last = polled.observed.at(-1);
  note(
    'statusTimeline',
    polled.observed.map((t) => t.status),
  );
  if (polled.failure) note('pollFailure', describeOutcome(polled.failure));
  if (!last || !isTerminal(last.status)) {
    note('notTerminal', `task ${taskId} was not terminal within ${ctx.timeouts.settleMs} ms; cancelling it`);
    await cancelQuietly(session, taskId);
  }
  const r = await within(pending, 5_000);
  note('tasks/result', r === TIMED_OUT ? 'no response yet' : describeOutcome(r));
}

export default scenario;
