// A server that speaks 2026-07-28 but does not offer the tasks extension (the reference server with
// --protocol 2026-07-28 --no-tasks): one finding names it, the checks that decide it run (EXT-NEG-01..03,
// H-EXT-SCHEMA), every other 2026-07-28 check is SKIPPED citing that finding, and nothing fails.
import { describe, expect, it } from 'vitest';
import { MODERN_ERA } from '../../../harness/checks.js';
import { NO_TASKS_EXTENSION } from '../../../harness/run/runner.js';
import { runReference } from '../../helpers/run.js';

describe('a 2026-07-28 server without the tasks extension', () => {
  it('is one root cause, not dozens of failures', async () => {
    const { run } = await runReference({ transport: 'stdio', extraArgs: ['--protocol', '2026-07-28', '--no-tasks'] });
    expect(run.findings).toEqual([expect.objectContaining({ id: 'F1', kind: 'no-tasks', message: NO_TASKS_EXTENSION })]);
    const modern = run.results.filter((r) => r.era === MODERN_ERA);
    const ran = Object.fromEntries(modern.filter((r) => r.status !== 'SKIPPED').map((r) => [r.id, r.status]));
    expect(ran).toEqual({ 'EXT-NEG-01': 'SUCCESS', 'EXT-NEG-02': 'INFO', 'EXT-NEG-03': 'SUCCESS', 'H-EXT-SCHEMA': 'SUCCESS' });
    const skipped = modern.filter((r) => r.status === 'SKIPPED' && r.skip?.kind !== 'not-applicable');
    expect(skipped.length).toBeGreaterThan(50);
    for (const r of skipped) expect(r.skip?.reason, r.id).toMatch(/does not offer the tasks extension .*; see finding F1$/);
    expect(run.findings![0]!.checks).toHaveLength(skipped.length);
  });
});
