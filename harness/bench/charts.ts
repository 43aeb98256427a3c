// Mermaid sources for report.md and the README (GitHub renders them): a gantt timeline of one round of
// every approach, and an xychart of scale cost against N. Pure functions of the bench figures.
import type { ApproachName, BenchScale, TimelineSpan } from '../report/bench-model.js';
import { round } from './stats.js';

/** Mermaid breaks on these in names and titles. */
function clean(text: string): string {
  return text
    .replace(/[:;#"`\n\r]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Short names for chart labels: "A"/"B" when comparing, nothing for a single target. */
export function targetTags(targets: string[]): Map<string, string> {
  const tags = new Map<string, string>();
  if (targets.length > 1) targets.forEach((t, i) => tags.set(t, String.fromCharCode(65 + i)));
  return tags;
}

export interface TimelineChartOptions {
  targets: string[];
  durations: number[];
}

/**
 * One section per approach (and target when comparing), one bar per call from the moment the client sent
 * it to the moment it had the result. dateFormat x makes 0 the round's start, so the axis reads seconds.
 */
export function timelineChart(spans: TimelineSpan[], options: TimelineChartOptions): string {
  const tags = targetTags(options.targets);
  const secs = options.durations.map((d) => `${d} s`).join(', ');
  const lines = [
    'gantt',
    `  title ${clean(`One round of ${secs} calls, as the client saw them`)}`,
    '  dateFormat x',
    '  axisFormat %S.%L s',
  ];
  const order: ApproachName[] = ['sequential', 'gather', 'tasks-result', 'tasks-poll'];
  for (const approach of order) {
    for (const target of options.targets) {
      const mine = spans.filter((s) => s.approach === approach && s.target === target);
      if (mine.length === 0) continue;
      const tag = tags.get(target);
      lines.push(`  section ${clean(tag ? `${approach} ${tag}` : approach)}`);
      for (const s of mine) {
        const start = Math.max(0, Math.round(s.startMs));
        // Mermaid drops zero-length bars; a 1 ms minimum keeps instant calls visible.
        const end = Math.max(start + 1, Math.round(s.endMs));
        lines.push(`  ${clean(callName(s.label))} : ${start}, ${end}`);
      }
    }
  }
  return lines.join('\n');
}

/** "bench-gather-0.3s-12" -> "0.3 s call". */
function callName(label: string): string {
  const m = /-(\d+(?:\.\d+)?)s-\d+$/.exec(label);
  return m ? `${m[1]} s call` : label;
}

export const SCALE_SERIES = [
  { name: 'create all', value: (s: BenchScale) => s.createAllMs },
  { name: 'last create to all results', value: (s: BenchScale) => s.lastCreateToAllResultsMs },
  { name: 'polled all terminal', value: (s: BenchScale) => s.poll?.completeAllMs ?? 0 },
] as const;

/** Lines in the order of SCALE_SERIES per target (xychart has no legend: scaleChartLegend() says which is which). */
export function scaleChart(scale: BenchScale[], targets: string[]): string {
  const sizes = [...new Set(scale.map((s) => s.tasks))].sort((a, b) => a - b);
  const lines = [
    'xychart-beta',
    '  title "Milliseconds against concurrent tasks"',
    `  x-axis "concurrent tasks" [${sizes.map((n) => `"${n}"`).join(', ')}]`,
    '  y-axis "ms"',
  ];
  for (const target of targets) {
    for (const series of SCALE_SERIES) {
      const values = sizes.map((n) => {
        const row = scale.find((s) => s.target === target && s.tasks === n);
        return row ? round(series.value(row), 1) : 0;
      });
      lines.push(`  line [${values.join(', ')}]`);
    }
  }
  return lines.join('\n');
}

export function scaleChartLegend(targets: string[]): string {
  const tags = targetTags(targets);
  const names = targets.flatMap((t) => SCALE_SERIES.map((s) => (tags.get(t) ? `${s.name} (${tags.get(t)})` : s.name)));
  return `Lines, in order: ${names.join(', ')}.`;
}
