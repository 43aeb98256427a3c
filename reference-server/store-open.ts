// `--store <spec>`: which TaskStore the reference server keeps its tasks in. The SQLite and Redis
// stores are loaded only when asked for, so the default in-memory mode needs neither module.
import { resolve } from 'node:path';
import { parseRedisSpec, REDIS_USAGE, type RedisSpec } from './redis-spec.js';
import { MemoryTaskStore, type TaskStore } from './store.js';

export type StoreSpec = { kind: 'memory' } | { kind: 'sqlite'; path: string } | { kind: 'redis'; redis: RedisSpec };

export const STORE_USAGE = `memory | sqlite:<file> | ${REDIS_USAGE}`;

/** Parses "memory", "sqlite:<file>" or "redis://…"; throws a one-line message naming the accepted forms. */
export function parseStoreSpec(spec: string): StoreSpec {
  if (spec === 'memory') return { kind: 'memory' };
  if (spec.startsWith('sqlite:')) {
    const path = spec.slice('sqlite:'.length);
    if (!path.trim()) throw new Error(`--store sqlite: needs a file, e.g. --store sqlite:./tasks.db`);
    return { kind: 'sqlite', path: path === ':memory:' ? path : resolve(path) };
  }
  if (spec.startsWith('redis://') || spec.startsWith('rediss://')) return { kind: 'redis', redis: parseRedisSpec(spec) };
  throw new Error(`--store must be ${STORE_USAGE}, got "${spec}"`);
}

/**
 * Opens the store; `log` receives its reports (e.g. a damaged row that was skipped). A Redis store comes
 * with its cluster (`store.cluster`), which start.ts wires in.
 */
export async function openTaskStore(spec: StoreSpec, log?: (line: string) => void): Promise<TaskStore> {
  if (spec.kind === 'memory') return new MemoryTaskStore();
  if (spec.kind === 'redis') {
    const { openRedisCluster } = await import('./cluster-redis.js');
    return (await openRedisCluster(spec.redis)).store;
  }
  let module: typeof import('./store-sqlite.js');
  try {
    module = await import('./store-sqlite.js');
  } catch (error) {
    throw new Error(
      `the SQLite store needs the better-sqlite3 package, which did not load (${(error as Error).message.split('\n')[0]}); reinstall with \`npm ci\` or use --store memory`,
      { cause: error },
    );
  }
  return new module.SqliteTaskStore({ path: spec.path, log });
}
