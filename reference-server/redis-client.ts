// Redis plumbing shared by the Redis store, event bus, work queue, gates and input relay: the
// `--store redis://…` URL with this server's options, connections that fail fast with a one-line
// reason, and Lua scripts run by SHA (EVALSHA, falling back to EVAL once per connection).
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';

export interface RedisSpec {
  /** The connection URL as ioredis takes it (redis://host:port/db or rediss://…), without our options. */
  url: string;
  /** Key prefix, so several deployments can share one Redis (default "sep1686:"). */
  prefix: string;
  /** Work lease in ms: a runner that has not renewed its claim for this long is presumed dead. */
  leaseMs: number;
  /** Whether this instance takes work from the queue (false: a front end that only accepts requests). */
  runsWork: boolean;
}

export const DEFAULT_LEASE_MS = 10_000;
export const REDIS_USAGE = 'redis://host:port[/db][?lease=<ms>&worker=false&prefix=<name>]';

/** Parses "redis://host:port[/db]" plus our query options; throws one line naming the accepted form. */
export function parseRedisSpec(spec: string): RedisSpec {
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw new Error(`--store ${spec} is not a URL; use ${REDIS_USAGE}`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new Error(`--store must be ${REDIS_USAGE}, got "${spec}"`);
  if (!url.hostname) throw new Error(`--store ${spec} names no host; use ${REDIS_USAGE}`);
  if (url.pathname.length > 1 && !/^\/\d{1,2}$/.test(url.pathname))
    throw new Error(`--store ${spec}: the database must be a number, e.g. /0`);
  const options = new Map(url.searchParams);
  const unknown = [...options.keys()].filter((k) => !['lease', 'worker', 'prefix'].includes(k));
  if (unknown.length) throw new Error(`--store ${spec}: unknown option ${unknown.join(', ')} (known: lease, worker, prefix)`);
  const lease = options.get('lease');
  if (lease !== undefined && !(/^\d+$/.test(lease) && Number(lease) >= 100 && Number(lease) <= 3_600_000))
    throw new Error(`--store ${spec}: lease must be milliseconds from 100 to 3600000`);
  const worker = options.get('worker');
  if (worker !== undefined && worker !== 'true' && worker !== 'false') throw new Error(`--store ${spec}: worker must be true or false`);
  const prefix = options.get('prefix');
  if (prefix !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(prefix))
    throw new Error(`--store ${spec}: prefix must be 1-64 letters, digits, "_", "." or "-"`);
  url.search = '';
  return {
    url: url.toString(),
    prefix: `${prefix ?? 'sep1686'}:`,
    leaseMs: lease === undefined ? DEFAULT_LEASE_MS : Number(lease),
    runsWork: worker !== 'false',
  };
}

/** The URL with any password masked, for messages. */
export function redisLabel(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

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
