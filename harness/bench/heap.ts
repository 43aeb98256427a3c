// Heap statistics of a server the bench spawned with heap-probe.ts preloaded: the spec rewrite that
// preloads it (NODE_OPTIONS, so the target's label and command line stay as they are), and the reader
// that signals the process and waits for its answer line on stderr.
import { pathToFileURL } from 'node:url';
import { packagePath } from '../paths.js';
import type { TargetSpec } from '../transport/target.js';
import { sleep } from '../util/async.js';
import { HEAP_LINE_PREFIX } from './heap-probe.js';

export interface HeapStats {
  /** Whether a full GC ran first (false only if --expose-gc did not take). */
  gc: boolean;
  rssBytes: number;
  heapUsedBytes: number;
}

/** The spec with the probe preloaded, when the spec runs this very node binary; other commands are left alone. */
export function withHeapProbe(spec: TargetSpec): { spec: TargetSpec; probed: boolean } {
  if (spec.kind === 'http' || spec.kind === 'deployment' || spec.command !== process.execPath) return { spec, probed: false };
  const probe = pathToFileURL(packagePath('dist', 'harness', 'bench', 'heap-probe.js')).href;
  const inherited = process.env.NODE_OPTIONS ? `${process.env.NODE_OPTIONS} ` : '';
  const env = { ...spec.env, NODE_OPTIONS: `${inherited}--expose-gc --import=${probe}` };
  return { spec: { ...spec, env }, probed: true };
}

/** The newest probe line in a stderr tail: its sequence number and figures, or undefined. */
export function parseHeapLine(tail: string): { seq: number; stats: HeapStats } | undefined {
  const lines = tail.split('\n').filter((l) => l.startsWith(`${HEAP_LINE_PREFIX} `));
  const last = lines.at(-1);
  if (!last) return undefined;
  const m = /^\S+ (\d+) (\{.*\})\s*$/.exec(last);
  if (!m) return undefined;
  try {
    const j = JSON.parse(m[2]!) as { gc?: unknown; rss?: unknown; heapUsed?: unknown };
    if (typeof j.rss !== 'number' || typeof j.heapUsed !== 'number') return undefined;
    return { seq: Number(m[1]), stats: { gc: j.gc === true, rssBytes: j.rss, heapUsedBytes: j.heapUsed } };
  } catch {
    return undefined;
  }
}

/** Reads heap statistics from a probed process: one SIGUSR2, then its line on stderr (null after timeoutMs or if it is gone). */
export function heapReader(pid: () => number | undefined, stderrTail: () => string, timeoutMs = 5000): () => Promise<HeapStats | null> {
  let seen = 0;
  return async () => {
    const p = pid();
    if (p === undefined) return null;
    try {
      process.kill(p, 'SIGUSR2');
    } catch {
      return null;
    }
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      const line = parseHeapLine(stderrTail());
      if (line && line.seq > seen) {
        seen = line.seq;
        return line.stats;
      }
      await sleep(5);
    }
    return null;
  };
}
