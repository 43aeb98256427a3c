// Target specs of the small servers the harness connectivity tests run against.
import { packagePath } from '../../harness/paths.js';
import type { TargetSpec } from '../../harness/transport/target.js';

const TINY = packagePath('test', 'helpers', 'tiny-server.mjs');
const EVERYTHING = packagePath('node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');

export const tinyStdio = (...args: string[]): TargetSpec => ({ kind: 'stdio', command: process.execPath, args: [TINY, ...args] });
export const tinyHttp = (...args: string[]): Extract<TargetSpec, { kind: 'http-command' }> => ({
  kind: 'http-command',
  command: process.execPath,
  args: [TINY, '--http', ...args],
});
export const everythingStdio = (): TargetSpec => ({ kind: 'stdio', command: process.execPath, args: [EVERYTHING, 'stdio'] });
export const everythingHttp = (): TargetSpec => ({
  kind: 'http-command',
  command: process.execPath,
  args: [packagePath('test', 'helpers', 'everything-http.mjs')],
});
