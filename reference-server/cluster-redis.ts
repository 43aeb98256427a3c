// Builds a TaskCluster on one Redis (`--store redis://…`): the store, pub/sub bus, work stream, gates,
// input relay (2025-11-25) and input requests (2026-07-28) of one deployment (one key prefix), over three
// connections per instance: commands, the subscriber, and (for instances that run work) the stream reader.
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { TaskCluster } from './cluster.js';
import { RedisTaskEvents } from './events-redis.js';
import { RedisTaskInputRequests } from './ext/inputs-redis.js';
import { RedisGates } from './gates-redis.js';
import { RedisTaskInputs } from './inputs-redis.js';
import { connectRedis } from './redis-client.js';
import type { RedisSpec } from './redis-spec.js';
import { RedisTaskStore } from './store-redis.js';
import { RedisWorkQueue } from './work-queue-redis.js';

export async function openRedisCluster(spec: RedisSpec): Promise<TaskCluster> {
  const instanceId = randomUUID();
  const p = spec.prefix;
  const opened: Redis[] = [];
  const connect = async (role: string) => {
    const redis = await connectRedis(spec.url, `${p}${role}:${instanceId}`);
    opened.push(redis);
    return redis;
  };
  try {
    const redis = await connect('cmd');
    const subscriber = await connect('sub');
    const blocking = spec.runsWork ? await connect('work') : undefined;
    // The first instance of a deployment picks the secret; the others read it.
    await redis.set(`${p}secret`, randomBytes(32).toString('hex'), 'NX');
    const secret = Buffer.from((await redis.get(`${p}secret`)) ?? '', 'hex');
    const channel = `${p}events`;
    const events = await RedisTaskEvents.open({ redis, subscriber, channel, instanceId });
    const gates = new RedisGates({ redis, prefix: p, events, channel });
    const inputs = new RedisTaskInputs({ redis, prefix: p, events, channel });
    const queue = await RedisWorkQueue.open({
      redis,
      blocking,
      stream: `${p}work`,
      group: 'runners',
      consumer: instanceId,
      leaseMs: spec.leaseMs,
    });
    const inputRequests: RedisTaskInputRequests[] = [];
    let closing: Promise<void> | undefined;
    const cluster: TaskCluster = {
      instanceId,
      store: undefined as unknown as RedisTaskStore, // set below: the store closes its cluster
      events,
      queue,
      gates,
      inputs,
      cursorKey: createHmac('sha256', secret).update('tasks/list cursors').digest(),
      requestStateKey: createHmac('sha256', secret).update('mrtr requestState').digest(),
      inputRequests: (resume, reuseKeys) => {
        const requests = new RedisTaskInputRequests({ redis, prefix: p, events, resume, reuseKeys });
        inputRequests.push(requests);
        return requests;
      },
      runsWork: spec.runsWork,
      leaseMs: spec.leaseMs,
      close: () =>
        (closing ??= (async () => {
          await queue.close();
          gates.close();
          await inputs.close();
          for (const requests of inputRequests) requests.close();
          await events.close();
          await Promise.all(opened.map((r) => r.quit().catch(() => r.disconnect())));
        })()),
    };
    Object.assign(cluster, { store: new RedisTaskStore({ redis, prefix: p, secret, cluster }) });
    return cluster;
  } catch (error) {
    for (const r of opened) r.disconnect();
    throw error;
  }
}
