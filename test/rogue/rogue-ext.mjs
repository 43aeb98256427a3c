#!/usr/bin/env node
// A hand-rolled MCP server for protocol 2026-07-28 with the io.modelcontextprotocol/tasks extension
// (SEP-2663), for red-teaming the EXT-* checks. Written from shared/spec alone (requirements-ext-tasks.md,
// fixtures.md, sources/), without reading reference-server/ or the harness's modern client, so the checks
// meet an independent implementation. Stateless core: no initialize; every request carries its protocol
// version and client capabilities in params._meta; server/discover; results carry resultType.
// Correct by default; `--break <name>` (repeatable, or comma list) switches on one deviation from BREAKS.
// `--list-breaks` prints them. `--http` serves Streamable HTTP (one POST per message, JSON or SSE answers,
// subscriptions/listen as a lasting SSE stream) on a free loopback port and prints "MCP endpoint: <url>";
// otherwise newline-delimited JSON on stdio. Other arguments (`--tag <id>`) are ignored.
// One file of ~750 lines on purpose: the whole rogue implementation reads top to bottom in one place.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';

export const BREAKS = {
  'nested-task': 'the CreateTaskResult wraps the task as {resultType:"task", task:{...}} (2025-11-25 shape) instead of flat fields',
  'legacy-keys': 'every Task shape carries the 2025-11-25 keys ttl and pollInterval instead of ttlMs and pollIntervalMs',
  'tasks-result-served': 'tasks/result (removed) still answers the final result of a task',
  'tasks-list-served': 'tasks/list (removed) still answers {tasks:[...]}',
  'result-not-inlined': 'tasks/get of a completed task carries no result (the client is expected to call tasks/result)',
  'cancel-returns-task': 'tasks/cancel answers the cancelled Task (v1 CancelTaskResult) instead of an empty ack',
  'sticky-capability': 'once any tools/call declared the extension, later tools/call without it still get tasks (capability inferred)',
  'no-required-caps': '-32021 errors carry no data.requiredCapabilities',
  'status-200': '-32021 and -32022 errors are sent with HTTP 200 instead of 400',
  'mcp-name-unchecked': 'the Mcp-Name header of tasks/get|update|cancel is not compared with params.taskId',
  'mcp-name-routes': 'tasks/get|update|cancel act on the task named by the Mcp-Name header instead of params.taskId',
  'push-unsubscribed': 'notifications/tasks go to every task listen stream, whatever taskIds it acknowledged',
  'cancel-then-complete': 'a cancelled gated_job still completes (status overwritten) when its gate is released later',
  'counter-ids': 'task ids are a counter ("task-1", "task-2", ...)',
  'id-recycle': 'a new task reuses the id of the most recently ended task',
  'early-purge': 'ended tasks are deleted 1 s after they end, whatever ttlMs says',
  'get-resulttype-task': 'tasks/get answers resultType "task" (as the spec\'s error examples show) instead of "complete"',
  'iserror-failed': 'an isError:true tool result ends the task failed (error -32603) instead of completed',
  'legacy-capability': 'server/discover also advertises the legacy capabilities.tasks {list, cancel, requests}',
  'partial-input-requests': 'an input_required task lists only its first outstanding request in inputRequests',
  'key-reuse': 'sequential_input asks both rounds under the same inputRequests key "input"',
  'elicit-undeclared': 'confirm_delete surfaces elicitation/create even when the client never declared elicitation',
  'unicode-ids': '(not a violation) task ids contain a space and a non-ASCII letter, so Mcp-Name needs the Base64 sentinel',
  'no-base64-decode': 'with unicode-ids: the Mcp-Name header is compared with params.taskId without decoding the Base64 sentinel',
  'progress-after-task':
    'progress_job run as a task still sends its progress notifications (request token) after the CreateTaskResult (stdio)',
  'progress-on-listen': 'progress_job run as a task sends its progress on every task listen stream',
  'ack-late': 'subscriptions/listen sends the current state of each task before notifications/subscriptions/acknowledged',
  'notif-no-subid': 'notifications/tasks carry no _meta subscriptionId',
  'notif-after-terminal': 'a terminal notifications/tasks is followed by one saying working',
  'notif-legacy-method': 'status notifications use the 2025-11-25 method notifications/tasks/status',
  'server-request': 'an input-needing task also sends elicitation/create as a JSON-RPC request (stdio)',
  'meta-optional': 'a request without _meta clientCapabilities is served as if it declared {}',
  'version-unchecked': 'any _meta protocolVersion is accepted',
  'mcp-method-unchecked': 'the Mcp-Method header is not compared with the body method (HTTP)',
  'failed-no-message': 'failed tasks carry no statusMessage',
  'rpcerr-code-changed': 'a task whose tool failed with -32603 reports error code -32000',
  'answered-keys-linger': 'answered inputRequests keys stay listed until every key of the round is answered',
  'bogus-key-error': 'tasks/update with a key that is not outstanding answers -32602',
  'unknown-acks': 'tasks/update and tasks/cancel of an unknown taskId are acknowledged',
  'get-unknown-32603': 'tasks/get of an unknown taskId answers -32603 instead of -32602',
  'created-moves': 'createdAt is reported equal to lastUpdatedAt (it moves with every status change)',
  'ttl-fraction': 'ttlMs is a fractional number (300000.5)',
  'get-input-resulttype': 'tasks/get of an input_required task answers resultType "input_required"',
  'decline-stuck': 'after a declined elicitation the task goes back to working and never ends',
  'cancel-input-stuck': 'tasks/cancel of an input_required task is acknowledged but changes nothing',
  'sse-abort-cancels': 'tools/call answers its task over SSE and keeps the stream open; closing it cancels the task (HTTP)',
  'discover-no-ext': 'server/discover does not advertise the extension (tasks are still created)',
  'ack-no-resulttype': 'the tasks/update and tasks/cancel acks are {} without resultType',
  'session-minted': 'HTTP answers mint an Mcp-Session-Id and GET on the endpoint answers 200',
  'cancel-noop': 'tasks/cancel is acknowledged but the task keeps running and ends as if never cancelled',
  'task-param-rejected': 'a tools/call carrying the legacy task parameter is rejected with -32602',
  'mrtr-in-task': 'test_tool_with_task creates its task at once and asks user_name inside it (no MRTR round before creation)',
  // Legal variations (not violations): the checks must not fail them.
  'sse-answers': '(not a violation) every successful HTTP answer is an SSE stream that ends after the response',
  'instant-complete': '(not a violation) slow_compute with seconds 0 answers a CreateTaskResult that is already completed',
  'ttl-null': '(not a violation) ttlMs is null (unlimited) and tasks are kept for the life of the process',
  'no-poll-interval': '(not a violation) no pollIntervalMs in any Task',
  'decline-subscriptions': '(not a violation) subscriptions/listen acknowledges no taskIds and sends no task notifications',
  'cancel-terminal-32602': '(allowed with a WARN, A-EXT-04) tasks/cancel of an ended task answers -32602',
  'unknown-task-400': '(not a violation, A-EXT-23) -32602 for an unknown task is sent with HTTP 400',
  'require-mcp-name': '(not a violation, A-EXT-09) tasks/get|update|cancel without Mcp-Name are rejected with -32020 (HTTP 400)',
  'result-with-meta': '(not a violation, A-EXT-14) the inlined result keeps resultType "complete" and a _meta of its own',
  'status-messages': '(not a violation) every Task carries a statusMessage',
};

const EXT_ID = 'io.modelcontextprotocol/tasks';
const VERSION = '2026-07-28';
const M = {
  version: 'io.modelcontextprotocol/protocolVersion',
  caps: 'io.modelcontextprotocol/clientCapabilities',
  sub: 'io.modelcontextprotocol/subscriptionId',
};
const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
const DEFAULT_TTL_MS = 300_000;
const POLL_MS = 100;

const argv = process.argv.slice(2);
if (argv.includes('--list-breaks')) {
  for (const [name, text] of Object.entries(BREAKS)) process.stdout.write(`${name}: ${text}\n`);
  process.exit(0);
}
const breaks = new Set();
argv.forEach((a, i) => a === '--break' && argv[i + 1]?.split(',').forEach((b) => breaks.add(b.trim())));
for (const b of breaks) {
  if (!(b in BREAKS)) {
    process.stderr.write(`rogue-ext: unknown --break ${b}\n`);
    process.exit(2);
  }
}
const brk = (name) => breaks.has(name);

// ---------- errors ----------
class RpcError extends Error {
  constructor(code, message, data, httpStatus) {
    super(message);
    Object.assign(this, { code, data, httpStatus });
  }
}
const needCaps = (caps) =>
  new RpcError(
    -32021,
    'Missing required client capability',
    brk('no-required-caps') ? undefined : { requiredCapabilities: caps },
    brk('status-200') ? 200 : 400,
  );
const needExt = () => needCaps({ extensions: { [EXT_ID]: {} } });
const invalidParams = (message) => new RpcError(-32602, message);
const notFound = (method) => new RpcError(-32601, `Method not found: ${method}`, undefined, 404);

// ---------- tasks ----------
const tasks = new Map(); // taskId -> task
const gates = new Map(); // gateId -> { state, outcome?, wake? }
const subscriptions = new Set(); // { id, taskIds:Set, write(notification) }
let counter = 0;
let lastEnded;
let stickyExt = false;

const now = () => new Date().toISOString();
function newTaskId() {
  if (brk('id-recycle') && lastEnded && TERMINAL.has(tasks.get(lastEnded)?.status)) {
    tasks.delete(lastEnded);
    return lastEnded;
  }
  counter += 1;
  if (brk('counter-ids')) return `task-${counter}`;
  const id = `${randomUUID()}${randomUUID()}`.replaceAll('-', '');
  return brk('unicode-ids') || brk('no-base64-decode') ? `tâche ${id}` : id;
}

function taskShape(t) {
  const createdAt = brk('created-moves') ? t.lastUpdatedAt : t.createdAt;
  const base = { taskId: t.taskId, status: t.status, createdAt, lastUpdatedAt: t.lastUpdatedAt };
  const ttlMs = brk('ttl-fraction') ? t.ttlMs + 0.5 : t.ttlMs;
  if (brk('legacy-keys')) Object.assign(base, { ttl: ttlMs, pollInterval: POLL_MS });
  else Object.assign(base, { ttlMs, pollIntervalMs: POLL_MS });
  if (brk('no-poll-interval')) delete base.pollIntervalMs;
  if (t.statusMessage) base.statusMessage = t.statusMessage;
  else if (brk('status-messages')) base.statusMessage = `the task is ${t.status}`;
  return base;
}
function detailed(t) {
  const d = taskShape(t);
  if (t.status === 'input_required') {
    const entries = Object.entries(t.outstanding);
    if (brk('answered-keys-linger')) entries.push(...Object.entries(t.lingering ?? {}));
    d.inputRequests = Object.fromEntries(brk('partial-input-requests') ? entries.slice(0, 1) : entries);
  }
  if (t.status === 'completed' && !brk('result-not-inlined'))
    d.result = brk('result-with-meta') ? { resultType: 'complete', ...t.result, _meta: { 'rogue/note': 'inlined' } } : t.result;
  if (t.status === 'failed') d.error = t.error;
  return d;
}

function setStatus(t, status, extra = {}) {
  if (TERMINAL.has(t.status) && !(brk('cancel-then-complete') && t.status === 'cancelled')) return;
  Object.assign(t, extra, { status, lastUpdatedAt: now() });
  if (TERMINAL.has(status)) {
    t.endedAt = Date.now();
    lastEnded = t.taskId;
    if (brk('early-purge')) setTimeout(() => tasks.delete(t.taskId), 1000).unref();
  }
  for (const s of subscriptions) {
    if (!s.taskIds.has(t.taskId) && !(brk('push-unsubscribed') && s.tasks)) continue;
    s.write(statusNotification(t, s.id));
    if (TERMINAL.has(status) && brk('notif-after-terminal')) s.write(statusNotification({ ...t, status: 'working' }, s.id));
    if (TERMINAL.has(status)) s.taskIds.delete(t.taskId);
  }
  if (TERMINAL.has(status)) for (const fn of t.onEnd ?? []) fn();
}

function statusNotification(t, subscriptionId) {
  const method = brk('notif-legacy-method') ? 'notifications/tasks/status' : 'notifications/tasks';
  const params = detailed(t);
  if (!brk('notif-no-subid')) params._meta = { [M.sub]: subscriptionId };
  return { jsonrpc: '2.0', method, params };
}
/** The stdio writer, for server-request (a JSON-RPC request to the client, which 2026-07-28 forbids). */
let stdioWrite;

/** Starts `work(ctx)` as a task; answers the CreateTaskResult once the task is stored (durable). */
function createTask(work, requestedTtlMs = DEFAULT_TTL_MS) {
  const ttlMs = brk('ttl-null') ? null : requestedTtlMs;
  const at = now();
  const t = { taskId: newTaskId(), status: 'working', createdAt: at, lastUpdatedAt: at, ttlMs, outstanding: {}, keySeq: 0, aborts: [] };
  tasks.set(t.taskId, t);
  if (ttlMs !== null) setTimeout(() => tasks.get(t.taskId) === t && tasks.delete(t.taskId), ttlMs).unref();
  const ctx = {
    task: t,
    progress: brk('progress-on-listen') ? (progress, total) => broadcastProgress(t, progress, total) : undefined,
    cancelled: () => t.status === 'cancelled',
    onCancel: (fn) => t.aborts.push(fn),
    /** Asks the client through inputRequests; resolves with {field: response} once every key is answered. */
    ask(fields, build) {
      const keys = {};
      for (const f of fields) {
        t.keySeq += 1;
        const key = brk('key-reuse') && fields.length === 1 ? 'input' : `${f}-${t.keySeq}-${randomUUID().slice(0, 8)}`;
        keys[key] = f;
        t.outstanding[key] = build(f);
        if (brk('server-request'))
          stdioWrite?.({ jsonrpc: '2.0', id: `srv-${key}`, method: 'elicitation/create', params: t.outstanding[key].params });
      }
      t.lingering = {};
      const answers = {};
      return new Promise((resolve) => {
        t.onAnswer = (key, response) => {
          if (!(key in keys) || !(key in t.outstanding)) return;
          t.lingering[key] = t.outstanding[key];
          delete t.outstanding[key];
          answers[keys[key]] = response;
          if (Object.keys(keys).every((k) => !(k in t.outstanding))) {
            t.onAnswer = undefined;
            t.lingering = {};
            setStatus(t, 'working');
            resolve(answers);
          } else setStatus(t, 'input_required');
        };
        setStatus(t, 'input_required');
      });
    },
  };
  Promise.resolve()
    .then(() => work(ctx))
    .then(
      (result) => {
        if (t.status === 'cancelled' && !brk('cancel-then-complete')) return;
        if (result.isError && brk('iserror-failed'))
          setStatus(t, 'failed', { error: { code: -32603, message: 'tool reported an error' }, statusMessage: 'tool reported an error' });
        else setStatus(t, 'completed', { result });
      },
      (err) => {
        if (t.status === 'cancelled') return;
        const error =
          err instanceof RpcError ? { code: err.code, message: err.message } : { code: -32603, message: String(err?.message ?? err) };
        if (brk('rpcerr-code-changed')) error.code = -32000;
        setStatus(t, 'failed', { error, statusMessage: brk('failed-no-message') ? undefined : `the tool failed: ${error.message}` });
      },
    );
  return t;
}

function broadcastProgress(t, progress, total) {
  for (const s of subscriptions) {
    if (s.tasks)
      s.write({
        jsonrpc: '2.0',
        method: 'notifications/progress',
        params: { _meta: { [M.sub]: s.id }, progressToken: t.taskId, progress, total },
      });
  }
}

function cancelTask(t) {
  if (TERMINAL.has(t.status) && brk('cancel-terminal-32602')) throw invalidParams(`task ${t.taskId} has already ended`);
  if (TERMINAL.has(t.status) || brk('cancel-noop')) return;
  if (t.status === 'input_required' && brk('cancel-input-stuck')) return;
  setStatus(t, 'cancelled', { statusMessage: 'cancelled by the client' });
  t.outstanding = {};
  t.onAnswer = undefined;
  for (const fn of t.aborts) fn();
}

// ---------- fixtures ----------
const text = (s) => ({ content: [{ type: 'text', text: s }] });
const sleep = (ms, signal) =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.(() => {
      clearTimeout(timer);
      resolve();
    });
  });
const elicit = (message, field) => ({
  method: 'elicitation/create',
  params: { mode: 'form', message, requestedSchema: { type: 'object', properties: { [field]: { type: 'string' } }, required: [field] } },
});
const accepted = (r, field) => (r?.action === 'accept' && r.content && typeof r.content[field] === 'string' ? r.content[field] : undefined);

function gate(id) {
  if (!gates.has(id)) gates.set(id, { state: 'unknown' });
  return gates.get(id);
}
async function waitGate(id, onCancel) {
  const g = gate(id);
  if (!g.outcome) {
    g.state = 'waiting';
    await new Promise((resolve) => {
      g.wake = resolve;
      // With cancel-then-complete the work ignores cancellation and ends by the later release.
      if (!brk('cancel-then-complete'))
        onCancel?.(() => {
          g.state = 'aborted';
          resolve();
        });
    });
    if (g.state === 'aborted') return undefined;
  }
  g.state = 'finished';
  const gateId = id;
  if (g.outcome === 'tool_error') return { ...text(`gate ${gateId} failed`), isError: true };
  if (g.outcome === 'protocol_error') throw new RpcError(-32603, `gated_job ${gateId} failed (protocol_error)`);
  return text(`released:${gateId}`);
}

const TOOLS = [
  ['greet', { name: { type: 'string' } }, ['name']],
  ['slow_compute', { seconds: { type: 'number' }, label: { type: 'string' }, ttlMs: { type: 'integer' } }, ['seconds']],
  ['failing_job', {}, []],
  ['protocol_error_job', {}, []],
  ['confirm_delete', {}, []],
  ['multi_input', {}, []],
  ['sequential_input', {}, []],
  ['test_tool_with_task', {}, []],
  ['gated_job', { gateId: { type: 'string' }, ttlMs: { type: 'integer' } }, ['gateId']],
  [
    'release_gate',
    { gateId: { type: 'string' }, outcome: { type: 'string', enum: ['success', 'tool_error', 'protocol_error'] } },
    ['gateId'],
  ],
  ['gate_state', { gateId: { type: 'string' } }, ['gateId']],
  ['progress_job', { steps: { type: 'integer' }, intervalSeconds: { type: 'number' } }, ['steps', 'intervalSeconds']],
  ['big_result', { bytes: { type: 'integer' } }, ['bytes']],
].map(([name, properties, required]) => ({ name, description: `fixture ${name}`, inputSchema: { type: 'object', properties, required } }));
const TASK_TOOLS = new Set([
  'slow_compute',
  'failing_job',
  'protocol_error_job',
  'confirm_delete',
  'multi_input',
  'sequential_input',
  'gated_job',
  'progress_job',
  'big_result',
]);
const INPUT_TOOLS = new Set(['confirm_delete', 'multi_input', 'sequential_input']);

/** The work of one tool; `ctx` is a task context (ask, onCancel) or a plain request context. */
async function runTool(name, args, ctx) {
  switch (name) {
    case 'slow_compute':
      await sleep(Math.max(0, Number(args.seconds) || 0) * 1000, ctx.onCancel);
      return text(`computed:${args.label ?? ''}`);
    case 'failing_job':
      return { ...text('job failed'), isError: true };
    case 'protocol_error_job':
      throw new RpcError(-32603, 'protocol_error_job failed on purpose');
    case 'gated_job':
      return (await waitGate(String(args.gateId), ctx.onCancel)) ?? text('aborted');
    case 'confirm_delete': {
      const a = await ctx.ask(['name'], (f) => elicit('Who is deleting?', f));
      const name = accepted(a.name, 'name');
      if (name === undefined && brk('decline-stuck')) await new Promise(() => {});
      return text(name === undefined ? 'declined' : `hello:${name}`);
    }
    case 'multi_input': {
      const a = await ctx.ask(['a', 'b'], (f) => elicit(`Value of ${f}?`, f));
      return text(`a=${accepted(a.a, 'a') ?? ''},b=${accepted(a.b, 'b') ?? ''}`);
    }
    case 'sequential_input': {
      const first = await ctx.ask(['first'], (f) => elicit('First value?', f));
      const second = await ctx.ask(['second'], (f) => elicit('Second value?', f));
      return text(`first=${accepted(first.first, 'first') ?? ''},second=${accepted(second.second, 'second') ?? ''}`);
    }
    case 'progress_job': {
      const steps = Math.max(0, Math.floor(Number(args.steps) || 0));
      for (let i = 1; i <= steps; i++) {
        await sleep(Math.max(0, Number(args.intervalSeconds) || 0) * 1000, ctx.onCancel);
        ctx.progress?.(i, steps);
      }
      return text('done');
    }
    case 'big_result': {
      const n = Math.max(0, Math.floor(Number(args.bytes) || 0));
      return text('0123456789abcdef'.repeat(Math.ceil(n / 16)).slice(0, n));
    }
    default:
      throw invalidParams(`Unknown tool: ${name}`);
  }
}

function callTool(params, caps, rctx) {
  const name = params.name;
  const args = params.arguments ?? {};
  const ext = declaresExt(caps) || (brk('sticky-capability') && stickyExt);
  if (declaresExt(caps)) stickyExt = true;
  const done = (r) => ({ resultType: 'complete', ...r });
  if (params.task !== undefined && brk('task-param-rejected')) throw invalidParams('unknown parameter: task');
  switch (name) {
    case 'greet':
      return done(text(`Hello, ${args.name}!`));
    case 'release_gate': {
      const g = gate(String(args.gateId));
      g.outcome = args.outcome ?? 'success';
      g.wake?.();
      return done(text('ok'));
    }
    case 'gate_state': {
      const state = gates.get(String(args.gateId))?.state ?? 'unknown';
      return done({ ...text(JSON.stringify({ state })), structuredContent: { state } });
    }
    case 'test_tool_with_task':
      return mrtrTool(params, caps, ext);
  }
  if (!TOOLS.some((t) => t.name === name)) throw invalidParams(`Unknown tool: ${name}`);
  if (INPUT_TOOLS.has(name) && !caps.elicitation && !brk('elicit-undeclared')) throw needCaps({ elicitation: { form: {} } });
  if (ext && TASK_TOOLS.has(name)) {
    const ttl = Number.isInteger(args.ttlMs) && args.ttlMs > 0 ? args.ttlMs : DEFAULT_TTL_MS;
    const t = createTask((ctx) => runTool(name, args, ctx), ttl);
    const shape = taskShape(t);
    if (brk('instant-complete') && name === 'slow_compute' && !(Number(args.seconds) > 0)) {
      return new Promise((resolve) => setTimeout(() => resolve({ resultType: 'task', ...taskShape(t) }), 20));
    }
    if (name === 'progress_job' && brk('progress-after-task') && rctx.progress && !rctx.http) {
      const steps = Math.max(1, Math.floor(Number(args.steps) || 1));
      for (let i = 1; i <= steps; i++) setTimeout(() => rctx.progress(i, steps), 20 * i);
    }
    return brk('nested-task') ? { resultType: 'task', task: shape } : { resultType: 'task', ...shape };
  }
  if (name === 'failing_job' || INPUT_TOOLS.has(name)) throw needExt();
  return runTool(name, args, rctx).then(done);
}

/** E-MRTR: round 1 asks user_name as an InputRequiredResult; the retry (inputResponses + requestState) makes the task. */
function mrtrTool(params, caps, ext) {
  if (!caps.elicitation) throw needCaps({ elicitation: { form: {} } });
  if (ext && brk('mrtr-in-task')) {
    const t = createTask(async (ctx) => {
      const a = await ctx.ask(['user_name'], (f) => elicit('Your name?', f));
      return text(`user_name=${accepted(a.user_name, 'user_name') ?? ''}`);
    });
    return { resultType: 'task', ...taskShape(t) };
  }
  const answer = accepted(params.inputResponses?.user_name, 'user_name');
  if (answer === undefined || params.requestState !== 'mrtr-round-1') {
    return { resultType: 'input_required', inputRequests: { user_name: elicit('Your name?', 'user_name') }, requestState: 'mrtr-round-1' };
  }
  const result = text(`user_name=${answer}`);
  if (!ext) return { resultType: 'complete', ...result };
  const t = createTask(async () => result);
  return { resultType: 'task', ...taskShape(t) };
}

// ---------- dispatch ----------
const declaresExt = (caps) => {
  const e = caps?.extensions?.[EXT_ID];
  return typeof e === 'object' && e !== null && !Array.isArray(e);
};

function discover() {
  const capabilities = { tools: {}, resources: {}, ...(brk('discover-no-ext') ? {} : { extensions: { [EXT_ID]: {} } }) };
  if (brk('legacy-capability')) capabilities.tasks = { list: {}, cancel: {}, requests: { tools: { call: {} } } };
  return {
    resultType: 'complete',
    supportedVersions: [VERSION],
    capabilities,
    ttlMs: 60_000,
    cacheScope: 'public',
    _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'rogue-ext', version: '0.0.1' } },
  };
}

/** tasks/update and tasks/cancel: the task, or undefined (an ack) for an unknown one under unknown-acks. */
function lookupOrAck(params, rctx) {
  if (brk('unknown-acks') && typeof params.taskId === 'string' && !tasks.has(params.taskId)) return undefined;
  return lookup(params, rctx);
}
function lookup(params, rctx, code = -32602) {
  const id = brk('mcp-name-routes') && rctx.headerName !== undefined ? rctx.headerName : params.taskId;
  const t = typeof id === 'string' ? tasks.get(id) : undefined;
  if (!t) {
    const shown = typeof id === 'string' ? id.slice(0, 80) : String(id);
    throw new RpcError(code, `Unknown task: ${shown}`, undefined, brk('unknown-task-400') ? 400 : undefined);
  }
  return t;
}

/** One request: its result object (or a promise of it); throws RpcError. `rctx`: transport hooks. */
function handle(msg, rctx) {
  const { method } = msg;
  const params = msg.params ?? {};
  const meta = params._meta;
  if (brk('meta-optional') && typeof meta === 'object' && meta !== null && meta[M.caps] === undefined) meta[M.caps] = {};
  if (
    typeof meta !== 'object' ||
    meta === null ||
    typeof meta[M.version] !== 'string' ||
    typeof meta[M.caps] !== 'object' ||
    meta[M.caps] === null
  )
    throw new RpcError(-32602, 'params._meta must carry io.modelcontextprotocol/protocolVersion and clientCapabilities', undefined, 400);
  if (meta[M.version] !== VERSION && !brk('version-unchecked'))
    throw new RpcError(
      -32022,
      'Unsupported protocol version',
      { supported: [VERSION], requested: meta[M.version] },
      brk('status-200') ? 200 : 400,
    );
  rctx.checkHeaders?.(msg);
  const caps = meta[M.caps];
  const ack = brk('ack-no-resulttype') ? {} : { resultType: 'complete' };
  switch (method) {
    case 'server/discover':
      return discover();
    case 'tools/list':
      return { resultType: 'complete', tools: TOOLS };
    case 'resources/list':
      return { resultType: 'complete', resources: [{ uri: 'rogue://note', name: 'note', mimeType: 'text/plain' }] };
    case 'resources/read':
      if (params.uri !== 'rogue://note') throw invalidParams(`Unknown resource: ${params.uri}`);
      return { resultType: 'complete', contents: [{ uri: 'rogue://note', mimeType: 'text/plain', text: 'a note' }] };
    case 'tools/call':
      return callTool(params, caps, rctx);
    case 'tasks/get': {
      if (!declaresExt(caps)) throw needExt();
      const t = lookup(params, rctx, brk('get-unknown-32603') ? -32603 : -32602);
      const resultType = brk('get-resulttype-task')
        ? 'task'
        : brk('get-input-resulttype') && t.status === 'input_required'
          ? 'input_required'
          : 'complete';
      return { resultType, ...detailed(t) };
    }
    case 'tasks/update': {
      if (!declaresExt(caps)) throw needExt();
      const t = lookupOrAck(params, rctx);
      if (!t) return ack;
      const stray = Object.keys(params.inputResponses ?? {}).filter((k) => !(k in t.outstanding));
      if (stray.length && brk('bogus-key-error')) throw invalidParams(`not outstanding: ${stray.join(', ')}`);
      for (const [key, response] of Object.entries(params.inputResponses ?? {})) t.onAnswer?.(key, response);
      return ack;
    }
    case 'tasks/cancel': {
      if (!declaresExt(caps)) throw needExt();
      const t = lookupOrAck(params, rctx);
      if (!t) return ack;
      cancelTask(t);
      return brk('cancel-returns-task') ? { resultType: 'complete', ...taskShape(t) } : ack;
    }
    case 'tasks/result':
      if (brk('tasks-result-served') && declaresExt(caps))
        return { resultType: 'complete', ...(lookup(params, rctx).result ?? text('pending')) };
      throw notFound(method);
    case 'tasks/list':
      if (brk('tasks-list-served')) return { resultType: 'complete', tasks: [...tasks.values()].map(taskShape) };
      throw notFound(method);
    case 'subscriptions/listen':
      return listen(msg, params, caps, rctx);
    default:
      throw notFound(method);
  }
}

/** subscriptions/listen: only task notifications are offered; the request stays open until cancelled. */
function listen(msg, params, caps, rctx) {
  const wanted = params.notifications?.taskIds;
  if (wanted !== undefined && !declaresExt(caps)) throw needExt();
  const taskIds = new Set(Array.isArray(wanted) ? wanted.filter((id) => typeof id === 'string' && tasks.has(id)) : []);
  const sub = { id: msg.id, taskIds, tasks: Array.isArray(wanted), write: rctx.stream };
  if (brk('decline-subscriptions')) taskIds.clear();
  const notifications = Array.isArray(wanted) ? { taskIds: [...taskIds] } : {};
  const acknowledge = () =>
    sub.write({
      jsonrpc: '2.0',
      method: 'notifications/subscriptions/acknowledged',
      params: { _meta: { [M.sub]: msg.id }, notifications },
    });
  // ack-late: the current state of every task goes out first, then the acknowledgement.
  if (brk('ack-late')) for (const id of taskIds) sub.write(statusNotification(tasks.get(id), msg.id));
  else acknowledge();
  subscriptions.add(sub);
  for (const id of [...taskIds]) {
    const t = tasks.get(id);
    if (TERMINAL.has(t.status) || t.status === 'input_required') {
      if (!brk('ack-late')) sub.write(statusNotification(t, msg.id));
      if (TERMINAL.has(t.status)) taskIds.delete(id);
    }
  }
  if (brk('ack-late')) acknowledge();
  return new Promise((resolve) =>
    rctx.onClose(() => {
      subscriptions.delete(sub);
      resolve(undefined);
    }),
  );
}

function errorBody(id, err) {
  const e = err instanceof RpcError ? err : new RpcError(-32603, `Internal error: ${String(err?.message ?? err)}`);
  return { jsonrpc: '2.0', id, error: { code: e.code, message: e.message, ...(e.data === undefined ? {} : { data: e.data }) } };
}

// ---------- stdio ----------
function serveStdio() {
  const write = (m) => process.stdout.write(`${JSON.stringify(m)}\n`);
  stdioWrite = write;
  const inflight = new Map(); // request id -> cancel()
  let buffer = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (line) onLine(line);
    }
  });
  process.stdin.on('end', () => process.exit(0));
  function onLine(line) {
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      return write({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
    }
    if (!msg || typeof msg !== 'object' || typeof msg.method !== 'string') return;
    if (!('id' in msg)) {
      if (msg.method === 'notifications/cancelled') inflight.get(JSON.stringify(msg.params?.requestId))?.();
      return;
    }
    const key = JSON.stringify(msg.id);
    const cancels = [];
    let dropped = false;
    inflight.set(key, () => {
      dropped = true;
      cancels.forEach((fn) => fn());
    });
    const token = msg.params?._meta?.progressToken;
    const rctx = {
      stream: write,
      onClose: (fn) => cancels.push(fn),
      onCancel: (fn) => cancels.push(fn),
      progress:
        token === undefined
          ? undefined
          : (progress, total) =>
              !dropped && write({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: token, progress, total } }),
    };
    Promise.resolve()
      .then(() => handle(msg, rctx))
      .then(
        (result) => !dropped && result !== undefined && write({ jsonrpc: '2.0', id: msg.id, result }),
        (err) => !dropped && write(errorBody(msg.id, err)),
      )
      .finally(() => inflight.delete(key));
  }
}

// ---------- Streamable HTTP ----------
const decodeName = (v) => {
  const m = /^=\?base64\?(.*)\?=$/.exec(v);
  return m ? Buffer.from(m[1], 'base64').toString('utf8') : v;
};
const statusOf = (e) =>
  e.error ? (e.error.httpStatus ?? { [-32601]: 404, [-32020]: 400, [-32021]: 400, [-32022]: 400 }[e.error.code] ?? 200) : 200;

async function serveHttp() {
  const server = createServer((req, res) => {
    if (brk('session-minted')) res.setHeader('mcp-session-id', randomUUID());
    if (req.method === 'GET' && brk('session-minted')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end('{}');
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' });
      return res.end();
    }
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => onPost(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  function onPost(req, res, body) {
    const json = (status, m) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(m));
    };
    let msg;
    try {
      msg = JSON.parse(body);
    } catch {
      return json(400, { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' } });
    }
    if (!msg || typeof msg !== 'object' || typeof msg.method !== 'string')
      return json(400, { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid request' } });
    if (!('id' in msg)) {
      res.writeHead(202);
      return res.end();
    }
    const h = (n) => (typeof req.headers[n] === 'string' ? req.headers[n] : undefined);
    const rawName = h('mcp-name');
    const headerName = rawName === undefined ? undefined : brk('no-base64-decode') ? rawName : decodeName(rawName);
    let sse = false;
    const startSse = () => {
      if (sse) return;
      sse = true;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
    };
    const event = (m) => !res.writableEnded && res.write(`event: message\ndata: ${JSON.stringify(m)}\n\n`);
    const closers = [];
    res.on('close', () => closers.splice(0).forEach((fn) => fn()));
    const token = msg.params?._meta?.progressToken;
    const rctx = {
      http: true,
      headerName,
      stream(m) {
        startSse();
        event(m);
      },
      onClose: (fn) => closers.push(fn),
      onCancel: (fn) => closers.push(fn),
      progress:
        token === undefined
          ? undefined
          : (progress, total) =>
              rctx.stream({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: token, progress, total } }),
      checkHeaders(m) {
        const mismatch = (what) => {
          throw new RpcError(-32020, `Header mismatch: ${what}`, undefined, 400);
        };
        if (h('mcp-protocol-version') !== m.params._meta[M.version]) mismatch('MCP-Protocol-Version does not match _meta');
        if (h('mcp-method') !== m.method && !brk('mcp-method-unchecked'))
          mismatch(`Mcp-Method ${h('mcp-method')} does not match ${m.method}`);
        const p = m.params;
        if (m.method === 'tools/call' && headerName !== p.name) mismatch(`Mcp-Name ${headerName} does not match ${p.name}`);
        if (m.method === 'resources/read' && headerName !== p.uri) mismatch(`Mcp-Name ${headerName} does not match ${p.uri}`);
        const taskMethod = ['tasks/get', 'tasks/update', 'tasks/cancel'].includes(m.method);
        if (taskMethod && headerName === undefined && brk('require-mcp-name')) mismatch('Mcp-Name is missing');
        if (taskMethod && headerName !== undefined && headerName !== p.taskId && !brk('mcp-name-unchecked') && !brk('mcp-name-routes'))
          mismatch(`Mcp-Name ${headerName} does not match taskId`);
      },
    };
    if (token !== undefined && msg.method === 'tools/call' && !declaresExt(msg.params?._meta?.[M.caps])) startSse();
    Promise.resolve()
      .then(() => handle(msg, rctx))
      .then(
        (result) => ({ jsonrpc: '2.0', id: msg.id, result }),
        (err) => ({ ...errorBody(msg.id, err), error: { ...errorBody(msg.id, err).error, httpStatus: err?.httpStatus } }),
      )
      .then((out) => {
        if (res.writableEnded || (out.result === undefined && !out.error)) return;
        const status = statusOf(out);
        if (out.error) delete out.error.httpStatus;
        if (brk('sse-answers') && out.result) startSse();
        if (sse) {
          event(out);
          return res.end();
        }
        const created = out.result?.resultType === 'task' && tasks.get(out.result.taskId);
        if (created && brk('sse-abort-cancels') && !TERMINAL.has(created.status)) {
          startSse();
          event(out);
          (created.onEnd ??= []).push(() => res.end());
          res.on('close', () => cancelTask(created));
          return;
        }
        json(status, out);
      });
  }
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.stdout.write(`MCP endpoint: http://127.0.0.1:${server.address().port}/mcp\n`);
  const stop = () => {
    server.closeAllConnections();
    server.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (argv.includes('--http')) await serveHttp();
else serveStdio();
