// Proof for scenarios/wire-audit.ts: run alone (its own exercise), the clean reference gives no FAILURE
// or WARNING on either transport; every injected violation is reported. The ordering rules that decide
// FAIL / WARN / nothing on HTTP are also pinned down on synthetic wire logs.
import { describe, expect, it } from 'vitest';
import type { WireEntry } from '../../harness/checks.js';
import { lastUpdatedAt } from '../../scenarios/audit/fields.js';
import { lifecycleEdges, notificationsAgree, terminalStaysTerminal } from '../../scenarios/audit/lifecycle.js';
import { httpStreamRules } from '../../scenarios/audit/http-streams.js';
import { taskObservations } from '../../scenarios/audit/observations.js';
import { byId, problems } from '../helpers/run.js';
import { messageOf, runClean, runFault, statuses, TRANSPORTS } from './core-proof.js';

const SCENARIO = 'wire-audit';
const IDS = [
  'H25-SCHEMA',
  'T25-ID-01',
  'T25-LIFE-02',
  'T25-LIFE-03',
  'T25-LIFE-04',
  'T25-TTL-01',
  'T25-TTL-02',
  'T25-TTL-03',
  'T25-TTL-07',
  'T25-META-01',
  'T25-META-03',
  'T25-NOTIF-01',
  'T25-NOTIF-02',
  'T25-NOTIF-03',
  'T25-NOTIF-04',
  'T25-HTTP-02',
];

describe('wire-audit scenario (passive checks)', () => {
  for (const transport of TRANSPORTS) {
    it(`clean reference over ${transport}, run alone: no FAILURE or WARNING; NOTIF-01 records coverage`, async () => {
      const r = await runClean(SCENARIO, transport);
      expect(problems(r, IDS)).toEqual([]);
      const expected = Object.fromEntries(IDS.map((id) => [id, 'SUCCESS']));
      expected['T25-NOTIF-01'] = 'INFO';
      if (transport === 'stdio') expected['T25-HTTP-02'] = 'SKIPPED';
      expect(statuses(r, IDS)).toEqual(expected);
      // The exercise produced something of every kind the audit reads.
      expect(messageOf(byId(r, 'T25-META-01'))).toMatch(/all [1-9]\d* successful tasks\/result/);
      const tasks = Number(/observation\(s\) of (\d+) task/.exec(messageOf(byId(r, 'T25-LIFE-02')))?.[1]);
      expect(tasks).toBeGreaterThanOrEqual(5);
      const coverage = byId(r, 'T25-NOTIF-01');
      expect(messageOf(coverage)).toMatch(/status notification\(s\); transitions notified\/observed: .*working->completed \d+\/\d+/);
      expect(coverage.details?.transitions).toHaveProperty(['working->cancelled']);
    });
  }

  it.each([
    ['H25-SCHEMA', 'stdio', 'FAILURE', /InitializeResult: \/serverInfo must have required property 'version'/],
    ['T25-ID-01', 'stdio', 'FAILURE', /taskId is not a string/],
    ['T25-LIFE-02', 'stdio', 'FAILURE', /"submitted" in tasks\/get result/],
    ['T25-LIFE-03', 'stdio', 'FAILURE', /a terminal task changed status: task \S+: "completed" in .* then "failed" in tasks\/get result/],
    ['T25-LIFE-03', 'http', 'FAILURE', /a terminal task changed status/],
    ['T25-LIFE-04', 'stdio', 'FAILURE', /createdAt changed between representations/],
    ['T25-TTL-01', 'stdio', 'FAILURE', /createdAt is not an ISO 8601/],
    ['T25-TTL-02', 'stdio', 'FAILURE', /lastUpdatedAt is not an ISO 8601/],
    ['T25-TTL-03', 'stdio', 'FAILURE', /tasks\/get result\(s\) without ttl/],
    ['T25-TTL-07', 'stdio', 'FAILURE', /pollInterval is not a number/],
    ['T25-META-01', 'stdio', 'FAILURE', /successful tasks\/result response\(s\) lack _meta/],
    ['T25-META-03', 'stdio', 'WARNING', /tasks\/get result\(s\) carry _meta/],
    ['T25-NOTIF-02', 'stdio', 'FAILURE', /statusMessage must be string/],
    ['T25-NOTIF-03', 'stdio', 'WARNING', /status notification\(s\) carry _meta/],
    ['T25-NOTIF-04', 'stdio', 'FAILURE', /"completed" in notifications\/tasks\/status .* then "working" in notifications\/tasks\/status/],
    ['T25-NOTIF-04', 'http', 'WARNING', /contradict the lifecycle/],
    ['T25-HTTP-02', 'http', 'FAILURE', /delivered on more than one stream .* on POST \d+ and GET/],
  ] as const)('--violate %s (%s) makes it %s', async (id, transport, status, message) => {
    const r = await runFault(SCENARIO, id, transport);
    expect(r.status).toBe(status);
    expect(messageOf(r)).toMatch(message);
  });
});

// ---- synthetic wire logs: one HTTP task, exchanges and notifications in a chosen order

const TASK = { taskId: 't-1', createdAt: '2025-11-25T10:00:00.000Z', ttl: 60000 };
let seq = 0;
function entry(e: Partial<WireEntry> & Pick<WireEntry, 'dir' | 'message'>): WireEntry {
  return { seq: seq++, t: seq, transport: 'http', connection: 'http#1', ...e };
}
const send = (id: number, method: string, params: Record<string, unknown>) =>
  entry({ dir: 'send', channel: 'POST', message: { jsonrpc: '2.0', id, method, params } });
const answer = (id: number, method: string, params: Record<string, unknown>, result: unknown) =>
  entry({ dir: 'recv', channel: `POST ${id}`, answers: { method, params }, message: { jsonrpc: '2.0', id, result } });
const statusNote = (status: string, at: string, channel = 'GET') =>
  entry({
    dir: 'recv',
    channel,
    message: { jsonrpc: '2.0', method: 'notifications/tasks/status', params: { ...TASK, status, lastUpdatedAt: at } },
  });
const task = (status: string, at: string) => ({ ...TASK, status, lastUpdatedAt: at });

describe('wire-audit ordering rules on HTTP (synthetic logs)', () => {
  it('a tasks/get sent before a terminal notification arrived may show the older status: no verdict', () => {
    seq = 0;
    const wire = [
      send(1, 'tasks/get', { taskId: 't-1' }),
      statusNote('completed', '2025-11-25T10:00:02.000Z', 'POST 9'),
      answer(1, 'tasks/get', { taskId: 't-1' }, task('input_required', '2025-11-25T10:00:01.000Z')),
    ];
    const obs = taskObservations(wire, 'http');
    expect(lifecycleEdges(obs, 'http').status).toBe('SUCCESS');
    expect(notificationsAgree(obs, 'http').status).toBe('SUCCESS');
  });

  it('a tasks/get sent after a terminal notification arrived must not regress: WARNING (notification involved)', () => {
    seq = 0;
    const wire = [
      statusNote('completed', '2025-11-25T10:00:02.000Z'),
      send(1, 'tasks/get', { taskId: 't-1' }),
      answer(1, 'tasks/get', { taskId: 't-1' }, task('working', '2025-11-25T10:00:03.000Z')),
    ];
    const obs = taskObservations(wire, 'http');
    expect(lifecycleEdges(obs, 'http').status).toBe('WARNING');
    expect(notificationsAgree(obs, 'http').status).toBe('WARNING');
    // The same sequence on stdio is wire-ordered: FAILURE.
    const stdio = wire.map((e) => ({ ...e, transport: 'stdio' as const, connection: 'stdio#1', channel: 'stdio' }));
    expect(lifecycleEdges(taskObservations(stdio, 'stdio'), 'stdio').status).toBe('FAILURE');
  });

  it('two ordered exchanges that regress from terminal: FAILURE even on HTTP; overlapping ones: no verdict', () => {
    seq = 0;
    const ordered = [
      send(1, 'tasks/get', { taskId: 't-1' }),
      answer(1, 'tasks/get', { taskId: 't-1' }, task('completed', '2025-11-25T10:00:02.000Z')),
      send(2, 'tasks/get', { taskId: 't-1' }),
      answer(2, 'tasks/get', { taskId: 't-1' }, task('working', '2025-11-25T10:00:02.000Z')),
    ];
    expect(lifecycleEdges(taskObservations(ordered, 'http'), 'http').status).toBe('FAILURE');
    seq = 0;
    const overlapping = [
      send(1, 'tasks/get', { taskId: 't-1' }),
      send(2, 'tasks/get', { taskId: 't-1' }),
      answer(2, 'tasks/get', { taskId: 't-1' }, task('completed', '2025-11-25T10:00:02.000Z')),
      answer(1, 'tasks/get', { taskId: 't-1' }, task('working', '2025-11-25T10:00:01.000Z')),
    ];
    expect(lifecycleEdges(taskObservations(overlapping, 'http'), 'http').status).toBe('SUCCESS');
  });

  it('LIFE-03 over the run: a move out of a terminal status fails with both observations cited', () => {
    seq = 0;
    const wire = [
      send(1, 'tasks/get', { taskId: 't-1' }),
      answer(1, 'tasks/get', { taskId: 't-1' }, task('completed', '2025-11-25T10:00:02.000Z')),
      send(2, 'tasks/get', { taskId: 't-1' }),
      answer(2, 'tasks/get', { taskId: 't-1' }, task('failed', '2025-11-25T10:00:03.000Z')),
    ];
    const v = terminalStaysTerminal(taskObservations(wire, 'http'), 'http');
    expect(v.status).toBe('FAILURE');
    expect(v.details?.regressions).toEqual([expect.objectContaining({ from: 'completed', to: 'failed', fromSeq: 1, toSeq: 3 })]);
  });

  it('stdio, causal order (FINDINGS C9): a response to a request sent before a notification arrived may carry an older lastUpdatedAt', () => {
    const onStdio = (w: WireEntry[]) => w.map((e) => ({ ...e, transport: 'stdio' as const, connection: 'stdio#1', channel: 'stdio' }));
    seq = 0;
    const crossed = onStdio([
      send(1, 'tasks/get', { taskId: 't-1' }),
      statusNote('working', '2025-11-25T10:00:11.389Z'),
      answer(1, 'tasks/get', { taskId: 't-1' }, task('input_required', '2025-11-25T10:00:11.382Z')),
    ]);
    const obs = taskObservations(crossed, 'stdio');
    expect(lastUpdatedAt(obs, 'stdio').status).toBe('SUCCESS');
    expect(lifecycleEdges(obs, 'stdio').status).toBe('SUCCESS');
    // Sent after the notification arrived, the same older answer is a step backwards.
    seq = 0;
    const after = onStdio([
      statusNote('working', '2025-11-25T10:00:11.389Z'),
      send(1, 'tasks/get', { taskId: 't-1' }),
      answer(1, 'tasks/get', { taskId: 't-1' }, task('working', '2025-11-25T10:00:11.382Z')),
    ]);
    expect(lastUpdatedAt(taskObservations(after, 'stdio'), 'stdio').status).toBe('WARNING');
  });

  it('a status outside the enum fails whatever the transport', () => {
    seq = 0;
    const wire = [
      send(1, 'tasks/get', { taskId: 't-1' }),
      answer(1, 'tasks/get', { taskId: 't-1' }, task('submitted', '2025-11-25T10:00:01.000Z')),
    ];
    expect(lifecycleEdges(taskObservations(wire, 'http'), 'http').status).toBe('FAILURE');
  });

  it('HTTP stream rules: a response on the GET stream fails; a replay with the same event id is not a duplicate', () => {
    seq = 0;
    const onGet = [entry({ dir: 'recv', channel: 'GET', message: { jsonrpc: '2.0', id: 3, result: {} } })];
    expect(httpStreamRules(onGet).status).toBe('FAILURE');
    seq = 0;
    const note = { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 'p', progress: 1 } };
    const replay = [
      entry({ dir: 'recv', channel: 'POST 4', eventId: 'e-7', message: note }),
      entry({ dir: 'recv', channel: 'GET (resume e-6)', eventId: 'e-7', message: note }),
    ];
    expect(httpStreamRules(replay).status).toBe('SUCCESS');
    seq = 0;
    const reused = [
      entry({ dir: 'recv', channel: 'POST 4', eventId: 'e-1', message: note }),
      entry({ dir: 'recv', channel: 'GET', eventId: 'e-1', message: { ...note, params: { progressToken: 'p', progress: 2 } } }),
    ];
    const verdict = httpStreamRules(reused);
    expect(verdict.status).toBe('FAILURE');
    expect(verdict.message).toMatch(/event id\(s\) were used for different events/);
  });
});
