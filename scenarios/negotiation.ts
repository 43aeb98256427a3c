// 2.B Task support and tool-level negotiation (T25-SUP-*, T25-TOOL-*): what happens when the
// requestor's use of `task` does not match what the server or the tool declared.
import { fail, info, pass, skip, warn, worst, type Verdict } from '../harness/checks.js';
import { taskSupportOf, TaskSupport, textOf } from '../harness/protocol.js';
import type { JsonObject, RpcOutcome, ScenarioContext, Session } from '../harness/scenario.js';
import { validateDef } from '../harness/schema.js';
import { callTool, callToolAsTask, describeOutcome } from '../harness/tasks.js';
import { at, j } from './lib/format.js';
import { cancelQuietly } from './lib/cleanup.js';
import { createdTask } from './lib/task-setup.js';
import { declaresToolTasks, toolEntry } from './lib/preconditions.js';
import { defineCheck, defineScenario } from './lib/define.js';

const SUP_01 = defineCheck(
  {
    id: 'T25-SUP-01',
    name: 'Undeclared request types ignore task',
    description:
      'Requests of a type for which the server did not declare task support are processed normally; any task field on them is ignored.',
    level: 'MUST',
    specRefs: ['tasks §Task Support and Handling r1'],
    fixtures: [],
  },
  async (ctx, c) => {
    const session = await ctx.session();
    const verdicts: Verdict[] = [];

    // (a) F-RES: resources/read or prompts/get are never task-augmentable toward a server.
    const req = await nonTaskRequest(ctx, session);
    if (req) {
      const withTask = await session.request(req.method, { ...req.params, task: { ttl: 60_000 } });
      c.note(`${req.method} with task`, describeOutcome(withTask));
      if (withTask.kind === 'result') {
        const bad = validateDef(req.resultDef, withTask.result);
        if (withTask.result.task !== undefined)
          verdicts.push(
            fail(`${req.method} with a task field must be processed normally, but the result carries task ${j(withTask.result.task)}`),
          );
        else if (bad)
          verdicts.push(
            fail(
              `${req.method} with a task field must return a normal ${req.resultDef}, but the result is invalid: ${bad.errors.join('; ')}`,
            ),
          );
        else verdicts.push(pass());
      } else {
        // Only an error the task field caused is a violation: compare with the same request without it.
        const plain = await session.request(req.method, req.params);
        c.note(`${req.method} without task`, describeOutcome(plain));
        if (plain.kind === 'result')
          verdicts.push(
            fail(
              `${req.method} ${j(req.params)} succeeds without task, but with task {ttl:60000} it answered ${describeOutcome(withTask)}; the task field must be ignored`,
            ),
          );
        else
          verdicts.push(
            info(
              `${req.method} ${j(req.params)} fails with and without task (${describeOutcome(plain)}), so the effect of task cannot be judged`,
            ),
          );
      }
    }

    // (b) S-NOTASK: a server without tasks.requests.tools.call processes a task-augmented tools/call normally.
    const role = ctx.fixtures.has('F-ECHO') ? 'F-ECHO' : ctx.fixtures.has('F-SYNC') ? 'F-SYNC' : undefined;
    const noTasks = !declaresToolTasks(session);
    if (noTasks && role) {
      const args = role === 'F-ECHO' ? { seconds: 0, label: ctx.nonce('sup') } : { name: ctx.nonce('sup') };
      const o = await callToolAsTask(session, ctx.fixtures, role, args, { ttl: 60_000 });
      c.note('tools/call with task (no tasks capability)', describeOutcome(o));
      if (o.kind !== 'result')
        verdicts.push(
          fail(
            `the server does not declare tasks.requests.tools.call, so tools/call with task must be processed normally, but it answered ${describeOutcome(o)}`,
          ),
        );
      else if (createdTask(o) || o.result.task !== undefined) {
        await cancelQuietly(session, createdTask(o)?.taskId);
        verdicts.push(
          fail(
            `the server does not declare tasks.requests.tools.call, so the task field must be ignored, but it answered ${outcomeShape(o)}`,
          ),
        );
      } else if (!Array.isArray(o.result.content)) verdicts.push(fail(`expected a CallToolResult with content, got ${describeOutcome(o)}`));
      else verdicts.push(pass());
    }

    if (!verdicts.length) {
      const why = noTasks
        ? 'no fixture tool to call'
        : 'the server declares tasks.requests.tools.call (part b needs S-NOTASK: a server started without task support)';
      return skip('missing-fixture', `needs a resource or prompt (F-RES) for part (a); ${why}`, ['F-RES', 'S-NOTASK']);
    }
    const v = worst(verdicts);
    if (v.status !== 'SUCCESS') return v;
    const parts = [
      req ? `${req.method} with task returned a normal ${req.resultDef}` : '',
      noTasks && role ? 'tools/call with task on a server without task support returned a CallToolResult' : '',
    ];
    return pass(parts.filter(Boolean).join('; '));
  },
);

const SUP_02 = defineCheck(
  {
    id: 'T25-SUP-02',
    name: 'Non-augmented requests may be rejected',
    description: 'A server that declared task support for a request type may reject non-augmented requests of that type (recorded).',
    level: 'MAY',
    specRefs: ['tasks §Task Support and Handling r2'],
    fixtures: [],
  },
  async (ctx, c) => {
    const session = await ctx.session();
    if (!declaresToolTasks(session))
      return info('the server declares no task support for tools/call, so it has no reason to reject plain calls');
    const byTool = ctx.fixtures.tools.map((t) => `${String(t.name)}: ${String(taskSupportOf(t))}`);
    c.note('taskSupportByTool', byTool);
    const observed: string[] = [];
    for (const [role, args] of [
      ['F-ECHO', { seconds: 0, label: ctx.nonce('sup2') }],
      ['F-REQ', {}],
    ] as const) {
      if (!ctx.fixtures.has(role)) continue;
      const o = await callTool(session, ctx.fixtures, role, args);
      const support = String(taskSupportOf(toolEntry(ctx, role) ?? {}));
      // An isError result is a refusal dressed as a result (e.g. the TS SDK's wrapped -32601), not an acceptance.
      const answer =
        o.kind !== 'result'
          ? `rejected, ${describeOutcome(o)}`
          : o.result.isError === true
            ? `answered an isError result, ${describeOutcome(o)}`
            : 'accepted';
      observed.push(`${ctx.fixtures.tool(role)} (${support}) without task: ${answer}`);
    }
    const required = ctx.fixtures.tools.filter((t) => taskSupportOf(t) === 'required').map((t) => String(t.name));
    c.note('plainCalls', observed);
    return info(
      `tools requiring task augmentation: ${required.length ? required.join(', ') : 'none'}${observed.length ? `; ${observed.join('; ')}` : ''}`,
    );
  },
);

const TOOL_01 = defineCheck(
  {
    id: 'T25-TOOL-01',
    name: 'taskSupport values are valid',
    description:
      'execution.taskSupport, when present, is one of "forbidden", "optional", "required"; absent (or absent execution) means "forbidden".',
    level: 'MUST',
    specRefs: ['schema ToolExecution', 'tools'],
    fixtures: [],
  },
  async (ctx, c) => {
    const problems: string[] = [];
    const counts: Record<string, number> = {};
    for (const t of ctx.fixtures.tools) {
      const execution = t.execution;
      if (execution !== undefined && (execution === null || typeof execution !== 'object' || Array.isArray(execution))) {
        problems.push(`${String(t.name)}: execution must be an object, got ${j(execution)}`);
        continue;
      }
      const ts = (execution as JsonObject | undefined)?.taskSupport;
      if (ts !== undefined && !TaskSupport.safeParse(ts).success)
        problems.push(`${String(t.name)}: execution.taskSupport ${j(ts)} is not "forbidden", "optional" or "required"`);
      const key = ts === undefined ? 'absent (forbidden)' : String(ts);
      counts[key] = (counts[key] ?? 0) + 1;
    }
    c.note('taskSupportCounts', counts);
    if (problems.length) return fail(problems.join('; '));
    return pass(`${ctx.fixtures.tools.length} tool(s), every taskSupport valid: ${j(counts)}`);
  },
);

const TOOL_02 = defineCheck(
  {
    id: 'T25-TOOL-02',
    name: 'Task call to a forbidden tool returns -32601',
    description: 'tools/call with task on a tool whose taskSupport is absent or "forbidden" returns JSON-RPC error -32601.',
    level: 'SHOULD',
    specRefs: ['tasks §Tool-Level Negotiation r2.1'],
    fixtures: ['F-SYNC'],
  },
  async (ctx, c) => {
    const session = await ctx.session();
    const pre = negotiablePrecondition(ctx, session, 'F-SYNC', ['forbidden']);
    if (pre) return pre;
    const o = await callToolAsTask(session, ctx.fixtures, 'F-SYNC', { name: ctx.nonce('tool02') }, { ttl: 60_000 });
    c.note('outcome', describeOutcome(o));
    await cancelQuietly(session, createdTask(o)?.taskId);
    if (o.kind === 'error' && o.error.code === -32601) return pass('tools/call with task on a forbidden tool returned -32601');
    return warn(
      `expected JSON-RPC error -32601 for tools/call with task on ${ctx.fixtures.tool('F-SYNC')} (taskSupport forbidden), got ${outcomeShape(o)} (A25-20)`,
    );
  },
);

const TOOL_03 = defineCheck(
  {
    id: 'T25-TOOL-03',
    name: 'Plain call to a required tool returns -32601',
    description: 'tools/call without task on a tool whose taskSupport is "required" returns JSON-RPC error -32601.',
    level: 'MUST',
    specRefs: ['tasks §Tool-Level Negotiation r2.3'],
    fixtures: ['F-REQ'],
  },
  async (ctx, c) => {
    const session = await ctx.session();
    const pre = negotiablePrecondition(ctx, session, 'F-REQ', ['required']);
    if (pre) return pre;
    const o = await callTool(session, ctx.fixtures, 'F-REQ', {});
    c.note('outcome', describeOutcome(o));
    const tool = ctx.fixtures.tool('F-REQ');
    if (o.kind === 'error' && o.error.code === -32601) return pass(`tools/call without task on ${tool} (required) returned -32601`);
    if (o.kind === 'error' && o.error.code === -32600)
      return warn(
        `tools/call without task on ${tool} (required) returned -32600; the tool-level rule requires -32601 (the error-handling section allows -32600, A25-01)`,
      );
    if (o.kind === 'result') {
      const text = textOf(o.result) ?? '';
      const hint =
        o.result.isError && /32601/.test(text)
          ? ' (the -32601 was wrapped into a CallToolResult with isError:true, as the TS SDK v1 McpServer does)'
          : '';
      return fail(
        `tools/call without task on ${tool} (taskSupport required) must return JSON-RPC error -32601, but it returned ${outcomeShape(o)}${hint}`,
      );
    }
    return fail(`tools/call without task on ${tool} (taskSupport required) must return JSON-RPC error -32601, got ${describeOutcome(o)}`);
  },
);

const TOOL_04 = defineCheck(
  {
    id: 'T25-TOOL-04',
    name: 'Optional tools work both ways',
    description:
      'A taskSupport "optional" tool can be called either way: without task it returns a CallToolResult, with task a CreateTaskResult.',
    level: 'MAY',
    specRefs: ['tasks §Tool-Level Negotiation r2.2'],
    fixtures: ['F-ECHO'],
    requires: ['F-ECHO as task'],
  },
  async (ctx, c) => {
    const session = await ctx.session();
    const pre = negotiablePrecondition(ctx, session, 'F-ECHO', ['optional']);
    if (pre) return pre;
    const args = { seconds: 0, label: ctx.nonce('tool04') };
    const plain = await callTool(session, ctx.fixtures, 'F-ECHO', args);
    const asTask = await callToolAsTask(session, ctx.fixtures, 'F-ECHO', args, { ttl: 60_000 });
    c.note('plain', describeOutcome(plain));
    c.note('asTask', describeOutcome(asTask));
    const verdicts: Verdict[] = [];
    const tool = ctx.fixtures.tool('F-ECHO');
    if (plain.kind !== 'result')
      verdicts.push(
        warn(
          `${tool} is optional, but the plain call was rejected: ${describeOutcome(plain)} (allowed server-wide by T25-SUP-02, contradicts tool-level "optional", A25-21)`,
        ),
      );
    else if (plain.result.task !== undefined || validateDef('CallToolResult', plain.result))
      verdicts.push(warn(`${tool} is optional; the plain call should return a CallToolResult, got ${outcomeShape(plain)}`));
    const bad = asTask.kind === 'result' ? validateDef('CreateTaskResult', asTask.result) : undefined;
    if (asTask.kind !== 'result' || bad || asTask.result.content !== undefined) {
      verdicts.push(
        warn(
          `${tool} is optional; the call with task should return a CreateTaskResult, got ${outcomeShape(asTask)}${bad ? ` (${bad.errors.join('; ')})` : ''}`,
        ),
      );
    }
    const v = worst(verdicts);
    return v.status === 'WARNING' ? v : pass(`${tool} answered a CallToolResult without task and a CreateTaskResult with task`);
  },
);

/** The F-RES binding when the fixtures implementation exposes it (a --fixtures file may name the resource or prompt). */
function configuredResource(ctx: ScenarioContext): { uri?: string; prompt?: string } {
  const r = (ctx.fixtures as { resource?: { uri?: unknown; prompt?: unknown } }).resource;
  return { uri: typeof r?.uri === 'string' ? r.uri : undefined, prompt: typeof r?.prompt === 'string' ? r.prompt : undefined };
}

/** A request of a type that is never task-augmentable toward a server (F-RES), built from the server's own lists. */
async function nonTaskRequest(
  ctx: ScenarioContext,
  session: Session,
): Promise<{ method: string; params: JsonObject; resultDef: string } | undefined> {
  const caps = session.serverCapabilities;
  const configured = configuredResource(ctx);
  if (configured.uri && at(caps, ['tasks', 'requests', 'resources', 'read']) === undefined)
    return { method: 'resources/read', params: { uri: configured.uri }, resultDef: 'ReadResourceResult' };
  if (configured.prompt && at(caps, ['tasks', 'requests', 'prompts', 'get']) === undefined)
    return { method: 'prompts/get', params: { name: configured.prompt }, resultDef: 'GetPromptResult' };
  if (caps.resources !== undefined && at(caps, ['tasks', 'requests', 'resources', 'read']) === undefined) {
    const o = await session.request('resources/list', {});
    const first = o.kind === 'result' ? (o.result.resources as Array<{ uri?: unknown }> | undefined)?.[0] : undefined;
    if (typeof first?.uri === 'string') return { method: 'resources/read', params: { uri: first.uri }, resultDef: 'ReadResourceResult' };
  }
  if (caps.prompts !== undefined && at(caps, ['tasks', 'requests', 'prompts', 'get']) === undefined) {
    const o = await session.request('prompts/list', {});
    const first =
      o.kind === 'result'
        ? (o.result.prompts as Array<{ name?: unknown; arguments?: Array<{ name: string; required?: boolean }> }> | undefined)?.[0]
        : undefined;
    if (typeof first?.name === 'string') {
      const args = Object.fromEntries((first.arguments ?? []).filter((a) => a.required).map((a) => [a.name, 'x']));
      return { method: 'prompts/get', params: { name: first.name, arguments: args }, resultDef: 'GetPromptResult' };
    }
  }
  return undefined;
}

function outcomeShape(o: RpcOutcome): string {
  if (o.kind !== 'result') return describeOutcome(o);
  if (o.result.task !== undefined) return `a CreateTaskResult ${j(o.result.task)}`;
  if (Array.isArray(o.result.content))
    return `a CallToolResult${o.result.isError ? ' with isError:true' : ''} (text ${j(textOf(o.result) ?? null)})`;
  return describeOutcome(o);
}

const scenario = defineScenario({
  name: 'negotiation',
  description: '2.B Task support and tool-level negotiation (T25-SUP-*, T25-TOOL-*)',
  checks: [SUP_01, SUP_02, TOOL_01, TOOL_02, TOOL_03, TOOL_04],
});

/** SKIPPED unless the server declares tools/call task support and the role's tool advertises one of `supports`. */
function negotiablePrecondition(
  ctx: ScenarioContext,
  session: Session,
  role: 'F-SYNC' | 'F-REQ' | 'F-ECHO',
  supports: string[],
): Verdict | undefined {
  if (!declaresToolTasks(session)) {
    return skip(
      'missing-capability',
      'the server does not declare capabilities.tasks.requests.tools.call; tool-level negotiation does not apply (see T25-SUP-01)',
      ['tasks.requests.tools.call'],
    );
  }
  const entry = toolEntry(ctx, role);
  const support = String(taskSupportOf(entry ?? {}));
  if (!supports.includes(support)) {
    return skip(
      'not-applicable',
      `${ctx.fixtures.tool(role)} (${role}) advertises taskSupport ${support}; this check needs ${supports.join(' or ')}`,
    );
  }
  return undefined;
}

export default scenario;
