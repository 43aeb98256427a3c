// Files shipped with the package (spec schemas, report schema, built entry points) are found from the
// package root, so the same code works from TypeScript sources (tests) and from dist/ (the installed bins).
// It stays at the harness root because tests across the tree and the reference server import it.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('sep1686-check: cannot find the package root (package.json)');
    dir = up;
  }
  return dir;
}

export const PACKAGE_ROOT = findRoot();
export const packagePath = (...parts: string[]) => join(PACKAGE_ROOT, ...parts);

let info: { name: string; version: string } | undefined;

/** Name and version of this tool, from the shipped package.json (read once). */
export function packageInfo(): { name: string; version: string } {
  if (!info) {
    let pkg: { name?: string; version?: string } = {};
    try {
      pkg = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as typeof pkg;
    } catch {
      // an unreadable package.json must not break a run: the defaults below are used
    }
    info = { name: pkg.name ?? 'sep1686-check', version: pkg.version ?? '0.0.0' };
  }
  return info;
}
