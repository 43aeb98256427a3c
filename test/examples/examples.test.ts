// The client examples (examples/*.ts, compiled to dist/examples by npm test) run against the reference
// server exactly as their header says, so they never rot: exit 0 and the result each pattern promises.
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../../harness/paths.js';

function example(name: string, args: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [packagePath('dist', 'examples', `${name}.js`), ...args], { timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

describe('client examples against the reference server', () => {
  it('direct-await: a task, then tasks/result', async () => {
    const r = await example('direct-await');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^task \S+ created, status working$/m);
    expect(r.stdout).toContain('result: computed:direct-await');
  });

  it('status-polling: callToolStream yields the statuses, then the result', async () => {
    const r = await example('status-polling');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/pollInterval \d+ ms/);
    expect(r.stdout).toContain('status: completed');
    expect(r.stdout.trim().split('\n').at(-1)).toBe('result: computed:status-polling');
  });

  it('manual-fetch: other work between tasks/get, then the result', async () => {
    const r = await example('manual-fetch');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('other work: Hello, step 1!');
    expect(r.stdout).toContain('tasks/get: completed');
    expect(r.stdout).toMatch(/result: computed:manual-fetch \(after \d+ pieces of other work\)/);
  });

  it('reconnect: one process submits, another fetches the result by id over a new HTTP session', async () => {
    const r = await example('reconnect');
    expect(r.code).toBe(0);
    const id = /process 1: taskId (\S+)/.exec(r.stdout)?.[1];
    expect(id).toBeDefined();
    expect(r.stdout).toContain(`process 2: new session, task ${id}: `);
    expect(r.stdout).toContain('process 2: result: computed:reconnect');
  });

  it('reconnect: a wrong invocation says how to call it', async () => {
    const r = await example('reconnect', ['fetch']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^usage: reconnect\.js/);
  });
});
