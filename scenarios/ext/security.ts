// 2.N Security (EXT-SEC-01, EXT-SEC-02): tasks are bound to the principal that created them (S-AUTH over
// HTTP, two bearer tokens): another principal cannot read, answer or cancel them; and there is no task
// listing through which tasks could leak.
import { fail, info, MODERN_ERA, pass, skip, worst, type Verdict } from '../../harness/checks.js';
import type { RpcOutcome } from '../../harness/scenario.js';
import { describeOutcome } from '../../harness/tasks.js';
import { defineCheck, defineScenario } from '../lib/define.js';
import { cancelExt, createExtGated, getExt, httpNote, releaseExtQuietly, updateExt } from './lib/task-flow.js';

const refused = (o: RpcOutcome) => o.kind === 'error' || (o.kind === 'closed' && [401, 403, 404].includes(o.http?.status ?? 0));

const SEC_01 = defineCheck(
  {
    id: 'EXT-SEC-01',
    name: 'Another principal cannot reach a task',
    description:
      "With two principals (S-AUTH), B's tasks/get, tasks/update and tasks/cancel of A's running task are each rejected (any JSON-RPC error or HTTP 401/403/404; -32602 keeps existence secret), and A still sees it working.",
    level: 'MUST',
    specRefs: ['ext §Security Considerations'],
    fixtures: ['S-AUTH', 'F-GATE'],
    transports: ['http'],
  },
  async (ctx, c) => {
    if (ctx.principals < 2) return skip('missing-fixture', 'two principals are needed (S-AUTH: two --auth-token values)', ['S-AUTH']);
    const a = await ctx.modern();
    const b = await ctx.connectModern({ principal: 1 });
    const gated = await createExtGated(ctx, a);
    try {
      const attempts: Array<[string, RpcOutcome]> = [
        ['tasks/get', await getExt(b, gated.taskId)],
        ['tasks/update', await updateExt(b, gated.taskId, {})],
        ['tasks/cancel', await cancelExt(b, gated.taskId)],
      ];
      c.note('otherPrincipal', Object.fromEntries(attempts.map(([m, o]) => [m, `${describeOutcome(o)}${httpNote(o)}`])));
      const verdicts: Verdict[] = attempts
        .filter(([, o]) => !refused(o))
        .map(([m, o]) =>
          fail(`${m} of principal A's task by principal B was served (${describeOutcome(o)}); tasks are bound to their principal`),
        );
      const own = await getExt(a, gated.taskId);
      if (own.kind !== 'result' || own.result.status !== 'working')
        verdicts.push(
          fail(
            `after principal B's attempts, principal A sees its task as ${own.kind === 'result' ? String(own.result.status) : describeOutcome(own)}, not working`,
          ),
        );
      return verdicts.length
        ? worst(verdicts)
        : pass(
            `principal B was refused all three (${attempts.map(([m, o]) => `${m}: ${describeOutcome(o)}`).join('; ')}); A's task kept running`,
          );
    } finally {
      await releaseExtQuietly(ctx, a, gated.gateId);
      await b.close().catch(() => undefined);
    }
  },
);

const SEC_02 = defineCheck(
  {
    id: 'EXT-SEC-02',
    name: 'No task listing to leak tasks through',
    description:
      'The extension defines no task listing, so tasks of one caller cannot leak to another through a list; tasks/list is probed and recorded (EXT-DISP-02 judges it).',
    level: 'MAY',
    specRefs: ['ext §Security Considerations'],
    fixtures: [],
  },
  async (ctx) => {
    const o = await (await ctx.modern()).request('tasks/list', {});
    if (o.kind === 'result')
      return info(`tasks/list is served (${describeOutcome(o)}): a listing other callers' tasks could leak through (EXT-DISP-02)`);
    return info(`tasks/list answered ${describeOutcome(o)}${httpNote(o)}: no listing`);
  },
);

const scenario = defineScenario({
  name: 'ext-security',
  description: '2.N Security (EXT-SEC-01, EXT-SEC-02)',
  era: MODERN_ERA,
  checks: [SEC_01, SEC_02],
});

export default scenario;
