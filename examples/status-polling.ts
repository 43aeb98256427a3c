// Pattern 2, status polling: the SDK's callToolStream creates the task, polls tasks/get at the
// server's pollInterval and yields every status it sees, then fetches the result. Use it to show
// progress (or a spinner) while the work runs.
//
//   npm run build && node dist/examples/status-polling.js [http://127.0.0.1:3000/mcp]
//
// Without a URL it spawns the reference server over stdio.
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { connect, textOf } from './connect.js';

const client = await connect();
try {
  const stream = client.experimental.tasks.callToolStream(
    { name: 'slow_compute', arguments: { seconds: 1, label: 'status-polling' } },
    CallToolResultSchema,
    { task: { ttl: 60_000 } },
  );
  for await (const message of stream) {
    switch (message.type) {
      case 'taskCreated':
        console.log(`task ${message.task.taskId} created, pollInterval ${message.task.pollInterval ?? 'default'} ms`);
        break;
      case 'taskStatus':
        console.log(`status: ${message.task.status}`);
        break;
      case 'result':
        console.log(`result: ${textOf(message.result)}`);
        break;
      case 'error':
        console.error(`error: ${message.error.message}`);
        process.exitCode = 1;
        break;
    }
  }
} finally {
  await client.close();
}
