// The package version, for serverInfo and --version (read once from the package's own package.json).
import { readFileSync } from 'node:fs';
import { packagePath } from '../harness/paths.js';

let cached: string | undefined;

export function packageVersion(): string {
  cached ??= (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
  return cached;
}
