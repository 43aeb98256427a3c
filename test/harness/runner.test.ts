import { describe, expect, it } from 'vitest';
import { fail, info, pass, warn, type CheckSpec } from '../../harness/checks.js';
import { evidence } from '../../harness/run/results.js';
import { runChecks, type ProgressEvent, type RunOptions } from '../../harness/run/runner.js';
import { SCENARIO_CONCURRENCY } from '../../harness/run/schedule.js';
import type { Scenario } from '../../harness/scenario.js';
import { decide } from '../../harness/run/verdict.js';
import { ProbeError, SetupError } from '../../harness/tasks.js';
import { UsageError } from '../../harness/util/errors.js';
import { WireLog } from '../../harness/transport/wire.js';
import { FakeTarget, fakeFixtures, scenario } from './fakes.js';

const spec = (id: string, extra: Partial<CheckSpec> = {}): CheckSpec => ({
  id,
  name: `name of ${id}`,
  description: `description of ${id}`,
  level: 'MUST',
  specRefs: ['tasks §Task Cancellation r1'],
  fixtures: [],
  ...extra,
});

function setup(overrides: Partial<RunOptions> & { target?: FakeTarget } = {}) {
  const wire = overrides.wire ?? new WireLog();
  const target = overrides.target ?? new FakeTarget({ wire });
  const options: RunOptions = {
    scenarios: [],
    targets: [target],
    loadFixtures: async () => fakeFixtures(['F-ECHO']),
    wire,
    ...overrides,
  };
  return { options, target, wire };
}

describe('runChecks', () => {
  it('records verdicts with the spec facts, transport and spec links', async () => {
    const A = spec('T-A'),
      B = spec('T-B', { level: 'SHOULD' }),
      C = spec('T-C'),
      D = spec('T-D', { level: 'MAY' });
    const s = scenario('basic', [A, B, C, D], async (ctx) => {
      await ctx.check(A, async () => pass('all good'));
      await ctx.check(B, async () => warn('slow'));
      await ctx.check(C, async () => fail('wrong status', { seen: 'working' }));
      await ctx.check(D, async () => info('observed 3'));
    });
    const { options } = setup({ scenarios: [s] });
    const run = await runChecks(options);
    expect(run.results.map((r) => [r.id, r.status])).toEqual([
      ['T-A', 'SUCCESS'],
      ['T-B', 'WARNING'],
      ['T-C', 'FAILURE'],
      ['T-D', 'INFO'],
    ]);
    const a = run.results[0]!;
    expect(a).toMatchObject({
      name: 'name of T-A',
      level: 'MUST',
      scenario: 'basic',
      transport: 'stdio',
      details: { message: 'all good' },
    });
    expect(a.errorMessage).toBeUndefined();
    expect(a.specReferences[0]?.url).toMatch(/utilities\/tasks#task-cancellation$/);
    expect(run.results[2]).toMatchObject({ errorMessage: 'wrong status', details: { seen: 'working' } });
    expect(run.results[1]?.errorMessage).toBe('slow');
    expect(run.results[3]?.details?.message).toBe('observed 3');
  });

  it('skips checks for another transport and checks whose fixtures are missing, without running them', async () => {
    const httpOnly = spec('T-HTTP', { transports: ['http'] });
    const gated = spec('T-GATE', { fixtures: ['F-GATE', 'F-ECHO'] });
    let ran = 0;
    const s = scenario('skips', [httpOnly, gated], async (ctx) => {
      await ctx.check(httpOnly, async () => (ran++, pass()));
      await ctx.check(gated, async () => (ran++, pass()));
    });
    const run = await runChecks(setup({ scenarios: [s] }).options);
    expect(ran).toBe(0);
    expect(run.results[0]).toMatchObject({ status: 'SKIPPED', skip: { kind: 'not-applicable' } });
    expect(run.results[1]).toMatchObject({
      status: 'SKIPPED',
      skip: { kind: 'missing-fixture', enabledBy: ['F-GATE (tool gated_job)'] },
    });
    expect(run.results[1]?.skip?.reason).toContain('gated_job');
  });

  it('a role whose binding was refused is skipped with the refusal', async () => {
    const both = spec('T-BOTH', { fixtures: ['F-GATE', 'F-ECHO', 'F-PROGRESS'] });
    const s = scenario('refused', [both], async (ctx) => void (await ctx.check(both, async () => pass())));
    const refused = { 'F-ECHO': 'slow_compute declares taskSupport required; F-ECHO needs optional' };
    const run = await runChecks(setup({ scenarios: [s], loadFixtures: async () => fakeFixtures([], refused) }).options);
    expect(run.results[0]?.skip).toMatchObject({
      kind: 'missing-fixture',
      reason:
        'needs F-GATE (tool gated_job), F-PROGRESS (tool progress_job); binding refused: slow_compute declares taskSupport required; F-ECHO needs optional',
    });
  });

  it('an S-AUTH check is not applicable without credentials, but incomplete with only one principal', async () => {
    const bound = spec('T-AUTH', { fixtures: ['S-AUTH'] });
    const s = scenario('auth', [bound], async (ctx) => {
      await ctx.check(bound, async () => pass());
    });
    const none = await runChecks(setup({ scenarios: [s] }).options);
    expect(none.results[0]).toMatchObject({ status: 'SKIPPED', skip: { kind: 'not-applicable' } });
    const wire = new WireLog();
    const one = await runChecks(setup({ scenarios: [s], wire, target: new FakeTarget({ wire, principals: 1 }) }).options);
    expect(one.results[0]).toMatchObject({ status: 'SKIPPED', skip: { kind: 'missing-fixture' } });
  });

  it('turns exceptions into FAILURE with the error message and keeps the probe outcome', async () => {
    const A = spec('T-A'),
      B = spec('T-B');
    const s = scenario('throws', [A, B], async (ctx) => {
      await ctx.check(A, async () => {
        throw new ProbeError('could not create a task', { kind: 'timeout', id: 3, ms: 10 });
      });
      await ctx.check(B, async () => {
        throw new TypeError('x is undefined');
      });
    });
    const run = await runChecks(setup({ scenarios: [s] }).options);
    expect(run.results[0]).toMatchObject({
      status: 'FAILURE',
      errorMessage: 'could not create a task',
      details: { outcome: { kind: 'timeout' } },
    });
    expect(run.results[1]).toMatchObject({ status: 'FAILURE', errorMessage: 'x is undefined' });
    expect(String(run.results[1]?.details?.stack)).toContain('TypeError');
  });

  it('records checks of a scenario that threw early as SKIPPED(aborted) and runs the next scenario', async () => {
    const A = spec('T-A'),
      B = spec('T-B'),
      C = spec('T-C');
    const broken = scenario('broken', [A, B], async (ctx) => {
      await ctx.check(A, async () => pass());
      throw new Error('setup exploded');
    });
    const next = scenario('next', [C], async (ctx) => {
      await ctx.check(C, async () => pass());
    });
    const run = await runChecks(setup({ scenarios: [broken, next] }).options);
    expect(run.results.map((r) => [r.id, r.status])).toEqual([
      ['T-A', 'SUCCESS'],
      ['T-B', 'SKIPPED'],
      ['T-C', 'SUCCESS'],
    ]);
    expect(run.results[1]?.skip).toEqual({ kind: 'aborted', reason: 'scenario aborted: setup exploded' });
    expect(run.problems[0]).toMatchObject({ scenario: 'broken', message: expect.stringContaining('setup exploded') });
  });

  it('records a declared check the scenario never ran as SKIPPED(aborted)', async () => {
    const A = spec('T-A'),
      B = spec('T-B');
    const s = scenario('lazy', [A, B], async (ctx) => {
      await ctx.check(A, async () => pass());
    });
    const run = await runChecks(setup({ scenarios: [s] }).options);
    expect(run.results[1]).toMatchObject({ id: 'T-B', status: 'SKIPPED', skip: { kind: 'aborted' } });
  });

  it("attaches the block's own wire exchange as evidence, merged with notes", async () => {
    const A = spec('T-A'),
      B = spec('T-B');
    const s = scenario('wire', [A, B], async (ctx) => {
      const session = await ctx.session();
      await session.request('before/block');
      await ctx.check(A, async (c) => {
        await session.request('tasks/get', { taskId: 'x' });
        c.note('observed', 'working');
        return pass();
      });
      await ctx.check(B, async () => pass());
    });
    const run = await runChecks(setup({ scenarios: [s] }).options);
    const exchange = run.results[0]?.details?.exchange as Array<{ message: { method?: string } }>;
    expect(exchange).toHaveLength(2);
    expect(exchange[0]?.message.method).toBe('tasks/get');
    expect(run.results[0]?.details?.observed).toBe('working');
    expect(run.results[1]?.details?.exchange).toEqual([]);
  });

  it('caps evidence at the first and last entries and shortens big payloads', () => {
    const wire = new WireLog();
    for (let i = 0; i < 100; i++) wire.record({ dir: 'send', transport: 'stdio', connection: 'stdio#1', message: { i } });
    wire.record({
      dir: 'recv',
      transport: 'stdio',
      connection: 'stdio#1',
      message: { big: 'x'.repeat(50_000) },
      answers: { method: 'tools/call', params: { arg: 'y'.repeat(50_000) } },
    });
    const ev = evidence(wire.entries()) as Array<Record<string, unknown>>;
    expect(JSON.stringify(ev).length).toBeLessThan(20_000);
    expect(ev).toHaveLength(41);
    expect(ev[0]).toMatchObject({ message: { i: 0 } });
    expect(ev[20]).toEqual({ omitted: 61 });
    const last = ev[40] as { message: { truncated: string; chars: number } };
    expect(last.message.chars).toBeGreaterThan(50_000);
    expect(last.message.truncated.length).toBeLessThan(2000);
    expect(last).toMatchObject({ answers: { method: 'tools/call', params: { chars: 50_010 } } });
  });

  it('merges a check id recorded twice: the worst verdict wins and both evidences are kept', async () => {
    const A = spec('T-A');
    const s = scenario('loop', [A], async (ctx) => {
      for (const v of [pass('first ok'), fail('second broke'), pass('third ok')]) await ctx.check(A, async () => v);
    });
    const run = await runChecks(setup({ scenarios: [s] }).options);
    expect(run.results).toHaveLength(1);
    expect(run.results[0]).toMatchObject({ status: 'FAILURE', errorMessage: 'second broke' });
    const attempts = run.results[0]?.details?.attempts as Array<{ status: string; message: string }>;
    expect(attempts.map((a) => a.status)).toEqual(['SUCCESS', 'FAILURE', 'SUCCESS']);
    expect(attempts[1]?.message).toBe('second broke');
  });

  it('says the target exited when a check throws because the server died, with the stderr tail', async () => {
    const A = spec('T-A'),
      B = spec('T-B');
    const wire = new WireLog();
    const target = new FakeTarget({ wire });
    const s = scenario('crash', [A, B], async (ctx) => {
      await ctx.check(A, async () => {
        target.crash(3);
        throw new ProbeError('connection closed');
      });
      // the main session is gone: the next check gets a fresh one
      await ctx.check(B, async () => {
        const session = await ctx.session();
        return session.closed ? fail('stale session') : pass();
      });
    });
    const run = await runChecks(setup({ scenarios: [s], target, wire }).options);
    expect(run.results[0]?.status).toBe('FAILURE');
    expect(run.results[0]?.errorMessage).toContain('target exited (code 3) during this check');
    expect(run.results[0]?.errorMessage).toContain('out of cheese');
    expect(run.results[1]?.status).toBe('SUCCESS');
    expect(run.problems.some((p) => p.message.includes('T-A'))).toBe(true);
  });

  it('restarts an HTTP server process that died, so the next checks run on a fresh process', async () => {
    const A = spec('T-A');
    const wire = new WireLog();
    const target = new FakeTarget({ wire, transport: 'http', canRestart: true });
    const s = scenario('crash', [A], async (ctx) => {
      await ctx.check(A, async () => {
        target.crash();
        throw new Error('gone');
      });
    });
    await runChecks(setup({ scenarios: [s], target, wire }).options);
    expect(target.restarts).toBe(1);
  });

  it('shares one lazy main session per scenario and closes every session at its end', async () => {
    const A = spec('T-A');
    const wire = new WireLog();
    const target = new FakeTarget({ wire });
    const seen: string[] = [];
    const s = scenario('sessions', [A], async (ctx) => {
      await ctx.check(A, async () => {
        const a = await ctx.session();
        const b = await ctx.session();
        const other = await ctx.connect();
        seen.push(a.name, b.name, other.name);
        return pass();
      });
    });
    await runChecks(setup({ scenarios: [s, { ...s, name: 'again' }], target, wire }).options);
    expect(seen[0]).toBe(seen[1]);
    expect(seen[2]).not.toBe(seen[0]);
    expect(seen[3]).not.toBe(seen[0]); // next scenario: fresh main session
    expect(target.openSessions()).toBe(0);
  });

  it('fails a hung check at its deadline and stops the scenario, then continues with the next', async () => {
    const A = spec('T-A'),
      B = spec('T-B'),
      C = spec('T-C');
    const hung = scenario('hung', [A, B], async (ctx) => {
      await ctx.check(A, () => new Promise(() => undefined));
      await ctx.check(B, async () => pass());
    });
    const next = scenario('next', [C], async (ctx) => {
      await ctx.check(C, async () => pass());
    });
    const run = await runChecks(setup({ scenarios: [hung, next], timeouts: { checkMs: 300 } }).options);
    expect(run.results.map((r) => [r.id, r.status])).toEqual([
      ['T-A', 'FAILURE'],
      ['T-B', 'SKIPPED'],
      ['T-C', 'SUCCESS'],
    ]);
    expect(run.results[0]?.errorMessage).toContain('did not finish within 300 ms');
    expect(run.results[1]?.skip?.reason).toContain('T-A did not finish');
  });

  it('stops on abort and returns partial results; nothing after the abort looks green', async () => {
    const A = spec('T-A'),
      B = spec('T-B'),
      C = spec('T-C'),
      D = spec('T-D');
    const ac = new AbortController();
    const first = scenario('first', [A, B], async (ctx) => {
      await ctx.check(A, async () => pass());
      await ctx.check(B, () => {
        ac.abort();
        return new Promise(() => undefined);
      });
    });
    // Runs alongside `first`; its check comes after the abort.
    const second = scenario('second', [C], async (ctx) => {
      await new Promise((resolve) => ac.signal.addEventListener('abort', resolve, { once: true }));
      await ctx.check(C, async () => pass());
    });
    // Would start once the others finished: never starts.
    const third: Scenario = { ...scenario('third', [D], async (ctx) => void (await ctx.check(D, async () => pass()))), runs: 'last' };
    const run = await runChecks(setup({ scenarios: [first, second, third], signal: ac.signal }).options);
    expect(run.interrupted).toBe('signal');
    expect(run.results.map((r) => [r.id, r.status])).toEqual([
      ['T-A', 'SUCCESS'],
      ['T-B', 'SKIPPED'],
      ['T-C', 'SKIPPED'],
      ['T-D', 'SKIPPED'],
    ]);
    expect(run.results[1]?.skip?.kind).toBe('aborted');
    expect(run.results[3]?.skip?.reason).toContain('interrupted before this check ran');
  });

  it('stops at the whole-run deadline and marks what did not run', async () => {
    const A = spec('T-A'),
      B = spec('T-B');
    const s = scenario('slow', [A, B], async (ctx) => {
      await ctx.check(A, () => new Promise(() => undefined));
      await ctx.check(B, async () => pass());
    });
    const run = await runChecks(setup({ scenarios: [s], timeouts: { runMs: 200 } }).options);
    expect(run.interrupted).toBe('deadline');
    expect(run.results.map((r) => [r.id, r.status, r.skip?.kind])).toEqual([
      ['T-A', 'SKIPPED', 'aborted'],
      ['T-B', 'SKIPPED', 'aborted'],
    ]);
    expect(run.results[0]?.skip?.reason).toContain('deadline');
  });

  it('reports a target that cannot start as fatal and runs nothing', async () => {
    const A = spec('T-A');
    const wire = new WireLog();
    const target = new FakeTarget({ wire, failConnect: 'cannot spawn nope (ENOENT): is it installed?' });
    const s = scenario('s', [A], async (ctx) => void (await ctx.check(A, async () => pass())));
    const run = await runChecks(setup({ scenarios: [s], target, wire }).options);
    expect(run.fatal?.message).toContain('ENOENT');
    expect(run.fatal?.stderrTail).toBe('boom on stderr');
    expect(run.results).toEqual([]);
  });

  it('runs every scenario on every target, recording the transport', async () => {
    const A = spec('T-A');
    const wire = new WireLog();
    const s = scenario('s', [A], async (ctx) => void (await ctx.check(A, async () => pass())));
    const run = await runChecks(
      setup({ scenarios: [s], wire, targets: [new FakeTarget({ wire }), new FakeTarget({ wire, transport: 'http' })] }).options,
    );
    expect(run.results.map((r) => r.transport)).toEqual(['stdio', 'http']);
    expect(run.targets).toEqual([
      { label: 'stdio: fake', transport: 'stdio', protocolVersion: '2025-11-25', eras: ['2025-11-25'], tools: [] },
      { label: 'http: fake', transport: 'http', protocolVersion: '2025-11-25', eras: ['2025-11-25'], tools: [] },
    ]);
  });

  it('rejects unknown scenario names as a usage error', async () => {
    const s = scenario('known', [], async () => undefined);
    await expect(runChecks(setup({ scenarios: [s], selection: ['nope'] }).options)).rejects.toThrow(UsageError);
    await expect(runChecks(setup({ scenarios: [s], selection: ['nope'] }).options)).rejects.toThrow(/unknown scenario 'nope'/);
  });

  it('emits progress events', async () => {
    const A = spec('T-A');
    const events: string[] = [];
    const s = scenario('s', [A], async (ctx) => void (await ctx.check(A, async () => pass())));
    await runChecks(setup({ scenarios: [s], onProgress: (e) => events.push(e.type) }).options);
    expect(events).toEqual(['target-start', 'scenario-start', 'check', 'scenario-end']);
  });
});

/** Lets every pending callback run a few times (no wall-clock time involved). */
const ticks = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('runChecks concurrency', () => {
  it("runs a target's scenarios a few at a time: 'first' ones first, 'last' ones after all others", async () => {
    const active = new Set<string>();
    const log: Array<{ name: string; others: string[] }> = [];
    let peak = 0;
    const make = (name: string, runs?: Scenario['runs']): Scenario => ({
      ...scenario(name, [], async () => {
        log.push({ name, others: [...active] });
        active.add(name);
        peak = Math.max(peak, active.size);
        await ticks(20);
        active.delete(name);
        log.push({ name: `${name} end`, others: [...active] });
      }),
      ...(runs ? { runs } : {}),
    });
    const normal = Array.from({ length: SCENARIO_CONCURRENCY + 2 }, (_, i) => make(`n${i}`));
    await runChecks(setup({ scenarios: [make('audit', 'last'), ...normal, make('long', 'first')] }).options);
    expect(peak).toBe(SCENARIO_CONCURRENCY);
    expect(log[0]?.name).toBe('long');
    const at = (name: string) => log.findIndex((e) => e.name === name);
    expect(log[at('audit')]?.others).toEqual([]);
    expect(at('audit')).toBe(log.length - 2);
  });

  it('an HTTP restart waits until no other scenario of the target runs, and none starts meanwhile', async () => {
    const A = spec('T-A');
    const wire = new WireLog();
    const target = new FakeTarget({ wire, transport: 'http' });
    const active = new Set<string>();
    const log: string[] = [];
    const restart = target.restart.bind(target);
    target.restart = async () => {
      log.push(`restart with [${[...active].join(',')}] running`);
      await restart();
    };
    const make = (name: string, runs?: Scenario['runs']): Scenario => ({
      ...scenario(name, [], async () => {
        log.push(`start ${name}`);
        active.add(name);
        await ticks(20);
        active.delete(name);
      }),
      ...(runs ? { runs } : {}),
    });
    const restarter: Scenario = {
      ...scenario('restarts', [A], async (ctx) => {
        log.push('start restarts');
        await ctx.check(A, async () => {
          await ticks(2);
          await ctx.restart();
          log.push('restarted');
          return pass();
        });
      }),
      runs: 'first',
    };
    const run = await runChecks(setup({ scenarios: [make('a'), make('b'), make('c'), make('d'), restarter], target, wire }).options);
    expect(run.results[0]?.status).toBe('SUCCESS');
    expect(target.restarts).toBe(1);
    expect(log.slice(0, 5)).toEqual(['start restarts', 'start a', 'start b', 'start c', 'restart with [] running']);
    expect(log.slice(5).sort()).toEqual(['restarted', 'start d']);
  });

  it('reports results and progress in run order, not completion order, with both targets at once', async () => {
    const A = spec('T-A'),
      B = spec('T-B');
    const wire = new WireLog();
    const slow = scenario('slow', [A], async (ctx) => {
      await ticks(30);
      await ctx.check(A, async () => pass());
    });
    const fast = scenario('fast', [B], async (ctx) => void (await ctx.check(B, async () => pass())));
    const events: ProgressEvent[] = [];
    const run = await runChecks(
      setup({
        scenarios: [slow, fast],
        wire,
        targets: [new FakeTarget({ wire }), new FakeTarget({ wire, transport: 'http' })],
        onProgress: (e) => events.push(e),
      }).options,
    );
    expect(run.results.map((r) => `${r.transport} ${r.id}`)).toEqual(['stdio T-A', 'stdio T-B', 'http T-A', 'http T-B']);
    const names = events.map((e) =>
      e.type === 'check'
        ? `check ${e.result.transport} ${e.result.id}`
        : `${e.type} ${e.transport}${'scenario' in e ? ` ${e.scenario}` : ''}`,
    );
    const oneTarget = (t: string) => [
      `target-start ${t}`,
      `scenario-start ${t} slow`,
      `check ${t} T-A`,
      `scenario-end ${t} slow`,
      `scenario-start ${t} fast`,
      `check ${t} T-B`,
      `scenario-end ${t} fast`,
    ];
    expect(names).toEqual([...oneTarget('stdio'), ...oneTarget('http')]);
  });

  it("keeps only the check's own connections in its evidence", async () => {
    const A = spec('T-A'),
      B = spec('T-B');
    const talk = (prefix: string, id: CheckSpec) =>
      scenario(prefix, [id], async (ctx) => {
        await ctx.check(id, async () => {
          const s = await ctx.session();
          for (let i = 0; i < 3; i++) {
            await s.request(`${prefix}/${i}`);
            await ticks(2);
          }
          return pass();
        });
      });
    const wire = new WireLog();
    const run = await runChecks(setup({ scenarios: [talk('a', A), talk('b', B)], wire }).options);
    const methods = (i: number) =>
      (run.results[i]?.details?.exchange as Array<{ message: { method?: string; result?: { method?: string } } }>).map(
        (e) => e.message.method ?? e.message.result?.method,
      );
    expect(methods(0)).toEqual(['a/0', 'a/0', 'a/1', 'a/1', 'a/2', 'a/2']);
    expect(methods(1)).toEqual(['b/0', 'b/0', 'b/1', 'b/1', 'b/2', 'b/2']);
    // They did overlap: the run-wide log interleaves them.
    expect(
      wire
        .entries()
        .map((e) => (e.message as { method?: string }).method)
        .filter(Boolean)
        .slice(0, 2),
    ).toEqual(['a/0', 'b/0']);
  });

  it('restarts a crashed HTTP server once, however many running scenarios noticed', async () => {
    const A = spec('T-A'),
      B = spec('T-B');
    const wire = new WireLog();
    const target = new FakeTarget({ wire, transport: 'http', canRestart: true });
    let crashed!: () => void;
    const crash = new Promise<void>((resolve) => (crashed = resolve));
    const victim = (name: string, id: CheckSpec, doCrash: boolean) =>
      scenario(name, [id], async (ctx) => {
        await ctx.check(id, async () => {
          await ctx.session();
          if (doCrash) {
            await ticks(5);
            target.crash();
            crashed();
          } else await crash;
          throw new Error('connection closed');
        });
      });
    const run = await runChecks(setup({ scenarios: [victim('one', A, true), victim('two', B, false)], target, wire }).options);
    expect(target.restarts).toBe(1);
    // One exit, one FAILURE: the other check in flight was only caught in it (C12), and says so.
    expect(run.results.map((r) => r.status).sort()).toEqual(['FAILURE', 'SKIPPED']);
    const failed = run.results.find((r) => r.status === 'FAILURE')!;
    const skipped = run.results.find((r) => r.status === 'SKIPPED')!;
    expect(failed.errorMessage).toContain('target exited (code 1) during this check');
    expect(skipped.skip).toMatchObject({ kind: 'setup-failed', reason: expect.stringMatching(/target down.*see finding F1/) });
    expect(run.findings).toEqual([expect.objectContaining({ id: 'F1', kind: 'target-exit', checks: [`${skipped.id}@http`] })]);
  });

  it('a setup failure is SKIPPED setup-failed naming one finding, however many checks it took down', async () => {
    const A = spec('T-A'),
      B = spec('T-B');
    const refused = { kind: 'error', id: 3, ms: 1, error: { code: -32603, message: 'no tasks today' } } as const;
    const request = { method: 'tools/call', params: { name: 'slow_compute', task: {} } };
    const s = scenario('setup', [A, B], async (ctx) => {
      for (const id of [A, B])
        await ctx.check(id, async () => {
          throw new SetupError('could not create a F-ECHO task (slow_compute): JSON-RPC error -32603', 'refused', request, refused);
        });
    });
    const run = await runChecks(setup({ scenarios: [s] }).options);
    for (const r of run.results) {
      expect(r.status).toBe('SKIPPED');
      expect(r.skip).toMatchObject({
        kind: 'setup-failed',
        reason: expect.stringMatching(/^setup failed: could not create .*; see finding F1$/),
      });
    }
    expect(run.findings).toEqual([
      expect.objectContaining({
        kind: 'creation-refused',
        message: expect.stringContaining('slow_compute'),
        checks: ['T-A@stdio', 'T-B@stdio'],
      }),
    ]);
    // A setup-failed MUST check makes the run incomplete, never a pass.
    expect(decide({ results: run.results }).exitCode).toBe(3);
  });

  it('a crash seen on the verdict path fails that check naming the exit (C3), and decide() never exits 0 after one', async () => {
    const A = spec('T-A');
    const wire = new WireLog();
    const target = new FakeTarget({ wire });
    const s = scenario('crash', [A], async (ctx) => {
      await ctx.check(A, async () => {
        await ctx.session();
        target.crash(1);
        return info('ttl 1 -> connection closed');
      });
    });
    const run = await runChecks(setup({ scenarios: [s], target, wire }).options);
    expect(run.results[0]).toMatchObject({
      status: 'FAILURE',
      errorMessage: expect.stringContaining('target exited (code 1) during this check'),
    });
    expect(run.findings?.[0]).toMatchObject({ kind: 'target-exit', message: expect.stringContaining('T-A') });
    const crashed = decide({ results: [], findings: run.findings });
    expect(crashed.exitCode).toBe(1);
    expect(crashed.line).toMatch(/target exited/);
  });
});
