// Writes the report files of one run into a folder: report.json, report.md, junit.xml, wire.jsonl.
// Shared by `sep1686-check` and `sep1686-check bench` (which adds a `bench` section to the report and
// hands its own Markdown section in: the report writer knows nothing of benchmarks).
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { WireLog } from '../transport/wire.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import type { Report } from './model.js';

export { buildReport, validateReport, type BuildReportInput } from './json.js';
export { Report, reportJsonSchema, resultMessage, resultKey } from './model.js';

export interface WrittenReports {
  dir: string;
  json: string;
  markdown: string;
  junit: string;
  wire?: string;
}

export interface WriteOptions {
  /** The run's wire log, written as wire.jsonl. */
  wire?: WireLog;
  /** Markdown sections rendered by the caller, added to report.md after the run's own sections. */
  sections?: string[];
  /** Append report.md to this file (default: $GITHUB_STEP_SUMMARY when set). */
  stepSummary?: string;
}

/** Default --out: reports/runs/<timestamp>/ under the current directory (git-ignored). */
export function defaultOutDir(now = new Date()): string {
  return resolve('reports', 'runs', now.toISOString().replace(/[:.]/g, '-'));
}

export async function writeReports(report: Report, outDir: string, options: WriteOptions = {}): Promise<WrittenReports> {
  const dir = resolve(outDir);
  await mkdir(dir, { recursive: true });
  const json = renderJson(report); // validates against the model first
  const markdown = renderMarkdown(report, options.sections);
  const files: WrittenReports = {
    dir,
    json: join(dir, 'report.json'),
    markdown: join(dir, 'report.md'),
    junit: join(dir, 'junit.xml'),
  };
  await writeFile(files.json, json);
  await writeFile(files.markdown, markdown);
  await writeFile(files.junit, renderJunit(report));
  if (options.wire) {
    files.wire = join(dir, 'wire.jsonl');
    options.wire.writeTo(files.wire); // closes the stream when the log was already streaming there
  }
  const summary = options.stepSummary ?? process.env.GITHUB_STEP_SUMMARY;
  if (summary) await appendFile(summary, `${markdown}\n`).catch(() => undefined);
  return files;
}
