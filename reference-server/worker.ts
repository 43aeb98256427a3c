// Runs task work claimed from a cluster's work queue, on a server instance or in a worker process
// (`sep1686-reference-server worker --store redis://…`, no endpoint), tasks of either era (WorkItem.era),
// and applies the reclaim policy:
//
// A claim with attempt > 1 means earlier runners stopped renewing their lease (crashed, killed, shut
// down or stalled) before the task ended. Idempotent fixture tools (ToolDefinition.idempotent:
// slow_compute, failing_job, protocol_error_job, big_result) are run again from the start, up to
// MAX_ATTEMPTS runs, with a statusMessage saying so. Every other task (it asked the user something,
// sent progress, or consumed a gate release) is failed with LOST_MESSAGE: tasks/result answers -32603.
import { parseArgs } from 'node:util';
import type { TaskCluster } from './cluster.js';
import type { WorkEnd } from './engine.js';
import { ModernSurface } from './ext/dispatch.js';
import { ReferenceServer } from './server.js';
import { openTaskStore, parseStoreSpec } from './store-open.js';
import { isTerminalStatus } from './store.js';
import type { WorkClaim } from './work-queue.js';

/** Runs of one task at most (the first and the re-runs after lost leases). */
export const MAX_ATTEMPTS = 3;

export const LOST_MESSAGE =
  'The runner of this task stopped (crashed, killed or shut down) before the task finished; its work was lost. Start the task again.';

const rerunMessage = (attempt: number) =>
  `The runner of this task stopped before it finished; the task is running again from the start (run ${attempt} of at most ${MAX_ATTEMPTS}).`;

const failed = (message: string): WorkEnd => ({
  status: 'failed',
  statusMessage: message,
  outcome: { kind: 'error', error: { code: -32603, message: `Internal error: ${message}` } },
});

/** Makes this instance a runner: it claims work items from the cluster's queue and runs them. */
export function serveWork(server: ReferenceServer, cluster: TaskCluster): void {
  // Work cut short by shutdown is not acknowledged (the queue is closed first): another runner reclaims it.
  cluster.queue.serve((claim) => runClaim(server, cluster, claim));
}

async function runClaim(server: ReferenceServer, cluster: TaskCluster, { item, attempt }: WorkClaim): Promise<void> {
  const { engine } = server;
  const record = await cluster.store.get(item.taskId);
  if (!record || isTerminalStatus(record.status)) return; // ended (cancelled, expired, or a runner finished it)
  engine.adopt(record);
  const modern = item.era === 'modern' ? server.modern : undefined;
  const tool = (item.era === 'modern' ? modern?.tools : server.tools)?.get(item.tool);
  if (!tool) return engine.start(item.taskId, async () => failed(`this runner has no tool ${item.tool} (mixed server versions?)`));
  // CL-05 (fault): the lost work is dropped and its task left working.
  if (attempt > 1 && server.behaviour.dropReclaimedWork) return;
  if (attempt > 1) {
    server.audit(`task ${item.taskId} reclaimed (run ${attempt}): ${tool.idempotent ? 'running it again' : 'failing it'}`);
    if (!tool.idempotent || attempt > MAX_ATTEMPTS) return engine.start(item.taskId, async () => failed(LOST_MESSAGE));
    await cluster.store.transition(item.taskId, [record.status], { statusMessage: rerunMessage(attempt), lastUpdatedAt: Date.now() });
  }
  return engine.start(item.taskId, modern ? modern.taskWork(item, tool) : server.taskWork(item, tool));
}

const WORKER_HELP = `Usage: sep1686-reference-server worker --store redis://host:port[/db] [--verbose]

Runs the work of tasks created by reference-server instances that share the Redis store, without an
MCP endpoint of its own. Stops on SIGTERM or SIGINT; work it was running is then reclaimed by another
runner (re-run when idempotent, else failed with a statusMessage saying why).
`;

/** `sep1686-reference-server worker …`: resolves with the exit code (2 for usage errors). */
export async function runWorkerCommand(argv: string[]): Promise<number> {
  const usage = (message: string) => (process.stderr.write(`sep1686-reference-server worker: ${message}\n`), 2);
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: { store: { type: 'string' }, verbose: { type: 'boolean' }, help: { type: 'boolean' } },
    }));
  } catch (error) {
    return usage(`${(error as Error).message.split('\n')[0]} (see --help)`);
  }
  if (values.help) return (process.stdout.write(WORKER_HELP), 0);
  if (!values.store) return usage('--store redis://host:port[/db] is required (workers take work from a shared Redis)');
  let spec;
  try {
    spec = parseStoreSpec(values.store);
  } catch (error) {
    return usage((error as Error).message);
  }
  if (spec.kind !== 'redis') return usage('--store must be a redis:// URL (workers take work from a shared Redis)');
  if (!spec.redis.runsWork) return usage('--store has worker=false, but a worker runs work');
  const store = await openTaskStore(spec);
  const cluster = store.cluster!;
  const log = (line: string) => void process.stderr.write(`[reference-server worker] ${line}\n`);
  const server = new ReferenceServer({ cluster, log, verbose: values.verbose });
  // It runs the work of tasks of both eras.
  server.modern = new ModernSurface(server, { mode: 'dual' });
  serveWork(server, cluster);
  process.stdout.write(`Worker ready: instance ${cluster.instanceId}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await cluster.queue.close();
  await server.close();
  return 0;
}
