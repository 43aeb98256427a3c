// `--store <spec>`: which TaskStore the reference server keeps its tasks in. The SQLite store is loaded
// only when asked for, so the default in-memory mode never needs the native module.
import { resolve } from 'node:path';
import { MemoryTaskStore, type TaskStore } from './store.js';

export type StoreSpec = { kind: 'memory' } | { kind: 'sqlite'; path: string };

export const STORE_USAGE = 'memory | sqlite:<file>';

/** Parses "memory" or "sqlite:<file>"; throws a one-line message naming the accepted forms. */
export function parseStoreSpec(spec: string): StoreSpec {
  if (spec === 'memory') return { kind: 'memory' };
  if (spec.startsWith('sqlite:')) {
    const path = spec.slice('sqlite:'.length);
    if (!path.trim()) throw new Error(`--store sqlite: needs a file, e.g. --store sqlite:./tasks.db`);
    return { kind: 'sqlite', path: path === ':memory:' ? path : resolve(path) };
  }
  throw new Error(`--store must be ${STORE_USAGE}, got "${spec}"`);
}

/** Opens the store; `log` receives its reports (e.g. a damaged row that was skipped). */
export async function openTaskStore(spec: StoreSpec, log?: (line: string) => void): Promise<TaskStore> {
  if (spec.kind === 'memory') return new MemoryTaskStore();
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
