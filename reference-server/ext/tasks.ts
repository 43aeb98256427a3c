// tasks/get, tasks/update and tasks/cancel of the extension (ext §Task Polling, §Task Update Requests,
// §Task Cancellation). Each request must itself declare the extension (-32021 otherwise, checked before
// the task id so a non-declaring client learns nothing about ids); unknown ids are -32602.
import { RpcError, type JsonObject } from '../connection.js';
import { EngineError, type Requestor } from '../engine.js';
import { isTerminalStatus, type TaskRecord } from '../store.js';
import { isModernTask, type Caller, type ExtContext } from './context.js';
import { isObject, missingCapability, TASKS_REQUIRED } from './envelope.js';
import { detailedTask, resultMeta, wireTask } from './wire.js';

/** Longest taskId accepted (ours are 36-character UUIDs). */
const MAX_TASK_ID_LENGTH = 256;

export class TaskMethods {
  /** tasks/get count per task, for the faults that depend on it (EXT-CRT-02, EXT-TTL-06, EXT-GET-08, EXT-LIFE-02). */
  private readonly gets = new Map<string, number>();
  /** Ids of tasks removed at ttl expiry (fault EXT-TTL-04 answers them differently). */
  private readonly expired = new Set<string>();
  /** Fault EXT-CAN-04: tasks reported cancelled while their work runs on. */
  private readonly seemCancelled = new Set<string>();

  constructor(private readonly ctx: ExtContext) {
    ctx.engine.on('expired', (taskId) => {
      this.gets.delete(taskId);
      this.terminalSeen.delete(taskId);
      if (ctx.behaviour.expiredInternalError) this.expired.add(taskId);
    });
  }

  async get(params: JsonObject, caller: Caller): Promise<JsonObject> {
    const b = this.ctx.behaviour;
    const record = await this.lookup(params, caller);
    const n = (this.gets.get(record.taskId) ?? 0) + 1;
    this.gets.set(record.taskId, n);
    if (b.firstGetNotFound && n === 1) throw notFound(params.taskId);
    if (b.rateLimitEveryThirdGet && n % 3 === 0) throw new RpcError(-31429, 'Rate limited: poll less often', { retryAfterMs: 1000 });
    if (b.earlyExpiry && Date.now() >= record.createdAt + record.ttl / 2) throw notFound(params.taskId);
    let task = detailedTask(record, await this.ctx.inputs.requests(record.taskId), b, this.ctx.ids);
    if (b.inputRequestsChangeOnPoll && isObject(task.inputRequests)) task = { ...task, inputRequests: renumbered(task.inputRequests, n) };
    if (b.terminalFlipsToFailed && record.status === 'completed' && this.terminalGets(record) > 1)
      task = { ...task, status: 'failed', error: { code: -32603, message: 'Internal error' } };
    if (this.seemCancelled.has(record.taskId) && !isTerminalStatus(record.status)) task = { ...task, status: 'cancelled' };
    if (task.status === 'cancelled') for (const field of ['inputRequests', 'result', 'error'] as const) delete task[field];
    return { resultType: b.getResultTypeTask ? 'task' : 'complete', ...task, ...resultMeta() };
  }

  async update(params: JsonObject, caller: Caller): Promise<JsonObject> {
    const b = this.ctx.behaviour;
    const responses = params.inputResponses;
    const record = await this.lookup(params, caller, b.ackUnknownTaskUpdate);
    if (!isObject(responses))
      throw new RpcError(-32602, 'Invalid params: tasks/update needs params.inputResponses (an object keyed by inputRequests keys)');
    if (b.rejectUpdates) throw new RpcError(-32602, 'Invalid params: unexpected inputResponses');
    if (record) {
      const outstanding = await this.ctx.inputs.requests(record.taskId);
      const unknown = Object.keys(responses).filter((key) => !(key in outstanding));
      if (b.rejectUnknownKeys && unknown.length > 0)
        throw new RpcError(-32602, `Invalid params: no outstanding input request ${unknown[0]}`);
      const applied = b.declineStalls
        ? Object.fromEntries(Object.entries(responses).filter(([, r]) => isObject(r) && r.action === 'accept'))
        : responses;
      if (!b.dropUpdates) await this.ctx.inputs.answer(record.taskId, applied, b.partialUpdateCompletes);
    }
    return { resultType: b.updateAnswersInputRequired ? 'input_required' : 'complete', ...resultMeta() };
  }

  async cancel(params: JsonObject, caller: Caller): Promise<JsonObject> {
    const b = this.ctx.behaviour;
    const record = await this.lookup(params, caller, b.ackUnknownTaskCancel);
    const ack = { ...(!b.cancelAckWithoutResultType && { resultType: 'complete' }), ...resultMeta() };
    if (!record || b.ignoreCancel) return ack;
    if (isTerminalStatus(record.status)) {
      // Cancelling a task that has already ended is acknowledged, and changes nothing (A-EXT-04).
      if (b.cancelTerminalError) throw new RpcError(-32602, `Task ${record.taskId} has already ended (${record.status})`);
      return ack;
    }
    if (b.cancelIgnoredInInput && record.status === 'input_required') return ack;
    if (b.lateOutcomeOverridesCancel) {
      this.seemCancelled.add(record.taskId);
      return ack;
    }
    await this.ctx.engine.cancel(record.taskId, this.who(caller)).catch((error: unknown) => {
      if (!(error instanceof EngineError && error.kind === 'terminal')) throw error; // it ended meanwhile: still an ack
    });
    if (b.cancelAnswersError) throw new RpcError(-32603, 'Internal error while cancelling');
    return ack;
  }

  /** Fault EXT-DISP-01 only: the removed tasks/result, served as in 2025-11-25 (blocks until the task ends). */
  async legacyResult(params: JsonObject, caller: Caller): Promise<JsonObject> {
    const record = await this.lookup(params, caller);
    const final = await this.ctx.engine.waitForTerminal(record.taskId, this.who(caller), caller.signal);
    const outcome = final?.outcome;
    if (outcome?.kind === 'error') throw new RpcError(outcome.error.code, outcome.error.message, outcome.error.data);
    return { resultType: 'complete', ...(outcome?.kind === 'result' ? outcome.result : { content: [] }), ...resultMeta() };
  }

  /** Fault EXT-DISP-02 only: the removed tasks/list, listing the caller's tasks. */
  async legacyList(caller: Caller): Promise<JsonObject> {
    const page = await this.ctx.engine.list(caller.who.owner, undefined, 1000);
    return { resultType: 'complete', tasks: page.records.map((r) => wireTask(r, this.ctx.behaviour, this.ctx.ids)), ...resultMeta() };
  }

  /** The task a request names, if this caller may see it and it belongs to this era; -32602 otherwise. */
  private async lookup(params: JsonObject, caller: Caller): Promise<TaskRecord>;
  private async lookup(params: JsonObject, caller: Caller, unknownOk: boolean): Promise<TaskRecord | undefined>;
  private async lookup(params: JsonObject, caller: Caller, unknownOk = false): Promise<TaskRecord | undefined> {
    if (!caller.env.tasks && !this.ctx.behaviour.taskMethodsWithoutExtension)
      throw missingCapability('task methods need the io.modelcontextprotocol/tasks extension declared on the request', TASKS_REQUIRED);
    const wireId = params.taskId;
    if (typeof wireId !== 'string')
      throw new RpcError(-32602, 'Invalid params: params.taskId must be a string (the taskId from the CreateTaskResult)');
    if (wireId.length === 0 || wireId.length > MAX_TASK_ID_LENGTH) throw notFound(wireId);
    const taskId = this.ctx.ids.in(wireId);
    const record = await this.ctx.engine.get(taskId, this.who(caller)).catch(() => undefined);
    if (record && isModernTask(record.owner)) return record;
    if (unknownOk) return undefined;
    if (this.ctx.behaviour.expiredInternalError && this.expired.has(taskId)) throw new RpcError(-32603, 'Internal error: task expired');
    if (this.ctx.behaviour.unknownTaskInternalError) throw new RpcError(-32603, 'Internal error: no such task');
    throw notFound(wireId);
  }

  private who(caller: Caller): Requestor {
    return this.ctx.behaviour.ignorePrincipal ? { ...caller.who, bound: false } : caller.who;
  }

  private readonly terminalSeen = new Map<string, number>();
  private terminalGets(record: TaskRecord): number {
    const n = (this.terminalSeen.get(record.taskId) ?? 0) + 1;
    this.terminalSeen.set(record.taskId, n);
    return n;
  }
}

function notFound(taskId: unknown): RpcError {
  const shown = typeof taskId === 'string' ? JSON.stringify(taskId.length > 80 ? `${taskId.slice(0, 80)}…` : taskId) : String(taskId);
  return new RpcError(-32602, `Failed to retrieve task: Task not found (${shown}; it may have expired)`);
}

/** Fault EXT-GET-08 only: the same keys, with the message of each request changed on every poll. */
function renumbered(inputRequests: JsonObject, poll: number): JsonObject {
  const out: JsonObject = {};
  for (const [key, request] of Object.entries(inputRequests)) {
    const r = request as { method: string; params: JsonObject };
    out[key] = { ...r, params: { ...r.params, message: `${String(r.params.message)} (poll ${poll})` } };
  }
  return out;
}
