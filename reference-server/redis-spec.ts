// The `--store redis://…` URL with this server's options, parsed without loading the Redis client:
// every start of the server reads --store, and only a Redis store needs ioredis (0.15 s of CPU to load).
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
