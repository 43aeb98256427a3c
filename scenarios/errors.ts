// 2.O Errors (T25-ERR-*): -32602 for invalid or unknown task IDs on every lookup method, informative
// messages, and the failed status (with a diagnostic statusMessage) for tool and JSON-RPC errors.
import { fail, info, pass, warn, worst, type Verdict } from '../harness/checks.js';
import type { JsonObject, RpcOutcome, ScenarioContext } from '../harness/scenario.js';
import { callTool, describeOutcome, getTask, taskResult, truncate } from '../harness/tasks.js';
import { errorCode, j } from './lib/format.js';
import { needTaskTool } from './lib/preconditions.js';
import { blockingTimeoutMs, randomTaskId, terminalTask } from './lib/task-setup.js';
import { defineCheck, defineScenario } from './lib/define.js';

const ERR_01 = defineCheck(
  {
    id: 'T25-ERR-01',
    name: 'tasks/get with an invalid or unknown taskId fails with -32602',
    description:
      'tasks/get with an invalid or nonexistent taskId (random UUID, empty string, 10 KB string, a number) returns error -32602 (Invalid params).',
    level: 'MUST',
    specRefs: ['tasks §Protocol Errors'],
    fixtures: [],
    requires: ['tasks'],
  },
  (ctx) => badIdProbe(ctx, 'tasks/get'),
);

// An unknown ID must not block: 2 s is the recipe's bound (+250 ms HTTP grace).
const ERR_02 = defineCheck(
  {
    id: 'T25-ERR-02',
    name: 'tasks/result with an invalid or unknown taskId fails at once with -32602',
    description: 'tasks/result with an invalid or nonexistent taskId returns error -32602 at once (within 2 s) rather than blocking.',
    level: 'MUST',
    specRefs: ['tasks §Protocol Errors'],
    fixtures: [],
    requires: ['tasks'],
  },
  (ctx) => badIdProbe(ctx, 'tasks/result', 2000 + (ctx.transport === 'http' ? 250 : 0)),
);

const ERR_03 = defineCheck(
  {
    id: 'T25-ERR-03',
    name: 'tasks/cancel with an invalid or unknown taskId fails with -32602',
    description: 'tasks/cancel with an invalid or nonexistent taskId returns error -32602 (Invalid params).',
    level: 'MUST',
    specRefs: ['tasks §Protocol Errors'],
    fixtures: [],
    requires: ['tasks.cancel'],
  },
  (ctx) => badIdProbe(ctx, 'tasks/cancel'),
);

const ERR_04 = defineCheck(
  {
    id: 'T25-ERR-04',
    name: 'Internal errors use -32603 (observation)',
    description:
      'Internal errors use -32603 (Internal error). Not triggerable black-box; records the code of the F-RPCERR fixture, directly and through tasks/result.',
    level: 'MUST',
    specRefs: ['tasks §Protocol Errors'],
    fixtures: ['F-RPCERR'],
  },
  async (ctx, c) => {
    const s = await ctx.session();
    const direct = await callTool(s, ctx.fixtures, 'F-RPCERR', {});
    c.note('direct call', describeOutcome(direct));
    let viaTask = 'not run (the fixture cannot be task-augmented)';
    if (needTaskTool(ctx, s, 'F-RPCERR') === undefined) {
      const t = await terminalTask(ctx, s, 'F-RPCERR');
      viaTask = `${t.status}, tasks/result ${describeOutcome(await taskResult(s, t.taskId, blockingTimeoutMs(ctx)))}`;
    }
    const code = errorCode(direct);
    const documented =
      code === -32603 ? 'the documented -32603' : code === undefined ? 'no JSON-RPC error' : `code ${code}, not the documented -32603`;
    return info(`${ctx.fixtures.tool('F-RPCERR')} called directly gave ${documented}; as a task: ${viaTask}`);
  },
);

const ERR_05 = defineCheck(
  {
    id: 'T25-ERR-05',
    name: 'Error messages are informative',
    description: 'Receivers should provide informative error messages: error.message is a non-empty string in every error response.',
    level: 'SHOULD',
    specRefs: ['tasks §Protocol Errors'],
    fixtures: [],
  },
  async (ctx, c) => {
    const s = await ctx.session();
    // Provoke the task error cases once more so the check works when run on its own.
    const probes = [
      await getTask(s, randomTaskId()),
      await taskResult(s, randomTaskId(), 5000),
      await s.request('tasks/cancel', { taskId: randomTaskId() }),
      await s.request('tasks/list', { cursor: `invalid-${randomTaskId()}` }),
    ];
    const errors = errorsSeen(ctx, probes);
    const bad = errors.filter((e) => typeof e.message !== 'string' || e.message.trim() === '');
    c.note('errors inspected', errors.length);
    if (bad.length) {
      return warn(
        `${bad.length} of ${errors.length} error responses carry no informative message (e.g. code ${j(bad[0]?.code)}${bad[0]?.method ? ` answering ${bad[0].method}` : ''} with message ${j(bad[0]?.message)}); error.message should describe the cause`,
        {
          examples: bad.slice(0, 5),
        },
      );
    }
    return pass(
      `all ${errors.length} error responses seen carry a non-empty message (e.g. ${j(truncate(String(errors[0]?.message ?? ''), 80))})`,
    );
  },
);

const ERR_06 = defineCheck(
  {
    id: 'T25-ERR-06',
    name: 'A failed task carries a diagnostic statusMessage',
    description: 'The tasks/get response of a failed task should include a statusMessage with diagnostic information about the failure.',
    level: 'SHOULD',
    specRefs: ['tasks §Task Execution Errors'],
    fixtures: ['F-TOOLERR', 'F-RPCERR'],
    requires: ['F-TOOLERR as task'],
  },
  async (ctx, c) => {
    const s = await ctx.session();
    const roles: Array<'F-TOOLERR' | 'F-RPCERR'> = ['F-TOOLERR'];
    if (needTaskTool(ctx, s, 'F-RPCERR') === undefined) roles.push('F-RPCERR');
    const verdicts: Verdict[] = [];
    for (const role of roles) {
      const t = await terminalTask(ctx, s, role);
      const name = ctx.fixtures.tool(role);
      c.note(name, { status: t.status, statusMessage: t.statusMessage });
      if (t.status !== 'failed') {
        verdicts.push(info(`${name} ended "${t.status}", not failed, so its statusMessage is not judged here (see T25-ERR-07/08)`));
      } else if (typeof t.statusMessage !== 'string' || t.statusMessage.trim() === '') {
        verdicts.push(warn(`tasks/get of the failed ${name} task has no diagnostic statusMessage (got ${j(t.statusMessage)})`));
      } else {
        verdicts.push(pass(`failed ${name}: statusMessage ${j(truncate(t.statusMessage, 80))}`));
      }
    }
    return worst(verdicts);
  },
);

const ERR_07 = defineCheck(
  {
    id: 'T25-ERR-07',
    name: 'isError:true puts the task in failed',
    description: 'When the tool result has isError set to true, the task should reach the failed status (completed only WARNs, A25-02).',
    level: 'SHOULD',
    specRefs: ['tasks §Task Status', 'tasks §Task Execution Errors'],
    fixtures: ['F-TOOLERR'],
    requires: ['F-TOOLERR as task'],
  },
  async (ctx) => {
    const s = await ctx.session();
    const t = await terminalTask(ctx, s, 'F-TOOLERR');
    const name = ctx.fixtures.tool('F-TOOLERR');
    if (t.status === 'failed') return pass(`the ${name} task (isError:true result) ended "failed"`);
    if (t.status === 'completed')
      return warn(`the ${name} task returned an isError:true result but ended "completed"; the status definition says "failed" (A25-02)`);
    return fail(
      `the ${name} task returned an isError:true result and must end "failed" (or at worst "completed"), but ended "${t.status}"`,
    );
  },
);

const ERR_08 = defineCheck(
  {
    id: 'T25-ERR-08',
    name: 'A JSON-RPC error during execution puts the task in failed',
    description: 'When the underlying request ends in a JSON-RPC error, the task moves to the failed status.',
    level: 'MUST',
    specRefs: ['tasks §Task Execution Errors'],
    fixtures: ['F-RPCERR'],
    requires: ['F-RPCERR as task'],
  },
  async (ctx) => {
    const s = await ctx.session();
    const t = await terminalTask(ctx, s, 'F-RPCERR');
    const name = ctx.fixtures.tool('F-RPCERR');
    if (t.status === 'failed') return pass(`the ${name} task (JSON-RPC error) ended "failed"`);
    return fail(`the ${name} task ended in a JSON-RPC error, so it must move to "failed"; it ended "${t.status}"`);
  },
);

type LookupMethod = 'tasks/get' | 'tasks/result' | 'tasks/cancel';

/** The invalid taskIds of the recipe; `wrongType` marks the one where -32600 only WARNs. */
function badIds(): Array<{ label: string; taskId: unknown; wrongType?: boolean }> {
  return [
    { label: 'a random UUID', taskId: randomTaskId() },
    { label: 'the empty string', taskId: '' },
    { label: 'a 10 KB string', taskId: 'x'.repeat(10 * 1024) },
    { label: 'the number 42', taskId: 42, wrongType: true },
  ];
}

/** Sends `method` with every bad taskId; -32602 passes, -32600 for the wrong type warns, anything else fails. */
async function badIdProbe(ctx: ScenarioContext, method: LookupMethod, timeoutMs?: number): Promise<Verdict> {
  const s = await ctx.session();
  const verdicts: Verdict[] = [];
  for (const bad of badIds()) {
    const o = await s.request(method, { taskId: bad.taskId } as JsonObject, { timeoutMs });
    const what = `${method} with ${bad.label} as taskId`;
    const code = errorCode(o);
    if (code === -32602) verdicts.push(pass(`${what}: -32602`));
    else if (code === -32600 && bad.wrongType)
      verdicts.push(warn(`${what} answered -32600; an invalid taskId should be reported as -32602 (Invalid params)`));
    else if (o.kind === 'timeout')
      verdicts.push(
        fail(`${what} got no answer within ${Math.round(o.ms)} ms; an invalid taskId must be rejected with -32602 at once, not block`),
      );
    else verdicts.push(fail(`${what} must fail with -32602; got ${describeOutcome(o)}`));
  }
  const bad = verdicts.filter((v) => v.status !== 'SUCCESS');
  return bad.length ? worst(bad) : pass(`${method} rejected every invalid taskId (random UUID, "", 10 KB string, 42) with -32602`);
}

/** Error responses of `outcomes` plus every error the server sent earlier in the run. */
function errorsSeen(ctx: ScenarioContext, outcomes: RpcOutcome[]): Array<{ code: unknown; message: unknown; method?: string }> {
  const out: Array<{ code: unknown; message: unknown; method?: string }> = [];
  for (const o of outcomes) if (o.kind === 'error') out.push({ code: o.error.code, message: o.error.message });
  for (const e of ctx.wire()) {
    if (e.dir !== 'recv' || e.transport !== ctx.transport) continue;
    const err = (e.message as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    if (err && typeof err === 'object') out.push({ code: err.code, message: err.message, method: e.answers?.method });
  }
  return out;
}

const scenario = defineScenario({
  name: 'errors',
  description: '2.O Errors (T25-ERR-*)',
  checks: [ERR_01, ERR_02, ERR_03, ERR_04, ERR_05, ERR_06, ERR_07, ERR_08],
});

export default scenario;
