// The behaviour suite of the reference server, run once per transport (stdio.test.ts, http.test.ts).
// Completion is always driven by gates (gated_job / release_gate), never by sleeps; every message the
// server sends is validated against the official schema by TestClient.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LIST_PAGE_SIZE } from '../../reference-server/server.js';
import { RELATED_TASK, textOf, unique, type Json, type Outcome, type Target, type TestClient } from '../helpers/ref-client.js';

const RFC3339_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const TASK_KEYS = ['createdAt', 'lastUpdatedAt', 'pollInterval', 'status', 'taskId', 'ttl'];

export function callTool(c: TestClient, name: string, args: Json, extra: Json = {}): Promise<Outcome> {
  return c.request('tools/call', { name, arguments: args, ...extra });
}

export async function createTask(c: TestClient, name: string, args: Json, task: Json = { ttl: 60_000 }, extra: Json = {}): Promise<Json> {
  const o = await callTool(c, name, args, { task, ...extra });
  if (!o.result) throw new Error(`creating a ${name} task failed: ${JSON.stringify(o.error)}`);
  return o.result.task as Json;
}

export const getTask = (c: TestClient, taskId: unknown) => c.request('tasks/get', { taskId });
export const release = (c: TestClient, gateId: string, outcome = 'success') =>
  c.ok('tools/call', { name: 'release_gate', arguments: { gateId, outcome } });
export async function gateState(c: TestClient, gateId: string): Promise<string> {
  const r = await c.ok('tools/call', { name: 'gate_state', arguments: { gateId } });
  return (r.structuredContent as { state: string }).state;
}

/** Polls tasks/get until the status satisfies `until` (no timing assertion: a generous deadline only). */
export async function pollStatus(c: TestClient, taskId: string, until: (status: string) => boolean): Promise<Json> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const o = await getTask(c, taskId);
    if (!o.result) throw new Error(`tasks/get ${taskId} failed: ${JSON.stringify(o.error)}`);
    if (until(o.result.status as string)) return o.result;
    if (Date.now() > deadline) throw new Error(`task ${taskId} stayed ${String(o.result.status)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every task of the requestor, following nextCursor. */
export async function listAll(c: TestClient): Promise<Json[]> {
  const all: Json[] = [];
  let cursor: string | undefined;
  do {
    const page = await c.ok('tasks/list', cursor === undefined ? {} : { cursor });
    all.push(...(page.tasks as Json[]));
    cursor = page.nextCursor as string | undefined;
  } while (cursor !== undefined);
  return all;
}

export async function pollGate(c: TestClient, gateId: string, state: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await gateState(c, gateId)) !== state) {
    if (Date.now() > deadline) throw new Error(`gate ${gateId} never became ${state}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const terminal = (s: string) => s === 'completed' || s === 'failed' || s === 'cancelled';

function expectTask(task: Json, status?: string): void {
  expect(
    Object.keys(task)
      .filter((k) => k !== 'statusMessage')
      .sort(),
  ).toEqual(TASK_KEYS);
  expect(task.taskId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(task.createdAt).toMatch(RFC3339_MS);
  expect(task.lastUpdatedAt).toMatch(RFC3339_MS);
  expect(Date.parse(task.lastUpdatedAt as string)).toBeGreaterThanOrEqual(Date.parse(task.createdAt as string));
  if (status) expect(task.status).toBe(status);
}

function statusNotes(c: TestClient, taskId: string): Json[] {
  return c.notifications
    .filter((n) => n.method === 'notifications/tasks/status' && (n.params as Json).taskId === taskId)
    .map((n) => n.params as Json);
}

export function defineBehaviourSuite(makeTarget: () => Promise<Target>): void {
  let target: Target;
  let c: TestClient;
  const clients: TestClient[] = [];
  const connect = async (options?: Parameters<Target['connect']>[0]) => {
    const client = await target.connect(options);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    target = await makeTarget();
    c = await connect();
  });
  afterAll(async () => {
    await target?.stop();
  });
  afterEach(() => {
    for (const client of clients) expect(client.violations, `schema violations seen by ${client.label}`).toEqual([]);
  });

  describe('initialize and tools/list', () => {
    it('declares tasks with list, cancel and tools.call, plus tools, resources and prompts', () => {
      expect(c.initializeResult.protocolVersion).toBe('2025-11-25');
      expect(c.serverCapabilities).toEqual({
        tools: {},
        resources: {},
        prompts: {},
        tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } },
      });
    });

    it('answers an older supported protocol version with that version and without tasks', async () => {
      const old = await connect({ protocolVersion: '2025-06-18' });
      expect(old.initializeResult.protocolVersion).toBe('2025-06-18');
      expect(old.serverCapabilities.tasks).toBeUndefined();
      const tools = (await old.ok('tools/list')).tools as Json[];
      expect(tools.some((t) => 'execution' in t)).toBe(false);
    });

    it('lists every fixture tool with its taskSupport', async () => {
      const tools = (await c.ok('tools/list')).tools as Json[];
      const support = Object.fromEntries(tools.map((t) => [t.name, (t.execution as Json | undefined)?.taskSupport ?? 'absent']));
      expect(support).toEqual({
        greet: 'absent',
        slow_compute: 'optional',
        failing_job: 'required',
        protocol_error_job: 'optional',
        confirm_delete: 'optional',
        multi_input: 'optional',
        gated_job: 'optional',
        release_gate: 'forbidden',
        gate_state: 'forbidden',
        progress_job: 'optional',
        big_result: 'optional',
      });
      const gateStateTool = tools.find((t) => t.name === 'gate_state')!;
      expect((gateStateTool.outputSchema as Json).required).toEqual(['state']);
    });
  });

  describe('direct calls (the fixture contract)', () => {
    it('greet, slow_compute, big_result and the gate helpers answer their contract results', async () => {
      expect(textOf(await c.ok('tools/call', { name: 'greet', arguments: { name: 'Ada' } }))).toBe('Hello, Ada!');
      expect(await c.ok('tools/call', { name: 'slow_compute', arguments: { seconds: 0, label: 'x' } })).toEqual({
        content: [{ type: 'text', text: 'computed:x' }],
      });
      expect(textOf(await c.ok('tools/call', { name: 'slow_compute', arguments: { seconds: 0.01 } }))).toBe('computed:');
      const big = textOf(await c.ok('tools/call', { name: 'big_result', arguments: { bytes: 100_000 } }))!;
      expect(big.length).toBe(100_000);
      expect(big.startsWith('abcdefghijklmnopqrstuvwxyzabc')).toBe(true);
      expect(big[99_999]).toBe('abcdefghijklmnopqrstuvwxyz'[99_999 % 26]);
      const gateId = unique('g');
      expect(await gateState(c, gateId)).toBe('unknown');
      expect(textOf(await release(c, gateId))).toBe('ok');
    });

    it('failing_job without a task is JSON-RPC error -32601, not a result', async () => {
      const o = await callTool(c, 'failing_job', {});
      expect(o.error?.code).toBe(-32601);
    });

    it('protocol_error_job fails with -32603 naming itself', async () => {
      const o = await callTool(c, 'protocol_error_job', {});
      expect(o.error?.code).toBe(-32603);
      expect(o.error?.message).toContain('protocol_error_job');
    });

    it('a remembered release lets a later gated_job finish at once', async () => {
      const gateId = unique('pre');
      await release(c, gateId);
      expect(textOf(await c.ok('tools/call', { name: 'gated_job', arguments: { gateId } }))).toBe(`released:${gateId}`);
      expect(await gateState(c, gateId)).toBe('finished');
    });

    it('direct progress_job reports progress 1..steps on the token, related to the call only', async () => {
      const token = unique('direct-progress');
      const r = await c.ok('tools/call', {
        name: 'progress_job',
        arguments: { steps: 3, intervalSeconds: 0 },
        _meta: { progressToken: token },
      });
      expect(textOf(r)).toBe('done');
      const notes = c.notifications.filter((n) => (n.params as Json).progressToken === token).map((n) => n.params as Json);
      expect(notes).toEqual([1, 2, 3].map((progress) => ({ progressToken: token, progress, total: 3 })));
    });

    it('resources/read and prompts/get ignore a task member (T25-SUP-01)', async () => {
      const resources = (await c.ok('resources/list')).resources as Json[];
      const read = await c.ok('resources/read', { uri: resources[0]!.uri, task: { ttl: 60_000 } });
      expect(read.task).toBeUndefined();
      expect((read.contents as Json[])[0]!.text).toContain('reference server');
      const prompts = (await c.ok('prompts/list')).prompts as Json[];
      const prompt = await c.ok('prompts/get', { name: prompts[0]!.name, arguments: { name: 'Ada' }, task: { ttl: 60_000 } });
      expect(prompt.task).toBeUndefined();
      expect((prompt.messages as Json[]).length).toBe(1);
    });
  });

  describe('argument validation and tool-level negotiation', () => {
    it.each([
      ['missing required', 'slow_compute', {}, /required property 'seconds'/],
      ['wrong type', 'slow_compute', { seconds: 'soon' }, /seconds must be number/],
      ['oversized', 'gated_job', { gateId: 'x'.repeat(10_000) }, /gateId must NOT have more than 200 characters/],
      ['unknown property', 'greet', { name: 'a', nonce: 1 }, /unknown property "nonce"/],
      ['bad enum', 'release_gate', { gateId: 'g', outcome: 'maybe' }, /outcome must be one of/],
    ])('%s arguments give -32602 saying what is wrong, directly and with a task', async (_what, name, args, message) => {
      const direct = await callTool(c, name, args);
      expect(direct.error?.code).toBe(-32602);
      expect(direct.error?.message).toMatch(message);
      if (name === 'greet' || name === 'release_gate') return; // forbidden tools answer -32601 to a task first
      const before = (await listAll(c)).length;
      const withTask = await callTool(c, name, args, { task: { ttl: 60_000 } });
      expect(withTask.error?.code).toBe(-32602);
      expect(withTask.error?.message).toMatch(message);
      expect((await listAll(c)).length).toBe(before); // no task was created
    });

    it('an unknown tool is -32602, with or without a task', async () => {
      expect((await callTool(c, `no_such_tool_${randomUUID()}`, {})).error?.code).toBe(-32602);
      expect((await callTool(c, `no_such_tool_${randomUUID()}`, {}, { task: {} })).error?.code).toBe(-32602);
    });

    it('a forbidden tool called with a task is -32601 and does not run', async () => {
      const gateId = unique('forbidden');
      const task = await createTask(c, 'gated_job', { gateId });
      await pollGate(c, gateId, 'waiting');
      expect((await callTool(c, 'release_gate', { gateId }, { task: { ttl: 60_000 } })).error?.code).toBe(-32601);
      expect((await callTool(c, 'greet', { name: 'a' }, { task: {} })).error?.code).toBe(-32601);
      expect(await gateState(c, gateId)).toBe('waiting'); // release_gate did not run
      await release(c, gateId);
      await pollStatus(c, task.taskId as string, terminal);
    });

    it('a malformed task member is -32602', async () => {
      expect((await callTool(c, 'slow_compute', { seconds: 0 }, { task: 'yes' })).error?.code).toBe(-32602);
      expect((await callTool(c, 'slow_compute', { seconds: 0 }, { task: { ttl: -5 } })).error?.code).toBe(-32602);
    });
  });

  describe('task creation', () => {
    it('answers {task} at once, in working, with the requested ttl and a pollInterval', async () => {
      const gateId = unique('create');
      const o = await callTool(c, 'gated_job', { gateId }, { task: { ttl: 60_000 } });
      expect(Object.keys(o.result!)).toEqual(['task']);
      const task = o.result!.task as Json;
      expectTask(task, 'working');
      expect(task.ttl).toBe(60_000);
      expect(task.pollInterval).toBe(100);
      expect(task.createdAt).toBe(task.lastUpdatedAt);
      await release(c, gateId);
      await pollStatus(c, task.taskId as string, terminal);
    });

    it('grants the default ttl for task:{} and clamps requests to [1 s, 1 h]', async () => {
      expect((await createTask(c, 'slow_compute', { seconds: 0 }, {})).ttl).toBe(300_000);
      expect((await createTask(c, 'slow_compute', { seconds: 0 }, { ttl: 1 })).ttl).toBe(1_000);
      expect((await createTask(c, 'slow_compute', { seconds: 0 }, { ttl: 315_360_000_000 })).ttl).toBe(3_600_000);
      expect((await createTask(c, 'slow_compute', { seconds: 0 }, { ttl: null })).ttl).toBe(300_000);
    });

    it('ignores a client-chosen taskId and generates distinct UUID v4 ids', async () => {
      const chosen = `client-chosen-${randomUUID()}`;
      const tasks = await Promise.all(
        Array.from({ length: 20 }, () => createTask(c, 'slow_compute', { seconds: 0 }, { ttl: 60_000, taskId: chosen })),
      );
      const ids = new Set(tasks.map((t) => t.taskId));
      expect(ids.size).toBe(20);
      expect(ids.has(chosen)).toBe(false);
    });
  });

  describe('tasks/get and tasks/result', () => {
    it('tasks/result blocks until the gate opens while tasks/get keeps answering', async () => {
      const gateId = unique('block');
      const task = await createTask(c, 'gated_job', { gateId });
      const taskId = task.taskId as string;
      const pending = c.send('tasks/result', { taskId });
      let settled = false;
      void pending.outcome.then(() => (settled = true));
      // Proves concurrency: this get is answered while the result is blocked on the same connection.
      const got = await getTask(c, taskId);
      expect(got.result).toMatchObject({ taskId, status: 'working' });
      expect(got.result!._meta).toBeUndefined();
      expectTask(got.result!, 'working');
      expect(settled).toBe(false);
      await release(c, gateId);
      const result = await pending.outcome;
      expect(result.result).toEqual({ content: [{ type: 'text', text: `released:${gateId}` }], _meta: { [RELATED_TASK]: { taskId } } });
      expectTask((await getTask(c, taskId)).result!, 'completed');
      // Repeatable while retained.
      expect(await c.request('tasks/result', { taskId })).toEqual(result);
    });

    it('returns exactly what the direct call returns, plus related-task (T25-RES-02)', async () => {
      const direct = await c.ok('tools/call', { name: 'slow_compute', arguments: { seconds: 0.05, label: 'same' } });
      const task = await createTask(c, 'slow_compute', { seconds: 0.05, label: 'same' });
      const viaTask = await c.ok('tasks/result', { taskId: task.taskId });
      const { _meta, ...rest } = viaTask;
      expect(rest).toEqual(direct);
      expect(_meta).toEqual({ [RELATED_TASK]: { taskId: task.taskId } });
    });

    it('an isError result fails the task with a statusMessage and is returned as a successful result', async () => {
      const task = await createTask(c, 'failing_job', {});
      const done = await pollStatus(c, task.taskId as string, terminal);
      expect(done.status).toBe('failed');
      expect(done.statusMessage).toContain('job failed');
      const r = await c.request('tasks/result', { taskId: task.taskId });
      expect(r.result).toEqual({
        content: [{ type: 'text', text: 'job failed' }],
        isError: true,
        _meta: { [RELATED_TASK]: { taskId: task.taskId } },
      });
    });

    it('a JSON-RPC error fails the task and tasks/result answers the same error', async () => {
      const direct = await callTool(c, 'protocol_error_job', {});
      const task = await createTask(c, 'protocol_error_job', {});
      const done = await pollStatus(c, task.taskId as string, terminal);
      expect(done.status).toBe('failed');
      expect(done.statusMessage).toContain('-32603');
      expect(await c.request('tasks/result', { taskId: task.taskId })).toEqual(direct);
    });

    it.each([
      ['tool_error', 'failed', (r: Outcome) => expect(r.result?.isError).toBe(true)],
      ['protocol_error', 'failed', (r: Outcome) => expect(r.error?.code).toBe(-32603)],
    ] as const)('a gate released with %s ends the task %s', async (outcome, status, check) => {
      const gateId = unique(outcome);
      const task = await createTask(c, 'gated_job', { gateId });
      const pending = c.send('tasks/result', { taskId: task.taskId });
      await release(c, gateId, outcome);
      check(await pending.outcome);
      expect((await pollStatus(c, task.taskId as string, terminal)).status).toBe(status);
    });

    it('sends a status notification with the full Task on every transition, without related-task', async () => {
      const gateId = unique('notify');
      const task = await createTask(c, 'gated_job', { gateId });
      const taskId = task.taskId as string;
      await release(c, gateId);
      const note = await c.waitForNotification((n) => n.method === 'notifications/tasks/status' && (n.params as Json).taskId === taskId);
      expectTask(note.params as Json, 'completed');
      expect((note.params as Json)._meta).toBeUndefined();
      expect(statusNotes(c, taskId).map((n) => n.status)).toEqual(['completed']);
    });

    it.each([
      ['a random UUID', randomUUID()],
      ['an empty string', ''],
      ['a 10 KB string', 'x'.repeat(10_240)],
      ['a number', 42],
      ['a missing id', undefined],
    ])('get, result and cancel answer -32602 at once for %s', async (_what, taskId) => {
      for (const method of ['tasks/get', 'tasks/result', 'tasks/cancel']) {
        const o = await c.request(method, taskId === undefined ? {} : { taskId });
        expect(o.error?.code, method).toBe(-32602);
        expect(o.error?.message.length).toBeGreaterThan(0);
      }
    });

    it('related-task _meta in a request does not change its target (T25-META-02)', async () => {
      const gateId = unique('meta');
      const a = await createTask(c, 'gated_job', { gateId });
      const b = await createTask(c, 'slow_compute', { seconds: 0, label: 'b' });
      await pollStatus(c, b.taskId as string, terminal);
      const got = await c.ok('tasks/get', { taskId: a.taskId, _meta: { [RELATED_TASK]: { taskId: b.taskId } } });
      expect(got).toMatchObject({ taskId: a.taskId, status: 'working' });
      const result = await c.ok('tasks/result', { taskId: b.taskId, _meta: { [RELATED_TASK]: { taskId: a.taskId } } });
      expect(textOf(result)).toBe('computed:b');
      const cancelled = await c.ok('tasks/cancel', { taskId: a.taskId, _meta: { [RELATED_TASK]: { taskId: b.taskId } } });
      expect(cancelled).toMatchObject({ taskId: a.taskId, status: 'cancelled' });
      expect((await getTask(c, b.taskId)).result?.status).toBe('completed');
    });

    it('notifications/cancelled for a blocked tasks/result cancels that request only, not the task', async () => {
      const gateId = unique('reqcancel');
      const task = await createTask(c, 'gated_job', { gateId });
      const pending = c.send('tasks/result', { taskId: task.taskId }, 60_000);
      pending.outcome.catch(() => undefined); // it is never answered; the client forgets it on close
      await c.notify('notifications/cancelled', { requestId: pending.id, reason: 'test' });
      expect((await getTask(c, task.taskId)).result?.status).toBe('working');
      await release(c, gateId);
      expect(textOf(await c.ok('tasks/result', { taskId: task.taskId }))).toBe(`released:${gateId}`);
    });
  });

  describe('tasks/cancel', () => {
    it('cancels before answering, wakes a pending tasks/result, stops the work and stays cancelled', async () => {
      const gateId = unique('cancel');
      const task = await createTask(c, 'gated_job', { gateId });
      const taskId = task.taskId as string;
      await pollGate(c, gateId, 'waiting');
      const pending = c.send('tasks/result', { taskId });
      const cancelled = await c.ok('tasks/cancel', { taskId });
      expectTask(cancelled, 'cancelled');
      expect(cancelled.taskId).toBe(taskId);
      expect(cancelled._meta).toBeUndefined();
      expect((await pending.outcome).result).toEqual({
        content: [{ type: 'text', text: 'task cancelled' }],
        isError: true,
        _meta: { [RELATED_TASK]: { taskId } },
      });
      expect((await getTask(c, taskId)).result?.status).toBe('cancelled');
      await pollGate(c, gateId, 'aborted');
      await release(c, gateId);
      expect((await getTask(c, taskId)).result?.status).toBe('cancelled');
      expect((await c.request('tasks/cancel', { taskId })).error?.code).toBe(-32602);
      // tasks/result on a cancelled task answers at once.
      expect((await c.request('tasks/result', { taskId })).result?.isError).toBe(true);
      await c.waitForNotification((n) => n.method === 'notifications/tasks/status' && (n.params as Json).taskId === taskId);
      expect(statusNotes(c, taskId).map((n) => n.status)).toEqual(['cancelled']);
    });

    it('cancelling a completed or failed task is -32602', async () => {
      for (const [name, args] of [
        ['slow_compute', { seconds: 0 }],
        ['failing_job', {}],
        ['protocol_error_job', {}],
      ] as const) {
        const task = await createTask(c, name, args);
        await pollStatus(c, task.taskId as string, terminal);
        expect((await c.request('tasks/cancel', { taskId: task.taskId })).error?.code, name).toBe(-32602);
      }
    });

    it('slow_compute honours cancellation', async () => {
      const task = await createTask(c, 'slow_compute', { seconds: 600 });
      expect((await c.ok('tasks/cancel', { taskId: task.taskId })).status).toBe('cancelled');
      expect((await c.request('tasks/result', { taskId: task.taskId })).result?.isError).toBe(true);
    });
  });

  describe('tasks/list', () => {
    it("lists only this requestor's tasks, in pages of LIST_PAGE_SIZE with opaque cursors", async () => {
      const own = await connect();
      const created = await Promise.all(
        Array.from({ length: 60 }, (_, i) => createTask(own, 'slow_compute', { seconds: 0, label: `l${i}` })),
      );
      const gateId = unique('list');
      const working = await createTask(own, 'gated_job', { gateId });
      const seen: string[] = [];
      const sizes: number[] = [];
      let cursor: string | undefined;
      do {
        const page = await own.ok('tasks/list', cursor === undefined ? {} : { cursor });
        const tasks = page.tasks as Json[];
        tasks.forEach((t) => expectTask(t));
        sizes.push(tasks.length);
        seen.push(...tasks.map((t) => t.taskId as string));
        cursor = page.nextCursor as string | undefined;
      } while (cursor !== undefined);
      expect(sizes[0]).toBe(LIST_PAGE_SIZE);
      expect(sizes.length).toBeGreaterThan(1);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.sort()).toEqual([...created.map((t) => t.taskId as string), working.taskId as string].sort());
      await release(own, gateId);
    });

    it('rejects an invalid, forged or non-string cursor with -32602', async () => {
      for (const cursor of [`invalid-${randomUUID()}`, 'MTA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', '', 42]) {
        expect((await c.request('tasks/list', { cursor })).error?.code, String(cursor)).toBe(-32602);
      }
    });
  });

  describe('progress', () => {
    it('task progress uses the request token exactly, carries related-task, and stops at terminal', async () => {
      const token = unique('p');
      const task = await createTask(
        c,
        'progress_job',
        { steps: 3, intervalSeconds: 0.02 },
        { ttl: 60_000 },
        { _meta: { progressToken: token } },
      );
      const taskId = task.taskId as string;
      expect(textOf(await c.ok('tasks/result', { taskId }))).toBe('done');
      const progress = () =>
        c.notifications
          .filter((n) => n.method === 'notifications/progress' && (n.params as Json).progressToken === token)
          .map((n) => n.params as Json);
      // On HTTP a step sent before tasks/result was open travels on the GET stream: no cross-stream order.
      await c.until(() => progress().length >= 3 || undefined, undefined, 'three progress notifications');
      expect(progress()).toEqual(
        [1, 2, 3].map((p) => ({ progressToken: token, progress: p, total: 3, _meta: { [RELATED_TASK]: { taskId } } })),
      );
      await c.waitForNotification((n) => n.method === 'notifications/tasks/status' && (n.params as Json).taskId === taskId);
      expect(progress().length).toBe(3);
    });

    it('a numeric progress token keeps its JSON type', async () => {
      const task = await createTask(
        c,
        'progress_job',
        { steps: 1, intervalSeconds: 0 },
        { ttl: 60_000 },
        { _meta: { progressToken: 4242 } },
      );
      await c.ok('tasks/result', { taskId: task.taskId });
      await c.waitForNotification((n) => (n.params as Json).progressToken === 4242, 'progress with token 4242');
    });
  });

  describe('input_required and elicitation', () => {
    it('confirm_delete as a task: input_required, elicitation on tasks/result, then hello:{name}', async () => {
      const e = await connect();
      const task = await createTask(e, 'confirm_delete', {});
      const taskId = task.taskId as string;
      await pollStatus(e, taskId, (s) => s === 'input_required');
      expect(e.serverRequests).toEqual([]); // queued until a tasks/result is open
      const pending = e.send('tasks/result', { taskId });
      const request = await e.waitForServerRequest((r) => r.method === 'elicitation/create');
      expect(request.params).toEqual({
        mode: 'form',
        message: expect.any(String),
        requestedSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
        _meta: { [RELATED_TASK]: { taskId } },
      });
      expect((await getTask(e, taskId)).result?.status).toBe('input_required');
      await e.respond(request.id, { action: 'accept', content: { name: 'Ada' }, _meta: { [RELATED_TASK]: { taskId } } });
      expect((await pending.outcome).result).toEqual({
        content: [{ type: 'text', text: 'hello:Ada' }],
        _meta: { [RELATED_TASK]: { taskId } },
      });
      await e.until(() => statusNotes(e, taskId).length === 3 || undefined, undefined, 'three status notifications');
      expect(statusNotes(e, taskId).map((n) => n.status)).toEqual(['input_required', 'working', 'completed']);
    });

    it('a declined elicitation completes with "declined"', async () => {
      const e = await connect();
      e.onServerRequest((r) => ({ action: 'decline', _meta: r.params._meta as Json }));
      const task = await createTask(e, 'confirm_delete', {});
      expect(textOf(await e.ok('tasks/result', { taskId: task.taskId }))).toBe('declined');
    });

    it('multi_input has both elicitations outstanding at once', async () => {
      const e = await connect();
      const task = await createTask(e, 'multi_input', {});
      const pending = e.send('tasks/result', { taskId: task.taskId });
      await e.until(() => e.serverRequests.length === 2 || undefined, undefined, 'two elicitations');
      for (const r of e.serverRequests) {
        const field = Object.keys((r.params.requestedSchema as { properties: Json }).properties)[0]!;
        await e.respond(r.id, { action: 'accept', content: { [field]: field.toUpperCase() }, _meta: r.params._meta as Json });
      }
      expect(textOf((await pending.outcome).result)).toBe('a=A,b=B');
    });

    it('confirm_delete called directly elicits without related-task and returns hello:{name}', async () => {
      const e = await connect();
      e.onServerRequest(() => ({ action: 'accept', content: { name: 'Bo' } }));
      expect(textOf(await e.ok('tools/call', { name: 'confirm_delete', arguments: {} }))).toBe('hello:Bo');
      expect(e.serverRequests[0]!.params._meta).toBeUndefined();
      expect(e.serverRequests[0]!.params.task).toBeUndefined();
    });

    it('never elicits from a client without the elicitation capability; the task fails saying why', async () => {
      const e = await connect({ capabilities: {} });
      const task = await createTask(e, 'confirm_delete', {});
      const result = await e.ok('tasks/result', { taskId: task.taskId });
      expect(result.isError).toBe(true);
      const done = await pollStatus(e, task.taskId as string, terminal);
      expect(done.status).toBe('failed');
      expect(done.statusMessage).toContain('elicitation');
      expect((await e.ok('tools/call', { name: 'confirm_delete', arguments: {} })).isError).toBe(true);
      expect(e.serverRequests).toEqual([]);
    });

    it('cancelling in input_required answers the pending tasks/result and ignores a late answer', async () => {
      const e = await connect();
      const task = await createTask(e, 'confirm_delete', {});
      const taskId = task.taskId as string;
      const pending = e.send('tasks/result', { taskId });
      const request = await e.waitForServerRequest((r) => r.method === 'elicitation/create');
      expect((await e.ok('tasks/cancel', { taskId })).status).toBe('cancelled');
      expect((await pending.outcome).result?.isError).toBe(true);
      await e.respond(request.id, { action: 'accept', content: { name: 'Late' }, _meta: { [RELATED_TASK]: { taskId } } });
      expect((await getTask(e, taskId)).result?.status).toBe('cancelled');
      expect(e.serverRequests.length).toBe(1);
    });
  });

  describe('ttl', () => {
    it('removes a task once its ttl has elapsed: get, result and cancel then answer -32602', async () => {
      const task = await createTask(c, 'slow_compute', { seconds: 0 }, { ttl: 1_000 });
      const taskId = task.taskId as string;
      const deadline = Date.now() + 30_000;
      while ((await getTask(c, taskId)).result) {
        if (Date.now() > deadline) throw new Error('the task was never removed');
        await new Promise((r) => setTimeout(r, 100));
      }
      for (const method of ['tasks/get', 'tasks/result', 'tasks/cancel'])
        expect((await c.request(method, { taskId })).error?.code, method).toBe(-32602);
      expect((await listAll(c)).some((t) => t.taskId === taskId)).toBe(false);
    });

    it('stops the work of a task whose ttl elapses and answers its pending tasks/result', async () => {
      const gateId = unique('ttl');
      const task = await createTask(c, 'gated_job', { gateId }, { ttl: 1_000 });
      const pending = await c.request('tasks/result', { taskId: task.taskId });
      expect(pending.error?.code).toBe(-32602);
      await pollGate(c, gateId, 'aborted');
    });
  });
}
