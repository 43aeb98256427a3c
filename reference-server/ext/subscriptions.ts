// subscriptions/listen with the extension's taskIds filter (core basic/patterns/subscriptions, ext §Task
// Status Notifications). The acknowledgement comes first; then the current state of every acknowledged
// task (so a change between the client's last poll and the listen is never lost); then a notifications/tasks
// with the full DetailedTask on every status or input change. State lives with the listen request only;
// in a cluster the changes of tasks running on other instances arrive through the engine's status events
// and the input requests' 'changed' events (both from the Redis bus), with no polling.
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';
import { NO_REPLY, RpcError, type JsonObject } from '../connection.js';
import type { Requestor } from '../engine.js';
import { isTerminalStatus, type TaskRecord } from '../store.js';
import { isModernTask, type Caller, type ExtContext, type Outbound } from './context.js';
import { isObject, META_SUBSCRIPTION_ID, missingCapability, TASKS_REQUIRED } from './envelope.js';
import { detailedTask, resultMeta } from './wire.js';

interface Subscription {
  id: RequestId;
  out: Outbound;
  who: Requestor;
  /** Engine task ids this subscription acknowledged (terminal ones are dropped once announced). */
  taskIds: Set<string>;
  /** Resolves the listen request: 'closing' = the server tears the subscription down gracefully. */
  end(how: 'closing'): void;
  /** The notifications being built, in order (each reads the task's input requests, maybe in Redis). */
  sending: Promise<void>;
}

export class Subscriptions {
  private readonly active = new Set<Subscription>();

  constructor(private readonly ctx: ExtContext) {
    ctx.engine.on('status', (record) => this.publish(record));
    ctx.inputs.on('changed', (taskId) => void this.republish(taskId));
  }

  async listen(params: JsonObject, caller: Caller): Promise<JsonObject | typeof NO_REPLY> {
    const b = this.ctx.behaviour;
    const filter = params.notifications;
    if (!isObject(filter)) throw new RpcError(-32602, 'Invalid params: subscriptions/listen needs params.notifications (a filter object)');
    const requested = filter.taskIds;
    if (requested !== undefined && !(Array.isArray(requested) && requested.every((id) => typeof id === 'string')))
      throw new RpcError(-32602, 'Invalid params: notifications.taskIds must be an array of task id strings');
    if (requested?.length && !caller.env.tasks && !b.listenWithoutExtension)
      throw missingCapability(
        'notifications.taskIds needs the io.modelcontextprotocol/tasks extension declared on the request',
        TASKS_REQUIRED,
      );
    const acknowledged: string[] = [];
    const records: TaskRecord[] = [];
    for (const wireId of requested ?? []) {
      const record = await this.ctx.engine.get(this.ctx.ids.in(wireId), caller.who).catch(() => undefined);
      if (!record || !isModernTask(record.owner) || acknowledged.includes(wireId)) continue;
      acknowledged.push(wireId);
      records.push(record);
    }
    // Only task notifications are honoured: this server's lists and resources never change, so it offers no list_changed.
    if (!b.skipAcknowledgement)
      caller.out.notify('notifications/subscriptions/acknowledged', {
        notifications: requested === undefined ? {} : { taskIds: acknowledged },
        _meta: { [META_SUBSCRIPTION_ID]: caller.id },
      });
    let ended!: (how: 'closing' | 'cancelled') => void;
    const done = new Promise<'closing' | 'cancelled'>((resolve) => (ended = resolve));
    const sub: Subscription = {
      id: caller.id,
      out: caller.out,
      who: caller.who,
      taskIds: new Set(records.map((r) => r.taskId)),
      end: ended,
      sending: Promise.resolve(),
    };
    this.active.add(sub);
    for (const record of records) this.send(sub, (await this.ctx.engine.get(record.taskId, caller.who).catch(() => record)) ?? record);
    if (caller.signal.aborted) ended('cancelled');
    caller.signal.addEventListener('abort', () => ended('cancelled'), { once: true });
    const how = await done;
    this.active.delete(sub);
    if (how === 'cancelled') return NO_REPLY;
    // Graceful closure (subscriptions §Graceful Closure): the listen request is answered, carrying its id.
    return { resultType: 'complete', ...resultMeta({ [META_SUBSCRIPTION_ID]: caller.id }) };
  }

  /** Fault EXT-NOTIF-07 only: progress of a task's work on its subscriptions. */
  progress(taskId: string, params: JsonObject): void {
    for (const sub of this.active) if (sub.taskIds.has(taskId)) sub.out.notify('notifications/progress', params);
  }

  /** Server shutdown: every listen request is answered (graceful closure) and its stream ends. */
  close(): void {
    for (const sub of this.active) sub.end('closing');
  }

  private publish(record: TaskRecord): void {
    if (!isModernTask(record.owner)) return;
    for (const sub of this.active) if (this.wants(sub, record.taskId)) this.send(sub, record);
  }

  private wants(sub: Subscription, taskId: string): boolean {
    return sub.taskIds.has(taskId) || this.ctx.behaviour.notifyEveryTask;
  }

  private async republish(taskId: string): Promise<void> {
    const record = await this.ctx.engine.get(taskId, { owner: '', bound: false }).catch(() => undefined);
    if (record && record.status === 'input_required') this.publish(record);
  }

  /** Queues the notification of `record` on the subscription (notifications leave in the order of their events). */
  private send(sub: Subscription, record: TaskRecord): void {
    sub.sending = sub.sending.then(() => this.deliver(sub, record)).catch(() => undefined);
  }

  private async deliver(sub: Subscription, given: TaskRecord): Promise<void> {
    const b = this.ctx.behaviour;
    if (!this.wants(sub, given.taskId)) return; // its terminal state went out meanwhile
    // A status event from another instance carries no outcome (results may be large): the store has it.
    const record =
      isTerminalStatus(given.status) && !given.outcome
        ? ((await this.ctx.engine.get(given.taskId, { owner: '', bound: false }).catch(() => undefined)) ?? given)
        : given;
    const requests = record.status === 'input_required' ? await this.ctx.inputs.requests(record.taskId) : {};
    const task = detailedTask(record, requests, b, this.ctx.ids);
    if (b.notificationMissingCreatedAt) for (const field of ['createdAt', 'result', 'error'] as const) delete task[field];
    const meta = b.omitSubscriptionId ? {} : { _meta: { [META_SUBSCRIPTION_ID]: sub.id } };
    sub.out.notify('notifications/tasks', { ...task, ...meta });
    if (!isTerminalStatus(record.status)) return;
    sub.taskIds.delete(record.taskId);
    if (b.workingAfterTerminal) sub.out.notify('notifications/tasks', { ...task, status: 'working', ...meta });
  }
}
