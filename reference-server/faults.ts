// Fault injection: `--violate <check-id>` makes the reference server break one rule on purpose, so each
// check can be proven to FAIL (or WARN) against a server that violates exactly what it checks.
//
// How to add a fault:
//   1. Add a row to FAULTS: the check id from docs/requirements-2025-11-25.md -> one line saying what breaks.
//   2. Implement it at ONE of the seams below. Never scatter checks for fault ids elsewhere.
//      - Message-level (reshape a response, notification or server request as it leaves the server):
//        add a case to `rewriteOutgoing` below. This is the preferred seam.
//      - Behavioural (do something different, e.g. skip a step): test `faults.has('T25-...')` at a
//        named seam in server.ts or connection.ts (search for "fault seam" to see the existing ones).
//   3. Add a test in test/reference-server/faults.test.ts that shows the violation on the wire.
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

export const FAULTS = {
  'T25-TOOL-03':
    'a taskSupport "required" tool called without a task answers an isError CallToolResult mentioning -32601 instead of the JSON-RPC error',
  'T25-TOOL-02': 'a forbidden tool called with a task runs and returns its CallToolResult instead of -32601',
  'T25-CAN-04': 'tasks/cancel marks the task cancelled but does not stop its work',
  'T25-RES-03': 'tasks/result on a non-terminal task answers at once with a JSON-RPC error "task not completed" instead of blocking',
  'T25-GET-03': 'requests on one connection are handled strictly one at a time (a blocked tasks/result blocks tasks/get)',
  'T25-CAN-01': 'the tasks/cancel response still says "working" (the task itself is cancelled)',
  'T25-RES-02': 'the tasks/result payload differs from the direct call: an extra text block is appended',
  'T25-CRT-01': 'a task-augmented tools/call answers a flat Task instead of {task: Task}',
  'T25-CAP-01': 'capabilities lack tasks.requests.tools.call while tools still advertise taskSupport',
  // Scenarios 2.A-2.G (capabilities, negotiation, create, ids, status, ttl, get): message-level ones are in rewriteCoreChecks.
  'T25-CAP-02': 'capabilities.tasks.list is the string "yes" instead of an object',
  'T25-CAP-04': 'tasks.list is declared, but tasks/list answers -32601 (Method not found)',
  'T25-CAP-05': 'an elicitation/create sent for a task carries params.task although the client declared no tasks capability',
  'T25-CAP-06': 'tools elicit even when the client did not declare the elicitation capability',
  'T25-SUP-01': 'resources/read with a task field is rejected with -32602 instead of ignoring the field',
  'T25-TOOL-01': 'tools/list advertises greet with execution.taskSupport "sometimes"',
  'T25-TOOL-04': 'a taskSupport "optional" tool called without a task answers -32601',
  'T25-CRT-02': 'the CreateTaskResult is sent only after the task has finished (synchronous task creation)',
  'T25-CRT-03': 'tools/call with task {} (no ttl) is rejected with -32602',
  'T25-CRT-04': 'tasks/get answers -32602 "not found" for tasks younger than 3 s',
  'T25-CRT-05': 'the CreateTaskResult carries _meta["io.modelcontextprotocol/model-immediate-response"] as a number',
  'T25-CRT-06': 'a task-augmented call to an unknown tool creates a task that ends completed',
  'T25-ID-02': 'the CreateTaskResult adopts a requestor-supplied task.taskId',
  'T25-ID-03': 'every 5th CreateTaskResult repeats the previous task id',
  'T25-LIFE-01': 'the CreateTaskResult reports status input_required instead of working',
  'T25-LIFE-03': 'a completed task is reported as failed from the second tasks/get that sees it terminal',
  'T25-TTL-05': 'lookups of an expired task answer -32603 "task expired" instead of -32602',
  'T25-TTL-06':
    'tasks/get answers -32602 "not found" once half of the task\'s ttl has elapsed, or at once for a ttl above 2^31-1 ms (a setTimeout overflow, as InMemoryTaskStore has)',
  'T25-GET-01': 'tasks/get wraps the Task as {task: Task}',
  'T25-GET-02': 'tasks/get always reports working, whatever the real status',
  'T25-GET-04': 'HTTP: tasks/get is answered with an SSE stream instead of a plain JSON body',
  // Scenarios 2.M-2.Q (list, cancel, errors, security, http) and section 7 (harness): message-level ones are in rewriteLaterChecks.
  'T25-LIST-01': 'tasks/list entries lack lastUpdatedAt (not full Tasks)',
  'T25-LIST-02': 'tasks/list answers every task in one page (no pagination)',
  'T25-LIST-03': 'tasks/list never sends nextCursor, so only the first page can be listed',
  'T25-LIST-04': 'tasks/list leaves out cancelled tasks although tasks/get still returns them',
  'T25-LIST-05': 'an unknown tasks/list cursor restarts the listing from the beginning instead of -32602',
  'T25-CAN-02': 'for 1 s after a tasks/cancel, tasks/get still reports the cancelled task as working',
  'T25-CAN-03': 'tasks/cancel leaves the work running, and its late outcome overwrites the cancelled status',
  'T25-CAN-05': 'tasks/cancel of a completed, failed or cancelled task answers the unchanged Task instead of -32602',
  'T25-CAN-06': 'tasks/cancel of a taskId the server never issued answers -32603 instead of -32602',
  'T25-CAN-08': 'a pending tasks/result is never answered when its task is cancelled in input_required',
  'T25-ERR-01': 'tasks/get with a non-string taskId answers -32603 instead of -32602',
  'T25-ERR-02': 'tasks/result with an unknown taskId blocks instead of answering -32602',
  'T25-ERR-03': 'tasks/cancel with a non-string taskId answers -32603 instead of -32602',
  'T25-ERR-05': 'error responses to tasks/* requests carry an empty message',
  'T25-ERR-06': 'tasks/get of a failed task carries no statusMessage',
  'T25-ERR-07': 'a tool result with isError:true moves the task to completed instead of failed',
  'T25-ERR-08': 'a JSON-RPC error from the tool moves the task to completed instead of failed',
  'T25-SEC-01': 'tasks/get, tasks/result and tasks/cancel ignore the authorization context (any principal reaches any task)',
  'T25-SEC-02': "tasks/list lists the tasks of every connected principal, not only the caller's",
  'T25-SEC-03': 'task ids are sequential (task-1, task-2, ...)',
  'T25-SEC-04': 'without auth, tasks/list of any session lists the tasks of every session',
  'T25-SEC-06': 'the requested ttl is granted without a maximum',
  'T25-HTTP-01': 'dropping the HTTP stream of a pending tasks/result cancels the task',
  'T25-HTTP-03': 'the SSE stream of tasks/result is closed after 200 ms without its response and without event ids to resume from',
  'H25-02': 'tasks/result answers the first result ever produced by the same tool (a result cache keyed by tool, not by task)',
  'H25-03': 'tasks/result answers a task only once; later calls get -32602',
  'H25-09':
    'a cancel racing completion: the work is not stopped and its late outcome overwrites the cancelled status (the T25-CAN-03 seam)',
  'H25-16': 'a task-augmented call with invalid arguments creates a task that ends completed',
  'H25-01': 'tasks/result re-reads the task every 1000 ms instead of waking on completion (the H25-20 seam)',
  'H25-20': 'tasks/result re-reads the task every 1000 ms instead of waking on completion (TS SDK v1 poll-tick pattern)',
  // Scenarios 2.H-2.L (result, input-required, metadata, notifications, progress) and wire-audit: message-level ones are in rewriteResultAndAuditChecks.
  'T25-RES-01': 'tasks/result of a completed task answers its CallToolResult without the content blocks (content: [])',
  'T25-RES-04': 'tasks/result of a task whose tool ended in JSON-RPC error -32603 answers an isError CallToolResult instead of that error',
  'T25-RES-05': 'tasks/result of a task whose tool returned isError:true answers JSON-RPC error -32603 instead of the CallToolResult',
  'T25-RES-06': 'tasks/result for an already cancelled task never answers',
  'T25-RES-07': 'a tasks/result that is waiting when its task is cancelled is never answered',
  'T25-INP-01': 'a task waiting for an elicitation answer stays working instead of input_required',
  'T25-INP-02': 'elicitation/create sent for a task lacks the related-task _meta',
  'T25-INP-03': 'once its elicitation is answered, the task stays input_required until it is cancelled',
  'T25-INP-04': 'HTTP: a task elicitation is sent on the tasks/result stream and again on the standalone GET stream',
  'T25-INP-05': 'HTTP: a POST carrying only responses (e.g. an ElicitResult) is answered 200 instead of 202 Accepted',
  'T25-INP-06': 'a declined or cancelled elicitation leaves the task input_required until it is cancelled',
  'T25-META-01': 'tasks/result responses lack the related-task _meta',
  'T25-META-02': 'tasks/get, tasks/result and tasks/cancel target the task named in related-task _meta instead of params.taskId',
  'T25-META-03': 'tasks/get results carry related-task _meta',
  'T25-META-04': 'progress notifications of a task lack the related-task _meta',
  'T25-NOTIF-02': 'status notifications carry statusMessage as an object instead of a string (not a valid Task)',
  'T25-NOTIF-03': 'status notifications carry related-task _meta',
  'T25-NOTIF-04': 'after a task reaches a terminal status, one more status notification reports it as working',
  'T25-NOTIF-05': 'status notifications are sent to every open session, not only to the one that created the task',
  'T25-PROG-01':
    'progress notifications of a task carry a token of the server\'s own ("task:<taskId>") instead of the request\'s progressToken',
  'T25-PROG-02': 'a progress_job task completes at its first progress step and keeps sending progress afterwards',
  'T25-PROG-03': 'progress notifications count down (progress = total - step + 1) instead of increasing',
  'H25-SCHEMA': 'the InitializeResult serverInfo lacks the required version',
  'T25-ID-01': 'status notifications carry taskId as a number',
  'T25-LIFE-02': 'tasks/get reports a working task with status "submitted" (a SEP-1686 draft status)',
  'T25-LIFE-04': 'tasks/list entries report createdAt one second earlier than the other representations',
  'T25-TTL-01': 'tasks/get reports createdAt as a number of milliseconds since the epoch',
  'T25-TTL-02': 'tasks/list entries report lastUpdatedAt in JavaScript Date.toString() form (not ISO 8601)',
  'T25-TTL-03': 'tasks/get results lack ttl',
  'T25-TTL-07': 'tasks/get reports pollInterval as a string',
  'T25-HTTP-02': 'HTTP: a task notification sent on the stream of an open tasks/result is sent again on the standalone GET stream',
  // Lifecycle scenario ("beyond the connection"): message-level ones are in rewriteLifecycleChecks.
  'LC-01': 'HTTP: when a session is deleted (DELETE), the tasks it created are cancelled',
  'LC-02': 'every tasks/result delivery of a task appends a text block "delivery #<n>", so repeated fetches differ',
  'LC-03': 'tasks/get is served from a lagging replica now and then: every 3rd tasks/get of a finished task reports it as working',
  'LC-05': 'HTTP: when a session loses its standalone GET stream (the client went away), the tasks it created are cancelled',
  'LC-06': 'at start-up, tasks that were running when the server died are not recovered: they stay working forever',
  'LC-08': "when a task's ttl elapses the task is removed, but its work keeps running",
  'H25-12': 'HTTP: tasks are bound to the session that created them; other sessions get -32602 (the TS SDK InMemoryTaskStore behaviour)',
  // Transport hygiene (scenarios/transport-hygiene.ts): message-level, in rewriteLifecycleChecks.
  'H25-21': 'ping is answered with a tools/list-shaped result ({tools: []}) instead of an empty one',
  'H25-22': 'tools/list results carry 17 MiB of _meta padding (over the harness default message limit of 16 MiB)',
} as const satisfies Record<string, string>;

export type FaultId = keyof typeof FAULTS;

/** The longest delay setTimeout honours; Node fires a longer one after 1 ms (T25-TTL-06 fault). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export const isFaultId = (id: string): id is FaultId => Object.hasOwn(FAULTS, id);

/** What an outgoing message is: for a response, the request it answers. */
export interface OutgoingContext {
  answers?: { method: string; params: Record<string, unknown> };
}

export class Faults {
  private readonly active: ReadonlySet<FaultId>;
  /** State of the stateful message-level faults (T25-ID-03, T25-LIFE-03, T25-TTL-05). */
  private created = 0;
  private lastCreatedId: string | undefined;
  private readonly terminalGets = new Map<string, number>();
  private readonly expiresAt = new Map<string, number>();
  /** State of the stateful faults of 2.M-2.Q and section 7 (T25-CAN-02, T25-CAN-06, H25-02, H25-03). */
  private readonly cancelledAt = new Map<string, number>();
  private readonly issuedIds = new Set<string>();
  private readonly toolOfTask = new Map<string, string>();
  private readonly firstResultOfTool = new Map<string, Record<string, unknown>>();
  private readonly resultServed = new Set<string>();
  /** State of the lifecycle faults (LC-02, LC-03). */
  private readonly deliveries = new Map<string, number>();
  private readonly finishedGets = new Map<string, number>();

  constructor(ids: Iterable<string> = []) {
    const active = new Set<FaultId>();
    for (const id of ids) {
      if (!isFaultId(id)) throw new Error(`unknown fault "${id}"; known faults: ${Object.keys(FAULTS).join(', ')}`);
      active.add(id);
    }
    this.active = active;
  }

  has(id: FaultId): boolean {
    return this.active.has(id);
  }

  get ids(): FaultId[] {
    return [...this.active];
  }

  /** The one message-level seam: every message the server sends passes through here. */
  rewriteOutgoing(message: JSONRPCMessage, context: OutgoingContext): JSONRPCMessage {
    if (this.active.size > 0) message = this.rewriteCoreChecks(message, context);
    if (this.active.size > 0) message = this.rewriteLaterChecks(message, context);
    if (this.active.size > 0) message = this.rewriteResultAndAuditChecks(message, context);
    if (this.active.size > 0) message = this.rewriteLifecycleChecks(message, context);
    if (this.active.size === 0 || !('result' in message) || !context.answers) return message;
    const { method } = context.answers;
    const result = message.result as Record<string, unknown>;
    const withResult = (r: Record<string, unknown>): JSONRPCMessage => ({ ...message, result: r }) as JSONRPCMessage;

    if (this.has('T25-CRT-01') && method === 'tools/call' && isObject(result.task)) {
      const { task, ...rest } = result;
      return withResult({ ...rest, ...task });
    }
    if (this.has('T25-CAN-01') && method === 'tasks/cancel') {
      return withResult({ ...result, status: 'working' });
    }
    if (this.has('T25-RES-02') && method === 'tasks/result' && Array.isArray(result.content)) {
      return withResult({ ...result, content: [...result.content, { type: 'text', text: '(via task)' }] });
    }
    if (this.has('T25-CAP-01') && method === 'initialize' && isObject(result.capabilities)) {
      const capabilities = result.capabilities as Record<string, unknown>;
      if (isObject(capabilities.tasks)) {
        const { requests, ...tasks } = capabilities.tasks as Record<string, unknown>;
        void requests;
        return withResult({ ...result, capabilities: { ...capabilities, tasks } });
      }
    }
    return message;
  }

  /** Message-level faults of the capabilities ... get scenarios (2.A-2.G). */
  private rewriteCoreChecks(message: JSONRPCMessage, context: OutgoingContext): JSONRPCMessage {
    const m = message as Record<string, unknown>;
    const params = context.answers?.params ?? {};
    const method = context.answers?.method;
    const asError = (code: number, text: string): JSONRPCMessage =>
      ({ jsonrpc: '2.0', id: m.id, error: { code, message: text } }) as JSONRPCMessage;
    const withResult = (r: Record<string, unknown>): JSONRPCMessage => ({ ...message, result: r }) as JSONRPCMessage;

    // Outgoing requests (no context): task-related elicitations.
    if (this.has('T25-CAP-05') && m.method === 'elicitation/create' && isObject(m.params) && isObject(m.params._meta)) {
      return { ...message, params: { ...m.params, task: { ttl: 60_000 } } } as JSONRPCMessage;
    }
    if (!method) return message;

    if ('error' in m) {
      const e = m.error as { code?: number };
      const taskId = params.taskId;
      const expiry = typeof taskId === 'string' ? this.expiresAt.get(taskId) : undefined;
      if (
        this.has('T25-TTL-05') &&
        e.code === -32602 &&
        expiry !== undefined &&
        Date.now() >= expiry &&
        ['tasks/get', 'tasks/result', 'tasks/cancel'].includes(method)
      ) {
        return asError(-32603, `Internal error: task ${String(taskId)} expired`);
      }
      return message;
    }
    if (!isObject(m.result)) return message;
    const result = m.result;
    const task = method === 'tools/call' && isObject(result.task) ? result.task : method === 'tasks/get' ? result : undefined;
    if (this.has('T25-TTL-05') && task && typeof task.taskId === 'string' && typeof task.ttl === 'number') {
      this.expiresAt.set(task.taskId, Date.parse(String(task.createdAt)) + task.ttl);
    }

    switch (method) {
      case 'initialize': {
        const caps = result.capabilities;
        if (this.has('T25-CAP-02') && isObject(caps) && isObject(caps.tasks))
          return withResult({ ...result, capabilities: { ...caps, tasks: { ...caps.tasks, list: 'yes' } } });
        return message;
      }
      case 'tasks/list':
        return this.has('T25-CAP-04') ? asError(-32601, 'Method not found: tasks/list') : message;
      case 'resources/read':
        return this.has('T25-SUP-01') && params.task !== undefined
          ? asError(-32602, 'resources/read does not accept a task field')
          : message;
      case 'tools/list': {
        if (!this.has('T25-TOOL-01') || !Array.isArray(result.tools)) return message;
        const tools = (result.tools as Array<Record<string, unknown>>).map((t) =>
          t.name === 'greet' ? { ...t, execution: { taskSupport: 'sometimes' } } : t,
        );
        return withResult({ ...result, tools });
      }
      case 'tools/call': {
        if (!isObject(result.task)) return message;
        const requested = isObject(params.task) ? params.task : {};
        if (this.has('T25-CRT-03') && requested.ttl === undefined) return asError(-32602, 'params.task.ttl is required');
        let t: Record<string, unknown> = result.task;
        let meta = isObject(result._meta) ? result._meta : undefined;
        if (this.has('T25-ID-02') && typeof requested.taskId === 'string') t = { ...t, taskId: requested.taskId };
        if (this.has('T25-ID-03')) {
          const previous = this.lastCreatedId;
          this.lastCreatedId = String(t.taskId);
          if (++this.created % 5 === 0 && previous !== undefined) t = { ...t, taskId: previous };
        }
        if (this.has('T25-LIFE-01')) t = { ...t, status: 'input_required' };
        if (this.has('T25-CRT-05')) meta = { ...meta, 'io.modelcontextprotocol/model-immediate-response': 42 };
        return t === result.task && meta === result._meta ? message : withResult({ ...result, task: t, ...(meta && { _meta: meta }) });
      }
      case 'tasks/get': {
        const age = Date.now() - Date.parse(String(result.createdAt));
        if (this.has('T25-CRT-04') && age < 3_000) return asError(-32602, `Task not found: ${String(result.taskId)}`);
        if (this.has('T25-TTL-06') && typeof result.ttl === 'number' && (age >= result.ttl / 2 || result.ttl > MAX_TIMER_MS))
          return asError(-32602, `Task not found: ${String(result.taskId)}`);
        if (this.has('T25-GET-01')) return withResult({ task: result });
        if (this.has('T25-GET-02')) return withResult({ ...result, status: 'working' });
        if (this.has('T25-LIFE-03') && result.status === 'completed') {
          const seen = (this.terminalGets.get(String(result.taskId)) ?? 0) + 1;
          this.terminalGets.set(String(result.taskId), seen);
          if (seen >= 2) return withResult({ ...result, status: 'failed' });
        }
        return message;
      }
    }
    return message;
  }

  /** Message-level faults of the list, cancel, errors, security, http and harness scenarios (2.M-2.Q, section 7). */
  private rewriteLaterChecks(message: JSONRPCMessage, context: OutgoingContext): JSONRPCMessage {
    const method = context.answers?.method;
    if (!method) return message;
    const m = message as Record<string, unknown>;
    const params = context.answers?.params ?? {};
    const taskId = params.taskId;
    const asError = (code: number, text: string): JSONRPCMessage =>
      ({ jsonrpc: '2.0', id: m.id, error: { code, message: text } }) as JSONRPCMessage;
    const withResult = (r: Record<string, unknown>): JSONRPCMessage => ({ ...message, result: r }) as JSONRPCMessage;

    if ('error' in m) {
      const e = m.error as { code?: number; message?: string };
      if (this.has('T25-ERR-01') && method === 'tasks/get' && typeof taskId !== 'string') return asError(-32603, 'Internal error');
      if (this.has('T25-ERR-03') && method === 'tasks/cancel' && typeof taskId !== 'string') return asError(-32603, 'Internal error');
      if (this.has('T25-CAN-06') && method === 'tasks/cancel' && typeof taskId === 'string' && !this.issuedIds.has(taskId))
        return asError(-32603, 'Internal error: lookup failed');
      if (this.has('T25-ERR-05') && method.startsWith('tasks/')) return asError(e.code ?? -32603, '');
      return message;
    }
    if (!isObject(m.result)) return message;
    const result = m.result;
    switch (method) {
      case 'tools/call': {
        const created = isObject(result.task) && typeof result.task.taskId === 'string' ? result.task.taskId : undefined;
        if (created && (this.has('T25-CAN-06') || this.has('H25-02'))) {
          this.issuedIds.add(created);
          if (typeof params.name === 'string') this.toolOfTask.set(created, params.name);
        }
        return message;
      }
      case 'tasks/list': {
        if (!Array.isArray(result.tasks)) return message;
        let tasks = result.tasks as Array<Record<string, unknown>>;
        if (this.has('T25-LIST-04')) tasks = tasks.filter((t) => t.status !== 'cancelled');
        if (this.has('T25-LIST-01')) tasks = tasks.map(({ lastUpdatedAt, ...t }) => (void lastUpdatedAt, t));
        const { nextCursor, ...rest } = result;
        return withResult({ ...(this.has('T25-LIST-03') ? rest : { ...rest, ...(nextCursor !== undefined && { nextCursor }) }), tasks });
      }
      case 'tasks/cancel':
        if (this.has('T25-CAN-02') && typeof result.taskId === 'string') this.cancelledAt.set(result.taskId, Date.now());
        return message;
      case 'tasks/get': {
        const since = typeof result.taskId === 'string' ? this.cancelledAt.get(result.taskId) : undefined;
        if (this.has('T25-CAN-02') && result.status === 'cancelled' && since !== undefined && Date.now() - since < 1000)
          return withResult({ ...result, status: 'working' });
        if (this.has('T25-ERR-06') && result.status === 'failed' && 'statusMessage' in result) {
          const { statusMessage, ...rest } = result;
          void statusMessage;
          return withResult(rest);
        }
        return message;
      }
      case 'tasks/result': {
        if (typeof taskId !== 'string') return message;
        if (this.has('H25-03')) {
          if (this.resultServed.has(taskId)) return asError(-32602, `Task not found: the result of task ${taskId} was already delivered`);
          this.resultServed.add(taskId);
        }
        const tool = this.toolOfTask.get(taskId);
        if (this.has('H25-02') && tool !== undefined) {
          const first = this.firstResultOfTool.get(tool);
          if (!first) this.firstResultOfTool.set(tool, result);
          else return withResult({ ...first, _meta: result._meta });
        }
        return message;
      }
    }
    return message;
  }

  /** Message-level faults of the result ... progress scenarios (2.H-2.L) and of the passive wire-audit checks. */
  private rewriteResultAndAuditChecks(message: JSONRPCMessage, context: OutgoingContext): JSONRPCMessage {
    const m = message as Record<string, unknown>;
    const method = context.answers?.method;
    const withParams = (p: Record<string, unknown>): JSONRPCMessage => ({ ...message, params: p }) as JSONRPCMessage;
    const withResult = (r: Record<string, unknown>): JSONRPCMessage => ({ ...message, result: r }) as JSONRPCMessage;
    const withoutRelated = (meta: unknown): Record<string, unknown> | undefined => {
      if (!isObject(meta)) return undefined;
      const { [RELATED_TASK]: related, ...rest } = meta;
      void related;
      return Object.keys(rest).length ? rest : undefined;
    };

    // Notifications and requests the server sends (no context).
    if (!method && typeof m.method === 'string' && isObject(m.params)) {
      const p = m.params;
      switch (m.method) {
        case 'elicitation/create': {
          if (!this.has('T25-INP-02') || !isObject(p._meta)) return message;
          const { _meta, ...rest } = p;
          const meta = withoutRelated(_meta);
          return withParams({ ...rest, ...(meta && { _meta: meta }) });
        }
        case 'notifications/progress': {
          let q = p;
          const taskId = isObject(p._meta) && isObject(p._meta[RELATED_TASK]) ? p._meta[RELATED_TASK].taskId : undefined;
          if (this.has('T25-PROG-01') && taskId !== undefined) q = { ...q, progressToken: `task:${String(taskId)}` };
          if (this.has('T25-PROG-03') && typeof q.progress === 'number' && typeof q.total === 'number')
            q = { ...q, progress: q.total - q.progress + 1 };
          if (this.has('T25-META-04') && isObject(q._meta)) {
            const { _meta, ...rest } = q;
            const meta = withoutRelated(_meta);
            q = { ...rest, ...(meta && { _meta: meta }) };
          }
          return q === p ? message : withParams(q);
        }
        case 'notifications/tasks/status': {
          let q = p;
          if (this.has('T25-ID-01') && typeof q.taskId === 'string')
            q = { ...q, taskId: Number.parseInt(q.taskId.replace(/[^0-9a-f]/gi, '').slice(0, 8), 16) };
          if (this.has('T25-NOTIF-02')) q = { ...q, statusMessage: { text: q.statusMessage ?? q.status } };
          if (this.has('T25-NOTIF-03'))
            q = { ...q, _meta: { ...(isObject(q._meta) ? q._meta : {}), [RELATED_TASK]: { taskId: p.taskId } } };
          return q === p ? message : withParams(q);
        }
      }
      return message;
    }
    if (!method) return message;

    if ('error' in m) {
      const e = m.error as { code?: number; message?: string };
      if (this.has('T25-RES-04') && method === 'tasks/result' && e.code === -32603) {
        return {
          jsonrpc: '2.0',
          id: m.id,
          result: {
            content: [{ type: 'text', text: e.message ?? '' }],
            isError: true,
            _meta: { [RELATED_TASK]: { taskId: context.answers?.params.taskId } },
          },
        } as JSONRPCMessage;
      }
      return message;
    }
    if (!isObject(m.result)) return message;
    const result = m.result;
    switch (method) {
      case 'initialize': {
        if (!this.has('H25-SCHEMA') || !isObject(result.serverInfo)) return message;
        const { version, ...serverInfo } = result.serverInfo;
        void version;
        return withResult({ ...result, serverInfo });
      }
      case 'tasks/result': {
        if (this.has('T25-RES-05') && result.isError === true) {
          const text = Array.isArray(result.content) ? (result.content as Array<{ text?: unknown }>).map((c) => c.text).join(' ') : '';
          return { jsonrpc: '2.0', id: m.id, error: { code: -32603, message: `Internal error: ${text}` } } as JSONRPCMessage;
        }
        let r = result;
        if (this.has('T25-RES-01') && r.isError !== true && Array.isArray(r.content)) r = { ...r, content: [] };
        if (this.has('T25-META-01')) {
          const { _meta, ...rest } = r;
          const meta = withoutRelated(_meta);
          r = { ...rest, ...(meta && { _meta: meta }) };
        }
        return r === result ? message : withResult(r);
      }
      case 'tasks/get': {
        let r = result;
        if (this.has('T25-LIFE-02') && r.status === 'working') r = { ...r, status: 'submitted' };
        if (this.has('T25-TTL-01') && typeof r.createdAt === 'string') r = { ...r, createdAt: Date.parse(r.createdAt) };
        if (this.has('T25-TTL-03')) {
          const { ttl, ...rest } = r;
          void ttl;
          r = rest;
        }
        if (this.has('T25-TTL-07') && r.pollInterval !== undefined) r = { ...r, pollInterval: String(r.pollInterval) };
        if (this.has('T25-META-03')) r = { ...r, _meta: { ...(isObject(r._meta) ? r._meta : {}), [RELATED_TASK]: { taskId: r.taskId } } };
        return r === result ? message : withResult(r);
      }
      case 'tasks/list': {
        if (!Array.isArray(result.tasks) || !(this.has('T25-LIFE-04') || this.has('T25-TTL-02'))) return message;
        const tasks = (result.tasks as Array<Record<string, unknown>>).map((t) => {
          let u = t;
          if (this.has('T25-LIFE-04') && typeof u.createdAt === 'string')
            u = { ...u, createdAt: new Date(Date.parse(u.createdAt) - 1000).toISOString() };
          if (this.has('T25-TTL-02') && typeof u.lastUpdatedAt === 'string')
            u = { ...u, lastUpdatedAt: new Date(Date.parse(u.lastUpdatedAt)).toString() };
          return u;
        });
        return withResult({ ...result, tasks });
      }
    }
    return message;
  }

  /** Message-level faults of the lifecycle scenario (LC-02, LC-03). */
  private rewriteLifecycleChecks(message: JSONRPCMessage, context: OutgoingContext): JSONRPCMessage {
    const method = context.answers?.method;
    const m = message as Record<string, unknown>;
    if (!method || !isObject(m.result)) return message;
    const result = m.result;
    const withResult = (r: Record<string, unknown>): JSONRPCMessage => ({ ...message, result: r }) as JSONRPCMessage;
    const taskId = String(context.answers?.params.taskId);
    if (this.has('H25-21') && method === 'ping') return withResult({ tools: [] });
    if (this.has('H25-22') && method === 'tools/list') return withResult({ ...result, _meta: { padding: 'x'.repeat(17 * 1024 * 1024) } });
    if (this.has('LC-02') && method === 'tasks/result' && Array.isArray(result.content)) {
      const n = (this.deliveries.get(taskId) ?? 0) + 1;
      this.deliveries.set(taskId, n);
      return withResult({ ...result, content: [...result.content, { type: 'text', text: `delivery #${n}` }] });
    }
    if (this.has('LC-03') && method === 'tasks/get' && ['completed', 'failed', 'cancelled'].includes(String(result.status))) {
      const n = (this.finishedGets.get(taskId) ?? 0) + 1;
      this.finishedGets.set(taskId, n);
      if (n % 3 === 0) return withResult({ ...result, status: 'working' });
    }
    return message;
  }
}

const RELATED_TASK = 'io.modelcontextprotocol/related-task';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
