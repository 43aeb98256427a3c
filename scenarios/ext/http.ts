// 2.L Streamable HTTP specifics (EXT-HTTP-01..08). Each negative request is valid in every other respect
// (§4 rule 6): full _meta, the derived headers, a real taskId; only the header under test is changed.
// Gates keep the tasks running, so "the task was not cancelled" is observable without timing.
import { fail, info, MODERN_ERA, pass, skip, warn, worst, type Verdict } from '../../harness/checks.js';
import type { ModernClient } from '../../harness/modern/client.js';
import { encodeHeaderValue, HEADER_MISMATCH, META, NOEXT } from '../../harness/modern/envelope.js';
import type { RpcOutcome } from '../../harness/scenario.js';
import { describeOutcome } from '../../harness/tasks.js';
import { defineCheck, defineScenario } from '../lib/define.js';
import {
  createExtGated,
  getExt,
  httpNote,
  isTerminal,
  releaseModernGate,
  releaseExtQuietly,
  settleExt,
  cancelExt,
  withGatedTask,
} from './lib/task-flow.js';

const statusOf = async (client: ModernClient, taskId: string) => {
  const o = await getExt(client, taskId);
  return o.kind === 'result' ? String(o.result.status) : describeOutcome(o);
};

const isMismatch = (o: RpcOutcome) => o.kind === 'error' && o.error.code === HEADER_MISMATCH && o.http?.status === 400;

const HTTP_01 = defineCheck(
  {
    id: 'EXT-HTTP-01',
    name: 'Mcp-Method must match the body method',
    description:
      'tasks/get sent with Mcp-Method: tasks/cancel is refused with HTTP 400 and -32020 (HeaderMismatch), and the task is not cancelled.',
    level: 'MUST',
    specRefs: ['core/streamable-http §Server Validation'],
    fixtures: ['F-GATE'],
    transports: ['http'],
  },
  async (ctx, c) =>
    withGatedTask(ctx, async (client, gated) => {
      const o = await client.request('tasks/get', { taskId: gated.taskId }, { headers: { 'mcp-method': 'tasks/cancel' } });
      const after = await statusOf(client, gated.taskId);
      c.note('answer', `${describeOutcome(o)}${httpNote(o)}`);
      c.note('statusAfter', after);
      const verdicts: Verdict[] = [];
      if (!isMismatch(o))
        verdicts.push(
          fail(
            `tasks/get with Mcp-Method: tasks/cancel must be refused with HTTP 400 and -32020 (header mismatch); got ${describeOutcome(o)}${httpNote(o)}`,
          ),
        );
      if (after !== 'working')
        verdicts.push(fail(`after the mismatched request the task is ${after}, not working: the header's method was acted on`));
      return verdicts.length ? worst(verdicts) : pass('refused with HTTP 400 / -32020; the task kept running');
    }),
);

const HTTP_02 = defineCheck(
  {
    id: 'EXT-HTTP-02',
    name: 'Mcp-Name must match params.taskId',
    description:
      'tasks/cancel {taskId: A} with Mcp-Name: B should be refused with 400/-32020 (A-EXT-09: served normally is a WARNING); cancelling B, the header task, is a FAILURE.',
    level: 'MUST',
    specRefs: ['core/streamable-http §Server Validation', 'ext §Streamable HTTP'],
    fixtures: ['F-GATE'],
    transports: ['http'],
  },
  async (ctx, c) => {
    const client = await ctx.modern();
    const a = await createExtGated(ctx, client);
    const b = await createExtGated(ctx, client);
    try {
      const o = await cancelExt(client, a.taskId, { headers: { 'mcp-name': encodeHeaderValue(b.taskId) } });
      c.note('answer', `${describeOutcome(o)}${httpNote(o)}`);
      if (isMismatch(o)) {
        const [sa, sb] = [await statusOf(client, a.taskId), await statusOf(client, b.taskId)];
        if (sb !== 'working') return fail(`the refused tasks/cancel still changed task B (the Mcp-Name task) to ${sb}`);
        return pass(`refused with HTTP 400 / -32020; A is ${sa}, B is ${sb}`);
      }
      const pb = await client.poll(b.taskId, isTerminal, { settleMs: Math.min(ctx.timeouts.settleMs, 2_000) });
      if (pb.task?.status === 'cancelled')
        return fail(
          `tasks/cancel {taskId: A} with Mcp-Name: B cancelled B (${b.taskId}): the server acted on the header's task, not params.taskId`,
        );
      const pa = await client.poll(a.taskId, isTerminal);
      c.note('status', { A: pa.task?.status, B: pb.task?.status });
      return warn(
        `tasks/cancel with an Mcp-Name that does not match params.taskId was served (${describeOutcome(o)}; A is ${String(pa.task?.status)}); the core rule is 400 with -32020 (A-EXT-09)`,
      );
    } finally {
      await releaseExtQuietly(ctx, client, a.gateId);
      await releaseExtQuietly(ctx, client, b.gateId);
    }
  },
);

const HTTP_03 = defineCheck(
  {
    id: 'EXT-HTTP-03',
    name: 'tasks/get without Mcp-Name',
    description:
      'tasks/get without the Mcp-Name header: rejecting (400/-32020) and accepting are both defensible (A-EXT-09); the outcome is recorded.',
    level: 'MAY',
    specRefs: ['ext §Streamable HTTP'],
    fixtures: ['F-GATE'],
    transports: ['http'],
  },
  async (ctx) =>
    withGatedTask(ctx, async (client, gated) => {
      const o = await client.request('tasks/get', { taskId: gated.taskId }, { headers: { 'mcp-name': undefined } });
      return info(`tasks/get without Mcp-Name answered ${describeOutcome(o)}${httpNote(o)}`);
    }),
);

const HTTP_04 = defineCheck(
  {
    id: 'EXT-HTTP-04',
    name: 'HTTP status codes of the modern errors',
    description:
      '-32021, -32602 for a missing _meta field, -32020 and -32022 are answered with HTTP 400; an unknown method (-32601, tasks/result) with 404. Only answers with the expected code are judged.',
    level: 'MUST',
    specRefs: ['core/basic/index §_meta', 'core/streamable-http §Server Validation'],
    fixtures: ['F-GATE'],
    transports: ['http'],
  },
  async (ctx, c) =>
    withGatedTask(ctx, async (client, gated) => {
      const id = gated.taskId;
      const probes: Array<{ what: string; code: number; status: number; o: RpcOutcome }> = [
        { what: 'tasks/get without the extension', code: -32021, status: 400, o: await getExt(client, id, { caps: NOEXT }) },
        {
          what: 'tasks/get without clientCapabilities in _meta',
          code: -32602,
          status: 400,
          o: await getExt(client, id, { meta: { [META.protocolVersion]: '2026-07-28' } }),
        },
        {
          what: 'tasks/get with a mismatched Mcp-Method',
          code: HEADER_MISMATCH,
          status: 400,
          o: await getExt(client, id, { headers: { 'mcp-method': 'tasks/cancel' } }),
        },
        {
          what: 'tasks/get with protocol version 1900-01-01',
          code: -32022,
          status: 400,
          o: await getExt(client, id, { version: '1900-01-01' }),
        },
        { what: 'tasks/result (removed)', code: -32601, status: 404, o: await client.request('tasks/result', { taskId: id }) },
      ];
      const rows: string[] = [];
      const verdicts: Verdict[] = [];
      for (const p of probes) {
        const got = p.o.kind === 'error' ? p.o.error.code : undefined;
        const status = p.o.kind !== 'timeout' ? p.o.http?.status : undefined;
        rows.push(`${p.what}: ${describeOutcome(p.o)}${httpNote(p.o)}`);
        if (got === p.code && status !== p.status)
          verdicts.push(fail(`${p.what} answered ${p.code} with HTTP ${String(status)}; it must be ${p.status}`));
      }
      c.note('probes', rows);
      const judged = probes.filter((p) => p.o.kind === 'error' && p.o.error.code === p.code).length;
      if (verdicts.length) return worst(verdicts);
      if (!judged) return skip('not-applicable', `no probe got its expected error code, so no status could be judged: ${rows.join('; ')}`);
      return pass(`${judged} of ${probes.length} error answers had the expected code, each with its HTTP status`);
    }),
);

const HTTP_05 = defineCheck(
  {
    id: 'EXT-HTTP-05',
    name: 'Task operations need no session or connection',
    description:
      'A task created on one connection is read from a fresh one, a client-sent Mcp-Session-Id is ignored, and a GET on the endpoint (a 2025-11-25 standalone stream) answers 405: this revision is stateless and has no standalone stream. Any of them failing is a WARNING.',
    level: 'SHOULD',
    specRefs: ['core/basic/index §Statelessness', 'core/streamable-http'],
    fixtures: ['F-GATE'],
    transports: ['http'],
  },
  async (ctx, c) => {
    const client = await ctx.modern();
    const gated = await createExtGated(ctx, client);
    const fresh = await ctx.connectModern();
    try {
      const verdicts: Verdict[] = [];
      const elsewhere = await getExt(fresh, gated.taskId);
      c.note('freshConnection', describeOutcome(elsewhere));
      if (elsewhere.kind !== 'result')
        verdicts.push(
          warn(`tasks/get from a new connection failed (${describeOutcome(elsewhere)}${httpNote(elsewhere)}); the protocol is stateless`),
        );
      const withSession = await getExt(client, gated.taskId, { headers: { 'mcp-session-id': `bogus-${crypto.randomUUID()}` } });
      c.note('withMcpSessionId', `${describeOutcome(withSession)}${httpNote(withSession)}`);
      if (withSession.kind !== 'result')
        verdicts.push(
          warn(
            `tasks/get with a client-sent Mcp-Session-Id was refused (${describeOutcome(withSession)}${httpNote(withSession)}); this revision has no sessions, so the header should be ignored`,
          ),
        );
      const get = await client.probeGet();
      c.note('getOnTheEndpoint', get.note);
      if (get.status !== 405)
        verdicts.push(
          warn(
            `a GET on the endpoint must answer HTTP 405 (no standalone stream in this stateless revision), but got ${get.status === undefined ? get.note : `HTTP ${get.status}`}`,
          ),
        );
      return verdicts.length
        ? worst(verdicts)
        : pass('served from a fresh connection, with a bogus Mcp-Session-Id ignored, and GET on the endpoint answered 405');
    } finally {
      await fresh.close().catch(() => undefined);
      await releaseExtQuietly(ctx, client, gated.gateId);
    }
  },
);

const HTTP_06 = defineCheck(
  {
    id: 'EXT-HTTP-06',
    name: 'The end of a response stream never cancels the task',
    description:
      'After the tools/call response that created a gated task has ended (JSON body, or an SSE stream closed after the CreateTaskResult), the task still runs and completes once released; ended cancelled is a WARNING.',
    level: 'SHOULD',
    specRefs: ['core/cancellation §Transport-Specific', 'ext §Task Cancellation'],
    fixtures: ['F-GATE', 'F-GATE-RELEASE'],
    transports: ['http'],
  },
  async (ctx, c) =>
    withGatedTask(ctx, async (client, gated) => {
      c.note('createResponse', gated.outcome.http?.contentType ?? null);
      await releaseModernGate(ctx, client, gated.gateId);
      const done = await settleExt(client, gated.taskId, isTerminal, 'a terminal status');
      if (done.status === 'cancelled')
        return warn(
          `the gated task ended cancelled though only its tools/call response stream (${String(gated.outcome.http?.contentType)}) ended; closing a stream cancels that request only`,
        );
      return pass(
        `the task outlived its tools/call response (${String(gated.outcome.http?.contentType)}) and ended ${String(done.status)} after release`,
      );
    }),
);

const HTTP_07 = defineCheck(
  {
    id: 'EXT-HTTP-07',
    name: 'tasks/get answered as JSON or SSE',
    description: 'tasks/get may be answered as JSON or as an SSE stream; the content type is recorded.',
    level: 'MAY',
    specRefs: ['core/streamable-http'],
    fixtures: ['F-GATE'],
    transports: ['http'],
  },
  async (ctx) =>
    withGatedTask(ctx, async (client, gated) => {
      const o = await getExt(client, gated.taskId);
      return info(`tasks/get answered with content type ${o.kind !== 'timeout' ? String(o.http?.contentType) : 'none (no answer)'}`);
    }),
);

/** Visible ASCII only (0x21-0x7E): other task ids are sent with the Base64 sentinel here (the checklist's recipe). */
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;
const sentinel = (value: string) => `=?base64?${Buffer.from(value, 'utf8').toString('base64')}?=`;

const HTTP_08 = defineCheck(
  {
    id: 'EXT-HTTP-08',
    name: 'A Base64-sentinel Mcp-Name is decoded',
    description:
      'For a taskId that is not header-safe the client sends Mcp-Name as =?base64?…?=; the server decodes it before comparing, so the request is served.',
    level: 'MUST',
    specRefs: ['core/streamable-http §Value Encoding'],
    fixtures: ['F-GATE'],
    transports: ['http'],
  },
  async (ctx) =>
    withGatedTask(ctx, async (client, gated) => {
      if (VISIBLE_ASCII.test(gated.taskId))
        return skip('not-applicable', `the server's task ids are header-safe (e.g. ${gated.taskId}), so Mcp-Name is never Base64-encoded`);
      const o = await getExt(client, gated.taskId, { headers: { 'mcp-name': sentinel(gated.taskId) } });
      if (o.kind === 'result')
        return pass(`tasks/get with Mcp-Name ${sentinel(gated.taskId)} (taskId ${JSON.stringify(gated.taskId)}) was served`);
      return fail(
        `tasks/get of the taskId ${JSON.stringify(gated.taskId)} with the Base64-sentinel Mcp-Name ${sentinel(gated.taskId)} was refused: ${describeOutcome(o)}${httpNote(o)}; the server must decode it before comparing`,
      );
    }),
);

const scenario = defineScenario({
  name: 'ext-http',
  description: '2.L Streamable HTTP specifics (EXT-HTTP-01..08)',
  era: MODERN_ERA,
  checks: [HTTP_01, HTTP_02, HTTP_03, HTTP_04, HTTP_05, HTTP_06, HTTP_07, HTTP_08],
});

export default scenario;
