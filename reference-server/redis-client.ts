// Redis plumbing shared by the Redis store, event bus, work queue, gates and input relay: connections
// that fail fast with a one-line reason, and Lua scripts run by SHA (EVALSHA, falling back to EVAL once
// per connection). The --store URL itself is parsed in redis-spec.ts.
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';

import { redisLabel } from './redis-spec.js';

/**
 * Opens one connection and waits until it is ready; an unreachable Redis is a one-line error naming the
 * address and the cause. Once up, ioredis reconnects by itself after a drop.
 */
export async function connectRedis(url: string, name: string): Promise<Redis> {
  let lastError: Error | undefined;
  // RESP2: the replies this code parses (streams, XINFO) have one shape on every Redis version.
  const redis = new Redis(url, { lazyConnect: true, connectionName: name, maxRetriesPerRequest: 3, protocol: 2 });
  redis.on('error', (error: Error) => (lastError = error));
  const refuse = () => {
    redis.disconnect();
    const cause = lastError?.message ?? 'connection closed';
    return new Error(`cannot reach Redis at ${redisLabel(url)}: ${cause} (is redis-server running there?)`);
  };
  // The first failure ends start-up instead of retrying forever.
  const firstFailure = new Promise<never>((_, reject) => redis.once('end', () => reject(refuse())));
  const retry = redis.options.retryStrategy;
  redis.options.retryStrategy = () => null;
  try {
    await Promise.race([redis.connect(), firstFailure]);
  } catch (error) {
    if ((error as Error).message.startsWith('cannot reach Redis')) throw error;
    throw refuse();
  }
  redis.options.retryStrategy = retry;
  firstFailure.catch(() => undefined);
  return redis;
}

/** A Lua script run by SHA; the text is sent only when Redis does not know it yet (NOSCRIPT). */
export class LuaScript {
  private readonly sha: string;

  constructor(
    private readonly lua: string,
    private readonly keyCount: number,
  ) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  async run(redis: Redis, keys: string[], args: Array<string | number>): Promise<unknown> {
    if (keys.length !== this.keyCount) throw new Error(`script expects ${this.keyCount} keys, got ${keys.length}`);
    try {
      return await redis.evalsha(this.sha, this.keyCount, ...keys, ...args);
    } catch (error) {
      if (!String((error as Error).message).startsWith('NOSCRIPT')) throw error;
      return redis.eval(this.lua, this.keyCount, ...keys, ...args);
    }
  }
}
