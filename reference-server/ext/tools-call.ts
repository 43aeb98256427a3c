// tools/call in the 2026-07-28 era. The server decides per request: a request that declares the
// extension gets a task for every task-capable fixture tool (the fixture contract); one that does not
// gets the direct result, an InputRequiredResult (MRTR) when the tool needs input, or -32021 when the
// tool can only run as a task. Nothing is remembered between requests. A task's work is built from its
// WorkItem alone, so in a cluster whichever runner claims it runs it (worker.ts).
import { runAsTask } from '../server.js';
import { RpcError, type JsonObject } from '../connection.js';
import type { CallToolResult, ToolContext, ToolDefinition } from '../tools.js';
import type { Work } from '../engine.js';
import type { WorkItem } from '../work-queue.js';
import type { Caller, ExtContext, Outbound } from './context.js';
import { ELICITATION_REQUIRED, isObject, missingCapability, TASKS_REQUIRED } from './envelope.js';
import { ELICITING_TOOLS, MRTR_TOOL, USER_NAME_KEY, USER_NAME_REQUEST } from './fixtures.js';
import { resultMeta, wireTask } from './wire.js';

export class ToolCalls {
  /** Fault EXT-NEG-04 only: requestors that once declared the extension. */
  private readonly declaredBefore = new Set<string>();
  private created = 0;
  private lastCreatedId: string | undefined;

  constructor(private readonly ctx: ExtContext) {}

  async call(params: JsonObject, caller: Caller): Promise<JsonObject> {
    const { tools, behaviour: b, tasksEnabled } = this.ctx;
    const { env, who } = caller;
    if (typeof params.name !== 'string') throw new RpcError(-32602, 'Invalid params: tools/call needs params.name (a string)');
    const tool = tools.get(params.name);
    if (!tool) throw new RpcError(-32602, `Unknown tool: ${params.name}`);
    if (params.arguments !== undefined && !isObject(params.arguments))
      throw new RpcError(-32602, 'Invalid params: params.arguments must be an object');
    const taskCapable = tasksEnabled && (tool.taskSupport === 'optional' || tool.taskSupport === 'required');
    const { ttlMs, pollIntervalMs, ...rest } = params.arguments ?? {};
    let args = tools.checkArguments(tool.name, taskCapable ? rest : (params.arguments ?? {}));
    const ttl = taskCapable ? taskNumber('ttlMs', ttlMs, 0) : undefined;
    const interval = taskCapable ? taskNumber('pollIntervalMs', pollIntervalMs, 1) : undefined;

    if (env.tasks && b.rememberExtensionPerRequestor) this.declaredBefore.add(who.owner);
    const declared =
      env.tasks ||
      (b.rememberExtensionPerRequestor && this.declaredBefore.has(who.owner)) ||
      (b.legacyTaskParamOptsIn && isObject(params.task));
    const elicitOk = env.elicitForm || b.elicitWithoutCapability || (tool.name === MRTR_TOOL && b.mrtrIgnoresElicitationCapability);
    if (ELICITING_TOOLS.has(tool.name) && !elicitOk)
      throw missingCapability(`${tool.name} asks the user, so the request must declare elicitation (form)`, ELICITATION_REQUIRED);
    if (tasksEnabled && tool.taskSupport === 'required' && !declared) {
      if (b.taskOnlyToolAnswers32601) throw new RpcError(-32601, `Method not found: ${tool.name} can only run as a task`);
      throw missingCapability(
        `${tool.name} can only run as a task, so the request must declare io.modelcontextprotocol/tasks`,
        TASKS_REQUIRED,
      );
    }

    // test_tool_with_task settles its MRTR round synchronously, before any task exists (ext §Task Creation ¶5).
    if (tool.name === MRTR_TOOL && !(b.mrtrInsideTask && declared)) {
      const answers = this.ctx.states.answersOf(params, tool.name, args, who.owner);
      const round = await this.ctx.states.round(tool.name, args, who.owner, answers, (r) => r.ask(USER_NAME_KEY, USER_NAME_REQUEST));
      if ('inputRequired' in round) return { ...round.inputRequired, ...resultMeta() };
      const name = round.done.content?.name;
      args = { ...args, [USER_NAME_KEY]: round.done.action === 'accept' && typeof name === 'string' ? name : undefined };
    }
    if (declared && taskCapable) return this.createTask(tool, args, params, caller, ttl, interval);
    return this.direct(tool, args, params, caller);
  }

  private async createTask(
    tool: ToolDefinition,
    args: JsonObject,
    params: JsonObject,
    caller: Caller,
    ttl: number | undefined,
    interval: number | undefined,
  ): Promise<JsonObject> {
    const { engine, behaviour: b, ids } = this.ctx;
    // The principal's quota counts the tasks of both eras; its errors (and the engine's) are -32602.
    const record = await this.ctx.createWithinQuota(caller.principal, () =>
      engine.create(caller.who, { method: 'tools/call', params: { name: tool.name, arguments: args, _meta: params._meta } }, ttl, interval),
    );
    const item: WorkItem = {
      taskId: record.taskId,
      tool: tool.name,
      args,
      progressToken: caller.env.progressToken,
      canElicit: true,
      gateScope: caller.principal ?? '',
      era: 'modern',
    };
    // Faults that talk to the creating request's stream or this instance's subscriptions run the work here;
    // otherwise any runner of a cluster may run it (the work is built from the item alone).
    const local = b.progressAfterCreate || b.progressOnListen || b.sendElicitationRequests;
    void this.ctx.runWork(item, !local, () => this.work(item, tool, caller.out));
    this.created++;
    const previous = this.lastCreatedId;
    this.lastCreatedId = record.taskId;
    const task = wireTask(record, b, ids);
    if (b.repeatTaskIds && this.created % 2 === 0 && previous !== undefined) task.taskId = ids.out(previous);
    if (b.nestedCreateTaskResult) {
      const { ttlMs, pollIntervalMs, ...legacy } = task;
      return { resultType: 'task', task: { ...legacy, ttl: ttlMs, pollInterval: pollIntervalMs }, ...resultMeta() };
    }
    return { resultType: b.createResultTypeComplete ? 'complete' : 'task', ...task, ...resultMeta() };
  }

  /** The work of a task, from its work item; `out` (the creating request's stream) only when it runs where it was created. */
  work(item: WorkItem, tool: ToolDefinition, out?: Outbound): Work {
    const { inputs, behaviour: b } = this.ctx;
    const token = item.progressToken;
    return async (work) => {
      let args = item.args;
      const toolCtx: ToolContext = {
        signal: work.signal,
        gateScope: item.gateScope,
        canElicit: true,
        // Progress is not supported on tasks (ext §Task Status Notifications): the tool's reports go nowhere.
        progress: (progress, total) => {
          const step = b.progressCountsDown ? total - progress + 1 : progress;
          if (b.progressAfterCreate && token !== undefined)
            out?.notify('notifications/progress', { progressToken: token, progress: step, total });
          if (b.progressOnListen)
            this.ctx.progressToSubscribers(work.taskId, { progressToken: token ?? work.taskId, progress: step, total });
        },
        elicit: (message, requestedSchema) => {
          if (b.sendElicitationRequests) out?.request?.('elicitation/create', { mode: 'form', message, requestedSchema });
          return inputs.elicit(work, message, requestedSchema);
        },
      };
      try {
        if (tool.name === MRTR_TOOL && args[USER_NAME_KEY] === undefined && b.mrtrInsideTask) {
          const answer = await toolCtx.elicit(USER_NAME_REQUEST.params.message, USER_NAME_REQUEST.params.requestedSchema);
          args = { ...args, [USER_NAME_KEY]: answer.content?.name };
        }
        // An isError result is completed, never failed (ext §Task Execution Errors).
        return await runAsTask(tool, args, toolCtx, { isError: b.toolErrorFails ? 'failed' : 'completed', rpcError: 'failed' });
      } finally {
        inputs.forget(work.taskId);
      }
    };
  }

  /** The direct answer; a tool that asks the user goes through MRTR rounds (elicitation keys input-1, input-2, ...). */
  private async direct(tool: ToolDefinition, args: JsonObject, params: JsonObject, caller: Caller): Promise<JsonObject> {
    const b = this.ctx.behaviour;
    const token = caller.env.progressToken;
    const base: Omit<ToolContext, 'elicit'> = {
      signal: caller.signal,
      gateScope: caller.principal ?? '',
      canElicit: true,
      progress: (progress, total) => {
        if (token === undefined) return;
        caller.out.notify('notifications/progress', {
          progressToken: token,
          progress: b.progressCountsDown ? total - progress + 1 : progress,
          total,
        });
      },
    };
    const complete = (result: CallToolResult) => ({ ...result, resultType: b.unknownResultType ? 'done' : 'complete', ...resultMeta() });
    if (!ELICITING_TOOLS.has(tool.name) || tool.name === MRTR_TOOL) {
      return complete(await tool.run(args, { ...base, elicit: () => Promise.reject(new Error('no elicitation in a direct call')) }));
    }
    const answers = this.ctx.states.answersOf(params, tool.name, args, caller.who.owner);
    const round = await this.ctx.states.round(tool.name, args, caller.who.owner, answers, (rounds) => {
      let asked = 0;
      return tool.run(args, {
        ...base,
        elicit: (message, requestedSchema) =>
          rounds.ask(`input-${++asked}`, { method: 'elicitation/create', params: { mode: 'form', message, requestedSchema } }),
      });
    });
    return 'inputRequired' in round ? { ...round.inputRequired, ...resultMeta() } : complete(round.done);
  }
}

function taskNumber(name: string, value: unknown, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min)
    throw new RpcError(-32602, `Invalid arguments: ${name} must be an integer of at least ${min} (milliseconds)`);
  return value;
}
