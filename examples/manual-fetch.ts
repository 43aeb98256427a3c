// Pattern 3, manual fetch: start the task, get on with other work, look at the task now and then with
// tasks/get (waiting pollInterval between looks), and fetch the result once it is completed.
//
//   npm run build && node dist/examples/manual-fetch.js [http://127.0.0.1:3000/mcp]
//
// Without a URL it spawns the reference server over stdio.
import { CallToolResultSchema, CreateTaskResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, textOf } from './connect.js';

const TERMINAL = ['completed', 'failed', 'cancelled'];

const client = await connect();
try {
  const { task } = await client.request(
    { method: 'tools/call', params: { name: 'slow_compute', arguments: { seconds: 1, label: 'manual-fetch' } } },
    CreateTaskResultSchema,
    { task: { ttl: 60_000 } },
  );
  console.log(`task ${task.taskId} created`);

  let status = task.status;
  let otherWork = 0;
  while (!TERMINAL.includes(status)) {
    // Other work meanwhile: here another (instant) tool call; in an agent, the next step of its plan.
    const greeting = await client.callTool({ name: 'greet', arguments: { name: `step ${++otherWork}` } });
    console.log(`other work: ${textOf(greeting)}`);
    await sleep(task.pollInterval ?? 1000);
    const now = await client.experimental.tasks.getTask(task.taskId);
    status = now.status;
    console.log(`tasks/get: ${status}`);
  }
  if (status !== 'completed') throw new Error(`task ended ${status}`);
  const result = await client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
  console.log(`result: ${textOf(result)} (after ${otherWork} pieces of other work)`);
} finally {
  await client.close();
}
