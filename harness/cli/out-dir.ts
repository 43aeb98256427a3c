// --out is made ready before anything runs: a run that can only fail at the end (an existing file, an
// unwritable folder, /proc) must fail at once with one line, not after the whole suite. The folder is
// created one level at a time (Node's recursive mkdir loops forever under /proc), and wire.jsonl is
// opened there up front, which proves the folder writable and lets the wire log stream into it.
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../util/errors.js';
import type { WireLog } from '../transport/wire.js';

/** Creates (if needed) and checks the report folder; streams `wire` into its wire.jsonl. Throws UsageError. */
export function prepareOutDir(outDir: string, wire: WireLog): string {
  const dir = resolve(outDir);
  const missing: string[] = [];
  let existing = dir;
  for (;;) {
    const kind = statKind(existing);
    if (kind === 'dir') break;
    if (kind === 'other') throw new UsageError(`--out ${outDir}: ${existing} exists and is not a directory`);
    missing.unshift(existing);
    const parent = dirname(existing);
    if (parent === existing) throw new UsageError(`--out ${outDir}: no existing parent directory`);
    existing = parent;
  }
  try {
    accessSync(existing, constants.W_OK);
  } catch {
    throw new UsageError(`--out ${outDir}: ${existing} is not writable`);
  }
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (e) {
      throw new UsageError(`--out ${outDir}: cannot create ${d} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  try {
    wire.streamTo(join(dir, 'wire.jsonl'));
  } catch (e) {
    throw new UsageError(
      `--out ${outDir}: cannot write ${join(dir, 'wire.jsonl')} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  return dir;
}

function statKind(path: string): 'dir' | 'other' | 'none' {
  try {
    return statSync(path).isDirectory() ? 'dir' : 'other';
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'none';
    throw new UsageError(`--out: cannot use ${path} (${code ?? (e as Error).message})`);
  }
}
