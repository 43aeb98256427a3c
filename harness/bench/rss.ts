// Resident memory of a server process the harness spawned, from /proc/<pid>/status (Linux only; null
// elsewhere or when the process is gone). When the command is a wrapper (npx, sh -c), this is the
// wrapper's memory, not the server's: the report says which pid was read.
import { readFile } from 'node:fs/promises';

export async function readRssBytes(pid: number | undefined): Promise<number | null> {
  if (pid === undefined || !Number.isInteger(pid) || pid <= 0) return null;
  try {
    return parseVmRss(await readFile(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return null;
  }
}

/** The VmRSS line of a /proc status file in bytes, or null when absent. */
export function parseVmRss(status: string): number | null {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return m ? Number(m[1]) * 1024 : null;
}
