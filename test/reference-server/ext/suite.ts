// The behaviour suite of the 2026-07-28 era, run over stdio and Streamable HTTP (stdio.test.ts, http.test.ts):
// discovery, task creation and polling with inlined results, input through tasks/update, MRTR, cancellation,
// removed methods, subscriptions, envelope errors. Every server message is schema-checked by the client.
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { textOf, unique } from '../../helpers/ref-client.js';
import { EXT, EXT_E, meta, NOEXT, StdioModernClient, SUBSCRIPTION_ID, TASKS, type Json, type ModernClient, type Reply } from './client.js';

export interface Connector {
  open(): Promise<ModernClient>;
  stop(): Promise<void>;
}

/** Polls tasks/get until `until` holds (a settle loop, never a timing assertion). */
export async function pollTask(c: ModernClient, taskId: string, until: (task: Json) => boolean, caps: Json = EXT_E): Promise<Json> {
  for (let i = 0; i < 1000; i++) {
    const task = await c.ok('tasks/get', { taskId }, { caps });
    if (until(task)) return task;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`task ${taskId} never reached the expected state`);
}
export const terminal = (t: Json) => ['completed', 'failed', 'cancelled'].includes(t.status as string);
export const status = (s: string) => (t: Json) => t.status === s;

export async function createTask(c: ModernClient, name: string, args: Json = {}, caps: Json = EXT_E): Promise<Json> {
  const result = await c.ok('tools/call', { name, arguments: args }, { caps });
  expect(result.resultType, JSON.stringify(result)).toBe('task');
  return result;
}

export const release = (c: ModernClient, gateId: string, outcome = 'success') =>
  c.ok('tools/call', { name: 'release_gate', arguments: { gateId, outcome } }, { caps: NOEXT });

/** The HTTP status an error answer must have (undefined on stdio). */
export function expectError(reply: Reply, code: number, httpStatus: number): NonNullable<Reply['error']> {
  expect(reply.error?.code, JSON.stringify(reply)).toBe(code);
  if (reply.status !== undefined) expect(reply.status).toBe(httpStatus);
  return reply.error!;
}

export function defineModernSuite(connector: () => Promise<Connector>): void {
  let conn: Connector;
  let c: ModernClient;
  beforeAll(async () => {
    conn = await connector();
    c = await conn.open();
  });
  afterAll(async () => conn?.stop());
  afterEach(() => expect(c.violations, 'schema violations').toEqual([]));

  it('server/discover: both eras, the extension, no legacy tasks capability, cacheable', async () => {
    const d = await c.ok('server/discover', {}, { caps: NOEXT });
    expect(d.supportedVersions).toEqual(['2026-07-28', '2025-11-25']);
    expect(d.capabilities).toMatchObject({ extensions: { [TASKS]: {} } });
    expect((d.capabilities as Json).tasks).toBeUndefined();
    expect(d).toMatchObject({ resultType: 'complete', cacheScope: 'public' });
  });

  it('tools/list: no execution member, the ext-only fixtures, cacheable', async () => {
    const list = await c.ok('tools/list', {}, { caps: NOEXT });
    const tools = list.tools as Json[];
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['slow_compute', 'sequential_input', 'test_tool_with_task']));
    expect(tools.every((t) => t.execution === undefined)).toBe(true);
  });

  it('a declaring tools/call gets a flat task, durable at once; its result is the direct result', async () => {
    const label = unique('sc');
    const task = await createTask(c, 'slow_compute', { seconds: 0.05, label, ttlMs: 60_000, pollIntervalMs: 25 });
    expect(task).toMatchObject({ status: 'working', ttlMs: 60_000, pollIntervalMs: 25 });
    for (const key of ['task', 'ttl', 'pollInterval', 'result', 'error', 'requestState']) expect(task[key]).toBeUndefined();
    expect((await c.ok('tasks/get', { taskId: task.taskId })).taskId).toBe(task.taskId);
    const done = await pollTask(c, task.taskId as string, terminal);
    expect(done).toMatchObject({ resultType: 'complete', status: 'completed', createdAt: task.createdAt });
    const direct = await c.ok('tools/call', { name: 'slow_compute', arguments: { seconds: 0, label } }, { caps: NOEXT });
    const strip = ({ _meta, resultType, ...rest }: Json) => (void _meta, void resultType, rest);
    expect(strip(done.result as Json)).toEqual(strip(direct));
    expect(textOf(direct)).toBe(`computed:${label}`);
  });

  it('capabilities come from each request only (EXT-NEG-04/06, EXT-DISP-03)', async () => {
    await createTask(c, 'slow_compute', { seconds: 0 });
    for (const caps of [
      NOEXT,
      { extensions: {} },
      { extensions: { [`${TASKS}-x`]: {} } },
      { experimental: { [TASKS]: {} } },
      { tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } } },
    ]) {
      const r = await c.ok('tools/call', { name: 'slow_compute', arguments: { seconds: 0 }, task: { ttl: 60_000 } }, { caps });
      expect(r.resultType, JSON.stringify(caps)).toBe('complete');
      expect(r.taskId).toBeUndefined();
    }
  });

  it('failing_job: -32021 without the extension; completed with isError as a task', async () => {
    const e = expectError(await c.call('tools/call', { name: 'failing_job', arguments: {} }, { caps: NOEXT }), -32021, 400);
    expect(e.data).toEqual({ requiredCapabilities: { extensions: { [TASKS]: {} } } });
    const task = await createTask(c, 'failing_job');
    const done = await pollTask(c, task.taskId as string, terminal);
    expect(done).toMatchObject({ status: 'completed', result: { isError: true, content: [{ type: 'text', text: 'job failed' }] } });
  });

  it('protocol_error_job: failed with the same JSON-RPC error as the direct call, and a statusMessage', async () => {
    const direct = expectError(await c.call('tools/call', { name: 'protocol_error_job', arguments: {} }, { caps: NOEXT }), -32603, 200);
    const task = await createTask(c, 'protocol_error_job');
    const done = await pollTask(c, task.taskId as string, terminal);
    expect(done).toMatchObject({ status: 'failed', error: { code: -32603, message: direct.message } });
    expect(done.statusMessage).toEqual(expect.any(String));
  });

  it('confirm_delete: inputRequests inlined and stable, unknown keys ignored, tasks/update applies the answer once', async () => {
    const task = await createTask(c, 'confirm_delete', { filename: 'notes.txt' }); // the official suite names a file
    const taskId = task.taskId as string;
    const waiting = await pollTask(c, taskId, status('input_required'));
    const again = await c.ok('tasks/get', { taskId });
    expect(again.inputRequests).toEqual(waiting.inputRequests);
    const [key] = Object.keys(waiting.inputRequests as Json);
    expect((waiting.inputRequests as Json)[key!]).toMatchObject({ method: 'elicitation/create', params: { mode: 'form' } });
    const ack = await c.ok('tasks/update', { taskId, inputResponses: { 'bogus-key': { action: 'accept', content: {} } } });
    expect(ack).toEqual({ resultType: 'complete', _meta: expect.any(Object) });
    expect((await c.ok('tasks/get', { taskId })).inputRequests).toEqual(waiting.inputRequests);
    // A key that is not outstanding is ignored, value included (the official suite sends a non-ElicitResult).
    await c.ok('tasks/update', { taskId, inputResponses: { 'unknown-key': { ignored: true } } });
    await c.ok('tasks/update', { taskId, inputResponses: { [key!]: { action: 'accept', content: { name: 'Ada' } } } });
    await c.ok('tasks/update', { taskId, inputResponses: { [key!]: { action: 'accept', content: { name: 'Eve' } } } });
    const done = await pollTask(c, taskId, terminal);
    expect(textOf(done.result as Json)).toBe('hello:Ada');
  });

  it('multi_input: a partial update keeps the task input_required with only the other key', async () => {
    const taskId = (await createTask(c, 'multi_input')).taskId as string;
    const both = await pollTask(c, taskId, (t) => Object.keys((t.inputRequests ?? {}) as Json).length === 2);
    const [first, second] = Object.keys(both.inputRequests as Json);
    const content = (t: Json, k: string) =>
      ((t.inputRequests as Json)[k] as { params: { requestedSchema: { required: string[] } } }).params.requestedSchema.required[0]!;
    const fieldOf = { [first!]: content(both, first!), [second!]: content(both, second!) };
    await c.ok('tasks/update', { taskId, inputResponses: { [first!]: { action: 'accept', content: { [fieldOf[first!]!]: '1' } } } });
    const after = await c.ok('tasks/get', { taskId });
    expect(after.status).toBe('input_required');
    expect(Object.keys(after.inputRequests as Json)).toEqual([second]);
    await c.ok('tasks/update', { taskId, inputResponses: { [second!]: { action: 'accept', content: { [fieldOf[second!]!]: '2' } } } });
    const done = await pollTask(c, taskId, terminal);
    expect(textOf(done.result as Json)).toBe(fieldOf[first!] === 'a' ? 'a=1,b=2' : 'a=2,b=1');
  });

  it('sequential_input: the second round uses a new key', async () => {
    const taskId = (await createTask(c, 'sequential_input')).taskId as string;
    const one = await pollTask(c, taskId, status('input_required'));
    const [k1] = Object.keys(one.inputRequests as Json);
    await c.ok('tasks/update', { taskId, inputResponses: { [k1!]: { action: 'accept', content: { first: 'x' } } } });
    const two = await pollTask(c, taskId, (t) => t.status === 'input_required' && !(k1! in (t.inputRequests as Json)));
    const [k2] = Object.keys(two.inputRequests as Json);
    await c.ok('tasks/update', { taskId, inputResponses: { [k2!]: { action: 'accept', content: { second: 'y' } } } });
    expect(textOf((await pollTask(c, taskId, terminal)).result as Json)).toBe('first=x,second=y');
  });

  it('a declined elicitation completes the task ("declined")', async () => {
    const taskId = (await createTask(c, 'confirm_delete')).taskId as string;
    const [key] = Object.keys((await pollTask(c, taskId, status('input_required'))).inputRequests as Json);
    await c.ok('tasks/update', { taskId, inputResponses: { [key!]: { action: 'decline' } } });
    expect(textOf((await pollTask(c, taskId, terminal)).result as Json)).toBe('declined');
  });

  it('an accepted answer without the asked field completes with isError, a tool execution error (the official suite answers {confirm:true})', async () => {
    const taskId = (await createTask(c, 'confirm_delete')).taskId as string;
    const [key] = Object.keys((await pollTask(c, taskId, status('input_required'))).inputRequests as Json);
    await c.ok('tasks/update', { taskId, inputResponses: { [key!]: { action: 'accept', content: { confirm: true } } } });
    const done = await pollTask(c, taskId, terminal);
    expect(done).toMatchObject({ status: 'completed', result: { isError: true } });
    expect(textOf(done.result as Json)).toBe('confirm_delete: the elicitation answer must contain a string "name"');
  });

  it('a tool that asks the user needs elicitation on the request (-32021)', async () => {
    const e = expectError(await c.call('tools/call', { name: 'confirm_delete', arguments: {} }, { caps: EXT }), -32021, 400);
    expect(e.data).toEqual({ requiredCapabilities: { elicitation: { form: {} } } });
  });

  it('MRTR without a task: InputRequiredResult, then the retry with requestState echoed completes', async () => {
    const caps = { elicitation: { form: {} } };
    const first = await c.ok('tools/call', { name: 'confirm_delete', arguments: {} }, { caps });
    expect(first).toMatchObject({ resultType: 'input_required', requestState: expect.any(String) });
    const [key] = Object.keys(first.inputRequests as Json);
    const inputResponses = { [key!]: { action: 'accept', content: { name: 'Bo' } } };
    const tampered = await c.call(
      'tools/call',
      { name: 'confirm_delete', arguments: {}, inputResponses, requestState: `x${String(first.requestState)}` },
      { caps },
    );
    expectError(tampered, -32602, 200);
    const done = await c.ok(
      'tools/call',
      { name: 'confirm_delete', arguments: {}, inputResponses, requestState: first.requestState },
      { caps },
    );
    expect(textOf(done)).toBe('hello:Bo');
  });

  it('test_tool_with_task: MRTR settles before the task exists; the task result carries the answer', async () => {
    const first = await c.ok('tools/call', { name: 'test_tool_with_task', arguments: {} });
    expect(first.resultType).toBe('input_required');
    expect(first.taskId).toBeUndefined();
    expect(Object.keys(first.inputRequests as Json)).toEqual(['user_name']);
    const retry = await c.ok('tools/call', {
      name: 'test_tool_with_task',
      arguments: {},
      inputResponses: { user_name: { action: 'accept', content: { name: 'Zed' } } },
      requestState: first.requestState,
    });
    expect(retry.resultType).toBe('task');
    expect(retry.requestState).toBeUndefined();
    const done = await pollTask(c, retry.taskId as string, terminal);
    expect(textOf(done.result as Json)).toContain('Zed');
  });

  it('tasks/cancel: an empty ack; the task ends cancelled, its work stops; cancels of ended or unknown tasks', async () => {
    const gateId = unique('cancel');
    const taskId = (await createTask(c, 'gated_job', { gateId })).taskId as string;
    const ack = await c.ok('tasks/cancel', { taskId });
    expect(ack).toEqual({ resultType: 'complete', _meta: expect.any(Object) });
    expect((await pollTask(c, taskId, terminal)).status).toBe('cancelled');
    const state = await c.ok('tools/call', { name: 'gate_state', arguments: { gateId } }, { caps: NOEXT });
    expect(state.structuredContent).toEqual({ state: 'aborted' });
    await release(c, gateId);
    expect((await c.ok('tasks/get', { taskId })).status).toBe('cancelled');
    expect((await c.ok('tasks/cancel', { taskId })).resultType).toBe('complete');
    expectError(await c.call('tasks/cancel', { taskId: crypto.randomUUID() }), -32602, 200);
    expectError(await c.call('tasks/update', { taskId: crypto.randomUUID(), inputResponses: {} }), -32602, 200);
  });

  it('tasks/result and tasks/list are gone (-32601, HTTP 404)', async () => {
    const taskId = (await createTask(c, 'slow_compute', { seconds: 0 })).taskId as string;
    expectError(await c.call('tasks/result', { taskId }), -32601, 404);
    expectError(await c.call('tasks/list', {}), -32601, 404);
  });

  it('task methods need the extension on the request (-32021), checked before the id', async () => {
    const gateId = unique('noext');
    const taskId = (await createTask(c, 'gated_job', { gateId })).taskId as string;
    for (const [method, extra] of [
      ['tasks/get', {}],
      ['tasks/update', { inputResponses: {} }],
      ['tasks/cancel', {}],
    ] as const) {
      const e = expectError(await c.call(method, { taskId, ...extra }, { caps: NOEXT }), -32021, 400);
      expect(e.data).toEqual({ requiredCapabilities: { extensions: { [TASKS]: {} } } });
    }
    expectError(await c.call('tasks/get', { taskId: crypto.randomUUID() }, { caps: NOEXT }), -32021, 400);
    expect((await c.ok('tasks/get', { taskId })).status).toBe('working');
    await release(c, gateId);
    expect((await pollTask(c, taskId, terminal)).status).toBe('completed');
  });

  it('unknown, empty and huge task ids are -32602', async () => {
    for (const taskId of [crypto.randomUUID(), '', 'x'.repeat(10_000)]) expectError(await c.call('tasks/get', { taskId }), -32602, 200);
  });

  it('envelope errors: missing _meta fields are -32602 (HTTP 400); an unsupported version is -32022', async () => {
    const noCaps = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' };
    expectError(await c.call('tasks/get', { taskId: 'x' }, { meta: noCaps }), -32602, 400);
    const bad = expectError(await c.call('tasks/get', { taskId: 'x' }, { meta: meta(EXT_E, '1900-01-01') }), -32022, 400);
    expect(bad.data).toEqual({ supported: ['2026-07-28', '2025-11-25'], requested: '1900-01-01' });
  });

  it('subscriptions/listen: acknowledged first, then notifications/tasks for the acknowledged task only', async () => {
    const gate1 = unique('sub');
    const gate2 = unique('sub');
    const t1 = (await createTask(c, 'gated_job', { gateId: gate1 })).taskId as string;
    const t2 = (await createTask(c, 'gated_job', { gateId: gate2 })).taskId as string;
    expectError(await (await c.listen({ taskIds: [t1] }, { caps: NOEXT })).answer, -32021, 400);
    const sub = await c.listen({ taskIds: [t1, crypto.randomUUID()] });
    const ack = await sub.next((m) => m.method === 'notifications/subscriptions/acknowledged', 'acknowledgement');
    expect(sub.messages[0]).toBe(ack);
    expect(ack.params).toEqual({ notifications: { taskIds: [t1] }, _meta: { [SUBSCRIPTION_ID]: sub.id } });
    await release(c, gate1);
    await release(c, gate2);
    const done = await sub.next(
      (m) => m.method === 'notifications/tasks' && (m.params as Json).status === 'completed',
      'completed notification',
    );
    expect(done.params).toMatchObject({
      taskId: t1,
      result: { content: [{ type: 'text', text: `released:${gate1}` }] },
      _meta: { [SUBSCRIPTION_ID]: sub.id },
    });
    await pollTask(c, t2, terminal);
    expect(sub.messages.some((m) => (m.params as Json).taskId === t2)).toBe(false);
    await sub.close();
  });

  it('progress flows on a direct call only; a task sends none after its CreateTaskResult', async () => {
    const direct = await c.call(
      'tools/call',
      { name: 'progress_job', arguments: { steps: 2, intervalSeconds: 0 } },
      { meta: { ...meta(NOEXT), progressToken: 'p-1' } },
    );
    expect(direct.related.map((m) => (m.params as Json).progress)).toEqual([1, 2]);
    const task = await c.call(
      'tools/call',
      { name: 'progress_job', arguments: { steps: 2, intervalSeconds: 0 } },
      { meta: { ...meta(EXT), progressToken: 'p-2' } },
    );
    expect(task.result?.resultType).toBe('task');
    await pollTask(c, task.result!.taskId as string, terminal);
    expect(task.related).toEqual([]);
    if (c instanceof StdioModernClient)
      expect(c.received.filter((m) => (m.params as Json | undefined)?.progressToken === 'p-2')).toEqual([]);
  });
}
