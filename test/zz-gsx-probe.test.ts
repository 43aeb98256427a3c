import { it } from 'vitest';
import { checkReference } from '/work/main/test/helpers/run.js';
const transport = (process.env.TX ?? 'stdio') as 'stdio' | 'http';
const scenarios = (process.env.SC ?? 'list').split(',');
const violate = process.env.VI ? process.env.VI.split(',') : undefined;
const extraArgs = process.env.EX ? process.env.EX.split(' ') : undefined;
it('probe', async () => {
  const t0 = Date.now();
  const r = await checkReference({ transport, scenarios, violate, extraArgs });
  for (const x of r) console.log(`${x.id} ${x.status} ${Math.round(x.durationMs)}ms :: ${x.errorMessage ?? ""} :: ${JSON.stringify({ ...x.details, exchange: undefined })}`.slice(0, Number(process.env.W ?? 700)));
  console.log('total', Date.now() - t0);
}, 300_000);
