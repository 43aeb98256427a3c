// Regenerates schema/report.schema.json from the zod model: `npm run schema`
// A test fails when the committed file differs from what this would write.
import { writeFileSync } from 'node:fs';
import { packagePath } from '../harness/paths.js';
import { reportJsonSchema } from '../harness/report/model.js';

export const REPORT_SCHEMA_PATH = packagePath('schema', 'report.schema.json');

export function renderReportSchema(): string {
  return `${JSON.stringify(reportJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  writeFileSync(REPORT_SCHEMA_PATH, renderReportSchema());
  console.log(`wrote ${REPORT_SCHEMA_PATH}`);
}
