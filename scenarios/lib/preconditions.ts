// Preconditions of checks: what the server declared and which fixtures may be called as tasks. A check
// names them in `requires` (defineCheck); an unmet one makes it SKIPPED with the reason and what would
// enable it, before the check sends anything. The predicates are exported for checks that branch on them.
import type { FixtureRole } from '../../harness/checks.js';
import { skip, type Verdict } from '../../harness/checks.js';
import { taskSupportOf } from '../../harness/protocol.js';
import type { JsonObject, ScenarioContext, Session } from '../../harness/scenario.js';
import { at } from './format.js';

/**
 * A precondition, checked on the scenario's main session:
 * - `tasks`: the server declares capabilities.tasks (tasks/* are unspecified otherwise, A25-13);
 * - `tasks.list` / `tasks.cancel`: it declares that member (the requestor must not rely on it otherwise);
 * - `tasks.requests.tools.call`: some tools/call may be task-augmented;
 * - `<role> as task`: the tool playing the role may be called as a task (T25-CLI-03): the server declares
 *   tasks.requests.tools.call, the fixture is exposed and its execution.taskSupport is optional or required.
 */
export type Requirement = 'tasks' | 'tasks.list' | 'tasks.cancel' | 'tasks.requests.tools.call' | `${FixtureRole} as task`;

/** The first unmet requirement, in the order given, as a SKIPPED verdict. */
export function unmetRequirement(ctx: ScenarioContext, session: Session, requires: readonly Requirement[]): Verdict | undefined {
  for (const r of requires) {
    const unmet = checkRequirement(ctx, session, r);
    if (unmet) return unmet;
  }
  return undefined;
}

function checkRequirement(ctx: ScenarioContext, session: Session, r: Requirement): Verdict | undefined {
  switch (r) {
    case 'tasks':
      return needTasksCapability(session);
    case 'tasks.list':
    case 'tasks.cancel':
      return needTasksMember(session, r === 'tasks.list' ? 'list' : 'cancel');
    case 'tasks.requests.tools.call':
      return declaresToolTasks(session) ? undefined : noToolTasks();
    default:
      return needTaskTool(ctx, session, r.slice(0, -' as task'.length) as FixtureRole);
  }
}

/** True when the server declared `tasks.requests.tools.call` (any value but undefined counts as declared). */
export function declaresToolTasks(session: Session): boolean {
  return at(session.serverCapabilities, ['tasks', 'requests', 'tools', 'call']) !== undefined;
}

export const declaresList = (s: Session) => at(s.serverCapabilities, ['tasks', 'list']) !== undefined;
export const declaresCancel = (s: Session) => at(s.serverCapabilities, ['tasks', 'cancel']) !== undefined;

/** True when the gate fixture and its release helper are both available. */
export function hasGate(ctx: ScenarioContext): boolean {
  return ctx.fixtures.has('F-GATE') && ctx.fixtures.has('F-GATE-RELEASE');
}

/**
 * The fixture for a task that provably stays working for a while: the gate when available (it finishes
 * only when released), else a timed F-ECHO; a SKIPPED verdict when neither may be called as a task.
 */
export function slowTaskRole(ctx: ScenarioContext, session: Session): 'F-GATE' | 'F-ECHO' | Verdict {
  const role = hasGate(ctx) ? 'F-GATE' : ctx.fixtures.has('F-ECHO') ? 'F-ECHO' : undefined;
  if (!role) return skip('missing-fixture', 'needs the gate fixture (F-GATE with release_gate) or F-ECHO', ['F-GATE', 'F-ECHO']);
  return needTaskTool(ctx, session, role) ?? role;
}

/** The tools/list entry that plays `role`, if listed. */
export function toolEntry(ctx: ScenarioContext, role: FixtureRole): JsonObject | undefined {
  if (!ctx.fixtures.has(role)) return undefined;
  const name = ctx.fixtures.tool(role);
  return ctx.fixtures.tools.find((t) => t.name === name);
}

const noToolTasks = () =>
  skip('missing-capability', 'the server does not declare capabilities.tasks.requests.tools.call, so no tools/call may be task-augmented', [
    'tasks.requests.tools.call',
  ]);

/**
 * SKIPPED verdict when `role` cannot be task-augmented by a well-behaved requestor (T25-CLI-03):
 * the server lacks tasks.requests.tools.call, or the fixture tool does not advertise optional/required.
 */
export function needTaskTool(ctx: ScenarioContext, session: Session, role: FixtureRole): Verdict | undefined {
  if (!declaresToolTasks(session)) return noToolTasks();
  if (!ctx.fixtures.has(role)) return skip('missing-fixture', `fixture ${role} is not exposed`, [role]);
  const entry = toolEntry(ctx, role);
  const support = entry ? taskSupportOf(entry) : undefined;
  if (support !== 'optional' && support !== 'required') {
    return skip(
      'missing-capability',
      `tool ${ctx.fixtures.tool(role)} (${role}) advertises execution.taskSupport ${JSON.stringify(support)}, so it may not be called as a task`,
      [role],
    );
  }
  return undefined;
}

/** SKIPPED verdict when the server did not declare `tasks.<member>` (the requestor must not rely on it). */
export function needTasksMember(session: Session, member: 'list' | 'cancel'): Verdict | undefined {
  const present = member === 'list' ? declaresList(session) : declaresCancel(session);
  if (present) return undefined;
  return skip(
    'missing-capability',
    `the server does not declare capabilities.tasks.${member}, so tasks/${member} is not expected to work`,
    [`tasks.${member}`],
  );
}

/** SKIPPED verdict when the server declares no `tasks` capability at all (tasks/* are then unspecified, A25-13). */
export function needTasksCapability(session: Session): Verdict | undefined {
  if (at(session.serverCapabilities, ['tasks']) !== undefined) return undefined;
  return skip('missing-capability', 'the server declares no capabilities.tasks, so tasks/* requests are not expected to work', ['tasks']);
}
