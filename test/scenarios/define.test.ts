// defineCheck / defineScenario without a server: requirements skip before the run with the reasons of
// scenarios/lib/preconditions.ts, checks run in list order through ctx.check, setup is shared and
// earlier verdicts are visible to later checks.
import { describe, expect, it } from 'vitest';
import { info, pass, type CheckSpec, type Verdict } from '../../harness/checks.js';
import type { CheckContext, JsonObject, ScenarioContext, Session } from '../../harness/scenario.js';
import { defineCheck, defineScenario, type CheckScope } from '../../scenarios/lib/define.js';

const spec = (id: string): CheckSpec => ({ id, name: id, description: id, level: 'MUST', specRefs: [], fixtures: [] });

/** Just enough of a ScenarioContext: one main session with these capabilities, F-GATE as gated_job. */
function context(capabilities: JsonObject, gateSupport?: string) {
  const checked: string[] = [];
  const session = { serverCapabilities: capabilities } as unknown as Session;
  const ctx = {
    transport: 'stdio',
    fixtures: {
      has: (role: string) => role === 'F-GATE',
      tool: () => 'gated_job',
      args: (_role: string, a: JsonObject) => a,
      tools: [{ name: 'gated_job', ...(gateSupport ? { execution: { taskSupport: gateSupport } } : {}) }],
    },
    session: async () => session,
    check: async (s: CheckSpec, block: (c: CheckContext) => Promise<Verdict>) => {
      checked.push(s.id);
      return block({ spec: s, note: () => undefined });
    },
  } as unknown as ScenarioContext;
  return { ctx, checked };
}

async function verdictOf(requires: Parameters<typeof defineCheck>[0]['requires'], capabilities: JsonObject, gateSupport?: string) {
  const verdicts: Verdict[] = [];
  let ran = false;
  const check = defineCheck({ ...spec('X-01'), requires }, async () => {
    ran = true;
    return pass('ran');
  });
  const probe = defineCheck(spec('X-02'), async (_ctx, _c, { earlier }) => {
    verdicts.push(earlier.get('X-01')!);
    return info('read');
  });
  const { ctx } = context(capabilities, gateSupport);
  await defineScenario({ name: 's', description: 's', checks: [check, probe] }).run(ctx);
  return { verdict: verdicts[0]!, ran };
}

describe('defineCheck requirements', () => {
  it('skip before the run with the first unmet requirement, in the order given', async () => {
    const none = await verdictOf(['tasks', 'tasks.cancel'], {});
    expect(none.ran).toBe(false);
    expect(none.verdict.status).toBe('SKIPPED');
    expect(none.verdict.skip).toEqual({
      kind: 'missing-capability',
      reason: 'the server declares no capabilities.tasks, so tasks/* requests are not expected to work',
      enabledBy: ['tasks'],
    });
    const noCancel = await verdictOf(['tasks', 'tasks.cancel'], { tasks: { list: {} } });
    expect(noCancel.verdict.message).toBe('the server does not declare capabilities.tasks.cancel, so tasks/cancel is not expected to work');
  });

  it('"<role> as task" needs tasks.requests.tools.call and a tool with taskSupport optional or required', async () => {
    const caps = { tasks: { requests: { tools: { call: {} } } } };
    const noToolTasks = await verdictOf(['F-GATE as task'], { tasks: {} }, 'optional');
    expect(noToolTasks.verdict.skip?.enabledBy).toEqual(['tasks.requests.tools.call']);
    const forbidden = await verdictOf(['F-GATE as task'], caps, 'forbidden');
    expect(forbidden.verdict.message).toBe(
      'tool gated_job (F-GATE) advertises execution.taskSupport "forbidden", so it may not be called as a task',
    );
    const missing = await verdictOf(['F-ECHO as task'], caps, 'optional');
    expect(missing.verdict.skip).toEqual({ kind: 'missing-fixture', reason: 'fixture F-ECHO is not exposed', enabledBy: ['F-ECHO'] });
    const met = await verdictOf(['tasks', 'F-GATE as task'], caps, 'optional');
    expect(met.ran).toBe(true);
    expect(met.verdict.message).toBe('ran');
  });
});

describe('defineScenario', () => {
  it('runs setup once, then every check in list order through ctx.check, sharing what setup made', async () => {
    let setups = 0;
    const seen: string[] = [];
    const check = (id: string) =>
      defineCheck(spec(id), async (_ctx, _c, { shared }: CheckScope<{ label: string }>) => {
        seen.push(`${id}:${shared.label}`);
        return pass();
      });
    const { ctx, checked } = context({});
    const s = defineScenario({
      name: 's',
      description: 's',
      setup: () => ({ label: `setup${++setups}` }),
      checks: [check('B'), check('A')],
    });
    expect(s.checks.map((c) => c.id)).toEqual(['B', 'A']);
    await s.run(ctx);
    expect(checked).toEqual(['B', 'A']);
    expect(seen).toEqual(['B:setup1', 'A:setup1']);
  });
});
