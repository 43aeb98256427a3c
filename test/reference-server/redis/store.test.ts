// The Redis store (needs redis-server): the TaskStore contract, ttl as Redis expiry (records and their
// index entries disappear without any timer in the process), positions shared by instances, the per-owner
// active limit counted atomically across instances, and the parsing of redis:// store specs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskCluster } from '../../../reference-server/cluster.js';
import { openRedisCluster } from '../../../reference-server/cluster-redis.js';
import { parseRedisSpec } from '../../../reference-server/redis-spec.js';
import { parseStoreSpec } from '../../../reference-server/store-open.js';
import { defineStoreContract, record } from '../store-contract.js';
import { hasRedisServer, startRedisServer, type RedisServer } from './redis-server.js';

describe.skipIf(!hasRedisServer)('RedisTaskStore (needs redis-server)', () => {
  let redis: RedisServer;
  const clusters: TaskCluster[] = [];
  let n = 0;
  /** A cluster of its own key prefix, so tests never see each other's keys. */
  const open = async (prefix = `t${++n}`, query = '') => {
    const cluster = await openRedisCluster(parseRedisSpec(`${redis.url}/0?prefix=${prefix}&worker=false${query}`));
    clusters.push(cluster);
    return cluster;
  };
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await Promise.all(clusters.map((c) => c.close()));
    await redis?.stop();
  });

  describe('TaskStore contract', () => defineStoreContract(async () => (await open()).store));

  it('a record expires with its ttl in Redis, taking its list and active entries along', async () => {
    const { store } = await open();
    await store.insert(record('short', 'o', 'working', { ttl: 300 }));
    await store.insert(record('long', 'o', 'working', { ttl: 60_000 }));
    expect(await store.countActive('o')).toBe(2);
    // Redis removes the record; nothing in this process holds a timer for it.
    await expect.poll(() => store.get('short'), { timeout: 10_000, interval: 100 }).toBeUndefined();
    expect(await store.countActive('o')).toBe(1);
    expect((await store.list('o', undefined, 10)).records.map((r) => r.taskId)).toEqual(['long']);
  });

  it('the per-owner active limit holds across instances creating at once (counted inside the insert)', async () => {
    const a = await open('limit');
    const b = await open('limit');
    const stores = [a.store, b.store];
    const inserted = await Promise.all(
      Array.from({ length: 10 }, (_, i) => stores[i % 2]!.insertWithin!(record(`q${i}`, 'busy', 'working'), 3)),
    );
    expect(inserted.filter(Boolean)).toHaveLength(3);
    expect(await b.store.countActive('busy')).toBe(3);
    // A finished task frees its slot for every instance.
    const first = `q${inserted.indexOf(true)}`;
    await a.store.transition(first, ['working'], { status: 'completed', lastUpdatedAt: Date.now() });
    expect(await b.store.insertWithin!(record('q-next', 'busy', 'working'), 3)).toBe(true);
    expect(await a.store.insertWithin!(record('q-over', 'busy', 'working'), 3)).toBe(false);
  });

  it('a record whose ttl already elapsed is gone at once', async () => {
    const { store } = await open();
    await store.insert(record('old', 'o', 'completed', { createdAt: Date.now() - 120_000, ttl: 60_000 }));
    expect(await store.get('old')).toBeUndefined();
  });

  it('positions and cursor keys of one instance are valid on another of the same deployment', async () => {
    const a = await open('shared');
    const b = await open('shared');
    for (let i = 1; i <= 3; i++) await a.store.insert(record(`p${i}`, 'owner'));
    const first = await a.store.list('owner', undefined, 2);
    expect(b.store.isPosition(first.nextPosition!)).toBe(true);
    expect((await b.store.list('owner', first.nextPosition, 2)).records.map((r) => r.taskId)).toEqual(['p3']);
    expect(b.cursorKey.equals(a.cursorKey)).toBe(true);
    const other = await open('other');
    expect(other.store.isPosition(first.nextPosition!)).toBe(false);
  });

  it('an unreachable Redis is a one-line error naming the address', async () => {
    const spec = parseRedisSpec('redis://127.0.0.1:1/0');
    await expect(openRedisCluster(spec)).rejects.toThrow(/^cannot reach Redis at redis:\/\/127\.0\.0\.1:1\/0: .*ECONNREFUSED/);
  });
});

describe('--store redis://', () => {
  it('parses the URL and our options, and explains bad values', () => {
    expect(parseStoreSpec('redis://127.0.0.1:6379/2')).toEqual({
      kind: 'redis',
      redis: { url: 'redis://127.0.0.1:6379/2', prefix: 'sep1686:', leaseMs: 10_000, runsWork: true },
    });
    expect(parseRedisSpec('redis://h:1?lease=2000&worker=false&prefix=blue')).toMatchObject({
      leaseMs: 2000,
      runsWork: false,
      prefix: 'blue:',
    });
    expect(() => parseRedisSpec('redis://h:1/x')).toThrow(/database must be a number/);
    expect(() => parseRedisSpec('redis://h:1?lease=5')).toThrow(/lease must be milliseconds/);
    expect(() => parseRedisSpec('redis://h:1?colour=red')).toThrow(/unknown option colour/);
    expect(() => parseRedisSpec('redis://h:1?worker=maybe')).toThrow(/worker must be true or false/);
  });
});
