// Proof for scenarios/lifecycle.ts (LC-01..08, H25-10, H25-12): the reference server keeps every
// promise over HTTP with the durable store, tells the truth in memory mode and on stdio, and each
// broken promise (one --violate fault per run) shows up as the documented "no" / WARNING / FAILURE.
// Runs are limited to two at a time (2-core machines, other suites run too); completion is driven by
// the gate fixture, so nothing here races a timer except LC-08, which waits out a real 2 s ttl.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../harness/checks.js';
import { execute } from '../../harness/cli/execute.js';
import { packagePath } from '../../harness/paths.js';
import { deriveProfile, readProperty } from '../../harness/profile.js';
import { SCENARIOS } from '../../scenarios/index.js';
import { byId, checkReference, problems, type CheckReferenceOptions } from '../helpers/run.js';

const SCENARIO = 'lifecycle';
const IDS = ['LC-01', 'H25-12', 'LC-02', 'LC-03', 'LC-04', 'LC-05', 'LC-06', 'LC-07', 'LC-08', 'H25-10'];
const HTTP_ONLY = ['LC-01', 'LC-03', 'LC-04', 'LC-05'];
const TIMEOUT = 240_000;

const dir = mkdtempSync(join(tmpdir(), 'sep1686-lifecycle-'));
let dbs = 0;
/** A fresh durable store for one run. */
const sqliteArgs = () => ['--store', `sqlite:${join(dir, `run-${++dbs}.db`)}`];
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** At most two reference-server runs at once. */
const slots = (() => {
  let free = 2;
  const queue: Array<() => void> = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (free === 0) await new Promise<void>((r) => queue.push(r));
    else free--;
    try {
      return await fn();
    } finally {
      const next = queue.shift();
      if (next) next();
      else free++;
    }
  };
})();

const run = (options: Omit<CheckReferenceOptions, 'scenarios'>) =>
  slots(() => checkReference({ ...options, scenarios: [SCENARIO], timeouts: { settleMs: 5_000, ...options.timeouts } }));

const statuses = (r: CheckResult[]) => Object.fromEntries(IDS.map((id) => [id, byId(r, id).status]));
const messageOf = (r: CheckResult) => String(r.errorMessage ?? r.details?.message ?? r.skip?.reason ?? '');
const propertyOf = (r: CheckResult) => readProperty(r)?.value;

describe.concurrent('lifecycle scenario: promises that hold', () => {
  it('HTTP with --store sqlite: every promise holds, no FAILURE or WARNING', { timeout: TIMEOUT }, async () => {
    const r = await run({ transport: 'http', extraArgs: sqliteArgs() });
    expect(problems(r, IDS)).toEqual([]);
    expect(statuses(r)).toEqual({
      'LC-01': 'SUCCESS',
      'H25-12': 'INFO',
      'LC-02': 'SUCCESS',
      'LC-03': 'SUCCESS',
      'LC-04': 'SUCCESS',
      'LC-05': 'SUCCESS',
      'LC-06': 'SUCCESS',
      'LC-07': 'SUCCESS',
      'LC-08': 'SUCCESS',
      'H25-10': 'INFO',
    });
    expect(deriveProfile(r)).toEqual({
      survivesDisconnect: true,
      crossSession: true,
      repeatableResult: true,
      multiClient: true,
      survivesClientCrash: true,
      survivesRestart: true,
      cancelStopsWork: true,
      ttlHonoured: true,
      crossInstance: null,
      survivesInstanceLoss: null,
    });
    expect(messageOf(byId(r, 'LC-06'))).toMatch(/still retrievable.*failed \(".*server restarted while the task was running/);
    expect(messageOf(byId(r, 'H25-10'))).toMatch(
      /a new session: yes.*a dropped stream: yes.*a crashing client: yes.*a server restart: yes/,
    );
  });

  it(
    'stdio, memory store: no FAILURE or WARNING; cross-session promises are not applicable, a restart loses tasks',
    { timeout: TIMEOUT },
    async () => {
      const r = await run({ transport: 'stdio' });
      expect(problems(r, IDS)).toEqual([]);
      for (const id of HTTP_ONLY) expect(byId(r, id).skip?.kind, id).toBe('not-applicable');
      expect(byId(r, 'H25-12').status).toBe('INFO');
      expect(propertyOf(byId(r, 'H25-12'))).toBeNull();
      expect(messageOf(byId(r, 'H25-12'))).toMatch(/another server process.*not applicable/);
      expect(byId(r, 'LC-06').status).toBe('INFO');
      expect(messageOf(byId(r, 'LC-06'))).toMatch(/a hard restart loses every task/);
      expect(deriveProfile(r)).toEqual({
        survivesDisconnect: null,
        crossSession: null,
        repeatableResult: true,
        multiClient: null,
        survivesClientCrash: null,
        survivesRestart: false,
        cancelStopsWork: true,
        ttlHonoured: true,
        crossInstance: null,
        survivesInstanceLoss: null,
      });
    },
  );

  it(
    'stdio with --store sqlite: server processes share the store, so another session reads the task and a restart keeps it',
    { timeout: TIMEOUT },
    async () => {
      const r = await run({ transport: 'stdio', extraArgs: sqliteArgs() });
      expect(problems(r, IDS)).toEqual([]);
      expect(propertyOf(byId(r, 'H25-12'))).toBe(true);
      expect(messageOf(byId(r, 'LC-02'))).toMatch(/from 5 other sessions/);
      expect(byId(r, 'LC-06').status).toBe('SUCCESS');
      expect(deriveProfile(r)).toMatchObject({ crossSession: true, repeatableResult: true, survivesRestart: true });
    },
  );
});

describe.concurrent('lifecycle scenario: promises broken on purpose (--violate)', () => {
  it(
    'LC-01: tasks cancelled when their session is deleted -> LC-01 INFO "no" (a DELETE is an explicit goodbye)',
    { timeout: TIMEOUT },
    async () => {
      const r = await run({ transport: 'http', violate: ['LC-01'], checks: ['LC-01'] });
      const lc01 = byId(r, 'LC-01');
      expect(lc01.status).toBe('INFO');
      expect(propertyOf(lc01)).toBe(false);
      expect(messageOf(lc01)).toMatch(/after session A was deleted \(DELETE\), the task was cancelled .*although nobody cancelled it/);
      expect(messageOf(lc01)).toMatch(/after session A just dropped its connections, the task kept working/);
    },
  );

  it(
    'LC-05: tasks cancelled when their client vanishes -> LC-05 and LC-01 (dropped connection) WARNING',
    { timeout: TIMEOUT },
    async () => {
      const r = await run({ transport: 'http', violate: ['LC-05'], checks: ['LC-05', 'LC-01'] });
      expect(byId(r, 'LC-05').status).toBe('WARNING');
      expect(messageOf(byId(r, 'LC-05'))).toMatch(/the client crash changed its task: tasks\/get shows "cancelled" instead of "working"/);
      expect(propertyOf(byId(r, 'LC-05'))).toBe(false);
      expect(byId(r, 'LC-01').status).toBe('WARNING');
      expect(messageOf(byId(r, 'LC-01'))).toMatch(/dropped its connections, the task was cancelled.*SHOULD NOT be treated as cancellation/);
    },
  );

  it('LC-02: every delivery differs -> LC-02 FAILURE', { timeout: TIMEOUT }, async () => {
    const r = await run({ transport: 'http', violate: ['LC-02'], checks: ['LC-02'] });
    expect(byId(r, 'LC-02').status).toBe('FAILURE');
    expect(messageOf(byId(r, 'LC-02'))).toMatch(/returned different payloads .*delivery #2/);
    expect(propertyOf(byId(r, 'LC-02'))).toBe(false);
  });

  it('H25-03: a result served only once -> LC-02 WARNING', { timeout: TIMEOUT }, async () => {
    const r = await run({ transport: 'http', violate: ['H25-03'], checks: ['LC-02'] });
    expect(byId(r, 'LC-02').status).toBe('WARNING');
    expect(messageOf(byId(r, 'LC-02'))).toMatch(/worked once but \d+ of \d+ later calls failed before the ttl.*-32602/);
  });

  it('LC-03: a lagging replica -> LC-03 FAILURE (a finished task seen working again)', { timeout: TIMEOUT }, async () => {
    const r = await run({ transport: 'http', violate: ['LC-03'], checks: ['LC-03'] });
    expect(byId(r, 'LC-03').status).toBe('FAILURE');
    expect(messageOf(byId(r, 'LC-03'))).toMatch(/illegal status sequence.*completed → working/);
  });

  it('T25-HTTP-01: a dropped tasks/result stream cancels the task -> LC-04 WARNING', { timeout: TIMEOUT }, async () => {
    const r = await run({ transport: 'http', violate: ['T25-HTTP-01'], checks: ['LC-04'] });
    expect(byId(r, 'LC-04').status).toBe('WARNING');
    expect(messageOf(byId(r, 'LC-04'))).toMatch(/dropping the HTTP stream of a pending tasks\/result .* "cancelled" instead of "working"/);
    expect(propertyOf(byId(r, 'LC-04'))).toBe(false);
  });

  it('LC-06 (with --store sqlite): tasks orphaned by the crash are not recovered -> LC-06 WARNING', { timeout: TIMEOUT }, async () => {
    const r = await run({ transport: 'http', violate: ['LC-06'], extraArgs: sqliteArgs(), checks: ['LC-06'] });
    expect(byId(r, 'LC-06').status).toBe('WARNING');
    expect(messageOf(byId(r, 'LC-06'))).toMatch(/still reported "working" and never finishes/);
    expect(propertyOf(byId(r, 'LC-06'))).toBe(false);
  });

  it('T25-CAN-04: cancel leaves the work running -> LC-07 WARNING', { timeout: TIMEOUT }, async () => {
    const r = await run({ transport: 'http', violate: ['T25-CAN-04'], checks: ['LC-07'] });
    expect(byId(r, 'LC-07').status).toBe('WARNING');
    expect(messageOf(byId(r, 'LC-07'))).toMatch(/did not stop the work.*"finished"/);
  });

  it('LC-08: expiry leaves the work running -> LC-08 WARNING', { timeout: TIMEOUT }, async () => {
    const r = await run({ transport: 'http', violate: ['LC-08'], checks: ['LC-08'] });
    expect(byId(r, 'LC-08').status).toBe('WARNING');
    expect(messageOf(byId(r, 'LC-08'))).toMatch(/task is gone \(-32602\), but its work is still running/);
  });

  it(
    'H25-12: tasks bound to their session (the SDK InMemoryTaskStore pattern) -> the profile says so, with evidence',
    { timeout: TIMEOUT },
    async () => {
      const r = await run({ transport: 'http', violate: ['H25-12'] });
      expect(problems(r, IDS)).toEqual([]);
      expect(messageOf(byId(r, 'H25-12'))).toMatch(/not reachable from another session: session B can get: no, result: no, cancel: no/);
      expect(messageOf(byId(r, 'LC-01'))).toMatch(/a new session cannot see the task .*-32602/);
      // Memory mode as well: the profile tells the truth about restarts.
      expect(deriveProfile(r)).toEqual({
        survivesDisconnect: false,
        crossSession: false,
        repeatableResult: true,
        multiClient: false,
        survivesClientCrash: false,
        survivesRestart: false,
        cancelStopsWork: true,
        ttlHonoured: true,
        crossInstance: null,
        survivesInstanceLoss: null,
      });
    },
  );
});

const SDK_SERVER = packagePath('dist', 'harness', 'bench', 'sdk-server.js');

describe.runIf(existsSync(SDK_SERVER))('lifecycle scenario against a server built on the SDK InMemoryTaskStore', () => {
  it('shows session-bound tasks: no other session can reach them', { timeout: TIMEOUT }, async () => {
    const { run: out } = await slots(() =>
      execute({
        specs: [{ kind: 'http-command', command: process.execPath, args: [SDK_SERVER, '--http', '--port', '0'] }],
        scenarios: SCENARIOS,
        selection: [SCENARIO],
        timeouts: { settleMs: 5_000 },
      }),
    );
    expect(out.fatal).toBeUndefined();
    const r = out.results;
    expect(deriveProfile(r)).toMatchObject({ crossSession: false, survivesDisconnect: false, multiClient: false, survivesRestart: false });
    expect(messageOf(byId(r, 'LC-01'))).toMatch(/a new session cannot see the task/);
  });
});
