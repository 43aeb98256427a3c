// The input requests of 2026-07-28 tasks on Redis, so every instance of a deployment serves them: the
// runner's work stores each request in a hash per task (keys elicitation-<n> from a counter, never reused);
// tasks/get on any instance inlines the hash; tasks/update on any instance takes the answered keys out of
// it atomically (the first answer wins), stores the answers for a minute, moves the task back to working
// when nothing is left outstanding, and publishes them: the runner's waiting elicit() resumes. Changes are
// announced on the cluster bus ('input' events), so subscriptions/listen anywhere republishes the task.
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { JsonObject } from '../connection.js';
import type { WorkContext } from '../engine.js';
import type { TaskEvents } from '../events.js';
import { LuaScript } from '../redis-client.js';
import type { ElicitAnswer } from '../tools.js';
import { parseElicitResult, type InputRequest, type TaskInputRequests } from './inputs.js';

/** Outlives any task (ttls are capped at an hour); the runner deletes the requests when the work ends. */
const REQUESTS_TTL_MS = 3_600_000;
/** How long an answer stays readable for a runner that missed its event (the bus reconnected). */
const ANSWER_TTL_MS = 60_000;
const DECLINE: ElicitAnswer = { action: 'decline' };

/** KEYS: requests hash, counter. ARGV: reuse (1: restart keys when nothing is outstanding), request JSON, ttl. Returns the key. */
const ISSUE = new LuaScript(
  `if ARGV[1] == '1' and redis.call('HLEN', KEYS[1]) == 0 then redis.call('DEL', KEYS[2]) end
local key = 'elicitation-' .. redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], key, ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return key`,
  2,
);

/**
 * KEYS: requests hash. ARGV: answers prefix, answer ttl, decline-the-rest (1/0), decline JSON, then key/answer pairs.
 * Takes out each key still outstanding and stores its answer. Returns {outstanding left, key, answer, key, answer, ...}.
 */
const APPLY = new LuaScript(
  `local applied = {}
for i = 5, #ARGV, 2 do
  if redis.call('HDEL', KEYS[1], ARGV[i]) == 1 then
    redis.call('SET', ARGV[1] .. ARGV[i], ARGV[i + 1], 'PX', ARGV[2])
    table.insert(applied, ARGV[i]); table.insert(applied, ARGV[i + 1])
  end
end
if #applied > 0 and ARGV[3] == '1' then
  for _, key in ipairs(redis.call('HKEYS', KEYS[1])) do
    redis.call('HDEL', KEYS[1], key)
    redis.call('SET', ARGV[1] .. key, ARGV[4], 'PX', ARGV[2])
    table.insert(applied, key); table.insert(applied, ARGV[4])
  end
end
table.insert(applied, 1, redis.call('HLEN', KEYS[1]))
return applied`,
  1,
);

export interface RedisInputRequestsOptions {
  redis: Redis;
  prefix: string;
  events: TaskEvents;
  /** Moves a task back to working once its last request is answered (TaskEngine.resume). */
  resume(taskId: string): Promise<void>;
  /** Fault EXT-UPD-06: keys restart in every round. */
  reuseKeys?: boolean;
}

interface Waiting {
  work: WorkContext;
  resolve(answer: ElicitAnswer): void;
}

export class RedisTaskInputRequests extends EventEmitter<{ changed: [taskId: string] }> implements TaskInputRequests {
  /** The elicit() calls of work running here, by `${taskId}\n${key}`. */
  private readonly waiting = new Map<string, Waiting>();
  private readonly unsubscribe: () => void;

  constructor(private readonly options: RedisInputRequestsOptions) {
    super();
    this.unsubscribe = options.events.subscribe((event) => {
      if (event.type === 'input') this.emit('changed', event.taskId);
      if (event.type === 'answer' && 'result' in event.answer) this.settle(event.taskId, event.requestId, event.answer.result);
      if (event.type === 'resync') void this.resync();
    });
  }

  async elicit(work: WorkContext, message: string, requestedSchema: JsonObject): Promise<ElicitAnswer> {
    const { redis, reuseKeys } = this.options;
    const taskId = work.taskId;
    const request: InputRequest = { method: 'elicitation/create', params: { mode: 'form', message, requestedSchema } };
    const key = String(
      await ISSUE.run(
        redis,
        [this.requestsKey(taskId), `${this.requestsKey(taskId)}#`],
        [reuseKeys ? 1 : 0, JSON.stringify(request), REQUESTS_TTL_MS],
      ),
    );
    const id = `${taskId}\n${key}`;
    const answered = new Promise<ElicitAnswer>((resolve, reject) => {
      const onAbort = () => {
        this.waiting.delete(id);
        reject(work.signal.reason);
        void redis
          .hdel(this.requestsKey(taskId), key)
          .then(() => this.changed(taskId))
          .catch(() => undefined);
      };
      if (work.signal.aborted) return onAbort();
      work.signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(id, {
        work,
        resolve: (answer) => {
          work.signal.removeEventListener('abort', onAbort);
          resolve(answer);
        },
      });
    });
    await work.setStatus('input_required');
    await this.changed(taskId);
    return answered;
  }

  async requests(taskId: string): Promise<Record<string, InputRequest>> {
    const stored = await this.options.redis.hgetall(this.requestsKey(taskId));
    const keys = Object.keys(stored).sort((x, y) => keyNumber(x) - keyNumber(y));
    return Object.fromEntries(keys.map((key) => [key, JSON.parse(stored[key]!) as InputRequest]));
  }

  async answer(taskId: string, responses: JsonObject, declineTheRest = false): Promise<void> {
    const outstanding = await this.requests(taskId);
    const pairs = Object.entries(responses)
      .filter(([key]) => key in outstanding)
      .flatMap(([key, response]) => [key, JSON.stringify(parseElicitResult(key, response))]);
    if (pairs.length === 0) return;
    const { redis, events } = this.options;
    const reply = (await APPLY.run(
      redis,
      [this.requestsKey(taskId)],
      [this.answerPrefix(taskId), ANSWER_TTL_MS, declineTheRest ? 1 : 0, JSON.stringify(DECLINE), ...pairs],
    )) as [number, ...string[]];
    const [left, ...applied] = reply;
    if (applied.length === 0) return; // answered meanwhile through another instance
    // Back to working before the tool sees its answers, as in one process.
    if (Number(left) === 0) await this.options.resume(taskId);
    await this.changed(taskId);
    for (let i = 0; i + 1 < applied.length; i += 2)
      await events.publish({
        type: 'answer',
        taskId,
        requestId: applied[i]!,
        answer: { result: JSON.parse(applied[i + 1]!) as JsonObject },
      });
  }

  forget(taskId: string): void {
    const key = this.requestsKey(taskId);
    void this.options.redis.del(key, `${key}#`).catch(() => undefined);
  }

  close(): void {
    this.unsubscribe();
    this.waiting.clear();
  }

  private settle(taskId: string, key: string, answer: JsonObject): void {
    const id = `${taskId}\n${key}`;
    const waiting = this.waiting.get(id);
    if (!waiting) return;
    this.waiting.delete(id);
    waiting.resolve(answer as unknown as ElicitAnswer);
  }

  private changed(taskId: string): Promise<void> {
    return this.options.events.publish({ type: 'input', taskId });
  }

  /** After lost events: answers stored meanwhile resume their work; every listener re-reads. */
  private async resync(): Promise<void> {
    for (const id of [...this.waiting.keys()]) {
      const [taskId, key] = id.split('\n') as [string, string];
      const json = await this.options.redis.get(`${this.answerPrefix(taskId)}${key}`).catch(() => null);
      if (json) this.settle(taskId, key, JSON.parse(json) as JsonObject);
    }
  }

  private requestsKey(taskId: string): string {
    return `${this.options.prefix}xin:${taskId}`;
  }

  private answerPrefix(taskId: string): string {
    return `${this.options.prefix}xans:${taskId}:`;
  }
}

const keyNumber = (key: string) => Number(key.slice(key.lastIndexOf('-') + 1)) || 0;
