// MCP wiring: one ClientSession per connection translates MCP requests into tool runs and task-engine
// calls, and engine events into notifications. This is the only module that knows both MCP messages
// and the task engine.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import { packageVersion } from './version.js';
import type { ModernSurface } from './ext/dispatch.js';
import { Connection, INVALID_PARAMS, METHOD_NOT_FOUND, NO_REPLY, RpcError, type IncomingRequest, type JsonObject } from './connection.js';
import { EngineError, TaskEngine, type EngineLimits, type Requestor, type WorkEnd } from './engine.js';
import { Faults } from './faults.js';
import { TaskRequestQueue, type Channel } from './input.js';
import { MemoryTaskStore, type TaskRecord, type TaskStore } from './store.js';
import {
  fixtureTools,
  GateRegistry,
  ToolRegistry,
  type CallToolResult,
  type ElicitAnswer,
  type ToolContext,
  type ToolDefinition,
} from './tools.js';

export const RELATED_TASK = 'io.modelcontextprotocol/related-task';
/** Tasks exist from this protocol revision on; older sessions get a server without them. */
export const TASKS_PROTOCOL_VERSION = '2025-11-25';
export const SERVER_NAME = 'sep1686-reference-server';
/** tasks/list page size. */
export const LIST_PAGE_SIZE = 50;
/** Longest taskId accepted in a request (ours are 36-character UUIDs). */
const MAX_TASK_ID_LENGTH = 256;

/** What tasks/result answers for a cancelled task (the spec leaves it open, A25-03): a tool error. */
export const CANCELLED_RESULT_TEXT = 'task cancelled';

export interface ReferenceServerOptions {
  /** false = the S-NOTASK fixture: no tasks capability, no taskSupport, `task` ignored. Default true. */
  tasks?: boolean;
  faults?: Faults;
  limits?: Partial<EngineLimits>;
  store?: TaskStore;
  /** Diagnostics (stderr in the CLI). */
  log?: (line: string) => void;
  /** Also log every task operation and transition (the audit log). */
  verbose?: boolean;
}

export const STATIC_RESOURCE = {
  uri: 'fixture://greeting',
  name: 'greeting',
  title: 'Greeting',
  mimeType: 'text/plain',
  text: 'Hello from the SEP-1686 reference server.',
};
export const PROMPT = {
  name: 'greeting',
  title: 'Greeting',
  description: 'Asks the model to greet someone.',
  arguments: [{ name: 'name', description: 'Who to greet', required: false }],
};

export class ReferenceServer {
  readonly engine: TaskEngine;
  readonly faults: Faults;
  readonly tools: ToolRegistry;
  readonly gates = new GateRegistry();
  readonly tasksEnabled: boolean;
  readonly log: (line: string) => void;
  readonly verbose: boolean;
  /** The 2026-07-28 surface (ext/), set by start.ts unless the server is pinned to 2025-11-25. */
  modern?: ModernSurface;
  private readonly cursorKey = randomBytes(32);
  /** The session that created each live task: status notifications and task messages go there. */
  private readonly origins = new Map<string, ClientSession>();
  private readonly requestQueues = new Map<string, TaskRequestQueue>();
  private readonly sessions = new Set<ClientSession>();

  constructor(options: ReferenceServerOptions = {}) {
    this.faults = options.faults ?? new Faults();
    this.tasksEnabled = options.tasks ?? true;
    this.log = options.log ?? (() => undefined);
    this.verbose = options.verbose ?? false;
    this.tools = new ToolRegistry(fixtureTools(this.gates));
    const lateOutcomeWins = this.faults.has('T25-CAN-03') || this.faults.has('H25-09');
    this.engine = new TaskEngine({
      store: options.store ?? new MemoryTaskStore(),
      // Fault seam (T25-SEC-06): no maximum ttl.
      limits: this.faults.has('T25-SEC-06') ? { ...options.limits, maxTtlMs: Number.MAX_SAFE_INTEGER } : options.limits,
      // Fault seams (T25-CAN-04; T25-CAN-03 and H25-09): cancel without stopping the work; its late outcome wins.
      stopWorkOnCancel: !this.faults.has('T25-CAN-04') && !lateOutcomeWins,
      lateOutcomeOverridesCancel: lateOutcomeWins,
      // Fault seam (T25-CAN-08): a cancel in input_required leaves pending tasks/result unanswered.
      answerWaitersOnInputCancel: !this.faults.has('T25-CAN-08'),
      // Fault seam (T25-SEC-03): guessable, sequential task ids.
      ...(this.faults.has('T25-SEC-03') && { newTaskId: sequentialTaskIds() }),
      // Fault seams (LC-06, LC-08): no recovery of tasks orphaned by a crash; expiry leaves the work running.
      failOrphans: !this.faults.has('LC-06'),
      stopWorkOnExpiry: !this.faults.has('LC-08'),
    });
    this.engine.on('status', (record) => this.onStatus(record));
    this.engine.on('expired', (taskId) => {
      this.audit(`task ${taskId} expired (ttl elapsed) and was removed`);
      this.forget(taskId);
    });
  }

  /** Serves MCP on a transport for one requestor; the session lives until the transport closes. */
  async connect(transport: Transport, requestor: Requestor): Promise<ClientSession> {
    const session = new ClientSession(this, transport, requestor);
    this.sessions.add(session);
    session.connection.onClose(() => this.sessions.delete(session));
    // Fault seam (LC-01): a session that ends takes the tasks it created with it.
    if (this.faults.has('LC-01')) session.connection.onClose(() => this.cancelTasksOf(session));
    await session.connection.start();
    return session;
  }

  /** LC-01 and LC-05 faults only: cancels the live tasks a session created. */
  cancelTasksOf(session: ClientSession): void {
    for (const [taskId, origin] of this.origins) {
      if (origin === session) void this.engine.cancel(taskId, session.requestor).catch(() => undefined);
    }
  }

  /** Stops all work, closes every session and the store. */
  async close(): Promise<void> {
    await this.engine.shutdown();
    await Promise.all([...this.sessions].map((s) => s.connection.close()));
  }

  // ---- tasks, shared by all sessions

  registerTask(taskId: string, origin: ClientSession): void {
    this.origins.set(taskId, origin);
  }

  requestQueue(taskId: string): TaskRequestQueue {
    let queue = this.requestQueues.get(taskId);
    if (!queue) this.requestQueues.set(taskId, (queue = new TaskRequestQueue()));
    return queue;
  }

  /** Sends a task's notification to the session that created it. */
  notifyForTask(taskId: string, method: string, params: JsonObject): void {
    // Fault seam (T25-NOTIF-05): status notifications go to every open session.
    if (this.faults.has('T25-NOTIF-05') && method === 'notifications/tasks/status') {
      for (const session of this.sessions) session.notifyForTask(taskId, method, params);
      return;
    }
    this.origins.get(taskId)?.notifyForTask(taskId, method, params);
  }

  encodeCursor(owner: string, position: string): string {
    const payload = Buffer.from(position).toString('base64url');
    return `${payload}.${this.cursorMac(owner, payload)}`;
  }

  /** The store position inside a cursor this server issued to this owner, or undefined. */
  decodeCursor(owner: string, cursor: string): string | undefined {
    const [payload, mac, extra] = cursor.split('.');
    if (!payload || !mac || extra !== undefined) return undefined;
    const expected = Buffer.from(this.cursorMac(owner, payload));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const position = Buffer.from(payload, 'base64url').toString();
    return this.engine.isPosition(position) ? position : undefined;
  }

  /** T25-SEC-02 fault only: the tasks of every connected requestor, whoever asks. */
  async tasksOfEveryOwner(): Promise<TaskRecord[]> {
    const owners = new Set([...this.sessions].map((s) => s.requestor.owner));
    const pages = await Promise.all([...owners].map((owner) => this.engine.list(owner, undefined, Number.MAX_SAFE_INTEGER)));
    return pages.flatMap((p) => p.records);
  }

  audit(line: string): void {
    if (this.verbose) this.log(line);
  }

  private cursorMac(owner: string, payload: string): string {
    return createHmac('sha256', this.cursorKey).update(`${owner}\n${payload}`).digest('base64url').slice(0, 32);
  }

  private onStatus(record: TaskRecord): void {
    this.audit(`task ${record.taskId} -> ${record.status}${record.statusMessage ? ` (${record.statusMessage})` : ''}`);
    this.notifyForTask(record.taskId, 'notifications/tasks/status', wireTask(record));
    const terminal = record.status === 'completed' || record.status === 'failed' || record.status === 'cancelled';
    // Fault seam (T25-NOTIF-04): a terminal task is announced as working once more.
    if (terminal && this.faults.has('T25-NOTIF-04'))
      this.notifyForTask(record.taskId, 'notifications/tasks/status', { ...wireTask(record), status: 'working' });
    if (terminal) this.forget(record.taskId);
  }

  private forget(taskId: string): void {
    this.origins.delete(taskId);
    this.requestQueues.get(taskId)?.dispose();
    this.requestQueues.delete(taskId);
  }
}

/** The wire form of a task (flat; CreateTaskResult nests it under `task`). */
export function wireTask(record: TaskRecord): JsonObject {
  return {
    taskId: record.taskId,
    status: record.status,
    ...(record.statusMessage !== undefined && { statusMessage: record.statusMessage }),
    createdAt: new Date(record.createdAt).toISOString(),
    lastUpdatedAt: new Date(record.lastUpdatedAt).toISOString(),
    ttl: record.ttl,
    pollInterval: record.pollInterval,
  };
}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export class ClientSession {
  readonly connection: Connection;
  private protocolVersion = LATEST_PROTOCOL_VERSION;
  private clientCapabilities: JsonObject = {};
  /** Open tasks/result requests of this session, by task. */
  private readonly resultChannels = new Map<string, Set<RequestId>>();

  constructor(
    private readonly server: ReferenceServer,
    transport: Transport,
    readonly requestor: Requestor,
  ) {
    this.connection = new Connection({
      transport,
      faults: server.faults,
      handler: (request) => this.handle(request),
      // Fault seam (T25-GET-03): a strictly serial server.
      serial: server.faults.has('T25-GET-03'),
      log: server.log,
      trace: (line) => server.audit(line),
    });
    this.connection.onClose(() => {
      for (const [taskId, ids] of this.resultChannels)
        for (const requestId of ids) this.server.requestQueue(taskId).close({ connection: this.connection, requestId });
      this.resultChannels.clear();
    });
  }

  /** Who tasks/get, tasks/result and tasks/cancel act for. Fault seam (T25-SEC-01): ignore the auth context. */
  private get lookupRequestor(): Requestor {
    return this.server.faults.has('T25-SEC-01') ? { ...this.requestor, bound: false } : this.requestor;
  }

  /** Tasks are offered when enabled and the session speaks a revision that has them. */
  private get tasks(): boolean {
    return this.server.tasksEnabled && this.protocolVersion >= TASKS_PROTOCOL_VERSION;
  }

  private get canElicit(): boolean {
    // Fault seam (T25-CAP-06): elicit whatever the client declared.
    if (this.server.faults.has('T25-CAP-06')) return true;
    const elicitation = this.clientCapabilities.elicitation;
    if (!isObject(elicitation)) return false;
    // An empty object (older revisions) means form mode; otherwise form must be named.
    return Object.keys(elicitation).length === 0 || isObject(elicitation.form);
  }

  /** A task message goes with an open tasks/result of that task (same HTTP stream), else unrelated. */
  notifyForTask(taskId: string, method: string, params: JsonObject): void {
    const open = this.resultChannels.get(taskId)?.values().next().value;
    void this.connection.notify(method, params, open);
    // Fault seam (T25-HTTP-02): the same notification also goes on the standalone GET stream.
    if (open !== undefined && this.server.faults.has('T25-HTTP-02')) void this.connection.notify(method, params);
  }

  /** HTTP: the streams of these requests were dropped by the client. Requests stay pending (a drop is not a cancel). */
  streamsDropped(requestIds: RequestId[]): void {
    for (const [taskId, ids] of this.resultChannels) {
      for (const requestId of requestIds) {
        if (!ids.delete(requestId)) continue;
        this.server.requestQueue(taskId).close({ connection: this.connection, requestId });
        // Fault seam (T25-HTTP-01): treat the dropped stream as a cancellation of the task.
        if (this.server.faults.has('T25-HTTP-01')) void this.server.engine.cancel(taskId, this.requestor).catch(() => undefined);
      }
    }
  }

  private handle(request: IncomingRequest): Promise<JsonObject | typeof NO_REPLY> {
    const { method, params } = request;
    // ext hook (2026-07-28 era): requests of the modern era are served statelessly by ext/dispatch.ts.
    const modern = this.server.modern;
    if (modern?.claims(method, params)) return modern.onConnection(request, this.connection);
    if (modern?.claimsLegacy(method, params, this.clientCapabilities))
      return modern.onConnection(request, this.connection, this.clientCapabilities);
    switch (method) {
      case 'initialize':
        return Promise.resolve(this.initialize(params));
      case 'ping':
        return Promise.resolve({});
      case 'tools/list':
        return Promise.resolve({ tools: this.server.tools.list().map((t) => this.toolEntry(t)) });
      case 'tools/call':
        return this.callTool(request);
      case 'resources/list':
        return Promise.resolve({
          resources: [
            { uri: STATIC_RESOURCE.uri, name: STATIC_RESOURCE.name, title: STATIC_RESOURCE.title, mimeType: STATIC_RESOURCE.mimeType },
          ],
        });
      case 'resources/templates/list':
        return Promise.resolve({ resourceTemplates: [] });
      case 'resources/read':
        return Promise.resolve(this.readResource(params));
      case 'prompts/list':
        return Promise.resolve({ prompts: [PROMPT] });
      case 'prompts/get':
        return Promise.resolve(this.getPrompt(params));
    }
    if (this.tasks) {
      // Fault seam (T25-META-02): the task named in related-task _meta wins over params.taskId.
      if (this.server.faults.has('T25-META-02')) request = targetFromMeta(request);
      switch (method) {
        case 'tasks/get':
          return this.getTask(request.params);
        case 'tasks/result':
          return this.taskResult(request);
        case 'tasks/cancel':
          return this.cancelTask(request.params);
        case 'tasks/list':
          return this.listTasks(params);
      }
    }
    return Promise.reject(new RpcError(METHOD_NOT_FOUND, `Method not found: ${method}`));
  }

  private initialize(params: JsonObject): JsonObject {
    const requested = params.protocolVersion;
    this.protocolVersion =
      typeof requested === 'string' && SUPPORTED_PROTOCOL_VERSIONS.includes(requested) ? requested : LATEST_PROTOCOL_VERSION;
    this.clientCapabilities = isObject(params.capabilities) ? params.capabilities : {};
    const capabilities: JsonObject = { tools: {}, resources: {}, prompts: {} };
    if (this.tasks) capabilities.tasks = { list: {}, cancel: {}, requests: { tools: { call: {} } } };
    return {
      protocolVersion: this.protocolVersion,
      capabilities,
      serverInfo: { name: SERVER_NAME, version: packageVersion() },
      instructions: 'Reference implementation of MCP Tasks (2025-11-25). Tools follow the sep1686-check fixture contract.',
    };
  }

  private toolEntry(tool: ToolDefinition): JsonObject {
    return {
      name: tool.name,
      description: tool.description,
      inputSchema: tool.inputSchema,
      ...(tool.outputSchema && { outputSchema: tool.outputSchema }),
      ...(this.tasks && tool.taskSupport && { execution: { taskSupport: tool.taskSupport } }),
    };
  }

  // ---- tools/call

  private async callTool(request: IncomingRequest): Promise<JsonObject | typeof NO_REPLY> {
    const { params } = request;
    const name = params.name;
    if (typeof name !== 'string') throw new RpcError(INVALID_PARAMS, 'tools/call needs params.name (a string)');
    const tool = this.server.tools.get(name);
    if (!tool) {
      // Fault seam (T25-CRT-06): accept a task for an unknown tool and let it end completed.
      if (this.tasks && params.task !== undefined && this.server.faults.has('T25-CRT-06'))
        return this.createTask(request, unknownToolStub(name), {});
      throw new RpcError(INVALID_PARAMS, `Unknown tool: ${name}`);
    }
    // Without task support, `task` is ignored and every tool is plain (T25-SUP-01).
    const asTask = this.tasks && params.task !== undefined;
    const support = this.tasks ? (tool.taskSupport ?? 'forbidden') : 'forbidden';
    const faults = this.server.faults;

    if (asTask && support === 'forbidden' && !faults.has('T25-TOOL-02' /* fault seam: run it anyway */)) {
      throw new RpcError(
        METHOD_NOT_FOUND,
        `Tool ${name} does not support task-augmented execution (taskSupport "forbidden"); call it without "task"`,
      );
    }
    if (this.tasks && !asTask && support === 'required') {
      const message = `Tool ${name} requires task-augmented execution (taskSupport "required"); call it with "task"`;
      // Fault seam (T25-TOOL-03): the TS SDK v1 McpServer wraps this error in a tool result.
      if (faults.has('T25-TOOL-03'))
        return { content: [{ type: 'text', text: `MCP error ${METHOD_NOT_FOUND}: ${message}` }], isError: true };
      throw new RpcError(METHOD_NOT_FOUND, message);
    }
    // Fault seam (T25-TOOL-04): refuse plain calls of an optional tool.
    if (this.tasks && !asTask && support === 'optional' && faults.has('T25-TOOL-04')) {
      throw new RpcError(METHOD_NOT_FOUND, `Tool ${name} must be called with "task"`);
    }
    let args: JsonObject;
    try {
      args = this.server.tools.checkArguments(name, params.arguments ?? {});
    } catch (error) {
      // Fault seam (H25-16): invalid arguments still get a task, which ends completed.
      if (asTask && support !== 'forbidden' && faults.has('H25-16')) return this.createTask(request, invalidArgumentsStub(tool), {});
      throw error;
    }
    if (asTask && support !== 'forbidden') return this.createTask(request, tool, args);
    return this.runDirect(request, tool, args);
  }

  private async runDirect(request: IncomingRequest, tool: ToolDefinition, args: JsonObject): Promise<JsonObject | typeof NO_REPLY> {
    const progressToken = progressTokenOf(request.params);
    const ctx: ToolContext = {
      signal: request.signal,
      progress: (progress, total) => {
        if (progressToken === undefined || request.signal.aborted) return;
        void this.connection.notify('notifications/progress', { progressToken, progress, total }, request.id);
      },
      canElicit: this.canElicit,
      elicit: (message, requestedSchema) => this.elicitDirect(request, message, requestedSchema),
    };
    try {
      return await tool.run(args, ctx);
    } catch (error) {
      if (request.signal.aborted) return NO_REPLY; // cancelled by notifications/cancelled: no response
      throw error;
    }
  }

  private async createTask(request: IncomingRequest, tool: ToolDefinition, args: JsonObject): Promise<JsonObject> {
    const ttl = requestedTtl(request.params.task);
    const engine = this.server.engine;
    let record: TaskRecord;
    try {
      record = await engine.create(this.requestor, { method: 'tools/call', params: { name: tool.name, arguments: args } }, ttl);
    } catch (error) {
      throw toRpcError(error);
    }
    const taskId = record.taskId;
    this.server.registerTask(taskId, this);
    this.server.audit(`task ${taskId} created by ${this.requestor.owner}: ${tool.name} (ttl ${record.ttl} ms)`);
    const progressToken = progressTokenOf(request.params);
    const canElicit = this.canElicit;
    // Start the work only once the CreateTaskResult is on its way, so no status change can overtake it.
    const start = () =>
      engine.start(taskId, async (work) => {
        let outstanding = 0;
        const ctx: ToolContext = {
          signal: work.signal,
          progress: (progress, total) => {
            if (progressToken === undefined || work.signal.aborted) return;
            this.server.notifyForTask(taskId, 'notifications/progress', {
              progressToken,
              progress,
              total,
              _meta: { [RELATED_TASK]: { taskId } },
            });
          },
          canElicit,
          elicit: async (message, requestedSchema) => {
            const faults = this.server.faults;
            outstanding++;
            // Fault seam (T25-INP-01): wait for the answer without moving to input_required.
            if (!faults.has('T25-INP-01'))
              await work.setStatus('input_required', 'Waiting for the user to answer an elicitation; call tasks/result to receive it');
            try {
              const params = { mode: 'form', message, requestedSchema, _meta: { [RELATED_TASK]: { taskId } } };
              const answer = parseElicitAnswer(
                await this.server.requestQueue(taskId).request('elicitation/create', params, work.signal).catch(clientErrorAsCancel),
              );
              // Fault seams (T25-INP-03, T25-INP-06): with its answer (any / a decline or cancel) the task stays input_required until cancelled.
              if (faults.has('T25-INP-03') || (faults.has('T25-INP-06') && answer.action !== 'accept')) {
                await abortedBy(work.signal);
                throw work.signal.reason;
              }
              return answer;
            } finally {
              if (--outstanding === 0 && !work.signal.aborted) await work.setStatus('working');
            }
          },
        };
        // Fault seam (T25-PROG-02): the task ends at its first progress step while the tool keeps reporting
        // progress to this session (the server-level routing forgets a task once it has ended).
        if (this.server.faults.has('T25-PROG-02')) {
          const late: ToolContext['progress'] = (progress, total) => {
            if (progressToken !== undefined)
              this.notifyForTask(taskId, 'notifications/progress', {
                progressToken,
                progress,
                total,
                _meta: { [RELATED_TASK]: { taskId } },
              });
          };
          return endAtFirstProgress(tool, args, { ...ctx, progress: late });
        }
        // Fault seams (T25-ERR-07, T25-ERR-08): a tool error or a JSON-RPC error ends the task completed.
        return runAsTask(tool, args, ctx, {
          isError: this.server.faults.has('T25-ERR-07') ? 'completed' : 'failed',
          rpcError: this.server.faults.has('T25-ERR-08') ? 'completed' : 'failed',
        });
      });
    // Fault seam (T25-CRT-02): synchronous task creation, the reply waits until the work has ended.
    if (this.server.faults.has('T25-CRT-02')) {
      start();
      await engine.waitForTerminal(taskId, this.requestor);
      return { task: wireTask(record) };
    }
    request.afterReply(start);
    return { task: wireTask(record) };
  }

  private async elicitDirect(request: IncomingRequest, message: string, requestedSchema: JsonObject): Promise<ElicitAnswer> {
    const { result } = this.connection.request('elicitation/create', { mode: 'form', message, requestedSchema }, request.id);
    const aborted = new Promise<never>((_, reject) => {
      if (request.signal.aborted) reject(request.signal.reason);
      request.signal.addEventListener('abort', () => reject(request.signal.reason), { once: true });
    });
    return parseElicitAnswer(await Promise.race([result.catch(clientErrorAsCancel), aborted]));
  }

  // ---- tasks/*

  private async getTask(params: JsonObject): Promise<JsonObject> {
    const taskId = checkTaskId(params.taskId);
    return wireTask(await this.server.engine.get(taskId, this.lookupRequestor).catch(rethrowRpc));
  }

  private async taskResult(request: IncomingRequest): Promise<JsonObject | typeof NO_REPLY> {
    const taskId = checkTaskId(request.params.taskId);
    const engine = this.server.engine;
    const faults = this.server.faults;
    const current = await engine.get(taskId, this.lookupRequestor).catch(async (error: unknown) => {
      // Fault seam (T25-ERR-02): an unknown task id blocks until the client gives up.
      if (faults.has('T25-ERR-02')) await abortedBy(request.signal);
      return rethrowRpc(error);
    });
    if (this.server.faults.has('T25-RES-03') && (current.status === 'working' || current.status === 'input_required')) {
      throw new RpcError(INVALID_PARAMS, 'task not completed'); // fault seam: answer instead of blocking
    }
    const channel: Channel = { connection: this.connection, requestId: request.id };
    let ids = this.resultChannels.get(taskId);
    if (!ids) this.resultChannels.set(taskId, (ids = new Set()));
    ids.add(request.id);
    this.server.requestQueue(taskId).open(channel);
    let final: TaskRecord | undefined;
    try {
      // Fault seam (H25-20): notice completion only on poll ticks, as the TS SDK v1 does.
      final = await (
        faults.has('H25-20')
          ? waitOnPollTicks(engine, taskId, this.lookupRequestor, request.signal)
          : engine.waitForTerminal(taskId, this.lookupRequestor, request.signal)
      ).catch(rethrowRpc);
    } finally {
      ids.delete(request.id);
      if (ids.size === 0) this.resultChannels.delete(taskId);
      this.server.requestQueue(taskId).close(channel);
    }
    if (request.signal.aborted) return NO_REPLY;
    // Fault seams (T25-RES-06, T25-RES-07): a cancelled task's tasks/result never answers: one sent after the cancel (06), or one already waiting when it came (07).
    if (final?.status === 'cancelled' && faults.has(current.status === 'cancelled' ? 'T25-RES-06' : 'T25-RES-07')) {
      await abortedBy(request.signal);
      return NO_REPLY;
    }
    if (!final) throw new RpcError(INVALID_PARAMS, `Task not found: task ${taskId} expired before it finished`);
    return resultPayload(final);
  }

  private async cancelTask(params: JsonObject): Promise<JsonObject> {
    const taskId = checkTaskId(params.taskId);
    const engine = this.server.engine;
    const record = await engine.cancel(taskId, this.lookupRequestor).catch(async (error: unknown) => {
      // Fault seam (T25-CAN-05): cancelling a terminal task answers it unchanged.
      if (this.server.faults.has('T25-CAN-05') && error instanceof EngineError && error.kind === 'terminal')
        return engine.get(taskId, this.lookupRequestor);
      return rethrowRpc(error);
    });
    this.server.audit(`task ${taskId} cancelled by ${this.requestor.owner}`);
    return wireTask(record);
  }

  private async listTasks(params: JsonObject): Promise<JsonObject> {
    const cursor = params.cursor;
    let after: string | undefined;
    if (cursor !== undefined) {
      if (typeof cursor !== 'string')
        throw new RpcError(INVALID_PARAMS, 'tasks/list: cursor must be a string returned as nextCursor by an earlier tasks/list');
      after = this.server.decodeCursor(this.requestor.owner, cursor);
      // Fault seam (T25-LIST-05): an unknown cursor silently restarts the listing.
      if (after === undefined && !this.server.faults.has('T25-LIST-05'))
        throw new RpcError(
          INVALID_PARAMS,
          'tasks/list: invalid cursor; pass back a nextCursor from an earlier tasks/list unchanged, or omit it to start over',
        );
    }
    // Fault seam (T25-SEC-02): list every requestor's tasks.
    if (this.server.faults.has('T25-SEC-02')) return { tasks: (await this.server.tasksOfEveryOwner()).map(wireTask) };
    // Fault seam (T25-LIST-02): one unbounded page.
    const pageSize = this.server.faults.has('T25-LIST-02') ? Number.MAX_SAFE_INTEGER : LIST_PAGE_SIZE;
    const page = await this.server.engine.list(this.requestor.owner, after, pageSize);
    return {
      tasks: page.records.map(wireTask),
      ...(page.nextPosition !== undefined && { nextCursor: this.server.encodeCursor(this.requestor.owner, page.nextPosition) }),
    };
  }

  // ---- resources and prompts (a `task` member on these requests is ignored: T25-SUP-01)

  private readResource(params: JsonObject): JsonObject {
    if (typeof params.uri !== 'string') throw new RpcError(INVALID_PARAMS, 'resources/read needs params.uri (a string)');
    if (params.uri !== STATIC_RESOURCE.uri) throw new RpcError(-32002, `Resource not found: ${params.uri}`, { uri: params.uri });
    return { contents: [{ uri: STATIC_RESOURCE.uri, mimeType: STATIC_RESOURCE.mimeType, text: STATIC_RESOURCE.text }] };
  }

  private getPrompt(params: JsonObject): JsonObject {
    if (params.name !== PROMPT.name)
      throw new RpcError(INVALID_PARAMS, `Unknown prompt: ${String(params.name)} (available: ${PROMPT.name})`);
    const args = isObject(params.arguments) ? params.arguments : {};
    const who = typeof args.name === 'string' ? args.name : 'the user';
    return { description: PROMPT.description, messages: [{ role: 'user', content: { type: 'text', text: `Please greet ${who}.` } }] };
  }
}

/** T25-CRT-06 fault only: what an unknown tool's task runs (ends completed with a text saying so). */
function unknownToolStub(name: string): ToolDefinition {
  return {
    name,
    description: 'unknown tool (fault T25-CRT-06)',
    inputSchema: { type: 'object' },
    taskSupport: 'optional',
    run: async () => ({ content: [{ type: 'text', text: `Unknown tool: ${name}` }] }),
  };
}

/** H25-16 fault only: what a task with invalid arguments runs (ends completed with a text saying so). */
function invalidArgumentsStub(tool: ToolDefinition): ToolDefinition {
  return { ...tool, run: async () => ({ content: [{ type: 'text', text: `${tool.name} ran without valid arguments` }] }) };
}

/** H25-20 fault only: re-read the task every second instead of waking on its terminal transition. */
async function waitOnPollTicks(engine: TaskEngine, taskId: string, who: Requestor, signal: AbortSignal): Promise<TaskRecord | undefined> {
  for (;;) {
    const record = await engine.get(taskId, who).catch(() => undefined);
    if (!record || record.status === 'completed' || record.status === 'failed' || record.status === 'cancelled' || signal.aborted)
      return record;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000);
      signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
  }
}

/** T25-META-02 fault only: a request whose params.taskId is replaced by its related-task _meta taskId, if any. */
function targetFromMeta(request: IncomingRequest): IncomingRequest {
  const related = isObject(request.params._meta) ? request.params._meta[RELATED_TASK] : undefined;
  const taskId = isObject(related) ? related.taskId : undefined;
  return taskId === undefined ? request : { ...request, params: { ...request.params, taskId } };
}

/** T25-PROG-02 fault only: the task completes ("done") at the tool's first progress report; the tool runs on. */
function endAtFirstProgress(tool: ToolDefinition, args: JsonObject, ctx: ToolContext): Promise<WorkEnd> {
  return new Promise((resolve) => {
    const end = () => resolve({ status: 'completed', outcome: { kind: 'result', result: { content: [{ type: 'text', text: 'done' }] } } });
    const progress: ToolContext['progress'] = (value, total) => {
      ctx.progress(value, total);
      end();
    };
    void tool.run(args, { ...ctx, progress }).then(end, end);
  });
}

/** Resolves when the signal aborts (fault seams that must hang until the client gives up). */
function abortedBy(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
}

/** Sequential ids for the T25-SEC-03 fault. */
function sequentialTaskIds(): () => string {
  let n = 0;
  return () => `task-${++n}`;
}

/** The terminal status a tool error or a JSON-RPC error gives its task (failed, except under faults). */
export interface FailureStatuses {
  isError: 'failed' | 'completed';
  rpcError: 'failed' | 'completed';
}

/** Runs a tool as a task's work: its result or JSON-RPC error becomes the task's outcome (also used by ext/). */
export async function runAsTask(
  tool: ToolDefinition,
  args: JsonObject,
  ctx: ToolContext,
  statuses: FailureStatuses = { isError: 'failed', rpcError: 'failed' },
): Promise<WorkEnd> {
  let result: CallToolResult;
  try {
    result = await tool.run(args, ctx);
  } catch (error) {
    if (!(error instanceof RpcError)) throw error; // the engine turns other failures into -32603
    return {
      status: statuses.rpcError,
      statusMessage: `The tool failed with JSON-RPC error ${error.code}: ${error.message}`,
      outcome: { kind: 'error', error: error.toJSON() },
    };
  }
  if (result.isError) {
    const text = result.content.find((c) => c.type === 'text')?.text ?? '';
    return { status: statuses.isError, statusMessage: `The tool reported an error: ${text}`, outcome: { kind: 'result', result } };
  }
  return { status: 'completed', outcome: { kind: 'result', result } };
}

/** tasks/result of a terminal task: exactly the underlying result plus related-task, or the same error. */
function resultPayload(record: TaskRecord): JsonObject {
  const related = { [RELATED_TASK]: { taskId: record.taskId } };
  const outcome = record.outcome;
  if (outcome?.kind === 'error') throw new RpcError(outcome.error.code, outcome.error.message, outcome.error.data);
  if (outcome?.kind === 'result') {
    const meta = isObject(outcome.result._meta) ? outcome.result._meta : {};
    return { ...outcome.result, _meta: { ...meta, ...related } };
  }
  // A cancelled task has no result of its own (A25-03): answer a tool error saying so.
  return { content: [{ type: 'text', text: CANCELLED_RESULT_TEXT }], isError: true, _meta: related };
}

function checkTaskId(taskId: unknown): string {
  if (typeof taskId !== 'string')
    throw new RpcError(INVALID_PARAMS, 'params.taskId must be a string (the taskId from the CreateTaskResult)');
  if (taskId.length === 0) throw new RpcError(INVALID_PARAMS, 'params.taskId must not be empty');
  if (taskId.length > MAX_TASK_ID_LENGTH)
    throw new RpcError(
      INVALID_PARAMS,
      `Task not found: taskId is ${taskId.length} characters long; task ids of this server are ${MAX_TASK_ID_LENGTH} at most`,
    );
  return taskId;
}

function requestedTtl(task: unknown): number | undefined {
  if (!isObject(task)) throw new RpcError(INVALID_PARAMS, 'params.task must be an object, e.g. {} or {"ttl": 60000}');
  const ttl = task.ttl;
  if (ttl === undefined || ttl === null) return undefined;
  if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl < 0)
    throw new RpcError(INVALID_PARAMS, 'params.task.ttl must be a non-negative number of milliseconds');
  return ttl;
}

function progressTokenOf(params: JsonObject): string | number | undefined {
  const token = isObject(params._meta) ? params._meta.progressToken : undefined;
  return typeof token === 'string' || typeof token === 'number' ? token : undefined;
}

function parseElicitAnswer(result: JsonObject): ElicitAnswer {
  const action = result.action;
  if (action !== 'accept' && action !== 'decline' && action !== 'cancel') {
    throw new RpcError(
      INVALID_PARAMS,
      `the client answered the elicitation with action ${JSON.stringify(action)}; expected accept, decline or cancel`,
    );
  }
  return { action, content: isObject(result.content) ? result.content : undefined };
}

/** A client that answers an elicitation with a JSON-RPC error did not provide input: treated as cancel. */
function clientErrorAsCancel(error: unknown): JsonObject {
  if (error instanceof RpcError) return { action: 'cancel' };
  throw error;
}

function toRpcError(error: unknown): unknown {
  if (error instanceof EngineError) return new RpcError(INVALID_PARAMS, error.message);
  return error;
}

function rethrowRpc(error: unknown): never {
  throw toRpcError(error);
}
