// The shared task store: task records (with their results) live in Redis, so any number of server
// instances behind one endpoint see the same tasks, and a task's ttl is its Redis expiry, so memory on
// an instance stays flat however many tasks are retained.
//
// Keys (P = prefix):
//   P t:<taskId>    hash {rec: record JSON, st: status, own: owner, v: version}; PEXPIREAT createdAt+ttl
//   P o:<owner>     sorted set taskId by seq (creation order, for tasks/list)
//   P oe:<owner>    sorted set taskId by expiry (to prune o: of expired ids; pruned on every insert)
//   P a:<owner>     sorted set of the owner's active taskIds by expiry (countActive; the per-owner limit
//                   is checked against it inside the insert, so it holds across instances)
//   P seq           creation counter; P secret  random shared secret (positions, cursors)
// Index keys expire with their last record. A status change is a compare-and-set on `v` (scripts),
// so concurrent transitions from several instances are atomic without Lua touching the JSON.
import { createHmac } from 'node:crypto';
import type { Redis } from 'ioredis';
import { isTerminalStatus, type ListPage, type TaskPatch, type TaskRecord, type TaskStatus, type TaskStore } from './store.js';
import { LuaScript } from './redis-client.js';
import type { TaskCluster } from './cluster.js';

// Keeps an index key alive as long as its longest-lived member: PEXPIREAT only when later than now.
const EXTEND = `local function extend(k, exp)
  local left = redis.call('PTTL', k)
  if left < 0 or left < exp - tonumber(ARGV[6]) then redis.call('PEXPIREAT', k, exp) end
end`;

/**
 * KEYS: t, o, oe, a, seq. ARGV: taskId, owner, status, record JSON, expiry, now, active (1/0), max active (0: no limit).
 * Returns the seq, -1 when the id exists, -2 when the owner already has max active tasks (counted here,
 * atomically, so instances creating at once cannot slip past the limit together).
 */
const INSERT = new LuaScript(
  `${EXTEND}
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local max = tonumber(ARGV[8])
if max > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', ARGV[6])
  if redis.call('ZCARD', KEYS[4]) >= max then return -2 end
end
local exp = tonumber(ARGV[5])
local seq = redis.call('INCR', KEYS[5])
redis.call('HSET', KEYS[1], 'rec', ARGV[4], 'st', ARGV[3], 'own', ARGV[2], 'v', 1)
redis.call('PEXPIREAT', KEYS[1], exp)
local old = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', ARGV[6], 'LIMIT', 0, 100)
if #old > 0 then redis.call('ZREM', KEYS[2], unpack(old)); redis.call('ZREM', KEYS[3], unpack(old)) end
redis.call('ZADD', KEYS[2], seq, ARGV[1]); extend(KEYS[2], exp)
redis.call('ZADD', KEYS[3], exp, ARGV[1]); extend(KEYS[3], exp)
if ARGV[7] == '1' then redis.call('ZADD', KEYS[4], exp, ARGV[1]); extend(KEYS[4], exp) end
return seq`,
  5,
);

/** KEYS: t, a. ARGV: expected version, status, record JSON, active (1/0), taskId. 1 = done, -1 = changed meanwhile, 0 = gone. */
const TRANSITION = new LuaScript(
  `local v = redis.call('HGET', KEYS[1], 'v')
if not v then return 0 end
if v ~= ARGV[1] then return -1 end
redis.call('HSET', KEYS[1], 'st', ARGV[2], 'rec', ARGV[3], 'v', tonumber(v) + 1)
if ARGV[4] == '0' then redis.call('ZREM', KEYS[2], ARGV[5]) end
return 1`,
  2,
);

/** KEYS: t, then the owner's o, oe, a are derived in Lua. ARGV: prefix, taskId. */
const DELETE = new LuaScript(
  `local owner = redis.call('HGET', KEYS[1], 'own')
if not owner then return 0 end
redis.call('DEL', KEYS[1])
for _, k in ipairs({'o:', 'oe:', 'a:'}) do redis.call('ZREM', ARGV[1] .. k .. owner, ARGV[2]) end
return 1`,
  1,
);

const COUNT_ACTIVE = new LuaScript(
  `redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
return redis.call('ZCARD', KEYS[1])`,
  1,
);

export interface RedisStoreOptions {
  redis: Redis;
  prefix: string;
  /** The shared secret every instance reads from Redis (positions are signed with it). */
  secret: Buffer;
  /** The cluster this store belongs to: closing the store closes it (engine.shutdown closes the store). */
  cluster?: TaskCluster;
}

export class RedisTaskStore implements TaskStore {
  /** Other instances change records too. */
  readonly shared = true;
  /** Redis expiry removes records when their ttl elapses; the engine keeps no timer per retained task. */
  readonly expiresRecords = true;
  readonly cluster?: TaskCluster;
  private readonly redis: Redis;
  private readonly p: string;
  private readonly secret: Buffer;
  private closed = false;

  constructor(options: RedisStoreOptions) {
    this.redis = options.redis;
    this.p = options.prefix;
    this.secret = options.secret;
    this.cluster = options.cluster;
  }

  async insert(record: TaskRecord): Promise<void> {
    await this.insertWithin(record, 0);
  }

  /** Inserts unless the owner already has `maxActive` active tasks on any instance (0: no limit). */
  async insertWithin(record: TaskRecord, maxActive: number): Promise<boolean> {
    this.assertOpen();
    const { taskId, owner } = record;
    const expiresAt = record.createdAt + record.ttl;
    const keys = [this.key(taskId), this.p + `o:${owner}`, this.p + `oe:${owner}`, this.p + `a:${owner}`, this.p + 'seq'];
    const active = isTerminalStatus(record.status) ? 0 : 1;
    const args = [taskId, owner, record.status, JSON.stringify(record), expiresAt, Date.now(), active, maxActive];
    const seq = await INSERT.run(this.redis, keys, args);
    if (seq === -1) throw new Error(`task ${taskId} already exists`);
    return seq !== -2;
  }

  async get(taskId: string): Promise<TaskRecord | undefined> {
    if (this.closed) return undefined;
    const json = await this.redis.hget(this.key(taskId), 'rec');
    return json === null ? undefined : (JSON.parse(json) as TaskRecord);
  }

  async transition(taskId: string, from: readonly TaskStatus[], patch: TaskPatch): Promise<TaskRecord | undefined> {
    for (;;) {
      if (this.closed) return undefined;
      const [json, version] = await this.redis.hmget(this.key(taskId), 'rec', 'v');
      if (json === null || version === null) return undefined;
      const before = JSON.parse(json) as TaskRecord;
      if (!from.includes(before.status)) return undefined;
      const after: TaskRecord = { ...before, ...patch };
      const active = isTerminalStatus(after.status) ? 0 : 1;
      const keys = [this.key(taskId), this.p + `a:${before.owner}`];
      const done = await TRANSITION.run(this.redis, keys, [version, after.status, JSON.stringify(after), active, taskId]);
      if (done === 1) return after;
      if (done === 0) return undefined;
      // -1: another instance changed the record between our read and write: read it again.
    }
  }

  async delete(taskId: string): Promise<boolean> {
    if (this.closed) return false;
    return (await DELETE.run(this.redis, [this.key(taskId)], [this.p, taskId])) === 1;
  }

  async list(owner: string, after: string | undefined, limit: number): Promise<ListPage> {
    if (this.closed) return { records: [] };
    const index = this.p + `o:${owner}`;
    let start = after === undefined ? 0 : this.seqOf(after);
    const page: Array<{ seq: number; record: TaskRecord }> = [];
    // One record more than asked tells whether another page follows; expired ids are skipped and pruned.
    while (page.length <= limit) {
      const want = Math.min(limit + 1 - page.length, 1000);
      const flat = await this.redis.zrangebyscore(index, `(${start}`, '+inf', 'WITHSCORES', 'LIMIT', 0, want);
      if (flat.length === 0) break;
      const ids = flat.filter((_, i) => i % 2 === 0);
      const jsons = await Promise.all(ids.map((id) => this.redis.hget(this.key(id), 'rec')));
      const gone = ids.filter((_, i) => jsons[i] === null);
      if (gone.length) await this.redis.zrem(index, ...gone);
      jsons.forEach((json, i) => json !== null && page.push({ seq: Number(flat[2 * i + 1]), record: JSON.parse(json) as TaskRecord }));
      start = Number(flat[flat.length - 1]);
      if (ids.length < want) break;
    }
    if (page.length <= limit) return { records: page.map((e) => e.record) };
    const shown = page.slice(0, limit);
    return { records: shown.map((e) => e.record), nextPosition: this.position(shown[shown.length - 1]!.seq) };
  }

  /** Positions are "<seq>.<signature>": any instance can tell one it (or a peer) produced, synchronously. */
  isPosition(position: string): boolean {
    const match = /^(0|[1-9][0-9]{0,15})\.([A-Za-z0-9_-]{22})$/.exec(position);
    return match !== null && this.position(Number(match[1])) === position;
  }

  async countActive(owner: string): Promise<number> {
    if (this.closed) return 0;
    return Number(await COUNT_ACTIVE.run(this.redis, [this.p + `a:${owner}`], [Date.now()]));
  }

  /** Every retained record (a SCAN of the keyspace: for tools and tests; the engine does not call it with this store). */
  async all(): Promise<TaskRecord[]> {
    if (this.closed) return [];
    const records: TaskRecord[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.p}t:*`, 'COUNT', 1000);
      cursor = next;
      const jsons = await Promise.all(keys.map((k) => this.redis.hget(k, 'rec')));
      for (const json of jsons) if (json !== null) records.push(JSON.parse(json) as TaskRecord);
    } while (cursor !== '0');
    return records.sort((a, b) => a.createdAt - b.createdAt);
  }

  /** Closes the store and, when it belongs to a cluster, the cluster's connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.cluster?.close();
  }

  private key(taskId: string): string {
    return `${this.p}t:${taskId}`;
  }

  private position(seq: number): string {
    return `${seq}.${createHmac('sha256', this.secret).update(`position:${seq}`).digest('base64url').slice(0, 22)}`;
  }

  private seqOf(position: string): number {
    if (!this.isPosition(position)) throw new Error(`not a position of this store: ${position}`);
    return Number(position.split('.')[0]);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the task store is closed');
  }
}
