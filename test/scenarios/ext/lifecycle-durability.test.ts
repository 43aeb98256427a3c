// Proof for scenarios/ext/lifecycle-durability.ts: H-EXT-08 reports that a restart loses the tasks of
// --store memory and keeps them with --store sqlite (INFO either way: report only), and WARNs when a
// task that was working stays working forever (fault LC-06); H-EXT-05 is not applicable on one endpoint,
// passes on two instances sharing one SQLite file, and FAILs when they keep tasks to themselves (CL-01).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { execute } from '../../../harness/cli/execute.js';
import type { TargetSpec } from '../../../harness/transport/target.js';
import { REFERENCE_SERVER_MAIN } from '../../../harness/transport/targets.js';
import durability from '../../../scenarios/ext/lifecycle-durability.js';
import { byId, checkReference, only } from '../../helpers/run.js';
import { messageOf } from './proof.js';

const dir = mkdtempSync(join(tmpdir(), 'sep1686-ext-durability-'));
let dbs = 0;
const sqlite = () => ['--store', `sqlite:${join(dir, `run-${++dbs}.db`)}`];
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (transport: 'stdio' | 'http', extraArgs: string[] = [], violate: string[] = []) =>
  checkReference({ transport, scenarios: ['ext-lifecycle-durability'], extraArgs, violate, timeouts: { settleMs: 3_000 } });

/** Two instances of the reference server on one store, as `--http-command --instances 2` builds them. */
function deployment(store: string[], violate: string[] = []): TargetSpec {
  const args = [REFERENCE_SERVER_MAIN(), '--http', '--port', '0', ...store, ...violate.flatMap((id) => ['--violate', id])];
  const instance = { kind: 'http-command' as const, command: process.execPath, args };
  return { kind: 'deployment', endpoints: [instance, instance] };
}

async function routed(spec: TargetSpec) {
  const { run: r } = await execute({ specs: [spec], scenarios: [only(durability, ['H-EXT-05'])], timeouts: { settleMs: 3_000 } });
  if (r.fatal) throw new Error(`the deployment did not start: ${r.fatal.message}`);
  return byId(r.results, 'H-EXT-05');
}

describe.concurrent('ext-lifecycle-durability scenario (H-EXT-08, H-EXT-05)', () => {
  it('memory store, both transports: a restart loses the tasks (INFO, survivesRestart no); H-EXT-05 needs two endpoints', async () => {
    for (const transport of ['stdio', 'http'] as const) {
      const r = await run(transport);
      const restart = byId(r, 'H-EXT-08');
      expect(`${restart.status} ${String(restart.profile?.value)}`, transport).toBe('INFO false');
      expect(messageOf(restart)).toMatch(/a hard restart loses the tasks: the finished task is gone \(-32602\)/);
      expect(byId(r, 'H-EXT-05').skip?.kind).toBe('not-applicable');
      if (transport === 'http') expect(byId(r, 'H-EXT-05').skip?.reason).toBe('needs two or more endpoints (--url twice or --instances N)');
    }
  });

  it('sqlite store over stdio: the finished task survives, the working one is failed with a reason (INFO, survivesRestart yes)', async () => {
    const restart = byId(await run('stdio', sqlite()), 'H-EXT-08');
    expect(`${restart.status} ${String(restart.profile?.value)}`).toBe('INFO true');
    expect(messageOf(restart)).toMatch(/still there with the same outcome; the task that was working is failed \(".*restarted/);
  });

  it('--violate LC-06 (orphans left working) on sqlite: H-EXT-08 WARNs that the task claims to work forever', async () => {
    const restart = byId(await run('stdio', sqlite(), ['LC-06']), 'H-EXT-08');
    expect(restart.status).toBe('WARNING');
    expect(messageOf(restart)).toMatch(/still reported "working" and never ends/);
    expect(restart.profile?.value).toBe(false);
  });

  it("H-EXT-05: two instances on one SQLite file serve each other's tasks (crossInstance yes)", async () => {
    const r = await routed(deployment(sqlite()));
    expect(r.status, messageOf(r)).toBe('SUCCESS');
    expect(r.profile).toEqual({ property: 'crossInstance', value: true });
  });

  it('H-EXT-05 --violate CL-01 (each instance keeps its tasks in memory): FAILURE naming the -32602', async () => {
    const r = await routed(deployment(sqlite(), ['CL-01']));
    expect(r.status).toBe('FAILURE');
    expect(messageOf(r)).toMatch(/created on endpoint 0, read on endpoint 1 at once: tasks\/get JSON-RPC error -32602/);
    expect(r.profile?.value).toBe(false);
  });
});
