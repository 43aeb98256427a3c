// The endpoints of a deployment as the cluster checks see them (scenarios/cluster.ts): one session per
// endpoint, opened on first use and again after its instance was killed, and names for the evidence
// ("B (endpoint 1, http#7)"). Endpoint 0 is the scenario's main session, the one every other scenario uses.
import type { Task } from '../../harness/protocol.js';
import type { RpcOutcome, ScenarioContext, Session } from '../../harness/scenario.js';
import { describeOutcome, getTask, sleep } from '../../harness/tasks.js';

/** A, B, C, ... for endpoints 0, 1, 2, ... */
export const endpointName = (i: number): string => (i < 26 ? String.fromCharCode(65 + i) : `#${i}`);

export class Endpoints {
  private readonly open = new Map<number, Session>();

  constructor(private readonly ctx: ScenarioContext) {}

  get count(): number {
    return this.ctx.endpoints;
  }

  /** The scenario's session on endpoint `i` (reopened when closed, e.g. after its instance was killed). */
  async on(i: number): Promise<Session> {
    const s = this.open.get(i);
    if (s && !s.closed) return s;
    const next = i === 0 ? await this.ctx.session() : await this.ctx.connect({ endpoint: i });
    this.open.set(i, next);
    return next;
  }

  /** A session of its own on endpoint `i` (a new client, as a non-sticky load balancer would place it). */
  fresh(i: number): Promise<Session> {
    return this.ctx.connect({ endpoint: i });
  }

  /** "B (endpoint 1, http#7)" */
  label(i: number, s?: Session): string {
    return `${endpointName(i)} (endpoint ${i}${s ? `, ${s.name}` : ''})`;
  }
}

/** What tasks/get on one endpoint says of a task: the Task, or the outcome that is not one. */
export type Reading = { task: Task; outcome?: undefined } | { task?: undefined; outcome: RpcOutcome };

export async function readTask(s: Session, taskId: string): Promise<Reading> {
  const o = await getTask(s, taskId);
  return o.kind === 'result' && typeof o.result.status === 'string' ? { task: o.result as unknown as Task } : { outcome: o };
}

export const describeReading = (r: Reading): string => (r.task ? `"${r.task.status}"` : describeOutcome(r.outcome));

/** Polls `probe` every 100 ms until it returns true or `ms` pass; returns whether it did. */
export async function waitFor(probe: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
}
