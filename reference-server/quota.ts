// What one principal can make the server hold: at most `maxActive` non-terminal tasks, and at most
// `maxFinished` finished tasks retained for tasks/get and tasks/result (beyond that the earliest finished
// is purged before its ttl). A principal is an auth token; without auth every session shares one quota,
// so opening more sessions buys no more tasks. Counts are of this process: the engine's own per-owner
// limit still applies on top.

export interface QuotaLimits {
  maxActive: number;
  maxFinished: number;
}

/** The quota of requestors without a principal (no auth; stdio). */
export const ANONYMOUS = 'anonymous';

interface Account {
  active: number;
  /** Finished tasks in the order they finished (a Set keeps insertion order). */
  finished: Set<string>;
}

export class TaskQuota {
  private readonly accounts = new Map<string, Account>();
  private readonly accountOf = new Map<string, string>();

  constructor(readonly limits: QuotaLimits) {}

  /** Takes an active slot for a task about to be created; false when the principal is at its limit. */
  reserve(principal: string): boolean {
    const account = this.account(principal);
    if (account.active >= this.limits.maxActive) return false;
    account.active++;
    return true;
  }

  /** Gives back a slot whose task was not created after all. */
  unreserve(principal: string): void {
    const account = this.account(principal);
    account.active--;
    this.dropIfEmpty(principal, account);
  }

  /** The reserved slot now holds this task. */
  bind(taskId: string, principal: string): void {
    this.accountOf.set(taskId, principal);
  }

  /** The task reached a terminal status: frees its slot; returns the finished tasks to purge, oldest first. */
  finished(taskId: string): string[] {
    const principal = this.accountOf.get(taskId);
    if (principal === undefined) return [];
    const account = this.account(principal);
    if (account.finished.has(taskId)) return []; // a second terminal status (a fault): counted once
    account.active--;
    account.finished.add(taskId);
    const purge: string[] = [];
    for (const oldest of account.finished) {
      if (account.finished.size - purge.length <= this.limits.maxFinished) break;
      purge.push(oldest);
    }
    for (const id of purge) this.removed(id);
    return purge;
  }

  /** The task is gone (ttl elapsed, or purged): forgets it, freeing its slot if it was still active. */
  removed(taskId: string): void {
    const principal = this.accountOf.get(taskId);
    if (principal === undefined) return;
    this.accountOf.delete(taskId);
    const account = this.account(principal);
    if (!account.finished.delete(taskId)) account.active--;
    this.dropIfEmpty(principal, account);
  }

  private dropIfEmpty(principal: string, account: Account): void {
    if (account.active === 0 && account.finished.size === 0) this.accounts.delete(principal);
  }

  private account(principal: string): Account {
    let account = this.accounts.get(principal);
    if (!account) this.accounts.set(principal, (account = { active: 0, finished: new Set() }));
    return account;
  }
}
