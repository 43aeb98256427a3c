// Fixture gates (gated_job / release_gate / gate_state) shared by every instance through Redis, so a
// release on one instance wakes a job running on another and gate_state anywhere reads `aborted` once
// a cancel on any instance stopped the job. A gate is a hash {state, pending, waiters, rel} kept for an
// hour after its last use; a release bumps `rel` and publishes it, and each instance wakes its local
// waiters whose wait began before that release (so a release meant for earlier waiters wakes no later one).
// Gates are scoped per principal as in tools.ts: the scoped id (gateKey) names the hash and the bus event.
import type { Redis } from 'ioredis';
import type { TaskEvents } from './events.js';
import { LuaScript } from './redis-client.js';
import { gateKey, type GateOutcome, type Gates, type GateStateName } from './tools.js';

const GATE_TTL_MS = 3_600_000;

/** ARGV: ttl. Returns {1, outcome, rel} when a remembered release was taken, else {0, '', rel} and counts a waiter. */
const TAKE = new LuaScript(
  `local rel = tonumber(redis.call('HGET', KEYS[1], 'rel') or '0')
local pending = redis.call('HGET', KEYS[1], 'pending')
if pending then
  redis.call('HDEL', KEYS[1], 'pending')
  redis.call('HSET', KEYS[1], 'state', 'finished')
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  return {1, pending, rel}
end
redis.call('HINCRBY', KEYS[1], 'waiters', 1)
redis.call('HSET', KEYS[1], 'state', 'waiting')
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return {0, '', rel}`,
  1,
);

/** ARGV: outcome, ttl, channel, instance, gateId. Wakes all waiters (1) or remembers the release (0). */
const RELEASE = new LuaScript(
  `local waiters = tonumber(redis.call('HGET', KEYS[1], 'waiters') or '0')
if waiters > 0 then
  local rel = redis.call('HINCRBY', KEYS[1], 'rel', 1)
  redis.call('HSET', KEYS[1], 'state', 'finished', 'waiters', 0)
  redis.call('HDEL', KEYS[1], 'pending')
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  redis.call('PUBLISH', ARGV[3], cjson.encode({type = 'gate', from = ARGV[4], gateId = ARGV[5], seq = rel, outcome = ARGV[1]}))
  return 1
end
redis.call('HSET', KEYS[1], 'pending', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 0`,
  1,
);

/** ARGV: rel seen when the wait began (-1: none). One waiter fewer; the gate reads aborted when none is left. */
const LEAVE = new LuaScript(
  `local rel = tonumber(redis.call('HGET', KEYS[1], 'rel') or '0')
if tonumber(ARGV[1]) >= 0 then
  if rel ~= tonumber(ARGV[1]) then return 0 end
  if redis.call('HINCRBY', KEYS[1], 'waiters', -1) > 0 then return 1 end
elseif tonumber(redis.call('HGET', KEYS[1], 'waiters') or '0') > 0 then return 0 end
redis.call('HSET', KEYS[1], 'state', 'aborted', 'waiters', 0)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`,
  1,
);

interface LocalWaiter {
  /** The release count when the wait began; undefined while TAKE is in flight. */
  after?: number;
  /** Releases seen while TAKE was in flight. */
  early: Array<{ seq: number; outcome: GateOutcome }>;
  wake(outcome: GateOutcome): void;
}

export interface RedisGatesOptions {
  redis: Redis;
  prefix: string;
  /** The bus whose channel RELEASE publishes on. */
  events: TaskEvents;
  /** That bus's Redis channel. */
  channel: string;
}

export class RedisGates implements Gates {
  private readonly waiting = new Map<string, Set<LocalWaiter>>();
  private readonly unsubscribe: () => void;

  constructor(private readonly options: RedisGatesOptions) {
    this.unsubscribe = options.events.subscribe((event) => {
      if (event.type !== 'gate') return;
      for (const waiter of this.waiting.get(event.gateId) ?? []) {
        if (waiter.after === undefined) waiter.early.push(event);
        else if (event.seq > waiter.after) waiter.wake(event.outcome);
      }
    });
  }

  async state(scope: string, gateId: string): Promise<GateStateName> {
    return ((await this.options.redis.hget(this.key(gateKey(scope, gateId)), 'state')) as GateStateName | null) ?? 'unknown';
  }

  async release(scope: string, id: string, outcome: GateOutcome): Promise<void> {
    const { redis, channel, events } = this.options;
    const gateId = gateKey(scope, id);
    await RELEASE.run(redis, [this.key(gateId)], [outcome, GATE_TTL_MS, channel, events.instanceId, gateId]);
  }

  async wait(scope: string, id: string, signal: AbortSignal): Promise<GateOutcome> {
    const { redis } = this.options;
    // From here on the gate id is scoped: the bus, the local waiters and the Redis key all use it.
    const gateId = gateKey(scope, id);
    const key = this.key(gateId);
    if (signal.aborted) {
      await LEAVE.run(redis, [key], [-1, GATE_TTL_MS]);
      throw signal.reason;
    }
    let set = this.waiting.get(gateId);
    if (!set) this.waiting.set(gateId, (set = new Set()));
    const local = set;
    return new Promise<GateOutcome>((resolve, reject) => {
      const done = () => {
        local.delete(waiter);
        if (local.size === 0 && this.waiting.get(gateId) === local) this.waiting.delete(gateId);
        signal.removeEventListener('abort', onAbort);
      };
      const waiter: LocalWaiter = {
        early: [],
        wake: (outcome) => {
          done();
          resolve(outcome);
        },
      };
      const onAbort = () => {
        done();
        reject(signal.reason);
        if (waiter.after !== undefined) void LEAVE.run(redis, [key], [waiter.after, GATE_TTL_MS]).catch(() => undefined);
      };
      local.add(waiter);
      signal.addEventListener('abort', onAbort, { once: true });
      TAKE.run(redis, [key], [GATE_TTL_MS]).then(
        (reply) => {
          const [took, outcome, rel] = reply as [number, string, number];
          if (took === 1) return waiter.wake(outcome as GateOutcome);
          waiter.after = rel;
          // Aborted while TAKE was in flight: it counted us, so leave now.
          if (signal.aborted) return void LEAVE.run(redis, [key], [rel, GATE_TTL_MS]).catch(() => undefined);
          const released = waiter.early.find((e) => e.seq > rel);
          if (released) waiter.wake(released.outcome);
        },
        (error: unknown) => {
          done();
          reject(error);
        },
      );
    });
  }

  close(): void {
    this.unsubscribe();
    this.waiting.clear();
  }

  private key(gateId: string): string {
    return `${this.options.prefix}g:${gateId}`;
  }
}
