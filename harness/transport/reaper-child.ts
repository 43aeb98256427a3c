// The watcher behind reaper.ts: reads one environment marker a line from its parent (the harness) and,
// when that pipe closes, SIGKILLs every process still carrying any of them, then exits. On a normal
// exit the harness has already stopped its servers and this finds nothing.
import { createInterface } from 'node:readline';
import { killMarked } from './proc.js';

const needles = new Set<string>();
process.on('SIGINT', () => undefined); // only the pipe closing ends the watch
createInterface({ input: process.stdin })
  .on('line', (line) => {
    if (line.includes('=')) needles.add(line);
  })
  .on('close', () => {
    for (const needle of needles) killMarked(needle);
    process.exit(0);
  });
