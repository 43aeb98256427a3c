// 2.D Task IDs of the 2026-07-28 extension (EXT-ID-*): unique server-generated strings with enough
// entropy that no third party can guess them. One population of 50 tasks (10 at a time) serves both.
import { fail, pass, warn, worst, type Verdict } from '../../harness/checks.js';
import { EXT } from '../../harness/modern/envelope.js';
import type { ScenarioContext } from '../../harness/scenario.js';
import { mapLimit } from '../../harness/tasks.js';
import { analyzeIds, summarizeIds } from '../lib/id-stats.js';
import { defineCheck, defineScenario } from '../lib/define.js';
import { createExtTask } from './lib/task-flow.js';

const POPULATION = 50;

/** The ids of 50 instant E-TASK tasks, created once per run of the scenario (lazily, inside the first check). */
function population(ctx: ScenarioContext): () => Promise<unknown[]> {
  let ids: Promise<unknown[]> | undefined;
  return () =>
    (ids ??= (async () => {
      const c = await ctx.modern();
      const label = ctx.nonce('id');
      const tasks = await mapLimit(
        Array.from({ length: POPULATION }, (_, i) => i),
        10,
        (i) => createExtTask(ctx, c, 'F-ECHO', { seconds: 0, label: `${label}-${i}` }, { caps: EXT }),
      );
      return tasks.map((t) => t.taskId);
    })());
}

const ID_01 = defineCheck<() => Promise<unknown[]>>(
  {
    id: 'EXT-ID-01',
    name: 'Task ids are unique server-generated strings',
    description: 'Every taskId is a non-empty string, unique to one task and never reused within the run (50 creations, 10 concurrent).',
    level: 'MUST',
    specRefs: ['ext §Tasks'],
    fixtures: ['F-ECHO'],
  },
  async (_ctx, c, { shared }) => {
    const ids = await shared();
    c.note('taskIds', ids.slice(0, 10));
    const bad = ids.filter((id) => typeof id !== 'string' || id === '');
    if (bad.length) return fail(`${bad.length} of ${ids.length} taskIds are not non-empty strings (e.g. ${JSON.stringify(bad[0])})`);
    const distinct = new Set(ids).size;
    if (distinct < ids.length) return fail(`${ids.length - distinct} of ${ids.length} taskIds repeat an earlier task's id`);
    return pass(`${ids.length} distinct taskIds`);
  },
);

const ID_02 = defineCheck<() => Promise<unknown[]>>(
  {
    id: 'EXT-ID-02',
    name: 'Task ids cannot be guessed',
    description:
      'Task ids have enough entropy that a third party cannot enumerate them: at least 16 characters, about 96 bits, no counters or time ordering.',
    level: 'MUST',
    specRefs: ['ext §Security Considerations'],
    fixtures: ['F-ECHO'],
  },
  async (_ctx, c, { shared }) => {
    const ids = (await shared()).filter((id): id is string => typeof id === 'string');
    const stats = analyzeIds(ids);
    c.note('id statistics', stats);
    const summary = summarizeIds(stats);
    const verdicts: Verdict[] = [];
    if (stats.sequential) verdicts.push(fail(`task ids are guessable: ${stats.sequential}; ids must be cryptographically random`));
    if (stats.timeOrdered) verdicts.push(warn(`task ids are time-based (${stats.timeOrdered}); a time-ordered id is partly predictable`));
    if (stats.length.min < 16) verdicts.push(warn(`task ids are short (${stats.length.min} characters; at least 16 expected)`));
    if (stats.entropyBits < 96) verdicts.push(warn(`estimated entropy of ~${Math.round(stats.entropyBits)} bits is below 96 bits`));
    return verdicts.length ? worst(verdicts.map((v) => ({ ...v, message: `${v.message} [${summary}]` }))) : pass(summary);
  },
);

export default defineScenario({
  name: 'ext-ids',
  description: '2026-07-28 task ids (EXT-ID-*)',
  era: '2026-07-28',
  setup: population,
  checks: [ID_01, ID_02],
});
