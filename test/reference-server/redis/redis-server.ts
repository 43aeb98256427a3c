// A private redis-server per test file (harness/bench/redis-server.ts: a free loopback port, a temp
// folder, no persistence, stopped and its folder removed by the caller). Tests that need Redis say so in
// their describe(); without redis-server they are skipped with a note, except in CI (CI=true), where
// they fail loudly.
import { hasRedisServer as found } from '../../../harness/bench/redis-server.js';

export { startRedisServer, type RedisServer } from '../../../harness/bench/redis-server.js';

export const hasRedisServer = found();

if (!hasRedisServer) {
  const why = 'redis-server is not installed (Debian: apt-get install -y redis-server; .ci/run installs it)';
  if (process.env.CI === 'true') throw new Error(`${why}: the Redis tests cannot run`);
  console.warn(`SKIPPING Redis tests: ${why}`);
}
