// Preloaded (node --import) into the servers the bench spawns itself — the embedded reference server and
// sdk-server — so neither server carries a debug hook: on SIGUSR2 it runs a full GC (the bench also sets
// --expose-gc) and writes one line `sep1686-heap <n> {json}` to stderr with process.memoryUsage().
// The bench (heap.ts) sends the signal and reads the line from the target's stderr tail.
export const HEAP_LINE_PREFIX = 'sep1686-heap';

const gc = (globalThis as { gc?: () => void }).gc;
let reports = 0;

process.on('SIGUSR2', () => {
  // Two passes: the first may only queue finalizers and weak callbacks the second then collects.
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  const line = { gc: gc !== undefined, rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external };
  process.stderr.write(`${HEAP_LINE_PREFIX} ${++reports} ${JSON.stringify(line)}\n`);
});
