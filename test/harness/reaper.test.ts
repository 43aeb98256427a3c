// A harness killed with SIGKILL runs no exit hook, and its servers live in their own process groups:
// the reaper (harness/transport/reaper.ts) must still stop them once the harness is gone.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { markedProcesses } from '../../harness/transport/proc.js';
import { packagePath } from '../../harness/paths.js';
import { REFERENCE_SERVER_MAIN } from '../../harness/transport/targets.js';

const token = `SEP1686_REAPER_TEST=${randomUUID()}`;
// The server's own command line (the harness's also names the server, after `--`).
const servers = () => markedProcesses(token).filter((p) => p.command.split(' ')[1]?.endsWith('reference-server/main.js'));

async function until(condition: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

afterEach(() => {
  for (const p of markedProcesses(token)) process.kill(p.pid, 'SIGKILL');
});

describe('reaper', () => {
  // HTTP only: a stdio server also ends when its stdin closes, so it would pass without the reaper.
  it('stops the HTTP server of a harness killed with SIGKILL', async () => {
    const args = ['--http-command', '--', process.execPath, REFERENCE_SERVER_MAIN(), '--http', '--port', '0'];
    const [name, value] = token.split('=') as [string, string];
    const cli = spawn(
      process.execPath,
      [packagePath('dist', 'harness', 'cli', 'main.js'), '--verbose', '--out', `/tmp/reaper-${value}`, ...args],
      {
        env: { ...process.env, [name]: value },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    // Mid-run: a check has answered, so the server is up and done writing its start-up lines (a server
    // killed before that dies of EPIPE on its own and would prove nothing).
    let out = '';
    for (const stream of [cli.stdout, cli.stderr]) stream.on('data', (d: Buffer) => (out += d.toString()));
    await until(() => out.includes('✓') && servers().length > 0, 'the harness to start its server and pass a check');
    cli.kill('SIGKILL');
    await until(() => servers().length === 0, 'the reaper to stop the orphaned servers');
    expect(servers()).toEqual([]);
  }, 90_000);
});
