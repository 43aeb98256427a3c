// Transport hygiene: is the traffic of the run well-formed and bounded? H25-21 reads every response the
// sessions recorded (duplicates, unknown ids, results of the wrong shape for their method) and probes
// actively, over HTTP, that two sessions using the same JSON-RPC id at the same time get their own
// answers. H25-22 reports every session the harness ended for exceeding an intake limit (message size,
// unsolicited message count: harness/transport/limits.ts). Runs last, so it judges the whole run.
import { fail, pass, type Verdict, type WireEntry } from '../harness/checks.js';
import type { JsonObject, RpcOutcome, ScenarioContext, Session } from '../harness/scenario.js';
import { gateState, releaseGate, within } from '../harness/tasks.js';
import { DUPLICATE_RESPONSE_NOTE, INTAKE_LIMIT_NOTE, UNKNOWN_ID_NOTE } from '../harness/wire-notes.js';
import { defineCheck, defineScenario } from './lib/define.js';
import { j } from './lib/format.js';

const isObject = (v: unknown): v is JsonObject => Boolean(v) && typeof v === 'object' && !Array.isArray(v);

/** What a result must look like for the methods whose answers are unmistakable (undefined: it does). */
const RESULT_SHAPES: Record<string, (r: JsonObject) => string | undefined> = {
  initialize: (r) =>
    typeof r.protocolVersion === 'string' && isObject(r.capabilities) ? undefined : 'no protocolVersion and capabilities',
  ping: (r) => (Object.keys(r).every((k) => k === '_meta') ? undefined : `members ${Object.keys(r).join(', ')} in an empty result`),
  'tools/list': (r) => (Array.isArray(r.tools) ? undefined : 'no tools array'),
  'resources/list': (r) => (Array.isArray(r.resources) ? undefined : 'no resources array'),
  'prompts/list': (r) => (Array.isArray(r.prompts) ? undefined : 'no prompts array'),
};

interface Finding {
  kind: 'duplicate' | 'unknown id' | 'wrong shape' | 'crossed';
  text: string;
}

/** Responses recorded on this transport that break H25-21. */
function passiveFindings(entries: WireEntry[]): { findings: Finding[]; responses: number } {
  const findings: Finding[] = [];
  let responses = 0;
  for (const e of entries) {
    if (e.dir !== 'recv' || !isObject(e.message) || !('result' in e.message || 'error' in e.message) || 'method' in e.message) continue;
    responses++;
    const at = `${e.connection} seq ${e.seq}`;
    if (e.note?.startsWith(DUPLICATE_RESPONSE_NOTE)) findings.push({ kind: 'duplicate', text: `${at}: ${e.note}` });
    // id null answers a message the server could not parse (robustness checks send such on purpose).
    else if (e.note?.startsWith(UNKNOWN_ID_NOTE) && e.message.id !== null) findings.push({ kind: 'unknown id', text: `${at}: ${e.note}` });
    const shape = e.answers ? RESULT_SHAPES[e.answers.method] : undefined;
    const problem = shape && isObject(e.message.result) ? shape(e.message.result) : undefined;
    if (problem)
      findings.push({ kind: 'wrong shape', text: `${at}: the answer to ${e.answers!.method} has ${problem}: ${j(e.message.result, 120)}` });
  }
  return { findings, responses };
}

const isCallResult = (o: RpcOutcome) => o.kind === 'result' && Array.isArray(o.result.content);
const isEmptyResult = (o: RpcOutcome) => o.kind === 'result' && Object.keys(o.result).every((k) => k === '_meta');

/**
 * Two HTTP sessions, one JSON-RPC id at the same time: A's gated tools/call (held open until released)
 * and then B's ping. A server that matches responses by id alone answers A's call with B's ping result
 * and B's ping with A's call result.
 */
async function sameIdProbe(ctx: ScenarioContext, note: (k: string, v: unknown) => void): Promise<Finding[] | string> {
  if (ctx.transport !== 'http') return 'not probed: over stdio every session has its own process';
  if (!ctx.fixtures.has('F-GATE') || !ctx.fixtures.has('F-GATE-RELEASE') || !ctx.fixtures.has('F-GATE-STATE'))
    return 'not probed: needs the gate fixtures (gated_job, release_gate, gate_state)';
  const a = await ctx.connect();
  const b = await ctx.connect();
  const id = 1_000_000_000 + Math.floor(Math.random() * 1_000_000);
  const gateId = ctx.nonce('h25-21');
  const settle = ctx.timeouts.settleMs;
  const call = a.request('tools/call', { name: ctx.fixtures.tool('F-GATE'), arguments: ctx.fixtures.args('F-GATE', { gateId }) }, { id });
  try {
    // B may only send once the server holds A's call, or there is nothing to cross.
    const deadline = Date.now() + settle;
    while ((await gateState(a, ctx.fixtures, gateId)) !== 'waiting') {
      if (Date.now() > deadline) return `not probed: the gated call never reached "waiting" within ${settle} ms`;
      await new Promise((r) => setTimeout(r, 50));
    }
    const ping = b.request('ping', undefined, { id, timeoutMs: settle });
    await within(Promise.race([call, ping]), settle);
    await releaseGate(a, ctx.fixtures, gateId).catch(() => undefined);
    const [callOutcome, pingOutcome] = await Promise.all([call, ping]);
    note('sameIdProbe', { id, sessions: [a.name, b.name], call: callOutcome, ping: pingOutcome });
    const findings: Finding[] = [];
    if (!isCallResult(callOutcome) && isEmptyResult(callOutcome))
      findings.push({
        kind: 'crossed',
        text: `session ${a.name}'s tools/call (id ${id}) was answered with an empty result: ${b.name}'s ping answer`,
      });
    if (pingOutcome.kind === 'result' && isCallResult(pingOutcome))
      findings.push({
        kind: 'crossed',
        text: `session ${b.name}'s ping (id ${id}) was answered with a tools/call result: ${a.name}'s answer`,
      });
    return findings;
  } finally {
    await releaseGate(a, ctx.fixtures, gateId).catch(() => undefined);
    await Promise.all([a.close(), b.close()]).catch(() => undefined);
  }
}

function summarize(findings: Finding[]): string {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(f.kind, (counts.get(f.kind) ?? 0) + 1);
  const samples = findings.slice(0, 3).map((f) => f.text);
  return `${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')}; e.g. ${samples.join(' | ')}`;
}

const H25_21 = defineCheck(
  {
    id: 'H25-21',
    name: 'Every response answers its own request, once',
    description:
      "Every response arrives on the connection that sent its request, answers that request's method, and arrives once: no duplicate responses, no responses to ids never sent, no results of the wrong shape; over HTTP, two sessions using the same JSON-RPC id at once each get their own answer.",
    level: 'MUST',
    specRefs: ['basic §Responses', 'transports §Sending Messages to the Server'],
    fixtures: [],
  },
  async (ctx, c) => {
    const session: Session = await ctx.session();
    // A little traffic of its own, so the check means something when run alone.
    await session.request('ping');
    const probe = await sameIdProbe(ctx, (k, v) => c.note(k, v));
    const { findings, responses } = passiveFindings(ctx.wire().filter((e) => e.transport === ctx.transport));
    const all = [...(typeof probe === 'string' ? [] : probe), ...findings];
    c.note('findings', { count: all.length, samples: all.slice(0, 10) });
    if (all.length) return fail(`responses that do not answer their own request on their own session: ${summarize(all)}`);
    const probed = typeof probe === 'string' ? `; same-id probe ${probe}` : '; two sessions using one id at once each got their own answer';
    return pass(`${responses} response(s) on ${ctx.transport}: none duplicated, none to an unknown id, none of the wrong shape${probed}`);
  },
);

const H25_22 = defineCheck(
  {
    id: 'H25-22',
    name: 'Traffic stays bounded',
    description:
      'No session exceeds the intake limits: every message (HTTP body, SSE event, stdout line) within --max-message-bytes and at most --max-server-messages notifications and server requests per session. A session that exceeds one is ended by the harness.',
    level: 'MUST',
    specRefs: ['transports'],
    fixtures: [],
  },
  async (ctx, c): Promise<Verdict> => {
    const ended = ctx.wire().filter((e) => e.transport === ctx.transport && e.note?.startsWith(INTAKE_LIMIT_NOTE));
    if (!ended.length) return pass(`no session on ${ctx.transport} exceeded an intake limit`);
    const samples = ended.slice(0, 5).map((e) => `${e.connection} (wire seq ${e.seq}): ${e.note!.slice(INTAKE_LIMIT_NOTE.length)}`);
    c.note('endedSessions', { count: ended.length, samples, seqs: ended.slice(0, 50).map((e) => e.seq) });
    return fail(`the harness ended ${ended.length} session(s) that went over an intake limit: ${samples.join(' | ')}`);
  },
);

const scenario = defineScenario({
  name: 'transport-hygiene',
  description: 'Harness: responses answer their own request once (H25-21), traffic stays within the intake limits (H25-22)',
  checks: [H25_21, H25_22],
  runs: 'last',
});
export default scenario;
