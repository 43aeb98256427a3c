// The programmatic helper other tests use, exercised end to end against the reference server.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../../harness/paths.js';
import { byId, checkReference, problems, runReference } from '../helpers/run.js';

describe.skipIf(!existsSync(packagePath('dist', 'reference-server', 'main.js')))('checkReference', () => {
  it('a clean reference server passes the selected scenario over stdio', async () => {
    const results = await checkReference({ transport: 'stdio', scenarios: ['ids'] });
    expect(results.length).toBeGreaterThan(0);
    expect(results.every((r) => r.transport === 'stdio' && r.scenario === 'ids')).toBe(true);
    expect(problems(results)).toEqual([]);
  });

  it('--violate makes the check fail over HTTP, with the wire exchange as evidence', async () => {
    const { run, wire } = await runReference({ transport: 'http', scenarios: ['ids'], violate: ['T25-ID-02'] });
    const r = byId(run.results, 'T25-ID-02');
    expect(r.status).toBe('FAILURE');
    expect(r.transport).toBe('http');
    expect(Array.isArray(r.details?.exchange)).toBe(true);
    expect(wire.entries().length).toBeGreaterThan(0);
  });

  it('a reference server that cannot start is reported clearly', async () => {
    await expect(checkReference({ transport: 'stdio', scenarios: ['ids'], extraArgs: ['--no-such-flag'] })).rejects.toThrow(
      /reference server did not start/,
    );
  });
});
