// 2.I input_required and server->client requests (T25-INP-*), driven by the F-ELICIT fixture (confirm_delete).
import { textMatches } from '../harness/fixtures.js';
import { fail, info, pass, warn, worst, type Verdict, type WireEntry } from '../harness/checks.js';
import { isTerminal, RELATED_TASK, textOf, type Task } from '../harness/protocol.js';
import type { CheckContext, RpcOutcome, ScenarioContext, Session } from '../harness/scenario.js';
import {
  createTask,
  describeOutcome,
  getTask,
  pollDelay,
  pollUntil,
  sleep,
  taskResult,
  TIMED_OUT,
  untilTerminal,
  within,
} from '../harness/tasks.js';
import { cancelQuietly } from './lib/cleanup.js';
import { acceptAnswer, ElicitationCapture, refuseAnswer, type HeldRequest } from './lib/elicitation.js';
import { defineCheck, defineScenario } from './lib/define.js';

const INP_01 = defineCheck(
  {
    id: 'T25-INP-01',
    name: 'A task waiting for input is input_required',
    description: "When the task needs the requestor's input (elicitation or sampling) to continue, its status becomes input_required.",
    level: 'SHOULD',
    specRefs: ['tasks §Input Required Status r1'],
    fixtures: ['F-ELICIT'],
    requires: ['F-ELICIT as task'],
  },
  (ctx, c) => inputRequiredStatus(ctx, c),
);

const INP_02 = defineCheck(
  {
    id: 'T25-INP-02',
    name: 'Server requests made for a task carry related-task',
    description:
      'Every server->client request made on behalf of a task (elicitation/create, sampling/createMessage, roots/list) carries params._meta["io.modelcontextprotocol/related-task"].taskId equal to the task id.',
    level: 'MUST',
    specRefs: ['tasks §Input Required Status r2', 'tasks §Associating Task-Related Messages r1'],
    fixtures: ['F-ELICIT'],
    requires: ['F-ELICIT as task'],
  },
  (ctx, c) => relatedTaskOnRequests(ctx, c),
);

const INP_03 = defineCheck(
  {
    id: 'T25-INP-03',
    name: 'The task leaves input_required once it has its input',
    description:
      'Once it has all required input, the task leaves input_required (usually to working, or directly to a terminal status), and its result reflects the input.',
    level: 'SHOULD',
    specRefs: ['tasks §Input Required Status r4'],
    fixtures: ['F-ELICIT'],
    requires: ['F-ELICIT as task'],
  },
  (ctx, c) => leavesInputRequired(ctx, c),
);

const INP_04 = defineCheck(
  {
    id: 'T25-INP-04',
    name: 'HTTP: a task request is delivered on exactly one stream',
    description:
      'On Streamable HTTP the server->client request is delivered on exactly one stream (the tasks/result SSE stream or the standalone GET stream), never duplicated across streams, and while tasks/result is open.',
    level: 'MUST',
    specRefs: ['transports §Multiple Connections r2', 'tasks §Input Required Status'],
    fixtures: ['F-ELICIT'],
    requires: ['F-ELICIT as task'],
    transports: ['http'],
  },
  (ctx, c) => oneStream(ctx, c),
);

const INP_05 = defineCheck(
  {
    id: 'T25-INP-05',
    name: 'HTTP: our response to a server request is accepted with 202',
    description: "The client's POSTed JSON-RPC response to the server->client request is accepted with HTTP 202 Accepted and no body.",
    level: 'MUST',
    specRefs: ['transports §Sending Messages r4'],
    fixtures: ['F-ELICIT'],
    requires: ['F-ELICIT as task'],
    transports: ['http'],
  },
  (ctx, c) => responseAccepted(ctx, c),
);

const INP_06 = defineCheck(
  {
    id: 'T25-INP-06',
    name: 'A declined or cancelled elicitation still ends the task',
    description:
      'If the requestor declines or cancels the elicitation (action "decline" or "cancel"), the task still reaches a terminal status (unspecified; observed).',
    level: 'MAY',
    specRefs: ['tasks §Input Required Status'],
    fixtures: ['F-ELICIT'],
    requires: ['F-ELICIT as task'],
  },
  (ctx, c) => refusedStillEnds(ctx, c),
);

/** How long T25-INP-01 polls for input_required before opening tasks/result anyway (the recipe's bound). */
const FIND_INPUT_MS = 5000;
/** The other checks only need the elicitation; they open tasks/result sooner. */
const FIND_INPUT_QUICK_MS = 1000;

/** One confirm_delete task driven up to its (held) elicitation. */
interface Flow {
  s: Session;
  capture: ElicitationCapture;
  task: Task;
  /** tasks/get results before the elicitation arrived. */
  before: Task[];
  /** The tasks/result sent to give the server its channel; it answers when the task ends. */
  pendingResult: Promise<RpcOutcome>;
  held?: HeldRequest;
  startSeq: number;
}

const captures = new WeakMap<Session, ElicitationCapture>();

async function open(ctx: ScenarioContext, findInputMs = FIND_INPUT_QUICK_MS): Promise<Flow> {
  const s = await ctx.session();
  let capture = captures.get(s);
  if (!capture) {
    capture = new ElicitationCapture(s);
    captures.set(s, capture);
  }
  capture.start();
  const startSeq = s.wireSeq();
  const task = await createTask(s, ctx.fixtures, 'F-ELICIT', {});
  // POLL until input_required or terminal (or an elicitation already arrived: stdio servers may send it early, A25-10).
  const before: Task[] = [];
  const deadline = Date.now() + findInputMs;
  for (;;) {
    const o = await getTask(s, task.taskId);
    if (o.kind !== 'result') break;
    const t = o.result as unknown as Task;
    before.push(t);
    if (t.status === 'input_required' || isTerminal(t.status) || capture.requests().length > 0 || Date.now() >= deadline) break;
    await sleep(pollDelay(t));
  }
  const pendingResult = taskResult(s, task.taskId, 3 * ctx.timeouts.settleMs + ctx.timeouts.requestMs);
  const held = await capture.next(0, ctx.timeouts.settleMs);
  return { s, capture, task, before, pendingResult, held, startSeq };
}

/**
 * Answers anything still held and cancels the task if it is still running, so nothing outlives the block;
 * without a declared tasks.cancel the answered task is left to finish (C6: an undeclared cancel is not ours
 * to send, and it is what crashes the SDK example server).
 */
async function close(flow: Flow): Promise<void> {
  flow.capture.stop();
  const g = await getTask(flow.s, flow.task.taskId);
  if (g.kind === 'result' && !isTerminal(g.result.status)) await cancelQuietly(flow.s, flow.task.taskId);
}

/** "working x12 -> input_required": the statuses seen, repeats collapsed. */
function statuses(tasks: Task[]): string {
  const runs: Array<{ status: string; n: number }> = [];
  for (const t of tasks) {
    const last = runs.at(-1);
    if (last?.status === t.status) last.n++;
    else runs.push({ status: String(t.status), n: 1 });
  }
  return runs.map((r) => (r.n > 1 ? `${r.status} x${r.n}` : r.status)).join(' -> ') || 'none';
}

function noRequest(ctx: ScenarioContext, flow: Flow): string {
  return `no elicitation/create arrived within ${ctx.timeouts.settleMs} ms after tasks/result was sent (statuses seen: ${statuses(flow.before)})`;
}

async function inputRequiredStatus(ctx: ScenarioContext, c: CheckContext): Promise<Verdict> {
  const flow = await open(ctx, FIND_INPUT_MS);
  try {
    c.note(
      'statusesBeforeElicitation',
      flow.before.map((t) => t.status),
    );
    if (!flow.held) return warn(`${noRequest(ctx, flow)}; cannot see whether the task uses input_required`);
    const g = await getTask(flow.s, flow.task.taskId);
    const during = g.kind === 'result' ? String(g.result.status) : describeOutcome(g);
    c.note('statusWhileElicitationOutstanding', during);
    if (during === 'input_required' || flow.before.some((t) => t.status === 'input_required')) {
      return pass(`the task was input_required while its elicitation/create was unanswered`);
    }
    return warn(
      `an elicitation/create for task ${flow.task.taskId} was unanswered, but tasks/get showed "${during}" (before: ${statuses(flow.before)}); expected input_required`,
    );
  } finally {
    await close(flow);
  }
}

async function relatedTaskOnRequests(ctx: ScenarioContext, c: CheckContext): Promise<Verdict> {
  const flow = await open(ctx);
  try {
    if (!flow.held) return fail(`${noRequest(ctx, flow)}; the task cannot get its input`);
    const all = flow.capture.requests();
    c.note(
      'serverRequests',
      all.map((h) => ({ method: h.request.method, id: h.request.id, _meta: h.request.params._meta })),
    );
    const bad = all.filter(
      (h) => (h.request.params._meta as Record<string, { taskId?: unknown }> | undefined)?.[RELATED_TASK]?.taskId !== flow.task.taskId,
    );
    if (bad.length) {
      const seen = bad.map(
        (h) =>
          `${h.request.method} ${JSON.stringify((h.request.params._meta as Record<string, unknown> | undefined)?.[RELATED_TASK] ?? null)}`,
      );
      return fail(
        `server request(s) made for task ${flow.task.taskId} lack params._meta["${RELATED_TASK}"].taskId equal to it: ${seen.join('; ')}`,
      );
    }
    return pass(`${all.length} server request(s) for the task carried related-task ${flow.task.taskId}`);
  } finally {
    await close(flow);
  }
}

async function leavesInputRequired(ctx: ScenarioContext, c: CheckContext): Promise<Verdict> {
  const flow = await open(ctx);
  try {
    if (!flow.held) return warn(`${noRequest(ctx, flow)}; cannot answer it`);
    const answer = acceptAnswer(flow.held.request, { name: 'Ada' });
    const content = (answer.content ?? {}) as Record<string, unknown>;
    flow.held.answer(answer);
    const poll = await pollUntil(flow.s, flow.task.taskId, (t) => t.status !== 'input_required', ctx.timeouts.settleMs, {
      holdInput: true,
    });
    c.note(
      'statusesAfterAnswer',
      poll.observed.map((t) => t.status),
    );
    if (poll.failure) return warn(`tasks/get failed after the answer: ${describeOutcome(poll.failure)}`);
    if (!poll.reached) return warn(`the task stayed input_required for ${ctx.timeouts.settleMs} ms after its elicitation was answered`);
    let outcome = await within(flow.pendingResult, ctx.timeouts.settleMs);
    if (outcome === TIMED_OUT || outcome.kind === 'closed') {
      // The tasks/result stream may have been closed (HTTP); ask again once the task is terminal.
      await pollUntil(flow.s, flow.task.taskId, untilTerminal, ctx.timeouts.settleMs, { holdInput: true });
      outcome = await taskResult(flow.s, flow.task.taskId);
    }
    c.note('tasksResult', describeOutcome(outcome));
    if (outcome.kind !== 'result')
      return fail(
        `after the answer ${JSON.stringify(content)}, tasks/result answered ${describeOutcome(outcome)}; expected the tool result`,
      );
    const text = textOf(outcome.result);
    // The result is only compared with a text the tool promises: the contract's hello:{name} when the
    // server asked for the contract's `name`, or the mapping's `expect:`. Otherwise leaving
    // input_required with a tool result is what the rule asks for.
    const promised = ctx.fixtures.expectedText('F-ELICIT', content);
    const expected =
      promised.kind === 'known' && promised.source === 'contract' && !('name' in content)
        ? { kind: 'unknown' as const, why: "the server asked for other fields than the contract's name" }
        : promised;
    c.note('expectedText', expected);
    if (expected.kind === 'known' && !textMatches(expected, text))
      return fail(
        `tasks/result text ${JSON.stringify(text ?? null)} after the answer ${JSON.stringify(content)} does not match the expected ${JSON.stringify(expected.text)} (${expected.source})`,
      );
    return pass(
      `the task left input_required (-> ${poll.reached.status}) and answered its result: "${text}"${expected.kind === 'unknown' ? ` (result text not compared: ${expected.why})` : ''}`,
    );
  } finally {
    await close(flow);
  }
}

/** Wire entries of the session carrying the held request (by JSON-RPC id), from the flow's start. */
function deliveries(ctx: ScenarioContext, flow: Flow, held: HeldRequest): WireEntry[] {
  return ctx.wire().filter((e) => {
    if (e.seq < flow.startSeq || e.dir !== 'recv' || e.connection !== flow.s.name) return false;
    const m = e.message as { id?: unknown; method?: unknown } | undefined;
    return typeof m === 'object' && m !== null && m.method === held.request.method && m.id === held.request.id;
  });
}

async function oneStream(ctx: ScenarioContext, c: CheckContext): Promise<Verdict> {
  const flow = await open(ctx);
  try {
    if (!flow.held) {
      const g = await getTask(flow.s, flow.task.taskId);
      const now = g.kind === 'result' ? String(g.result.status) : describeOutcome(g);
      return fail(`${noRequest(ctx, flow)}; with tasks/result open and the task "${now}", the task cannot get its input`);
    }
    // Give a duplicate on another stream time to arrive.
    await sleep(500);
    const seen = deliveries(ctx, flow, flow.held);
    // A replay after resumption carries the same SSE event id: that is one delivery, not two.
    const distinct = new Map<string, WireEntry>();
    for (const e of seen) distinct.set(e.eventId !== undefined ? `event ${e.eventId}` : `seq ${e.seq}`, e);
    const where = [...distinct.values()].map((e) => `${e.channel ?? '?'}${e.eventId !== undefined ? ` (event ${e.eventId})` : ''}`);
    c.note('deliveredOn', where);
    if (distinct.size > 1)
      return fail(
        `elicitation/create id ${JSON.stringify(flow.held.request.id)} was delivered ${distinct.size} times: ${where.join(', ')}; a message must go on one stream only`,
      );
    return pass(`elicitation/create delivered once, on ${where[0] ?? flow.held.request.channel}, while tasks/result was open`);
  } finally {
    await close(flow);
  }
}

interface PostRecord {
  kind: string;
  id?: number | string;
  status: number;
  contentType: string | null;
  body?: string;
  seq: number;
}

/** The session's HTTP POST log (McpSession.httpPosts(); not part of the Session contract). */
function httpPosts(s: Session): PostRecord[] | undefined {
  const f = (s as Session & { httpPosts?: () => PostRecord[] }).httpPosts;
  return typeof f === 'function' ? f.call(s) : undefined;
}

async function responseAccepted(ctx: ScenarioContext, c: CheckContext): Promise<Verdict> {
  const flow = await open(ctx);
  try {
    if (!flow.held) return fail(`${noRequest(ctx, flow)}; nothing to answer`);
    const id = flow.held.request.id;
    flow.held.answer(acceptAnswer(flow.held.request));
    const deadline = Date.now() + ctx.timeouts.requestMs;
    let post: PostRecord | undefined;
    for (;;) {
      const posts = httpPosts(flow.s);
      if (!posts) throw new Error('this session does not expose its HTTP POSTs (httpPosts()); cannot read the status of our response');
      post = posts.find((p) => p.kind === 'response' && p.id === id);
      if (post || Date.now() >= deadline) break;
      await sleep(50);
    }
    if (!post)
      return fail(
        `no HTTP response to the POST carrying our answer to elicitation/create ${JSON.stringify(id)} within ${ctx.timeouts.requestMs} ms`,
      );
    c.note('post', post);
    if (post.status !== 202)
      return fail(
        `the POST carrying our ElicitResult was answered with HTTP ${post.status}${post.body ? ` and body ${post.body}` : ''}; expected 202 Accepted`,
      );
    if (post.body) return fail(`the POST carrying our ElicitResult got 202 but with a body (${post.body}); expected no body`);
    return pass('the POST carrying our ElicitResult was answered 202 with no body');
  } finally {
    await close(flow);
  }
}

async function refusedStillEnds(ctx: ScenarioContext, c: CheckContext): Promise<Verdict> {
  const verdicts: Verdict[] = [];
  for (const action of ['decline', 'cancel'] as const) {
    const flow = await open(ctx);
    try {
      if (!flow.held) {
        verdicts.push(warn(`${action}: ${noRequest(ctx, flow)}`));
        continue;
      }
      flow.held.answer(refuseAnswer(flow.held.request, action));
      const poll = await pollUntil(flow.s, flow.task.taskId, untilTerminal, ctx.timeouts.settleMs, { holdInput: true });
      if (!poll.reached) {
        const last = poll.failure ? describeOutcome(poll.failure) : (poll.observed.at(-1)?.status ?? 'none');
        verdicts.push(
          warn(`after action "${action}" the task did not reach a terminal status within ${ctx.timeouts.settleMs} ms (last: ${last})`),
        );
        continue;
      }
      const r = await within(flow.pendingResult, ctx.timeouts.requestMs);
      const result = r === TIMED_OUT ? 'no answer yet' : describeOutcome(r);
      c.note(action, { status: poll.reached.status, tasksResult: result });
      verdicts.push(info(`${action} -> ${poll.reached.status} (tasks/result: ${result})`));
    } finally {
      await close(flow);
    }
  }
  return worst(verdicts);
}

const scenario = defineScenario({
  name: 'input-required',
  description: '2.I input_required and server->client requests (T25-INP-*)',
  checks: [INP_01, INP_02, INP_03, INP_04, INP_05, INP_06],
});

export default scenario;
