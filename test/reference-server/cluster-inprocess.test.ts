// The engine's cluster hooks without Redis: two engines share one store through the in-process event
// hub (events.ts) and work queue (work-queue.ts). A waiter on one engine wakes when work on the other
// ends, with the outcome; a cancel on one stops work running on the other; nothing polls.
import { afterEach, describe, expect, it } from 'vitest';
import { TaskEngine, type Work } from '../../reference-server/engine.js';
import { InProcessEventHub } from '../../reference-server/events.js';
import { MemoryTaskStore, type TaskRecord } from '../../reference-server/store.js';
import { InProcessWorkQueue, type WorkClaim } from '../../reference-server/work-queue.js';

const who = { owner: 'o', bound: true };
const request = { method: 'tools/call', params: { name: 'x' } };

describe('two engines on the in-process hub', () => {
  const engines: TaskEngine[] = [];
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.shutdown()));
  });
  function pair() {
    const hub = new InProcessEventHub();
    const store = new MemoryTaskStore();
    const a = new TaskEngine({ store, events: hub.join('a') });
    const b = new TaskEngine({ store, events: hub.join('b') });
    engines.push(a, b);
    return { a, b };
  }
  /** Work that runs until released or aborted. */
  function controllable() {
    let release!: () => void;
    let aborted = false;
    const work: Work = (ctx) =>
      new Promise((resolve, reject) => {
        release = () =>
          resolve({ status: 'completed', outcome: { kind: 'result', result: { content: [{ type: 'text', text: 'done' }] } } });
        ctx.signal.addEventListener('abort', () => ((aborted = true), reject(ctx.signal.reason)), { once: true });
      });
    return { work, release: () => release(), aborted: () => aborted };
  }

  it('a waiter on B wakes with the outcome when work on A ends; B hears the status change', async () => {
    const { a, b } = pair();
    const record = await b.create(who, request, undefined);
    const heard: TaskRecord[] = [];
    b.on('status', (r) => heard.push(r));
    a.adopt(record);
    const job = controllable();
    const ran = a.start(record.taskId, job.work);
    const waiting = b.waitForTerminal(record.taskId, who);
    job.release();
    await ran;
    expect(await waiting).toMatchObject({ status: 'completed', outcome: { kind: 'result' } });
    expect(heard.map((r) => r.status)).toEqual(['completed']);
  });

  it('a cancel on B stops the work running on A', async () => {
    const { a, b } = pair();
    const record = await a.create(who, request, undefined);
    const job = controllable();
    const ran = a.start(record.taskId, job.work);
    expect((await b.cancel(record.taskId, who)).status).toBe('cancelled');
    await ran;
    expect(job.aborted()).toBe(true);
    expect((await a.get(record.taskId, who)).status).toBe('cancelled');
  });

  it('the in-process queue hands dispatched items to its runners, also those dispatched before one serves', async () => {
    const queue = new InProcessWorkQueue();
    const claims: WorkClaim[] = [];
    await queue.dispatch({ taskId: 't1', tool: 'x', args: {}, canElicit: false, gateScope: '' });
    queue.serve(async (claim) => void claims.push(claim));
    await queue.dispatch({ taskId: 't2', tool: 'x', args: {}, canElicit: false, gateScope: '' });
    expect(claims.map((c) => [c.item.taskId, c.attempt])).toEqual([
      ['t1', 1],
      ['t2', 1],
    ]);
    expect(await queue.reclaim()).toBe(0);
  });
});
