// MCP wiring: one ClientSession per connection translates MCP requests into tool runs and task-engine
// calls, and engine events into notifications. This is the only module that knows both MCP messages
// and the task engine. It is long because every MCP request handler of the 2025-11-25 era lives here, next
// to the session state they share; the 2026-07-28 era, faults and HTTP are already modules of their own.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import { packageVersion } from './version.js';
import type { ModernSurface } from './ext/dispatch.js';
import { Connection, INVALID_PARAMS, METHOD_NOT_FOUND, NO_REPLY, RpcError, type IncomingRequest, type JsonObject } from './connection.js';
import type { TaskCluster } from './cluster.js';
import { EngineError, TaskEngine, type EngineLimits, type Requestor, type Work, type WorkEnd } from './engine.js';
import { engineFaultOptions, Faults, type Behaviour } from './faults/index.js';
import { TaskRequestQueue, type Channel } from './input.js';
import { ANONYMOUS, TaskQuota } from './quota.js';
import { MemoryTaskStore, type TaskRecord, type TaskStore } from './store.js';
import { wireTask, wireTaskOnce } from './wire-task.js';

/** The wire form of a task (flat; CreateTaskResult nests it under `task`); built once per stored record. */
export { wireTask };
import {
  fixtureTools,
  GateRegistry,
  ToolRegistry,
  type CallToolResult,
  type ElicitAnswer,
  type Gates,
  type ToolContext,
  type ToolDefinition,
} from './tools.js';
import type { WorkItem } from './work-queue.js';

export const RELATED_TASK = 'io.modelcontextprotocol/related-task';
/** Tasks exist from this protocol revision on; older sessions get a server without them. */
export const TASKS_PROTOCOL_VERSION = '2025-11-25';
export const SERVER_NAME = 'sep1686-reference-server';
/**
 * tasks/list page size: the SDK's InMemoryTaskStore's. A page's cost grows with its bytes (about 190 per
 * task: serialised, piped, parsed): 50 tasks cost 2.4 pings over stdio, 10 cost 1.5 (reports/bench/).
 */
export const LIST_PAGE_SIZE = 10;
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
  /** Finished tasks retained per principal before the earliest finished is purged (default 10 000). */
  maxFinishedTasks?: number;
  /** Several instances acting as one (cluster.ts): shared store, events, work queue, gates, inputs, cursor key. */
  cluster?: TaskCluster;
}

export const DEFAULT_MAX_FINISHED_TASKS = 10_000;

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
  /** What this server does differently under --violate (all false: spec-exact). */
  readonly behaviour: Behaviour;
  readonly tools: ToolRegistry;
  readonly gates: Gates;
  readonly cluster?: TaskCluster;
  /** Live and retained tasks per principal (active-task limit, cap on finished tasks), counted on this instance. */
  readonly quota: TaskQuota;
  readonly tasksEnabled: boolean;
  readonly log: (line: string) => void;
  readonly verbose: boolean;
  /** The 2026-07-28 surface (ext/), set by start.ts unless the server is pinned to 2025-11-25. */
  modern?: ModernSurface;
  private readonly cursorKey: Buffer;
  /** The session that created each live task: status notifications and task messages go there. */
  private readonly origins = new Map<string, ClientSession>();
  private readonly requestQueues = new Map<string, TaskRequestQueue>();
  private readonly sessions = new Set<ClientSession>();

  constructor(options: ReferenceServerOptions = {}) {
    this.faults = options.faults ?? new Faults();
    this.behaviour = this.faults.behaviour;
    this.tasksEnabled = options.tasks ?? true;
    this.log = options.log ?? (() => undefined);
    this.verbose = options.verbose ?? false;
    this.cluster = options.cluster;
    this.gates = options.cluster?.gates ?? new GateRegistry();
    this.cursorKey = options.cluster?.cursorKey ?? randomBytes(32);
    this.tools = new ToolRegistry(fixtureTools(this.gates));
    this.engine = new TaskEngine({
      store: options.store ?? options.cluster?.store ?? new MemoryTaskStore(),
      events: options.cluster?.events,
      ...engineFaultOptions(this.behaviour, options.limits),
      log: this.log,
    });
    this.quota = new TaskQuota({
      maxActive: this.engine.limits.maxActiveTasksPerOwner,
      maxFinished: options.maxFinishedTasks ?? DEFAULT_MAX_FINISHED_TASKS,
    });
    this.engine.on('status', (record) => this.onStatus(record));
    this.engine.on('expired', (taskId) => {
      this.audit(`task ${taskId} expired (ttl elapsed) and was removed`);
      this.quota.removed(taskId);
      this.forget(taskId);
    });
    // Notifications from work running on another instance, for the session here that created the task.
    options.cluster?.events.subscribe((event) => {
      if (event.type === 'notification' && this.origins.has(event.taskId)) this.notifyForTask(event.taskId, event.method, event.params);
    });
  }

  /**
   * Serves MCP on a transport for one requestor; the session lives until the transport closes. `principal`
   * (HTTP auth) scopes the task quota and the fixture gates; without one they are shared by all such sessions.
   */
  async connect(transport: Transport, requestor: Requestor, principal?: string): Promise<ClientSession> {
    const session = new ClientSession(this, transport, requestor, principal);
    this.sessions.add(session);
    session.connection.onClose(() => this.sessions.delete(session));
    if (this.behaviour.cancelTasksOnSessionClose) session.connection.onClose(() => this.cancelTasksOf(session));
    await session.connection.start();
    return session;
  }

  /** Under the cancelTasksOn... behaviours only: cancels the live tasks a session created. */
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

  /**
   * Creates a task within its principal's quota, whichever era asks: takes an active slot, runs `create`,
   * and binds the slot to the new task (or gives it back when creation fails, with the engine's error as -32602).
   * @param principal the HTTP auth principal; undefined: every requestor without one shares one quota.
   */
  async createWithinQuota(principal: string | undefined, create: () => Promise<TaskRecord>): Promise<TaskRecord> {
    const account = principal ?? ANONYMOUS;
    if (!this.quota.reserve(account)) {
      const whose = principal ? 'this principal' : 'this server (shared by every session without auth)';
      throw new RpcError(
        INVALID_PARAMS,
        `too many active tasks for ${whose} (limit ${this.quota.limits.maxActive}); wait for some to finish or cancel them`,
      );
    }
    let record: TaskRecord;
    try {
      record = await create();
    } catch (error) {
      this.quota.unreserve(account);
      throw toRpcError(error);
    }
    this.quota.bind(record.taskId, account);
    return record;
  }

  registerTask(taskId: string, origin: ClientSession): void {
    this.origins.set(taskId, origin);
  }

  /**
   * A tasks/result of a live task opened: task requests may travel with it (none for an ended task). In a
   * cluster the task may be another instance's: its requests then come through watchInputs().
   */
  openChannel(taskId: string, channel: Channel): void {
    if (this.origins.has(taskId) || this.cluster) this.requestQueue(taskId).open(channel);
  }

  /** A tasks/result closed; never creates a queue, so ended tasks leave nothing behind. */
  closeChannel(taskId: string, channel: Channel): void {
    const queue = this.requestQueues.get(taskId);
    queue?.close(channel);
    // The queue of another instance's task lives only while a tasks/result of it is open here.
    if (queue?.idle && !this.origins.has(taskId)) this.requestQueues.delete(taskId);
  }

  requestQueue(taskId: string): TaskRequestQueue {
    let queue = this.requestQueues.get(taskId);
    if (!queue) this.requestQueues.set(taskId, (queue = new TaskRequestQueue()));
    return queue;
  }

  /** Sends a task's notification to the session that created it. */
  notifyForTask(taskId: string, method: string, params: JsonObject): void {
    if (this.behaviour.statusNotificationsToEverySession && method === 'notifications/tasks/status') {
      for (const session of this.sessions) session.notifyForTask(taskId, method, params);
      return;
    }
    this.origins.get(taskId)?.notifyForTask(taskId, method, params);
  }

  /**
   * Runs a created task's work: here, or, in a cluster, on whichever runner claims it from the work
   * queue (worker.ts). Fault stubs (not registry tools) always run here.
   */
  runTask(item: WorkItem, tool: ToolDefinition, origin?: ClientSession): Promise<void> {
    return this.runWork(item, this.tools.get(item.tool) === tool, () => this.taskWork(item, tool, origin));
  }

  /**
   * Runs a created task's work (either era): in a cluster, when `shareable`, on whichever runner claims
   * `item`; else here, as `local()` builds it.
   */
  runWork(item: WorkItem, shareable: boolean, local: () => Work): Promise<void> {
    const queue = this.cluster?.queue;
    if (!queue || !shareable) return this.engine.start(item.taskId, local());
    return queue.dispatch(item).catch((error: unknown) =>
      this.engine.start(item.taskId, async () => {
        throw new Error(`the work could not be queued (${(error as Error).message})`);
      }),
    );
  }

  /** The work of a task as the engine runs it, built from the work item alone (so any instance can run it). */
  taskWork(item: WorkItem, tool: ToolDefinition, origin?: ClientSession): Work {
    const { taskId, args, progressToken, canElicit, gateScope } = item;
    return async (work) => {
      let outstanding = 0;
      const ctx: ToolContext = {
        signal: work.signal,
        gateScope,
        progress: (progress, total) => {
          if (progressToken === undefined || work.signal.aborted) return;
          this.notifyFromWork(taskId, 'notifications/progress', {
            progressToken,
            progress,
            total,
            _meta: { [RELATED_TASK]: { taskId } },
          });
        },
        canElicit,
        elicit: async (message, requestedSchema) => {
          const behaviour = this.behaviour;
          outstanding++;
          if (!behaviour.elicitWithoutInputRequired)
            await work.setStatus('input_required', 'Waiting for the user to answer an elicitation; call tasks/result to receive it');
          try {
            const params = { mode: 'form', message, requestedSchema, _meta: { [RELATED_TASK]: { taskId } } };
            const answer = parseElicitAnswer(
              await this.askFromWork(taskId, 'elicitation/create', params, work.signal).catch(clientErrorAsCancel),
            );
            if (behaviour.stayInputRequiredAfterAnswer || (behaviour.stayInputRequiredAfterDecline && answer.action !== 'accept')) {
              await abortedBy(work.signal);
              throw work.signal.reason;
            }
            return answer;
          } finally {
            if (--outstanding === 0 && !work.signal.aborted) await work.setStatus('working');
          }
        },
      };
      // The task ends at its first progress step while the tool keeps reporting progress to the creating
      // session (the server-level routing forgets a task once it has ended).
      if (this.behaviour.endTaskAtFirstProgress) {
        const late: ToolContext['progress'] = (progress, total) => {
          if (progressToken !== undefined)
            origin?.notifyForTask(taskId, 'notifications/progress', {
              progressToken,
              progress,
              total,
              _meta: { [RELATED_TASK]: { taskId } },
            });
        };
        return endAtFirstProgress(tool, args, { ...ctx, progress: late });
      }
      return runAsTask(tool, args, ctx, {
        isError: this.behaviour.toolErrorEndsCompleted ? 'completed' : 'failed',
        rpcError: this.behaviour.rpcErrorEndsCompleted ? 'completed' : 'failed',
      });
    };
  }

  /** A notification from a task's work: to its creator's session here, or over the cluster bus to the instance that has it. */
  private notifyFromWork(taskId: string, method: string, params: JsonObject): void {
    if (this.cluster && !this.origins.has(taskId))
      void this.cluster.events.publish({ type: 'notification', taskId, method, params }).catch(() => undefined);
    else this.notifyForTask(taskId, method, params);
  }

  /** A request from a task's work to its requestor, delivered on an open tasks/result here or (cluster) on any instance. */
  private askFromWork(taskId: string, method: string, params: JsonObject, signal: AbortSignal): Promise<JsonObject> {
    return this.cluster
      ? this.cluster.inputs.request(taskId, method, params, signal)
      : this.requestQueue(taskId).request(method, params, signal);
  }

  /** Cluster: while a tasks/result is open here, the task's input requests (from any runner) are delivered here. */
  watchInputs(taskId: string): () => void {
    if (!this.cluster) return () => undefined;
    return this.cluster.inputs.watch(taskId, (method, params, signal) => this.requestQueue(taskId).request(method, params, signal));
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

  /** Under listTasksOfEveryOwner only: the tasks of every connected requestor, whoever asks. */
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
    this.notifyForTask(record.taskId, 'notifications/tasks/status', wireTaskOnce(record));
    const terminal = record.status === 'completed' || record.status === 'failed' || record.status === 'cancelled';
    if (terminal && this.behaviour.announceWorkingAfterTerminal)
      this.notifyForTask(record.taskId, 'notifications/tasks/status', { ...wireTaskOnce(record), status: 'working' });
    if (terminal) {
      this.forget(record.taskId);
      for (const taskId of this.quota.finished(record.taskId)) void this.purge(taskId);
    }
  }

  /** Removes a finished task over its principal's cap on retained tasks (the earliest finished goes first). */
  private async purge(taskId: string): Promise<void> {
    await this.engine.remove(taskId);
    this.audit(`task ${taskId} purged: its principal has more than ${this.quota.limits.maxFinished} finished tasks`);
  }

  private forget(taskId: string): void {
    this.origins.delete(taskId);
    this.requestQueues.get(taskId)?.dispose();
    this.requestQueues.delete(taskId);
  }
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
    /** The HTTP auth principal, if any. */
    readonly principal?: string,
  ) {
    this.connection = new Connection({
      transport,
      faults: server.faults,
      handler: (request) => this.handle(request),
      log: server.log,
      trace: (line) => server.audit(line),
    });
    this.connection.onClose(() => {
      for (const [taskId, ids] of this.resultChannels)
        for (const requestId of ids) this.server.closeChannel(taskId, { connection: this.connection, requestId });
      this.resultChannels.clear();
    });
  }

  /** Who tasks/get, tasks/result and tasks/cancel act for. */
  private get lookupRequestor(): Requestor {
    return this.server.behaviour.ignoreAuthOnLookup ? { ...this.requestor, bound: false } : this.requestor;
  }

  /** Fixture gates are per principal (with auth), else shared by every session. */
  private get gateScope(): string {
    return this.principal ?? '';
  }

  /**
   * Whether this tools/call creates a task and nothing else: its only message is the CreateTaskResult (the
   * work starts after it, and the task's progress and requests travel outside this request), so HTTP may
   * answer it as plain JSON instead of opening an SSE stream for one message.
   */
  createsTaskOnly(params: JsonObject): boolean {
    const behaviour = this.server.behaviour;
    if (!this.tasks || params.task === undefined || typeof params.name !== 'string') return false;
    if (behaviour.createTaskSynchronously || behaviour.runForbiddenToolWithTask) return false;
    const support = this.server.tools.get(params.name)?.taskSupport;
    return support === 'optional' || support === 'required';
  }

  /** Tasks are offered when enabled and the session speaks a revision that has them. */
  private get tasks(): boolean {
    return this.server.tasksEnabled && this.protocolVersion >= TASKS_PROTOCOL_VERSION;
  }

  private get canElicit(): boolean {
    if (this.server.behaviour.elicitWithoutCapability) return true;
    const elicitation = this.clientCapabilities.elicitation;
    if (!isObject(elicitation)) return false;
    // An empty object (older revisions) means form mode; otherwise form must be named.
    return Object.keys(elicitation).length === 0 || isObject(elicitation.form);
  }

  /** A task message goes with an open tasks/result of that task (same HTTP stream), else unrelated. */
  notifyForTask(taskId: string, method: string, params: JsonObject): void {
    const open = this.resultChannels.get(taskId)?.values().next().value;
    void this.connection.notify(method, params, open);
    if (open !== undefined && this.server.behaviour.duplicateTaskNotificationsOnStandaloneStream)
      void this.connection.notify(method, params);
  }

  /** HTTP: the streams of these requests were dropped by the client. Requests stay pending (a drop is not a cancel). */
  streamsDropped(requestIds: RequestId[]): void {
    for (const [taskId, ids] of this.resultChannels) {
      for (const requestId of requestIds) {
        if (!ids.delete(requestId)) continue;
        this.server.closeChannel(taskId, { connection: this.connection, requestId });
        if (this.server.behaviour.cancelTaskOnDroppedResultStream)
          void this.server.engine.cancel(taskId, this.requestor).catch(() => undefined);
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
      if (this.server.behaviour.targetTaskFromRelatedMeta) request = targetFromMeta(request);
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
      if (this.tasks && params.task !== undefined && this.server.behaviour.taskForUnknownTool)
        return this.createTask(request, unknownToolStub(name), {});
      throw new RpcError(INVALID_PARAMS, `Unknown tool: ${name}`);
    }
    // Without task support, `task` is ignored and every tool is plain (T25-SUP-01).
    const asTask = this.tasks && params.task !== undefined;
    const support = this.tasks ? (tool.taskSupport ?? 'forbidden') : 'forbidden';
    const behaviour = this.server.behaviour;

    if (asTask && support === 'forbidden' && !behaviour.runForbiddenToolWithTask) {
      throw new RpcError(
        METHOD_NOT_FOUND,
        `Tool ${name} does not support task-augmented execution (taskSupport "forbidden"); call it without "task"`,
      );
    }
    if (this.tasks && !asTask && support === 'required') {
      const message = `Tool ${name} requires task-augmented execution (taskSupport "required"); call it with "task"`;
      // The TS SDK v1 McpServer wraps this error in a tool result.
      if (behaviour.answerRequiredWithoutTaskAsIsError)
        return { content: [{ type: 'text', text: `MCP error ${METHOD_NOT_FOUND}: ${message}` }], isError: true };
      throw new RpcError(METHOD_NOT_FOUND, message);
    }
    if (this.tasks && !asTask && support === 'optional' && behaviour.refusePlainCallOfOptionalTool) {
      throw new RpcError(METHOD_NOT_FOUND, `Tool ${name} must be called with "task"`);
    }
    let args: JsonObject;
    try {
      args = this.server.tools.checkArguments(name, params.arguments ?? {});
    } catch (error) {
      if (asTask && support !== 'forbidden' && behaviour.taskForInvalidArguments)
        return this.createTask(request, invalidArgumentsStub(tool), {});
      throw error;
    }
    if (asTask && support !== 'forbidden') return this.createTask(request, tool, args);
    return this.runDirect(request, tool, args);
  }

  private async runDirect(request: IncomingRequest, tool: ToolDefinition, args: JsonObject): Promise<JsonObject | typeof NO_REPLY> {
    const progressToken = progressTokenOf(request.params);
    const ctx: ToolContext = {
      signal: request.signal,
      gateScope: this.gateScope,
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
    const record = await this.server.createWithinQuota(this.principal, () =>
      engine.create(this.requestor, { method: 'tools/call', params: { name: tool.name, arguments: args } }, ttl),
    );
    const taskId = record.taskId;
    this.server.registerTask(taskId, this);
    this.server.audit(`task ${taskId} created by ${this.requestor.owner}: ${tool.name} (ttl ${record.ttl} ms)`);
    const item: WorkItem = {
      taskId,
      tool: tool.name,
      args,
      progressToken: progressTokenOf(request.params),
      canElicit: this.canElicit,
      gateScope: this.gateScope,
    };
    // Start the work only once the CreateTaskResult is on its way, so no status change can overtake it.
    const start = () => void this.server.runTask(item, tool, this);
    if (this.server.behaviour.createTaskSynchronously) {
      start();
      await engine.waitForTerminal(taskId, this.requestor);
      return { task: wireTaskOnce(record) };
    }
    request.afterReply(start);
    return { task: wireTaskOnce(record) };
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
    const behaviour = this.server.behaviour;
    const current = await engine.get(taskId, this.lookupRequestor).catch(async (error: unknown) => {
      if (behaviour.blockResultOfUnknownTask) await abortedBy(request.signal);
      return rethrowRpc(error);
    });
    if (behaviour.refuseResultOfUnfinishedTask && (current.status === 'working' || current.status === 'input_required')) {
      throw new RpcError(INVALID_PARAMS, 'task not completed');
    }
    const channel: Channel = { connection: this.connection, requestId: request.id };
    let ids = this.resultChannels.get(taskId);
    if (!ids) this.resultChannels.set(taskId, (ids = new Set()));
    ids.add(request.id);
    this.server.openChannel(taskId, channel);
    const unwatchInputs = this.server.watchInputs(taskId);
    let final: TaskRecord | undefined;
    try {
      // Fault seam (H25-20, H25-01): notice completion only on poll ticks, as the TS SDK v1 does.
      final = await (
        behaviour.pollResultOnTicks
          ? waitOnPollTicks(engine, taskId, this.lookupRequestor, request.signal)
          : engine.waitForTerminal(taskId, this.lookupRequestor, request.abortWatch)
      ).catch(rethrowRpc);
    } finally {
      ids.delete(request.id);
      if (ids.size === 0) this.resultChannels.delete(taskId);
      unwatchInputs(); // first: it withdraws what it delivered, so the channel's queue can go
      this.server.closeChannel(taskId, channel);
    }
    if (request.abortWatch.aborted) return NO_REPLY;
    const neverAnswer =
      current.status === 'cancelled' ? behaviour.neverAnswerResultOfCancelledTask : behaviour.neverAnswerWaitingResultOnCancel;
    if (final?.status === 'cancelled' && neverAnswer) {
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
      if (this.server.behaviour.cancelOfTerminalAnswersTask && error instanceof EngineError && error.kind === 'terminal')
        return engine.get(taskId, this.lookupRequestor);
      return rethrowRpc(error);
    });
    this.server.audit(`task ${taskId} cancelled by ${this.requestor.owner}`);
    return wireTaskOnce(record);
  }

  private async listTasks(params: JsonObject): Promise<JsonObject> {
    const cursor = params.cursor;
    let after: string | undefined;
    if (cursor !== undefined) {
      if (typeof cursor !== 'string')
        throw new RpcError(INVALID_PARAMS, 'tasks/list: cursor must be a string returned as nextCursor by an earlier tasks/list');
      after = this.server.decodeCursor(this.requestor.owner, cursor);
      if (after === undefined && !this.server.behaviour.unknownCursorRestartsList)
        throw new RpcError(
          INVALID_PARAMS,
          'tasks/list: invalid cursor; pass back a nextCursor from an earlier tasks/list unchanged, or omit it to start over',
        );
    }
    if (this.server.behaviour.listTasksOfEveryOwner) return { tasks: (await this.server.tasksOfEveryOwner()).map(wireTask) };
    const pageSize = this.server.behaviour.listInOnePage ? Number.MAX_SAFE_INTEGER : LIST_PAGE_SIZE;
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

/** Under taskForUnknownTool only: what an unknown tool's task runs (ends completed with a text saying so). */
function unknownToolStub(name: string): ToolDefinition {
  return {
    name,
    description: 'unknown tool (fault T25-CRT-06)',
    inputSchema: { type: 'object' },
    taskSupport: 'optional',
    run: async () => ({ content: [{ type: 'text', text: `Unknown tool: ${name}` }] }),
  };
}

/** Under taskForInvalidArguments only: what a task with invalid arguments runs (ends completed with a text saying so). */
function invalidArgumentsStub(tool: ToolDefinition): ToolDefinition {
  return { ...tool, run: async () => ({ content: [{ type: 'text', text: `${tool.name} ran without valid arguments` }] }) };
}

/** Under pollResultOnTicks only: re-read the task every second instead of waking on its terminal transition. */
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

/** Under targetTaskFromRelatedMeta only: a request whose params.taskId is replaced by its related-task _meta taskId, if any. */
function targetFromMeta(request: IncomingRequest): IncomingRequest {
  const related = isObject(request.params._meta) ? request.params._meta[RELATED_TASK] : undefined;
  const taskId = isObject(related) ? related.taskId : undefined;
  if (taskId === undefined) return request;
  // Not a spread: the request's signal is a getter (connection.ts).
  return {
    id: request.id,
    method: request.method,
    params: { ...request.params, taskId },
    signal: request.signal,
    abortWatch: request.abortWatch,
    afterReply: (fn) => request.afterReply(fn),
  };
}

/** Under endTaskAtFirstProgress only: the task completes ("done") at the tool's first progress report; the tool runs on. */
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
