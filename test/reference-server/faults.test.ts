// Every fault of reference-server/faults/table.ts shows its violation on the wire (and nothing else breaks).
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { packagePath } from '../../harness/paths.js';
import { BEHAVIOURS, FAULTS, Faults } from '../../reference-server/faults/index.js';
import { stdioTarget, textOf, unique, type Json, type Target, type TestClient } from '../helpers/ref-client.js';
import { createTask, gateState, getTask, pollStatus, release } from './suite.js';

const targets: Target[] = [];
afterAll(async () => {
  await Promise.all(targets.map((t) => t.stop()));
});

async function withFault(id: keyof typeof FAULTS): Promise<TestClient> {
  const target = stdioTarget(['--violate', id]);
  targets.push(target);
  return target.connect();
}

describe('fault injection (--violate)', () => {
  it('T25-TOOL-03: a required tool without a task answers an isError result mentioning -32601', async () => {
    const c = await withFault('T25-TOOL-03');
    const r = await c.ok('tools/call', { name: 'failing_job', arguments: {} });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain('-32601');
    expect(c.violations).toEqual([]);
  });

  it('T25-TOOL-02: a forbidden tool with a task runs and answers its CallToolResult', async () => {
    const c = await withFault('T25-TOOL-02');
    const o = await c.request('tools/call', { name: 'greet', arguments: { name: 'Ada' }, task: { ttl: 60_000 } });
    expect(textOf(o.result)).toBe('Hello, Ada!');
    expect(o.result?.task).toBeUndefined();
  });

  it('T25-CAN-04: cancel marks the task cancelled but the work keeps running', async () => {
    const c = await withFault('T25-CAN-04');
    const gateId = unique('can04');
    const task = await createTask(c, 'gated_job', { gateId });
    await pollStatus(c, task.taskId as string, () => true);
    expect((await c.ok('tasks/cancel', { taskId: task.taskId })).status).toBe('cancelled');
    expect(await gateState(c, gateId)).toBe('waiting');
    await release(c, gateId);
    expect(await gateState(c, gateId)).toBe('finished');
    expect((await getTask(c, task.taskId)).result?.status).toBe('cancelled');
    expect(c.violations).toEqual([]);
  });

  it('T25-RES-03: tasks/result on a working task answers at once with "task not completed"', async () => {
    const c = await withFault('T25-RES-03');
    const gateId = unique('res03');
    const task = await createTask(c, 'gated_job', { gateId });
    const o = await c.request('tasks/result', { taskId: task.taskId });
    expect(o.error?.message).toBe('task not completed');
    await release(c, gateId);
    await pollStatus(c, task.taskId as string, (s) => s === 'completed');
    expect(textOf(await c.ok('tasks/result', { taskId: task.taskId }))).toBe(`released:${gateId}`);
  });

  it('T25-GET-03: requests on one connection are handled one at a time', async () => {
    const c = await withFault('T25-GET-03');
    // The result blocks until the 1 s ttl removes the task; only then is the get handled.
    const task = await createTask(c, 'gated_job', { gateId: unique('get03') }, { ttl: 1_000 });
    const result = c.send('tasks/result', { taskId: task.taskId });
    const get = c.send('tasks/get', { taskId: task.taskId });
    expect((await get.outcome).error?.code).toBe(-32602); // the task expired before the get was handled
    expect((await result.outcome).error?.code).toBe(-32602);
    const order = c.received.map((m) => (m as Json).id).filter((id) => id === result.id || id === get.id);
    expect(order).toEqual([result.id, get.id]);
  });

  it('T25-CAN-01: the tasks/cancel response says working while the task is cancelled', async () => {
    const c = await withFault('T25-CAN-01');
    const task = await createTask(c, 'gated_job', { gateId: unique('can01') });
    expect((await c.ok('tasks/cancel', { taskId: task.taskId })).status).toBe('working');
    expect((await getTask(c, task.taskId)).result?.status).toBe('cancelled');
  });

  it('T25-RES-02: the tasks/result payload differs from the direct call', async () => {
    const c = await withFault('T25-RES-02');
    const direct = await c.ok('tools/call', { name: 'slow_compute', arguments: { seconds: 0, label: 'x' } });
    const task = await createTask(c, 'slow_compute', { seconds: 0, label: 'x' });
    const viaTask = await c.ok('tasks/result', { taskId: task.taskId });
    expect((viaTask.content as unknown[]).length).toBe((direct.content as unknown[]).length + 1);
  });

  it('T25-CRT-01: a task-augmented call answers a flat Task (a schema violation)', async () => {
    const c = await withFault('T25-CRT-01');
    const o = await c.request('tools/call', { name: 'slow_compute', arguments: { seconds: 0 }, task: { ttl: 60_000 } });
    expect(o.result?.task).toBeUndefined();
    expect(typeof o.result?.taskId).toBe('string');
    expect(c.violations.some((v) => v.startsWith('CreateTaskResult'))).toBe(true);
  });

  it('T25-CAP-01: capabilities lack tasks.requests while tools advertise taskSupport', async () => {
    const c = await withFault('T25-CAP-01');
    expect(c.serverCapabilities.tasks).toEqual({ list: {}, cancel: {} });
    const tools = (await c.ok('tools/list')).tools as Json[];
    expect(tools.find((t) => t.name === 'slow_compute')?.execution).toEqual({ taskSupport: 'optional' });
  });

  it('H25-21: ping is answered with a tools/list-shaped result', async () => {
    const c = await withFault('H25-21');
    expect(await c.ok('ping', {})).toEqual({ tools: [] });
  });

  it('H25-22: tools/list results carry 17 MiB of padding, which the harness link cuts at its 16 MiB default', async () => {
    const c = await withFault('H25-22');
    // The test client reads through the harness's own stdio link: the oversized line ends the connection.
    await expect(c.ok('tools/list', {})).rejects.toThrow(/connection closed/);
  });
});

describe('fault table', () => {
  const folder = packagePath('reference-server', 'faults');
  const rewriters = readdirSync(folder)
    .filter((f) => f.startsWith('rewrite-') && f.endsWith('.ts'))
    .map((f) => readFileSync(`${folder}/${f}`, 'utf8'));
  const behaviourIds = new Set<string>(Object.values(BEHAVIOURS).flat());

  it('every fault is implemented: as a named behaviour, or by a message rewriter', () => {
    const unused = Object.keys(FAULTS).filter((id) => !behaviourIds.has(id) && !rewriters.some((src) => src.includes(`'${id}'`)));
    expect(unused).toEqual([]);
  });

  it('no fault: every behaviour is off; one fault switches on exactly the behaviours that name it', () => {
    expect(Object.values(new Faults().behaviour).every((on) => on === false)).toBe(true);
    const on = Object.entries(new Faults(['T25-CAN-03']).behaviour).filter(([, v]) => v);
    expect(on.map(([name]) => name)).toEqual(['lateOutcomeOverridesCancel']);
  });
});
