// Era detection (harness/run/eras.ts) against the reference server pinned to one era and dual: each
// target runs the suites of the eras it speaks, and says which it found.
import { describe, expect, it } from 'vitest';
import { runReference } from '../helpers/run.js';

const SCENARIOS = ['capabilities', 'ext-negotiation'];
const erasOfResults = (results: Array<{ era: string }>) => [...new Set(results.map((r) => r.era))].sort();

describe('era detection', () => {
  it('a dual-era server gets both suites; the target names both eras', async () => {
    const { run } = await runReference({ transport: 'stdio', scenarios: SCENARIOS });
    expect(run.targets[0]?.eras).toEqual(['2025-11-25', '2026-07-28']);
    expect(erasOfResults(run.results)).toEqual(['2025-11-25', '2026-07-28']);
  });

  it('a 2026-07-28-only server gets the extension suite only', async () => {
    const { run } = await runReference({ transport: 'http', scenarios: SCENARIOS, extraArgs: ['--protocol', '2026-07-28'] });
    expect(run.targets[0]?.eras).toEqual(['2026-07-28']);
    expect(erasOfResults(run.results)).toEqual(['2026-07-28']);
    expect(run.results.filter((r) => r.status === 'FAILURE')).toEqual([]);
  });

  it('a 2025-11-25-only server gets the 2025-11-25 suite only', async () => {
    const { run } = await runReference({ transport: 'stdio', scenarios: SCENARIOS, extraArgs: ['--protocol', '2025-11-25'] });
    expect(run.targets[0]?.eras).toEqual(['2025-11-25']);
    expect(erasOfResults(run.results)).toEqual(['2025-11-25']);
  });

  it('--protocol 2026-07-28 against a 2025-11-25-only server is a one-line fatal error', async () => {
    await expect(
      runReference({ transport: 'stdio', scenarios: SCENARIOS, extraArgs: ['--protocol', '2025-11-25'], protocol: '2026-07-28' }),
    ).rejects.toThrow(/does not speak 2026-07-28/);
  });

  it('--protocol 2025-11-25 on a dual-era server runs only that suite', async () => {
    const { run } = await runReference({ transport: 'stdio', scenarios: SCENARIOS, protocol: '2025-11-25' });
    expect(run.targets[0]?.eras).toEqual(['2025-11-25']);
    expect(erasOfResults(run.results)).toEqual(['2025-11-25']);
  });
});
