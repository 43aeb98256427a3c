// A private redis-server for `bench --instances` (and the Redis tests): a free loopback port, a temp
// folder, no persistence; stop() kills it and removes the folder. Needs redis-server on PATH.
import { spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnOwned, stopProcess } from '../transport/proc.js';

export const hasRedisServer = (): boolean => spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

export interface RedisServer {
  /** e.g. redis://127.0.0.1:41234 */
  url: string;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Starts redis-server and resolves once it accepts connections (retries if the port was taken meanwhile). */
export async function startRedisServer(): Promise<RedisServer> {
  for (let attempt = 1; ; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), 'sep1686-redis-'));
    const port = await freePort();
    // Owned like a server: its own group, a marker, reaped if this process dies unseen.
    const child = spawnOwned(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const ready = await new Promise<boolean>((resolve) => {
      child.stdout!.on('data', (d: Buffer) => {
        output += d.toString();
        if (output.includes('Ready to accept connections')) resolve(true);
      });
      child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      child.once('exit', () => resolve(false));
      child.once('error', () => resolve(false));
    });
    const stop = async () => {
      await stopProcess(child, { termGraceMs: 5000 });
      rmSync(dir, { recursive: true, force: true });
    };
    if (ready) return { url: `redis://127.0.0.1:${port}`, port, child, stop };
    await stop();
    if (attempt === 5) throw new Error(`redis-server did not start: ${output.slice(-500)}`);
  }
}
