// Pattern 4, reconnect: a task outlives the client that created it. One process submits the task and
// exits, printing the task id; another process, with a new HTTP session, fetches the result by that id.
// Over HTTP only: over stdio each client has its own server process, which ends with the client.
//
//   npm run build && node dist/examples/reconnect.js                    does both, against a reference server it starts
//   node dist/examples/reconnect.js submit http://127.0.0.1:3000/mcp     prints the task id, exits at once
//   node dist/examples/reconnect.js fetch http://127.0.0.1:3000/mcp <id>  waits for and prints the result
import { CallToolResultSchema, CreateTaskResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { connect, REFERENCE_SERVER, textOf } from './connect.js';

const [mode, url, taskId] = process.argv.slice(2);

async function submit(endpoint: string): Promise<void> {
  const client = await connect(endpoint);
  const { task } = await client.request(
    { method: 'tools/call', params: { name: 'slow_compute', arguments: { seconds: 2, label: 'reconnect' } } },
    CreateTaskResultSchema,
    { task: { ttl: 60_000 } },
  );
  console.log(`taskId ${task.taskId}`);
  await client.close(); // the client goes away; the task keeps working on the server
}

async function fetch(endpoint: string, id: string): Promise<void> {
  const client = await connect(endpoint);
  try {
    const now = await client.experimental.tasks.getTask(id);
    console.log(`new session, task ${id}: ${now.status}`);
    const result = await client.experimental.tasks.getTaskResult(id, CallToolResultSchema);
    console.log(`result: ${textOf(result)}`);
  } finally {
    await client.close();
  }
}

/** Starts the reference server over HTTP, then runs `submit` and `fetch` as two separate processes. */
async function both(): Promise<void> {
  const server = spawn(process.execPath, [REFERENCE_SERVER, '--http', '--port', '0'], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    let out = '';
    const endpoint = await new Promise<string>((resolve, reject) => {
      server.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const m = /MCP endpoint: (\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      server.once('exit', (code) => reject(new Error(`the reference server exited (${code}) before printing its endpoint`)));
    });
    const self = fileURLToPath(import.meta.url);
    const run = promisify(execFile);
    const submitted = await run(process.execPath, [self, 'submit', endpoint]);
    process.stdout.write(`process 1: ${submitted.stdout}`);
    const id = /taskId (\S+)/.exec(submitted.stdout)?.[1];
    if (!id) throw new Error(`no task id in: ${submitted.stdout}`);
    const fetched = await run(process.execPath, [self, 'fetch', endpoint, id]);
    process.stdout.write(`${fetched.stdout.trimEnd().replace(/^/gm, 'process 2: ')}\n`);
  } finally {
    if (server.exitCode === null) {
      server.kill('SIGTERM');
      await once(server, 'exit');
    }
  }
}

if (mode === 'submit' && url) await submit(url);
else if (mode === 'fetch' && url && taskId) await fetch(url, taskId);
else if (mode === undefined) await both();
else {
  console.error('usage: reconnect.js [submit <url> | fetch <url> <taskId>]');
  process.exitCode = 2;
}
