// Name and version of this tool, from the shipped package.json.
import { readFileSync } from 'node:fs';
import { packagePath } from '../paths.js';

let cached: { name: string; version: string } | undefined;

export function toolInfo(): { name: string; version: string } {
  if (!cached) {
    const pkg = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { name?: string; version?: string };
    cached = { name: pkg.name ?? 'sep1686-check', version: pkg.version ?? '0.0.0' };
  }
  return cached;
}
