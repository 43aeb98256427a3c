// The 2026-07-28 surface of the reference server: one stateless dispatcher shared by stdio and HTTP. It
// reads the envelope of every request, routes the method, and runs the same engine, store, tools and
// gates as the 2025-11-25 surface. The hooks in server.ts (stdio) and http.ts hand it the requests
// `claims()` picks: in a dual-era server, those carrying the modern _meta or a modern-only method.
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';
import { NO_REPLY, RpcError, type Connection, type IncomingRequest, type JsonObject } from '../connection.js';
import type { Requestor, Work } from '../engine.js';
import type { ExtBehaviour } from '../faults/index.js';
import type { ReferenceServer } from '../server.js';
import { fixtureTools, ToolRegistry, type ToolDefinition } from '../tools.js';
import type { WorkItem } from '../work-queue.js';
import { MODERN_OWNER_PREFIX, principalOf, type Caller, type ExtContext, type Outbound } from './context.js';
import { catalogueResult, discoverResult } from './discover.js';
import { isModernRequest, LEGACY_VERSION, MODERN_VERSION, readEnvelope, TASKS_EXTENSION, type EnvelopeRules } from './envelope.js';
import { modernFixtureTools } from './fixtures.js';
import { TaskInputs } from './inputs.js';
import { RequestStates } from './mrtr.js';
import { Subscriptions } from './subscriptions.js';
import { TaskMethods } from './tasks.js';
import { ToolCalls } from './tools-call.js';
import { WireIds } from './wire.js';

/** Which eras one server speaks: both (the default), or one pinned with --protocol. */
export type ProtocolMode = 'dual' | typeof MODERN_VERSION | typeof LEGACY_VERSION;

export interface ModernOptions {
  mode: Exclude<ProtocolMode, typeof LEGACY_VERSION>;
}

export interface DispatchRequest {
  id: RequestId;
  method: string;
  params: JsonObject;
}

export class ModernSurface {
  readonly behaviour: ExtBehaviour;
  readonly dualEra: boolean;
  private readonly ctx: ExtContext;
  private readonly rules: EnvelopeRules;
  private readonly toolCalls: ToolCalls;
  private readonly taskMethods: TaskMethods;
  private readonly subscriptions: Subscriptions;
  private readonly stopping = new AbortController();

  constructor(server: ReferenceServer, options: ModernOptions) {
    // EXT-* faults come with the server's (--violate): faults/ext-table.ts.
    this.behaviour = server.faults.extBehaviour;
    this.dualEra = options.mode === 'dual';
    const b = this.behaviour;
    this.rules = {
      modernVersions: [MODERN_VERSION],
      allVersions: this.dualEra ? [MODERN_VERSION, LEGACY_VERSION] : [MODERN_VERSION],
      capabilitiesOptional: b.capabilitiesOptional,
      versionErrorAsInvalidParams: b.versionErrorAsInvalidParams,
      legacyCapabilityOptsIn: b.legacyCapabilityOptsIn,
    };
    // A cluster's instances share the input requests and the MRTR signing key, so any of them serves any task.
    const cluster = server.cluster;
    const inputs = cluster
      ? cluster.inputRequests((taskId) => server.engine.resume(taskId), !!b.reuseInputKeys)
      : new TaskInputs({ reuseKeys: b.reuseInputKeys });
    this.ctx = {
      engine: server.engine,
      tools: new ToolRegistry([...fixtureTools(server.gates), ...modernFixtureTools]),
      inputs,
      states: new RequestStates(cluster?.requestStateKey),
      behaviour: b,
      ids: new WireIds(b),
      tasksEnabled: server.tasksEnabled,
      createWithinQuota: (principal, create) => server.createWithinQuota(principal, create),
      runWork: (item, shareable, local) => server.runWork(item, shareable, local),
      progressToSubscribers: (taskId, params) => this.subscriptions.progress(taskId, params),
    };
    this.toolCalls = new ToolCalls(this.ctx);
    this.taskMethods = new TaskMethods(this.ctx);
    this.subscriptions = new Subscriptions(this.ctx);
  }

  /** The tools of this era (the fixture catalogue plus the ext-only fixtures). */
  get tools(): ToolRegistry {
    return this.ctx.tools;
  }

  /** The work of a 2026-07-28 task built from its work item alone, for the runner that claimed it (worker.ts). */
  taskWork(item: WorkItem, tool: ToolDefinition): Work {
    return this.toolCalls.work(item, tool);
  }

  /** Whether a request belongs to this surface rather than the 2025-11-25 one. */
  claims(method: string, params: unknown): boolean {
    return !this.dualEra || isModernRequest(method, params);
  }

  /**
   * Fault EXT-NEG-08 only: a tools/call of a 2025-11-25 session that declared the extension at initialize
   * is served as a modern one.
   */
  claimsLegacy(method: string, params: JsonObject, sessionCapabilities: JsonObject): boolean {
    const extensions = sessionCapabilities.extensions as JsonObject | undefined;
    return (
      this.behaviour.legacySessionHonoursExtension &&
      method === 'tools/call' &&
      params.task === undefined &&
      !!extensions?.[TASKS_EXTENSION]
    );
  }

  /** The stdio hook: a request that arrived on a connection (the process's stdio). */
  onConnection(request: IncomingRequest, connection: Connection, legacyCapabilities?: JsonObject): Promise<JsonObject | typeof NO_REPLY> {
    const out: Outbound = {
      notify: (method, params) => void connection.notify(method, params, request.id),
      request: (method, params) => void connection.request(method, params, request.id).result.catch(() => undefined),
    };
    let params = request.params;
    if (legacyCapabilities) params = legacyEnvelope(params, legacyCapabilities);
    return this.dispatch(
      { id: request.id, method: request.method, params },
      { owner: `${MODERN_OWNER_PREFIX}stdio`, bound: false },
      out,
      request.signal,
    );
  }

  /** Runs one request of this era; rejects with RpcError for a JSON-RPC error answer. */
  async dispatch(request: DispatchRequest, who: Requestor, out: Outbound, signal: AbortSignal): Promise<JsonObject | typeof NO_REPLY> {
    try {
      return await this.route(request, who, out, signal);
    } catch (error) {
      if (this.behaviour.emptyErrorMessages && error instanceof RpcError) throw new RpcError(error.code, '', error.data);
      throw error;
    }
  }

  /** Ends every subscription gracefully (their listen requests are answered). */
  close(): void {
    this.stopping.abort();
    this.subscriptions.close();
  }

  private async route(request: DispatchRequest, who: Requestor, out: Outbound, signal: AbortSignal): Promise<JsonObject | typeof NO_REPLY> {
    const { method, params } = request;
    if (method === 'initialize')
      throw new RpcError(
        -32601,
        `Method not found: initialize; this endpoint speaks ${this.rules.allVersions.join(', ')} per request (server/discover)`,
      );
    const env = readEnvelope(params, this.rules);
    const caller: Caller = {
      id: request.id,
      who,
      env,
      out,
      signal: AbortSignal.any([signal, this.stopping.signal]),
      principal: principalOf(who),
    };
    const catalogue = catalogueResult(this.ctx, method, params);
    if (catalogue) return catalogue;
    switch (method) {
      case 'server/discover':
        return discoverResult(this.ctx, this.dualEra);
      case 'tools/call':
        return this.toolCalls.call(params, caller);
      case 'subscriptions/listen':
        return this.subscriptions.listen(params, { ...caller, signal });
    }
    if (this.ctx.tasksEnabled) {
      switch (method) {
        case 'tasks/get':
          return this.taskMethods.get(params, caller);
        case 'tasks/update':
          return this.taskMethods.update(params, caller);
        case 'tasks/cancel':
          return this.taskMethods.cancel(params, caller);
        case 'tasks/result':
          if (this.behaviour.serveTasksResult) return this.taskMethods.legacyResult(params, caller);
          break;
        case 'tasks/list':
          if (this.behaviour.serveTasksList) return this.taskMethods.legacyList(caller);
          break;
      }
    }
    // tasks/result and tasks/list are gone in this era (changelog item 6, SEP-2663 backward compatibility).
    throw new RpcError(-32601, `Method not found: ${method}`);
  }
}

/** Fault EXT-NEG-08 only: a legacy request dressed in the envelope of the session's initialize capabilities. */
function legacyEnvelope(params: JsonObject, capabilities: JsonObject): JsonObject {
  const meta = { 'io.modelcontextprotocol/protocolVersion': MODERN_VERSION, 'io.modelcontextprotocol/clientCapabilities': capabilities };
  return { ...params, _meta: { ...(params._meta as JsonObject | undefined), ...meta } };
}
