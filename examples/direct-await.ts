// Pattern 1, direct await: call a tool as a task, then wait for its result with tasks/result, which
// blocks until the task is done. The simplest way to use tasks: one request to start, one to collect.
//
//   npm run build && node dist/examples/direct-await.js [http://127.0.0.1:3000/mcp]
//
// Without a URL it spawns the reference server over stdio.
import { CallToolResultSchema, CreateTaskResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { connect, textOf } from './connect.js';

const client = await connect();
try {
  // `task` in the request options makes this a task-augmented tools/call: the server answers at once.
  const created = await client.request(
    { method: 'tools/call', params: { name: 'slow_compute', arguments: { seconds: 1, label: 'direct-await' } } },
    CreateTaskResultSchema,
    { task: { ttl: 60_000 } },
  );
  console.log(`task ${created.task.taskId} created, status ${created.task.status}`);

  // tasks/result answers when the work ends, with exactly what the tool returned.
  const result = await client.experimental.tasks.getTaskResult(created.task.taskId, CallToolResultSchema);
  console.log(`result: ${textOf(result)}`);
} finally {
  await client.close();
}
