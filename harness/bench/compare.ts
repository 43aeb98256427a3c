// Side by side: every figure of the first target divided by the same figure of the --compare target
// (below 1 = the first target is faster / smaller). Figures missing or zero on either side are left out
// rather than shown as a misleading ratio.
import type { BenchComparison, BenchReport } from '../report/bench-model.js';
import { ratio } from './stats.js';

export function compareTargets(
  report: Pick<BenchReport, 'approaches' | 'operations' | 'scale'>,
  first: string,
  second: string,
): BenchComparison[] {
  const out: BenchComparison[] = [];
  const add = (figure: string, a: number | null | undefined, b: number | null | undefined) => {
    const r = ratio(a, b);
    if (r !== null && a !== null && a !== undefined && b !== null && b !== undefined) out.push({ figure, first: a, second: b, ratio: r });
  };

  for (const a of report.approaches.filter((x) => x.target === first)) {
    const b = report.approaches.find((x) => x.target === second && x.name === a.name);
    if (a.correct && b?.correct) add(`${a.name} wall ms`, a.wallMs, b.wallMs);
  }
  for (const a of report.operations.filter((x) => x.target === first && !x.error)) {
    const b = report.operations.find((x) => x.target === second && x.name === a.name && !x.error);
    if (!b) continue;
    add(`${a.name} p50 ms`, a.p50Ms, b.p50Ms);
    add(`${a.name} p99 ms`, a.p99Ms, b.p99Ms);
    add(`${a.name} ops/s`, a.opsPerSec, b.opsPerSec);
  }
  for (const a of report.scale.filter((x) => x.target === first)) {
    const b = report.scale.find((x) => x.target === second && x.tasks === a.tasks);
    if (!b) continue;
    add(`scale ${a.tasks} create all ms`, a.createAllMs, b.createAllMs);
    add(`scale ${a.tasks} last create to all results ms`, a.lastCreateToAllResultsMs, b.lastCreateToAllResultsMs);
    add(`scale ${a.tasks} polled all terminal ms`, a.poll?.completeAllMs, b.poll?.completeAllMs);
    add(`scale ${a.tasks} tasks/get p50 ms`, a.poll?.getP50Ms, b.poll?.getP50Ms);
    add(`scale ${a.tasks} heap per retained task bytes`, a.memory?.heapUsedPerTaskBytes, b.memory?.heapUsedPerTaskBytes);
    add(`scale ${a.tasks} RSS per retained task bytes`, a.memory?.rssPerTaskBytes, b.memory?.rssPerTaskBytes);
  }
  return out;
}
