// The verdicts of FINDINGS C4, C11 and H25-01 on the real servers that showed them (test/helpers/real-servers.ts):
//   sdk-bench-server (McpServer + InMemoryTaskStore, pollInterval 1000): a 10-year ttl is granted and the task
//     deleted at once (setTimeout overflow) => T25-TTL-06 WARNING; tasks/result and direct calls answer on
//     1 s ticks => H25-01 WARNING with the figures, and H25-20 names the SDK behaviour.
//   sdk-simple-task-interactive: the sampling request of write_haiku is sent only inside tasks/result, so a
//     requestor that only polls tasks/get waits forever; pollUntil opens tasks/result on input_required (C4).
// Every verdict asserted here is the server's deliberate behaviour, not a timing accident.
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../harness/checks.js';
import { execute } from '../../harness/cli/execute.js';
import { loadFixtureMapping } from '../../harness/fixtures.js';
import type { Scenario } from '../../harness/scenario.js';
import type { TargetSpec } from '../../harness/transport/target.js';
import robustness from '../../scenarios/robustness.js';
import status from '../../scenarios/status.js';
import ttl from '../../scenarios/ttl.js';
import { commandOf, REAL_SERVERS, type RealServerName } from '../helpers/real-servers.js';
import { byId, only } from '../helpers/run.js';

const TIMEOUT = 180_000;

async function against(name: RealServerName, transport: 'stdio' | 'http', scenarios: Scenario[]): Promise<CheckResult[]> {
  const [command, ...args] = commandOf(name, transport);
  const spec: TargetSpec =
    transport === 'stdio' ? { kind: 'stdio', command: command!, args } : { kind: 'http-command', command: command!, args };
  const file = REAL_SERVERS[name].fixtures;
  const { run } = await execute({ specs: [spec], scenarios, fixtures: file ? loadFixtureMapping(file) : undefined });
  if (run.fatal) throw new Error(run.fatal.message);
  return run.results.filter((r) => r.status !== 'SKIPPED' || r.skip?.kind !== 'not-selected');
}

describe('deviations of real servers, as the checks report them', () => {
  it('sdk-bench-server: a 10-year ttl deleted at once is T25-TTL-06 WARNING (C11)', { timeout: TIMEOUT }, async () => {
    const r = byId(await against('sdk-bench-server', 'stdio', [only(ttl, ['T25-TTL-06'])]), 'T25-TTL-06');
    expect(r.status, r.errorMessage).toBe('WARNING');
    expect(r.errorMessage).toMatch(/granted ttl 315360000000 ms but deleted after at most \d+ ms .*timer overflow/);
  });

  it('sdk-bench-server: answers on 1 s ticks are H25-01 WARNING with the figures; H25-20 names the SDK', { timeout: TIMEOUT }, async () => {
    const results = await against('sdk-bench-server', 'stdio', [only(robustness, ['H25-01', 'H25-20'])]);
    const h01 = byId(results, 'H25-01');
    expect(h01.status, h01.errorMessage).toBe('WARNING');
    expect(h01.errorMessage).toMatch(/tasks\/result answered \d+\/\d+\/\d+ ms for work of 230\/470\/810 ms .*: quantised to 1000 ms/);
    expect(h01.errorMessage).toMatch(/a direct call answered .*: quantised to 1000 ms/);
    const observations = byId(results, 'H25-20').details?.observations as string[];
    expect(observations.join('\n')).toMatch(/the waiter wakes only on poll ticks/);
  });

  it(
    'sdk-simple-task-interactive: a task waiting for input in tasks/result still reaches terminal (C4: T25-LIFE-03)',
    { timeout: TIMEOUT },
    async () => {
      const r = byId(await against('sdk-simple-task-interactive', 'http', [status]), 'T25-LIFE-03');
      expect(r.status, r.errorMessage).not.toBe('FAILURE');
      expect(r.errorMessage ?? '').not.toMatch(/not terminal within/);
    },
  );
});
