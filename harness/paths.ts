// Files shipped with the package (spec schemas, report schema) are found from the package root, so the
// same code works from TypeScript sources (tests) and from dist/ (the installed bins).
import { existsSync } from 'node:fs';
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
