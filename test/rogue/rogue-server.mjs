#!/usr/bin/env node
// A hand-rolled stdio MCP Tasks server (2025-11-25) for red-teaming the checks. It shares no code with
// reference-server/ on purpose: the checks were proven against faults their own authors imagined; this
// server breaks rules in other shapes. Correct by default; `--break <name>` (repeatable, or comma list)
// switches on one rogue behaviour from BREAKS below. `--list-breaks` prints them. Other arguments (e.g. the
// `--tag <id>` that test/rogue/rogue.test.ts passes to find its processes) are ignored. `--http` serves
// Streamable HTTP on a free loopback port instead of stdio (rogue-http.mjs; it prints "MCP endpoint: <url>").
// Fixture tools (shared/spec/fixtures.md): greet, slow_compute, failing_job, protocol_error_job,
// confirm_delete, gated_job, release_gate, gate_state, progress_job, big_result; one resource (F-RES).
import { randomUUID } from 'node:crypto';

export const BREAKS = {
  'submitted-create': 'the CreateTaskResult reports status "submitted" (SEP draft) instead of working',
  'epoch-created': 'the CreateTaskResult carries createdAt as epoch milliseconds (a number)',
  'list-no-ttl': 'tasks/list entries lack ttl (tasks/get and the rest carry it)',
  'result-unknown-hangs': 'tasks/result for an unknown taskId never answers',
  'cancel-terminal-ok': 'tasks/cancel of a terminal task succeeds and flips it to cancelled',
  'cancel-then-complete': 'a cancelled gated_job stops, but a later release_gate still marks its task completed',
  'iserror-completed-rpcerror': 'an isError tool result ends the task completed, and tasks/result turns it into JSON-RPC error -32603',
  'list-cursor-loop': 'tasks/list ignores the cursor: page 1 again and again, nextCursor always set',
  'progress-token-string': 'progress notifications carry the progressToken stringified (JSON.stringify)',
  'result-meta-misspelled': 'tasks/result puts the related task under "io.modelcontextprotocol/relatedTask" instead of related-task',
  'status-notif-meta-terminal': 'the terminal status notification carries related-task _meta',
  'sequential-ids': 'task ids are sequential integers as strings ("1", "2", ...)',
  'required-runs-direct': 'failing_job (taskSupport required) called without a task runs and returns its isError result',
  'get-wrapped-terminal': 'tasks/get answers {task: Task} once the task is terminal (flat while working)',
  'get-latest-task': 'tasks/get answers the most recently created task, whatever taskId it was asked for',
  serial: 'requests are handled strictly one at a time, including release_gate (a blocked tasks/result blocks everything)',
  'crash-on-cancel': 'the process exits (code 7) when it receives tasks/cancel',
  noise: 'garbage lines are written to stdout between messages',
  'init-hang': 'initialize is never answered',
  'list-hang': 'tasks/list is never answered',
  'crt-with-content': 'the CreateTaskResult also carries the tool content (content: [...]) beside task',
  'rpcerr-code-changed': 'tasks/result of a task whose tool failed with -32603 answers -32600 instead',
  'result-early-partial': 'tasks/result of a working task answers at once with a CallToolResult "pending"',
  'cancel-unknown-fabricates': 'tasks/cancel of an unknown taskId answers a fabricated cancelled Task',
  'progress-after-terminal': 'one more progress notification is sent 150 ms after progress_job completes',
  'elicit-wrong-task': 'elicitation/create for a task carries related-task naming a different (fresh) task id',
  'early-completed-notif': 'a status notification says completed at creation while tasks/get still says working',
  'list-drops-failed': 'tasks/list leaves out failed tasks (tasks/get still returns them)',
  'caps-boolean': 'capabilities.tasks.list and .cancel are true instead of {}',
  'forbidden-task-creates': 'greet (no taskSupport) called with a task creates a task instead of -32601',
  'poll-zero': 'pollInterval is 0 in every Task',
  'negative-ttl': "a task's ttl is reported as -1 in tasks/get",
  'updated-before-created': 'lastUpdatedAt is one hour earlier than createdAt in every Task',
  'error-no-message': 'JSON-RPC errors of tasks/get carry no message member at all',
  'get-nonstring-ok': 'tasks/get with a numeric taskId answers the task whose id is its string form, or a fabricated working Task',
  'result-wrong-task':
    'tasks/result answers the payload of the task that finished just before the requested one (related-task still names the requested one)',
  'progress-repeat': 'every progress value is sent twice (1, 1, 2, 2, ...)',
  'created-moves': 'tasks/get reports createdAt equal to lastUpdatedAt (it moves when the status changes)',
  'result-failed-hangs': 'tasks/result of a task whose tool failed with a JSON-RPC error never answers',
  'iserror-content-changed': 'tasks/result of an isError task answers isError:true with other content than the direct call',
  'decline-stuck-working': 'after a declined or cancelled elicitation the task goes back to working and never ends',
  'support-capitalized': 'tools/list advertises slow_compute with execution.taskSupport "Optional"',
  'id-recycle': 'a new task reuses the id of a finished task when there is one',
  'list-bad-cursor-empty': 'an unknown tasks/list cursor answers an empty page instead of -32602',
  'cancel-terminal-32600': 'tasks/cancel of a terminal task answers -32600 instead of -32602',
  'get-unknown-32600': 'tasks/get of an unknown (well-formed) taskId answers -32600 instead of -32602',
  'notif-no-ttl': 'status notifications lack ttl',
  'early-delete': 'finished tasks are deleted 3 s after they end, whatever their ttl',
  'stderr-flood': '(not a violation) 64 KB of log text goes to stderr with every message',
  immortal: '(not a violation by itself) SIGTERM and stdin EOF are ignored; only SIGKILL ends the process',
  wedge: 'after the 15th request the server stops answering anything (but stays alive)',
  'duplicate-response': 'every tasks/get is answered twice, the second time with status "failed"',
  'paged-tools': '(not a violation) tools/list returns two tools per page with nextCursor',
  'elicit-on-result': "(not a violation, A25-10) a task's elicitation is sent only once a tasks/result for it is pending",
  'split-writes': '(not a violation) every message is written in two chunks 5 ms apart',
  'list-overlap': 'each tasks/list page repeats the last task of the previous page',
  'empty-status-message': 'failed tasks carry statusMessage ""',
  'rpcerr-cancelled': 'a JSON-RPC error from the tool ends the task cancelled instead of failed',
  'exit-after-2s': 'every server process exits (code 9) 2 s after it started',
  'created-no-offset': 'createdAt has no UTC offset ("2025-11-25T10:30:00.000")',
  'cancel-wrong-id': 'the tasks/cancel result names another (fresh) taskId',
  'cursor-number': 'tasks/list nextCursor is a number, not a string',
  'task-ignored': 'a task-augmented call to slow_compute ignores task and answers the CallToolResult',
  'required-32600': 'failing_job (required) called without a task answers -32600 instead of -32601 (allowed with a WARN, A25-01)',
  'sup-task-created': 'resources/read with a task field answers a CreateTaskResult instead of ignoring task',
  'empty-task-no-ttl': 'a task created with task: {} carries no ttl member at all',
  'failed-flips': 'a failed task reads back as completed from 1 s after it failed',
  'meta-result-target': 'tasks/result serves the task named in _meta related-task when the request carries one',
  'elicit-after-cancel': 'cancelling a task in input_required sends a second elicitation for it 300 ms later',
  'invalid-args-stuck': 'a task-augmented call with invalid arguments creates a task that stays working forever',
  'progress-meta-wrong': 'progress notifications of a task carry related-task naming a fresh, unrelated task id',
  'ttl-null-on-huge': 'a requested ttl above one day is granted as null (unlimited)',
  'shared-label': "slow_compute keeps its label in one process-wide variable (concurrent tasks return each other's labels)",
  'busy-on-cancel': 'tasks/cancel sends the process into a busy loop (alive, but never answers again)',
  'crash-at-start': 'the process exits (code 3) before reading anything',
  'init-error': 'initialize is answered with JSON-RPC error -32603',
  'init-old-version': 'initialize answers protocolVersion 2025-06-18 (no tasks in that revision)',
  'exit-after-init': 'the process exits (code 0) right after notifications/initialized',
  'notif-flood': '(not a violation) a notifications/message log line every 2 ms from initialize on',
  'ttl-expiry-crash':
    'any requested ttl is granted (no 1 s floor), expiry does not stop the work, and work that ends after its task expired stores into the deleted task: the store throws and the process dies (code 1), as the SDK examples do',
  'quota-retained': 'task creation answers -32603 "task quota exceeded" once 100 tasks are retained, completed ones included',
  'result-not-completed': 'tasks/result of a task that is not terminal answers -32603 "Task not completed" at once instead of blocking',
  'http-crossed-sessions':
    "(--http) responses are matched to POSTs by JSON-RPC id alone: two sessions that use the same id at once get each other's answers",
  'elicit-confirm-schema':
    'confirm_delete asks requestedSchema {confirm: boolean} (required); an answer without a boolean confirm fails the task, with one it completes "confirmed:<value>"',
  'tasks-not-forwarded':
    'tasks are declared, but every tasks/* request answers -32601 and tools/call loses its task field (a proxy that does not forward them): no task is ever created',
  'no-tasks': 'no tasks capability at all: no execution.taskSupport on tools, task ignored on tools/call, tasks/* answer -32601',
  'other-texts':
    '(not a violation with a --fixtures mapping) slow_compute answers "slept <ms>ms", failing_job "boom", gated_job "gate <gateId> open": not the contract texts',
};

const argv = process.argv.slice(2);
if (argv.includes('--list-breaks')) {
  for (const [name, what] of Object.entries(BREAKS)) process.stdout.write(`${name.padEnd(28)} ${what}\n`);
  process.exit(0);
}
const active = new Set(
  argv.flatMap((a, i) => (a === '--break' ? String(argv[i + 1] ?? '').split(',') : [])).filter((b) => b && b !== 'none'),
);
for (const b of active) {
  if (!Object.hasOwn(BREAKS, b)) {
    process.stderr.write(`rogue-server: unknown --break "${b}"; known: ${Object.keys(BREAKS).join(', ')}\n`);
    process.exit(2);
  }
}
const broken = (name) => active.has(name);

const RELATED = 'io.modelcontextprotocol/related-task';
const PROTOCOL = '2025-11-25';
const DEFAULT_TTL = 300_000;
const MAX_TTL = 3_600_000;
const MIN_TTL = 1_000;
const POLL = 100;
const PAGE = 10;
const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

class RpcError extends Error {
  constructor(code, message, data) {
    super(message);
    this.code = code;
    this.data = data;
  }
}

// ---------------------------------------------------------------- output

let noiseCount = 0;
/** Set by --http: delivers a message to the HTTP session it belongs to; the session of the message being handled. */
let httpSink;
let httpSession;
function write(message) {
  if (httpSink) return void httpSink(message);
  if (broken('stderr-flood')) process.stderr.write(`${'rogue log '.repeat(6553)}\n`);
  if (broken('noise')) process.stdout.write(`rogue debug line ${++noiseCount}: about to send ${message.method ?? 'a response'}\n`);
  const line = `${JSON.stringify(message)}\n`;
  if (!broken('split-writes')) return void process.stdout.write(line);
  const cut = Math.floor(line.length / 2);
  output = output.then(async () => {
    process.stdout.write(line.slice(0, cut));
    await new Promise((r) => setTimeout(r, 5));
    process.stdout.write(line.slice(cut));
  });
}
let output = Promise.resolve();
const respond = (id, result, method) => {
  write({ jsonrpc: '2.0', id, result });
  if (broken('duplicate-response') && method === 'tasks/get' && typeof result?.status === 'string')
    write({ jsonrpc: '2.0', id, result: { ...result, status: 'failed' } });
};
function respondError(id, error, method) {
  const err = { code: error.code, message: error.message || 'error' };
  if (error.data !== undefined) err.data = error.data;
  if (broken('error-no-message') && method === 'tasks/get') delete err.message;
  write({ jsonrpc: '2.0', id, error: err });
}
const notify = (method, params) => write({ jsonrpc: '2.0', method, params });

let nextServerRequest = 1;
const pendingServerRequests = new Map(); // id -> {resolve, reject}
function requestClient(method, params) {
  const id = `rogue-${nextServerRequest++}`;
  write({ jsonrpc: '2.0', id, method, params });
  return new Promise((resolve, reject) => pendingServerRequests.set(id, { resolve, reject }));
}

// ---------------------------------------------------------------- gates

const gates = new Map(); // gateId -> {state, pending?: outcome, waiters: Set}
const gate = (id) => {
  if (!gates.has(id)) gates.set(id, { state: 'unknown', pending: undefined, waiters: new Set() });
  return gates.get(id);
};
/** Stale listeners that the cancel-then-complete break keeps after an abort. */
const zombies = new Map(); // gateId -> [callback(outcome)]

function waitGate(gateId, signal, onZombie) {
  const g = gate(gateId);
  if (g.pending) {
    const outcome = g.pending;
    g.pending = undefined;
    g.state = 'finished';
    return Promise.resolve(outcome);
  }
  return new Promise((resolve, reject) => {
    const wake = (outcome) => {
      signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const onAbort = () => {
      g.waiters.delete(wake);
      if (g.waiters.size === 0) g.state = 'aborted';
      if (onZombie) zombies.set(gateId, [...(zombies.get(gateId) ?? []), onZombie]);
      reject(new Error('aborted'));
    };
    if (signal.aborted) return onAbort();
    g.waiters.add(wake);
    g.state = 'waiting';
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function releaseGate(gateId, outcome) {
  const g = gate(gateId);
  for (const z of zombies.get(gateId) ?? []) z(outcome);
  zombies.delete(gateId);
  if (g.waiters.size === 0) {
    g.pending = outcome;
    return;
  }
  const waiters = [...g.waiters];
  g.waiters.clear();
  g.state = 'finished';
  for (const w of waiters) w(outcome);
}

// ---------------------------------------------------------------- tools

const text = (t) => ({ content: [{ type: 'text', text: t }] });
const sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('aborted'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });

let sharedLabel;
const obj = (properties, required = []) => ({ type: 'object', properties, required });
const NAME_SCHEMA = obj({ name: { type: 'string' } }, ['name']);
const CONFIRM_SCHEMA = obj({ confirm: { type: 'boolean' } }, ['confirm']);

const TOOLS = {
  greet: {
    inputSchema: obj({ name: { type: 'string' } }, ['name']),
    check: (a) => typeof a.name === 'string',
    run: async (a) => text(`Hello, ${a.name}!`),
  },
  slow_compute: {
    support: 'optional',
    inputSchema: obj({ seconds: { type: 'number', minimum: 0 }, label: { type: 'string' } }, ['seconds']),
    check: (a) => typeof a.seconds === 'number' && a.seconds >= 0 && (a.label === undefined || typeof a.label === 'string'),
    run: async (a, ctx) => {
      if (broken('shared-label')) sharedLabel = a.label;
      if (a.seconds > 0) await sleep(a.seconds * 1000, ctx.signal);
      if (broken('other-texts')) return text(`slept ${Math.round(a.seconds * 1000)}ms`);
      return text(`computed:${(broken('shared-label') ? sharedLabel : a.label) ?? ''}`);
    },
  },
  failing_job: {
    support: 'required',
    inputSchema: obj({}),
    run: async () => ({ ...text(broken('other-texts') ? 'boom' : 'job failed'), isError: true }),
  },
  protocol_error_job: {
    support: 'optional',
    inputSchema: obj({}),
    run: async () => {
      throw new RpcError(-32603, 'protocol_error_job failed (rogue fixture)');
    },
  },
  confirm_delete: {
    support: 'optional',
    inputSchema: obj({}),
    run: async (_a, ctx) => {
      if (!ctx.canElicit) return { ...text('confirm_delete needs form elicitation, which the client did not declare'), isError: true };
      if (broken('elicit-confirm-schema')) {
        // The shape of the SDK's simpleTaskInteractive example: the server validates the answer against its schema.
        const answer = await ctx.elicit('Delete it?', CONFIRM_SCHEMA);
        if (answer.action !== 'accept') return text('declined');
        const confirm = answer.content?.confirm;
        if (typeof confirm !== 'boolean')
          return {
            ...text("Elicitation response content does not match requested schema: data must have required property 'confirm'"),
            isError: true,
          };
        return text(`confirmed:${confirm}`);
      }
      const answer = await ctx.elicit('Who is asking?', NAME_SCHEMA);
      if (answer.action !== 'accept') {
        if (broken('decline-stuck-working')) await new Promise(() => {});
        return text('declined');
      }
      return text(`hello:${answer.content?.name}`);
    },
  },
  gated_job: {
    support: 'optional',
    inputSchema: obj({ gateId: { type: 'string' } }, ['gateId']),
    check: (a) => typeof a.gateId === 'string' && a.gateId.length > 0,
    run: async (a, ctx) => {
      const outcome = await waitGate(a.gateId, ctx.signal, ctx.onZombie);
      return gateOutcome(a.gateId, outcome);
    },
  },
  release_gate: {
    support: 'forbidden',
    inputSchema: obj({ gateId: { type: 'string' }, outcome: { type: 'string', enum: ['success', 'tool_error', 'protocol_error'] } }, [
      'gateId',
    ]),
    check: (a) =>
      typeof a.gateId === 'string' && (a.outcome === undefined || ['success', 'tool_error', 'protocol_error'].includes(a.outcome)),
    run: async (a) => {
      releaseGate(a.gateId, a.outcome ?? 'success');
      return text('ok');
    },
  },
  gate_state: {
    support: 'forbidden',
    inputSchema: obj({ gateId: { type: 'string' } }, ['gateId']),
    check: (a) => typeof a.gateId === 'string',
    run: async (a) => {
      const structuredContent = { state: gates.get(a.gateId)?.state ?? 'unknown' };
      return { ...text(JSON.stringify(structuredContent)), structuredContent };
    },
  },
  progress_job: {
    support: 'optional',
    inputSchema: obj({ steps: { type: 'integer', minimum: 0 }, intervalSeconds: { type: 'number', minimum: 0 } }, [
      'steps',
      'intervalSeconds',
    ]),
    check: (a) => Number.isInteger(a.steps) && a.steps >= 0 && typeof a.intervalSeconds === 'number' && a.intervalSeconds >= 0,
    run: async (a, ctx) => {
      for (let i = 1; i <= a.steps; i++) {
        await sleep(a.intervalSeconds * 1000, ctx.signal);
        ctx.progress(i, a.steps);
      }
      if (broken('progress-after-terminal')) setTimeout(() => ctx.progress(a.steps + 1, a.steps + 1), 150);
      return text('done');
    },
  },
  big_result: {
    support: 'optional',
    inputSchema: obj({ bytes: { type: 'integer', minimum: 0 } }, ['bytes']),
    check: (a) => Number.isInteger(a.bytes) && a.bytes >= 0 && a.bytes <= 50_000_000,
    run: async (a) => text('abcdefghijklmnopqrstuvwxyz'.repeat(Math.ceil(a.bytes / 26)).slice(0, a.bytes)),
  },
};

function gateOutcome(gateId, outcome) {
  if (outcome === 'tool_error') return { ...text(`gate ${gateId} released with a tool error`), isError: true };
  if (outcome === 'protocol_error') throw new RpcError(-32603, `gated_job: gate ${gateId} released with a protocol error`);
  return text(broken('other-texts') ? `gate ${gateId} open` : `released:${gateId}`);
}

const toolList = () =>
  Object.entries(TOOLS).map(([name, t]) => ({
    name,
    description: `rogue ${name}`,
    inputSchema: t.inputSchema,
    ...(t.support &&
      name !== 'greet' &&
      !broken('no-tasks') && {
        execution: { taskSupport: broken('support-capitalized') && name === 'slow_compute' ? 'Optional' : t.support },
      }),
  }));

// ---------------------------------------------------------------- tasks

const tasks = new Map(); // taskId -> record
let sequence = 0;
let latestTaskId;
const finished = []; // tasks with an outcome, in the order they finished
/** Client capabilities by connection: one on stdio, one per session over --http (shared tasks, own capabilities). */
const clientCapabilities = new Map();
const canElicit = () => clientCapabilities.get(httpSession?.() ?? 'stdio')?.elicitation !== undefined;

const iso = (ms) => new Date(ms).toISOString();

function taskView(t, where) {
  const v = {
    taskId: t.taskId,
    status: t.status,
    ...(t.statusMessage !== undefined && { statusMessage: t.statusMessage }),
    createdAt: broken('created-no-offset') ? iso(t.createdAt).replace('Z', '') : iso(t.createdAt),
    lastUpdatedAt: iso(broken('updated-before-created') ? t.createdAt - 3_600_000 : t.lastUpdatedAt),
    ttl: t.ttl,
    pollInterval: broken('poll-zero') ? 0 : POLL,
  };
  if (where === 'create' && broken('epoch-created')) v.createdAt = t.createdAt;
  if (where === 'create' && broken('empty-task-no-ttl') && t.noTtlRequested) delete v.ttl;
  if (where === 'create' && broken('submitted-create') && v.status === 'working') v.status = 'submitted';
  if (where === 'list' && broken('list-no-ttl')) delete v.ttl;
  if (where === 'get' && broken('negative-ttl')) v.ttl = -1;
  if (where === 'get' && broken('created-moves')) v.createdAt = v.lastUpdatedAt;
  if (where === 'notification' && broken('notif-no-ttl')) delete v.ttl;
  return v;
}

function setStatus(t, status, statusMessage) {
  t.status = status;
  t.statusMessage = statusMessage;
  t.lastUpdatedAt = Math.max(Date.now(), t.lastUpdatedAt + 1);
  const params = taskView(t, 'notification');
  if (broken('status-notif-meta-terminal') && TERMINAL.has(status)) params._meta = { [RELATED]: { taskId: t.taskId } };
  notify('notifications/tasks/status', params);
  if (TERMINAL.has(status)) {
    if (t.outcome) finished.push(t);
    for (const w of t.waiters.splice(0)) w();
    if (broken('failed-flips') && status === 'failed') setTimeout(() => (t.status = 'completed'), 1000).unref();
    if (broken('early-delete')) setTimeout(() => tasks.get(t.taskId) === t && tasks.delete(t.taskId), 3000).unref();
  }
}

function newTaskId() {
  if (broken('sequential-ids')) return String(++sequence);
  if (broken('id-recycle')) {
    const done = [...tasks.values()].find((t) => TERMINAL.has(t.status));
    if (done) {
      tasks.delete(done.taskId);
      clearTimeout(done.expiry);
      return done.taskId;
    }
  }
  return randomUUID();
}

function createTask(name, args, requested, progressToken) {
  const now = Date.now();
  let ttl = typeof requested.ttl === 'number' ? Math.min(Math.max(Math.round(requested.ttl), MIN_TTL), MAX_TTL) : DEFAULT_TTL;
  if (broken('ttl-expiry-crash') && typeof requested.ttl === 'number') ttl = requested.ttl;
  if (broken('ttl-null-on-huge') && requested.ttl > 86_400_000) ttl = null;
  const t = {
    taskId: newTaskId(),
    status: 'working',
    statusMessage: undefined,
    createdAt: now,
    lastUpdatedAt: now,
    ttl,
    outcome: undefined, // {result} | {error}
    waiters: [],
    abort: new AbortController(),
    tool: name,
  };
  t.noTtlRequested = typeof requested.ttl !== 'number';
  tasks.set(t.taskId, t);
  latestTaskId = t.taskId;
  t.expiry = setTimeout(() => {
    if (t.ttl === null) return;
    if (!broken('ttl-expiry-crash')) t.abort.abort();
    tasks.delete(t.taskId);
    for (const w of t.waiters.splice(0)) w();
  }, ttl ?? 0);
  t.expiry.unref();

  const ctx = {
    signal: t.abort.signal,
    canElicit: canElicit(),
    progress: (progress, total) => {
      if (progressToken === undefined) return;
      const token = broken('progress-token-string') ? JSON.stringify(progressToken) : progressToken;
      const note = {
        progressToken: token,
        progress,
        total,
        _meta: { [RELATED]: { taskId: broken('progress-meta-wrong') ? randomUUID() : t.taskId } },
      };
      notify('notifications/progress', note);
      if (broken('progress-repeat')) notify('notifications/progress', note);
    },
    elicit: async (message, requestedSchema) => {
      setStatus(t, 'input_required');
      const relatedId = broken('elicit-wrong-task') ? randomUUID() : t.taskId;
      if (broken('elicit-on-result') && !t.resultPending) {
        await new Promise((resolve, reject) => {
          t.onResultPending = resolve;
          t.abort.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
        });
      }
      try {
        const answer = await requestClient('elicitation/create', {
          mode: 'form',
          message,
          requestedSchema,
          _meta: { [RELATED]: { taskId: relatedId } },
        });
        return answer;
      } catch {
        return { action: 'cancel' };
      } finally {
        if (t.status === 'input_required') setStatus(t, 'working');
      }
    },
    onZombie: broken('cancel-then-complete')
      ? (outcome) => {
          try {
            const result = gateOutcome(args.gateId, outcome);
            t.outcome = { result };
            setStatus(t, result.isError ? 'failed' : 'completed');
          } catch (e) {
            t.outcome = { error: e };
            setStatus(t, 'failed', e.message);
          }
        }
      : undefined,
  };
  if (broken('early-completed-notif')) notify('notifications/tasks/status', { ...taskView(t, 'notification'), status: 'completed' });

  // Run after the CreateTaskResult has gone out.
  setImmediate(async () => {
    try {
      const result = await TOOLS[name].run(args, ctx);
      if (broken('ttl-expiry-crash')) await storeIntoExpired(t);
      if (TERMINAL.has(t.status) || !tasks.has(t.taskId)) return;
      t.outcome = { result };
      if (result.isError && !broken('iserror-completed-rpcerror')) {
        setStatus(t, 'failed', broken('empty-status-message') ? '' : `the tool reported an error: ${result.content?.[0]?.text ?? ''}`);
      } else setStatus(t, 'completed');
    } catch (e) {
      if (TERMINAL.has(t.status) || !tasks.has(t.taskId)) return;
      const error = e instanceof RpcError ? e : new RpcError(-32603, `internal error: ${e.message}`);
      t.outcome = { error };
      if (broken('rpcerr-cancelled')) return setStatus(t, 'cancelled', 'the tool failed');
      setStatus(t, 'failed', broken('empty-status-message') ? '' : `the tool failed with JSON-RPC error ${error.code}: ${error.message}`);
    }
  });
  return t;
}

/**
 * ttl-expiry-crash: the result is stored from a timer (as the SDK examples' work does), which fires after an
 * expiry timer of the same or a shorter duration; storing into a deleted task throws, and nothing catches it.
 */
async function storeIntoExpired(t) {
  await new Promise((resolve) => setTimeout(resolve, 1));
  if (tasks.has(t.taskId)) return;
  process.stderr.write(`Error: Task with ID ${t.taskId} not found\n    at RogueStore.storeTaskResult (rogue-server.mjs)\n`);
  process.exit(1);
}

function lookup(params) {
  const id = params?.taskId;
  if (typeof id !== 'string') throw new RpcError(-32602, `taskId must be a string, got ${JSON.stringify(id)}`);
  const t = tasks.get(id);
  if (!t) throw new RpcError(-32602, `Task not found: ${id}`);
  return t;
}

const withRelated = (result, taskId) => {
  const key = broken('result-meta-misspelled') ? 'io.modelcontextprotocol/relatedTask' : RELATED;
  return { ...result, _meta: { ...(result._meta ?? {}), [key]: { taskId } } };
};

async function payload(t) {
  const before = finished[finished.indexOf(t) - 1];
  if (broken('result-wrong-task') && before?.outcome?.result) return withRelated(before.outcome.result, t.taskId);
  const o = t.outcome;
  if (t.status === 'cancelled' || !o) throw new RpcError(-32602, `Task ${t.taskId} was cancelled; it has no result`);
  if (o.error) {
    if (broken('result-failed-hangs')) await new Promise(() => {});
    if (broken('rpcerr-code-changed')) throw new RpcError(-32600, o.error.message);
    throw o.error;
  }
  if (broken('iserror-completed-rpcerror') && o.result.isError)
    throw new RpcError(-32603, `tool error: ${o.result.content?.[0]?.text ?? ''}`);
  if (broken('iserror-content-changed') && o.result.isError)
    return withRelated({ content: [{ type: 'text', text: 'the task failed' }], isError: true }, t.taskId);
  return withRelated(o.result, t.taskId);
}

// ---------------------------------------------------------------- handlers

const handlers = {
  initialize: async (params) => {
    if (broken('init-hang')) return new Promise(() => {});
    if (broken('init-error')) throw new RpcError(-32603, 'rogue: initialize failed on purpose');
    if (broken('notif-flood'))
      setInterval(() => notify('notifications/message', { level: 'info', data: `rogue flood ${Date.now()}` }), 2).unref();
    clientCapabilities.set(httpSession?.() ?? 'stdio', params?.capabilities ?? {});
    const tasksCap = broken('caps-boolean')
      ? { list: true, cancel: true, requests: { tools: { call: {} } } }
      : { list: {}, cancel: {}, requests: { tools: { call: {} } } };
    return {
      protocolVersion: broken('init-old-version') ? '2025-06-18' : PROTOCOL,
      capabilities: { tools: {}, resources: {}, ...(!broken('no-tasks') && { tasks: tasksCap }) },
      serverInfo: { name: 'rogue-server', version: '0.0.1' },
    };
  },
  ping: async () => ({}),
  'tools/list': async (params) => {
    if (!broken('paged-tools')) return { tools: toolList() };
    const start = params?.cursor === undefined ? 0 : Number(Buffer.from(String(params.cursor), 'base64url').toString());
    if (!Number.isInteger(start) || start < 0) throw new RpcError(-32602, 'Invalid cursor');
    const all = toolList();
    const next = start + 2 < all.length ? Buffer.from(String(start + 2)).toString('base64url') : undefined;
    return { tools: all.slice(start, start + 2), ...(next && { nextCursor: next }) };
  },
  'resources/list': async () => ({ resources: [{ uri: 'rogue://readme', name: 'readme', mimeType: 'text/plain' }] }),
  'resources/read': async (params) => {
    if (broken('sup-task-created') && params?.task) {
      const now = Date.now();
      return {
        task: {
          taskId: randomUUID(),
          status: 'working',
          createdAt: iso(now),
          lastUpdatedAt: iso(now),
          ttl: DEFAULT_TTL,
          pollInterval: POLL,
        },
      };
    }
    if (params?.uri !== 'rogue://readme') throw new RpcError(-32602, `Unknown resource: ${params?.uri}`);
    return { contents: [{ uri: 'rogue://readme', mimeType: 'text/plain', text: 'rogue server' }] };
  },
  'tools/call': async (params) => {
    const name = params?.name;
    const tool = TOOLS[name];
    if (!tool) throw new RpcError(-32602, `Unknown tool: ${name}`);
    const args = params.arguments ?? {};
    if (tool.check && !tool.check(args)) {
      if (broken('invalid-args-stuck') && params.task && typeof params.task === 'object') {
        const t = createTask('gated_job', { gateId: `stuck-${randomUUID()}` }, params.task);
        return { task: taskView(t, 'create') };
      }
      throw new RpcError(-32602, `Invalid arguments for ${name}`);
    }
    const support = broken('no-tasks') ? 'forbidden' : (tool.support ?? 'forbidden');
    const wantsTask = params.task !== undefined && params.task !== null && typeof params.task === 'object';
    if (wantsTask && !(broken('task-ignored') && name === 'slow_compute')) {
      if (support === 'forbidden' && !(broken('forbidden-task-creates') && name === 'greet')) {
        throw new RpcError(-32601, `Tool ${name} does not support task-augmented calls`);
      }
      if (broken('quota-retained') && tasks.size >= 100) throw new RpcError(-32603, `task quota exceeded: ${tasks.size} tasks retained`);
      const t = createTask(name, args, params.task, params._meta?.progressToken);
      const result = { task: taskView(t, 'create') };
      if (broken('crt-with-content')) result.content = [{ type: 'text', text: 'task started' }];
      return result;
    }
    if (support === 'required' && broken('required-32600')) throw new RpcError(-32600, `Tool ${name} requires task augmentation`);
    if (support === 'required' && !broken('required-runs-direct')) throw new RpcError(-32601, `Tool ${name} must be called as a task`);
    const abort = new AbortController();
    const token = params._meta?.progressToken;
    return tool.run(args, {
      signal: abort.signal,
      canElicit: canElicit(),
      progress: (progress, total) => token !== undefined && notify('notifications/progress', { progressToken: token, progress, total }),
      elicit: (message, requestedSchema) =>
        requestClient('elicitation/create', { mode: 'form', message, requestedSchema }).catch(() => ({ action: 'cancel' })),
    });
  },
  'tasks/get': async (params) => {
    if (broken('get-nonstring-ok') && typeof params?.taskId === 'number') {
      const t = tasks.get(String(params.taskId));
      const now = Date.now();
      return t
        ? taskView(t, 'get')
        : {
            taskId: String(params.taskId),
            status: 'working',
            createdAt: iso(now),
            lastUpdatedAt: iso(now),
            ttl: DEFAULT_TTL,
            pollInterval: POLL,
          };
    }
    if (broken('get-unknown-32600') && typeof params?.taskId === 'string' && !tasks.has(params.taskId))
      throw new RpcError(-32600, `Invalid request: no task ${params.taskId}`);
    let t = lookup(params);
    if (broken('get-latest-task') && tasks.has(latestTaskId)) t = tasks.get(latestTaskId);
    const view = taskView(t, 'get');
    if (broken('get-wrapped-terminal') && TERMINAL.has(t.status)) return { task: view };
    return view;
  },
  'tasks/result': async (params) => {
    const metaTarget = params?._meta?.[RELATED]?.taskId;
    if (broken('meta-result-target') && typeof metaTarget === 'string' && tasks.has(metaTarget)) params = { ...params, taskId: metaTarget };
    if (broken('result-unknown-hangs') && typeof params?.taskId === 'string' && !tasks.has(params.taskId)) return new Promise(() => {});
    const t = lookup(params);
    if (!TERMINAL.has(t.status)) {
      if (broken('result-early-partial')) return withRelated(text('pending'), t.taskId);
      if (broken('result-not-completed')) throw new RpcError(-32603, `Task ${t.taskId} not completed (status ${t.status})`);
      const waiting = new Promise((resolve) => t.waiters.push(resolve));
      t.resultPending = true;
      t.onResultPending?.();
      await waiting;
      if (!tasks.has(t.taskId)) throw new RpcError(-32602, `Task not found: ${t.taskId} (expired)`);
    }
    return payload(t);
  },
  'tasks/cancel': async (params) => {
    if (broken('crash-on-cancel')) {
      process.stderr.write('rogue-server: crashing on tasks/cancel (--break crash-on-cancel)\n');
      process.exit(7);
    }
    if (broken('cancel-unknown-fabricates') && typeof params?.taskId === 'string' && !tasks.has(params.taskId)) {
      const now = Date.now();
      return {
        taskId: params.taskId,
        status: 'cancelled',
        createdAt: iso(now),
        lastUpdatedAt: iso(now),
        ttl: DEFAULT_TTL,
        pollInterval: POLL,
      };
    }
    const t = lookup(params);
    if (TERMINAL.has(t.status) && broken('cancel-terminal-32600')) throw new RpcError(-32600, `Task ${t.taskId} is already ${t.status}`);
    if (TERMINAL.has(t.status) && !broken('cancel-terminal-ok'))
      throw new RpcError(-32602, `Task ${t.taskId} is already ${t.status} and cannot be cancelled`);
    const wasInput = t.status === 'input_required';
    setStatus(t, 'cancelled', 'The task was cancelled by request');
    t.abort.abort();
    if (broken('elicit-after-cancel') && wasInput) {
      setTimeout(
        () =>
          requestClient('elicitation/create', {
            mode: 'form',
            message: 'Still there?',
            requestedSchema: NAME_SCHEMA,
            _meta: { [RELATED]: { taskId: t.taskId } },
          }).catch(() => {}),
        300,
      );
    }
    if (broken('busy-on-cancel'))
      setImmediate(() => {
        for (;;);
      });
    return broken('cancel-wrong-id') ? { ...taskView(t, 'cancel'), taskId: randomUUID() } : taskView(t, 'cancel');
  },
  'tasks/list': async (params) => {
    if (broken('list-hang')) return new Promise(() => {});
    let all = [...tasks.values()];
    if (broken('list-drops-failed')) all = all.filter((t) => t.status !== 'failed');
    let start = 0;
    const cursor = params?.cursor;
    if (broken('cursor-number') && typeof cursor === 'number') start = cursor;
    else if (cursor !== undefined && !broken('list-cursor-loop')) {
      const decoded = typeof cursor === 'string' ? /^rogue-page:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString()) : null;
      if (!decoded && broken('list-bad-cursor-empty')) return { tasks: [] };
      if (!decoded) throw new RpcError(-32602, `Invalid cursor: ${JSON.stringify(cursor)}`);
      start = Number(decoded[1]);
    }
    const page = all.slice(broken('list-overlap') && start > 0 ? start - 1 : start, start + PAGE);
    const more = start + PAGE < all.length || broken('list-cursor-loop');
    const nextCursor = broken('cursor-number') ? start + PAGE : Buffer.from(`rogue-page:${start + PAGE}`).toString('base64url');
    return { tasks: page.map((t) => taskView(t, 'list')), ...(more && { nextCursor }) };
  },
};

// ---------------------------------------------------------------- dispatch

let serial = Promise.resolve();

/** tasks-not-forwarded / no-tasks: tasks/* are unknown methods and tools/call loses its task field. */
function withoutTasks(msg) {
  if (!broken('tasks-not-forwarded') && !broken('no-tasks')) return msg;
  if (msg.method.startsWith('tasks/')) return { ...msg, method: `unforwarded:${msg.method}` };
  if (msg.method !== 'tools/call' || !msg.params?.task) return msg;
  const { task, ...params } = msg.params;
  void task;
  return { ...msg, params };
}

async function handleRequest(raw) {
  const msg = withoutTasks(raw);
  const handler = handlers[msg.method];
  try {
    if (!handler) throw new RpcError(-32601, `Method not found: ${raw.method}`);
    const result = await handler(msg.params ?? {});
    respond(msg.id, result, msg.method);
  } catch (e) {
    respondError(msg.id, e instanceof RpcError ? e : new RpcError(-32603, `internal error: ${e?.message ?? e}`), msg.method);
  }
}

let requests = 0;
function onMessage(msg) {
  if (msg === null || typeof msg !== 'object') return;
  if ('method' in msg && 'id' in msg) {
    if (broken('wedge') && ++requests > 15) return;
    if (broken('serial')) serial = serial.then(() => handleRequest(msg));
    else void handleRequest(msg);
    return;
  }
  if ('method' in msg) {
    if (broken('exit-after-init') && msg.method === 'notifications/initialized') setTimeout(() => process.exit(0), 20);
    return; // notifications (initialized, cancelled, ...) need no answer here
  }
  const pending = pendingServerRequests.get(msg.id);
  if (!pending) return;
  pendingServerRequests.delete(msg.id);
  if ('error' in msg) pending.reject(new Error(msg.error?.message ?? 'error'));
  else pending.resolve(msg.result ?? {});
}

if (broken('exit-after-2s')) setTimeout(() => process.exit(9), 2000);
if (broken('crash-at-start')) {
  process.stderr.write('rogue-server: crashing at start (--break crash-at-start)\n');
  process.exit(3);
}

if (argv.includes('--http')) {
  const { serveHttp } = await import('./rogue-http.mjs');
  ({ sink: httpSink, session: httpSession } = await serveHttp({ onMessage, crossed: broken('http-crossed-sessions') }));
}

let buffer = '';
process.stdin.setEncoding('utf8');
if (!httpSink)
  process.stdin.on('data', (chunk) => {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (!line) continue;
      let msg;
      try {
        msg = JSON.parse(line);
      } catch {
        write({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
        continue;
      }
      onMessage(msg);
    }
  });
process.stdin.on('end', () => {
  if (!broken('immortal') && !httpSink) process.exit(0);
});
if (broken('immortal')) {
  process.on('SIGTERM', () => process.stderr.write('rogue-server: ignoring SIGTERM (--break immortal)\n'));
  setInterval(() => {}, 1 << 30);
}
