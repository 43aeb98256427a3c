// TaskInputs on Redis: a task's work stores its question in a hash per task and announces it; each
// instance with a tasks/result open for that task delivers it there, and the first answer, stored for
// a minute and published, resumes the asker. Answers carry RpcErrors as {error}, like the wire does.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RpcError, type JsonObject } from './connection.js';
import type { InputAnswer, TaskEvents } from './events.js';
import type { DeliverInput, TaskInputs } from './inputs.js';
import { LuaScript } from './redis-client.js';

const REQUEST_TTL_MS = 3_600_000;
const ANSWER_TTL_MS = 60_000;

/** KEYS: in, ans. ARGV: requestId, answer JSON, channel, event JSON. The first answer wins (1). */
const ANSWER = new LuaScript(
  `if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ${ANSWER_TTL_MS})
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1`,
  2,
);

interface Asking {
  taskId: string;
  settle(answer: InputAnswer): void;
}

interface Watch {
  count: number;
  deliver: DeliverInput;
  /** Requests delivered from here and not answered yet, by request id. */
  mirrors: Map<string, AbortController>;
}

export interface RedisInputsOptions {
  redis: Redis;
  prefix: string;
  events: TaskEvents;
  /** The bus's Redis channel (ANSWER publishes on it). */
  channel: string;
}

export class RedisTaskInputs implements TaskInputs {
  private readonly asking = new Map<string, Asking>();
  private readonly watched = new Map<string, Watch>();
  private readonly unsubscribe: () => void;

  constructor(private readonly options: RedisInputsOptions) {
    this.unsubscribe = options.events.subscribe((event) => {
      if (event.type === 'input' && this.watched.has(event.taskId)) void this.scan(event.taskId);
      if (event.type === 'answer') {
        this.asking.get(event.requestId)?.settle(event.answer);
        this.watched.get(event.taskId)?.mirrors.get(event.requestId)?.abort(new Error('answered elsewhere'));
      }
      if (event.type === 'resync') void this.resync();
    });
  }

  request(taskId: string, method: string, params: JsonObject, signal: AbortSignal): Promise<JsonObject> {
    const { redis, events } = this.options;
    const requestId = randomUUID();
    const key = this.requestsKey(taskId);
    return new Promise<JsonObject>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const onAbort = () => {
        this.asking.delete(requestId);
        reject(signal.reason);
        void this.answer(taskId, requestId, { withdrawn: true }).catch(() => undefined);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.asking.set(requestId, {
        taskId,
        settle: (answer) => {
          if ('withdrawn' in answer) return;
          this.asking.delete(requestId);
          signal.removeEventListener('abort', onAbort);
          if ('result' in answer) resolve(answer.result);
          else reject(new RpcError(answer.error.code, answer.error.message, answer.error.data));
        },
      });
      void (async () => {
        await redis.hset(key, requestId, JSON.stringify({ method, params }));
        await redis.pexpire(key, REQUEST_TTL_MS);
        await events.publish({ type: 'input', taskId });
      })().catch((error: unknown) => {
        this.asking.delete(requestId);
        signal.removeEventListener('abort', onAbort);
        reject(error);
      });
    });
  }

  watch(taskId: string, deliver: DeliverInput): () => void {
    let watch = this.watched.get(taskId);
    if (!watch) this.watched.set(taskId, (watch = { count: 0, deliver, mirrors: new Map() }));
    watch.count++;
    void this.scan(taskId);
    const mine = watch;
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      if (--mine.count > 0) return;
      this.watched.delete(taskId);
      for (const mirror of mine.mirrors.values()) mirror.abort(new Error('tasks/result closed'));
    };
  }

  async close(): Promise<void> {
    this.unsubscribe();
    for (const watch of this.watched.values()) for (const mirror of watch.mirrors.values()) mirror.abort(new Error('shutting down'));
    this.watched.clear();
    this.asking.clear();
  }

  /** Delivers every stored request of the task that is not already delivered from here. */
  private async scan(taskId: string): Promise<void> {
    const stored = await this.options.redis.hgetall(this.requestsKey(taskId)).catch(() => ({}) as Record<string, string>);
    const watch = this.watched.get(taskId);
    if (!watch) return;
    for (const [requestId, json] of Object.entries(stored)) {
      if (watch.mirrors.has(requestId)) continue;
      const { method, params } = JSON.parse(json) as { method: string; params: JsonObject };
      const mirror = new AbortController();
      watch.mirrors.set(requestId, mirror);
      watch
        .deliver(method, params, mirror.signal)
        .then(
          (result) => this.answer(taskId, requestId, { result }),
          (error: unknown) => {
            if (!mirror.signal.aborted && error instanceof RpcError) return this.answer(taskId, requestId, { error: error.toJSON() });
          },
        )
        .catch(() => undefined)
        .finally(() => watch.mirrors.delete(requestId));
    }
  }

  private async answer(taskId: string, requestId: string, answer: InputAnswer): Promise<void> {
    const { redis, channel, events } = this.options;
    const event = { type: 'answer', from: events.instanceId, taskId, requestId, answer };
    const keys = [this.requestsKey(taskId), `${this.options.prefix}ans:${requestId}`];
    await ANSWER.run(redis, keys, [requestId, JSON.stringify(answer), channel, JSON.stringify(event)]);
  }

  private requestsKey(taskId: string): string {
    return `${this.options.prefix}in:${taskId}`;
  }

  /** After lost events: answers that arrived meanwhile are read back, and watched tasks are scanned again. */
  private async resync(): Promise<void> {
    for (const [requestId, asking] of [...this.asking]) {
      const json = await this.options.redis.get(`${this.options.prefix}ans:${requestId}`).catch(() => null);
      if (json) asking.settle(JSON.parse(json) as InputAnswer);
    }
    for (const taskId of this.watched.keys()) await this.scan(taskId);
  }
}
