// The run's root causes ("findings"): one entry per thing that went wrong beneath the checks (the target
// died or became unreachable, task creation was refused, the server has no tasks at all), so the report
// names each cause once and the checks it took down say "setup failed: see finding F1" instead of each
// failing under its own id. The check wrapper (scenario-run.ts) registers causes; the wording of each
// cause is read from the run's wire log (root-cause-text.ts).
import type { TransportName } from '../checks.js';
import type { ExitInfo } from '../transport/target.js';
import type { Finding, FindingKind } from './types.js';

export class RootCauses {
  private readonly list: Finding[] = [];
  private readonly byKey = new Map<string, Finding>();
  private readonly exits = new Map<ExitInfo, Finding>();
  private readonly connections = new Map<string, Set<string>>();
  private readonly down = new Set<string>();

  /** The finding registered under `key`, created by `make` the first time. */
  register(key: string, make: () => Omit<Finding, 'id' | 'checks'>): { finding: Finding; fresh: boolean } {
    const known = this.byKey.get(key);
    if (known) return { finding: known, fresh: false };
    const finding: Finding = { id: `F${this.list.length + 1}`, ...make(), checks: [] };
    this.list.push(finding);
    this.byKey.set(key, finding);
    return { finding, fresh: true };
  }

  /** The finding of one process exit (each exit is one cause, however many checks saw it). */
  exit(exit: ExitInfo, make: () => Omit<Finding, 'id' | 'checks'>): { finding: Finding; fresh: boolean } {
    const known = this.exits.get(exit);
    if (known) return { finding: known, fresh: false };
    const made = this.register(`exit#${this.exits.size}`, make);
    this.exits.set(exit, made.finding);
    return made;
  }

  /** Records that a check (`<id>@<transport>`) did not get to run because of `finding`. */
  affect(finding: Finding, check: string): void {
    if (!finding.checks.includes(check)) finding.checks.push(check);
  }

  /** A target that cannot be restarted stopped answering: what follows is SKIPPED as target down. */
  markDown(target: string): void {
    this.down.add(target);
  }
  isDown(target: string): boolean {
    return this.down.has(target);
  }

  /** Every session name of a target, so its wire traffic can be told from other targets'. */
  track(target: string, connection: string): void {
    const set = this.connections.get(target) ?? new Set<string>();
    set.add(connection);
    this.connections.set(target, set);
  }
  connectionsOf(target: string): ReadonlySet<string> {
    return this.connections.get(target) ?? new Set();
  }

  find(kind: FindingKind, target: string): Finding | undefined {
    return this.list.find((f) => f.kind === kind && f.target === target);
  }

  /**
   * Folds the creation findings of `target` into one when `cause` says they share it, then numbers the
   * findings F1, F2, ... again. Returns old id -> new id, for the checks that cite them.
   */
  consolidate(target: string, cause: { kind: FindingKind; message: string } | undefined): Map<string, string> {
    const group = cause ? this.list.filter((f) => f.target === target && CREATION.includes(f.kind)) : [];
    const merged = new Map<string, Finding>();
    if (cause && group.length) {
      const [first, ...rest] = group as [Finding, ...Finding[]];
      Object.assign(first, cause, { checks: group.flatMap((f) => f.checks) });
      for (const f of rest) merged.set(f.id, first);
      this.list.splice(0, this.list.length, ...this.list.filter((f) => !rest.includes(f)));
    }
    const renamed = new Map<Finding, string>();
    this.list.forEach((f, i) => renamed.set(f, `F${i + 1}`));
    const ids = new Map<string, string>();
    for (const f of this.list) ids.set(f.id, renamed.get(f)!);
    for (const [old, f] of merged) ids.set(old, renamed.get(f)!);
    for (const f of this.list) f.id = renamed.get(f)!;
    return ids;
  }

  all(): Finding[] {
    return [...this.list];
  }
}

const CREATION: FindingKind[] = ['task-not-created', 'tasks-not-forwarded', 'creation-refused', 'creation-unanswered'];

export const checkKey = (id: string, transport: TransportName) => `${id}@${transport}`;
