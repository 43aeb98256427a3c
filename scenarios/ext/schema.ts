// H-EXT-SCHEMA: every server message of the 2026-07-28 era the run received, validated against the official
// 2026-07-28 core schema and the Tasks extension schema (harness/modern/schema.ts), as H25-SCHEMA does for
// 2025-11-25. Runs last, so it reads what every other 2026-07-28 scenario exchanged on this transport; a
// small exercise of its own first, so that it means something when run alone (`--scenario ext-schema`).
// The requirement file has no row for a run-wide audit (its rule: "the schema is violated" is a FAIL), so
// the id follows H25-SCHEMA's pattern.
import { fail, info, pass, type Verdict, type WireEntry } from '../../harness/checks.js';
import { EXT } from '../../harness/modern/envelope.js';
import { modernViolations } from '../../harness/modern/schema.js';
import type { JsonObject, ScenarioContext } from '../../harness/scenario.js';
import { cite } from '../audit/observations.js';
import { defineCheck, defineScenario } from '../lib/define.js';
import { createExtTask, isTerminal } from './lib/task-flow.js';

const MAX_CITED = 20;

/** A little traffic of every kind: discover, lists, a task polled to its end. */
async function exercise(ctx: ScenarioContext): Promise<void> {
  const c = await ctx.modern();
  try {
    await c.discover();
    await c.request('tools/list', {}, { caps: EXT });
    if (!ctx.fixtures.has('F-ECHO')) return;
    const { task } = await createExtTask(ctx, c, 'F-ECHO', { seconds: 0, label: ctx.nonce('schema') }, { caps: EXT });
    await c.poll(task.taskId as string, isTerminal, { caps: EXT });
  } catch (e) {
    ctx.log(`ext-schema exercise failed: ${(e as Error).message}`);
  }
}

/**
 * The 2026-07-28 server messages of this transport. A legacy session opened by a 2026-07-28 check (a
 * dual-era probe such as EXT-NEG-08) is recorded in this era's log too; its connection sent initialize,
 * and its messages are H25-SCHEMA's. Error bodies with an HTTP error status are checked too: this era
 * answers JSON-RPC errors with 400 or 404 (EXT-HTTP-04).
 */
function modernMessages(ctx: ScenarioContext): WireEntry[] {
  const wire = ctx.wire().filter((e) => e.transport === ctx.transport);
  const legacy = new Set(
    wire.filter((e) => e.dir === 'send' && (e.message as JsonObject | undefined)?.method === 'initialize').map((e) => e.connection),
  );
  const isObject = (m: unknown) => typeof m === 'object' && m !== null && !Array.isArray(m);
  return wire.filter((e) => e.dir === 'recv' && isObject(e.message) && !legacy.has(e.connection));
}

/** H-EXT-SCHEMA's verdict over the recorded messages. */
export function modernSchemaValid(messages: WireEntry[]): Verdict {
  const bad: Array<Record<string, unknown>> = [];
  for (const e of messages) {
    const violations = modernViolations(e.message as JsonObject, e.answers?.method);
    if (violations.length) bad.push({ ...cite(e, 400), violations });
  }
  const details = { checked: messages.length };
  if (messages.length === 0) return info('no 2026-07-28 server message was recorded on this transport', details);
  if (bad.length) {
    const first = bad[0]!;
    return fail(
      `${bad.length} of ${messages.length} server message(s) violate the 2026-07-28 or Tasks extension JSON Schema; first: seq ${String(first.seq)}: ${(first.violations as string[]).slice(0, 3).join('; ')}`,
      { ...details, violations: bad.slice(0, MAX_CITED) },
    );
  }
  return pass(`all ${messages.length} server message(s) validate against the 2026-07-28 and Tasks extension JSON Schemas`, details);
}

const SCHEMA = defineCheck(
  {
    id: 'H-EXT-SCHEMA',
    name: 'Every 2026-07-28 server message validates against the JSON Schemas',
    description:
      'Every message the server sent in the 2026-07-28 era during the run (responses by the request they answer, errors, notifications) validates against the official 2026-07-28 core schema, task shapes against the Tasks extension schema; a JSON-RPC request from the server is a violation too (none exist in this era).',
    level: 'MUST',
    specRefs: ['core schema 2026-07-28', 'ext schema'],
    fixtures: [],
    withoutTasksExtension: true,
  },
  async (ctx) => modernSchemaValid(modernMessages(ctx)),
);

export default defineScenario({
  name: 'ext-schema',
  description: '2026-07-28: every recorded server message against the official JSON Schemas (run last)',
  era: '2026-07-28',
  runs: 'last',
  setup: exercise,
  checks: [SCHEMA],
});
