// Part 6 of the demo: connection independence. Submit a task, close the connection without a goodbye,
// open a new session on the same server and fetch the result by task id, then again from a third
// session. Over stdio every connection is its own server process, so there it is said, not shown.
import { LEGACY_ERA } from '../checks.js';
import { PROFILE_PROPERTIES, type ProfileProperty } from '../profile.js';
import type { Session } from '../scenario.js';
import { describeOutcome } from '../tasks.js';
import { awaitResult, type DemoContext, DemoProblem, submitNarrated } from './calls.js';
import { seconds } from './narrator.js';

function properties(names: ProfileProperty[]): string {
  const defs = names.map((name) => PROFILE_PROPERTIES.find((p) => p.name === name)!);
  const list = defs.map((d) => `${d.name} ("${d.label}", checked by ${d.evidence[LEGACY_ERA].join(', ')})`).join(' and ');
  return `lifecycle ${names.length > 1 ? 'properties' : 'property'} ${list}`;
}

/** Opens a new session and fetches the result by id; a failure is said with the lifecycle property it breaks. */
async function fetchFrom(ctx: DemoContext, taskId: string, label: string, which: string, failed: ProfileProperty[]): Promise<boolean> {
  const { say } = ctx;
  let s: Session | undefined;
  try {
    s = await ctx.target.connect();
    say.client(`${which}: new session ${s.sessionId ?? s.name}, tasks/get ${taskId}`);
    const got = await s.request('tasks/get', { taskId });
    if (got.kind !== 'result') {
      say.problem(`the new session cannot see the task: tasks/get answered ${describeOutcome(got)}`);
      say.problem(`on this server ${properties(failed)} does not hold`);
      return false;
    }
    say.server(`status ${String(got.result.status)}`);
    say.client(`tasks/result ${taskId}`);
    const text = await awaitResult(ctx, s, taskId, label);
    say.server(`tasks/result: ${text}`);
    return true;
  } catch (err) {
    if (!(err instanceof DemoProblem)) throw err;
    say.problem(`${which}: ${err.message}`);
    // The first fetch's result is checked by parts 0..5 already; a second fetch that fails is the property.
    if (failed.includes('repeatableResult')) say.problem(`on this server ${properties(failed)} does not hold`);
    return false;
  } finally {
    await s?.close().catch(() => {});
  }
}

export async function partReconnect(ctx: DemoContext): Promise<void> {
  const { say } = ctx;
  say.part(
    6,
    'connection independence',
    'Submit, close the connection, come back on a new session and fetch the result by task id, twice.',
  );
  if (ctx.target.transport === 'stdio') {
    say.note('over stdio a new connection is a new server process, so a task cannot be fetched from "elsewhere":');
    say.note('stdio cannot show this. Run the demo over HTTP (--url, --http-command, or the embedded server without --transport stdio).');
    return;
  }
  const work = ctx.units(3);
  const a = await ctx.target.connect();
  say.client(`opens session ${a.sessionId ?? a.name}`);
  const task = await submitNarrated(ctx, work, 'reconnect', a);
  const label = task.label;
  say.client(`closes the connection of session ${a.sessionId ?? a.name} (no goodbye, the client is gone)`);
  await a.close();
  const first = await fetchFrom(ctx, task.taskId, label, 'reconnect 1', ['survivesDisconnect', 'crossSession']);
  const firstAt = say.now();
  if (!first) return;
  const second = await fetchFrom(ctx, task.taskId, label, 'reconnect 2', ['repeatableResult']);
  if (!second) return;
  say.figure(
    `the task outlived its connection: fetched by id from two new sessions (${seconds(firstAt)} and ${seconds(say.now())} after submit)`,
  );
}
