// The fixture contract (docs/fixtures.md) as data: per tool role, the contract's tool, which
// execution.taskSupport the role's checks can use, the canonical arguments the checks send, and the
// text the contract's tool returns. Binding validation (fixture-binding.ts) and expectations read it.
import type { FixtureRole } from './checks.js';
import type { JsonObject } from './scenario.js';

export type TaskSupport = 'forbidden' | 'optional' | 'required';
export const TASK_SUPPORT_VALUES: readonly TaskSupport[] = ['forbidden', 'optional', 'required'];

export interface RoleContract {
  /** The contract's tool name (the default binding). */
  tool: string;
  /**
   * The taskSupport values the role's checks work with ("forbidden" includes an absent execution).
   * A role called both directly and as a task needs "optional"; one only ever called as a task takes
   * "required" too; one the checks call to provoke -32601 takes exactly what it provokes.
   */
  taskSupport: readonly TaskSupport[];
  /** Canonical arguments as the checks send them: the bound tool's inputSchema must accept them (templated). */
  sample: JsonObject;
  /** The contract's argument names: a tool of the contract's name that declares others is another tool. */
  properties: readonly string[];
  /** Elicitation roles: the answered fields a result text may contain (the harness answers them). */
  answers?: readonly string[];
  /**
   * The contract tool's result text over the canonical arguments (and, for elicitation roles, the
   * answered fields: confirm_delete's name, multi_input's a and b), or why the contract fixes none.
   */
  text: { template: string } | { why: string };
}

const TASK_ONLY: readonly TaskSupport[] = ['optional', 'required'];
const BOTH_WAYS: readonly TaskSupport[] = ['optional'];
const DIRECT_ONLY: readonly TaskSupport[] = ['forbidden'];

export const ROLE_CONTRACTS = {
  // T25-TOOL-02 sends it a task and expects -32601.
  'F-SYNC': {
    tool: 'greet',
    taskSupport: DIRECT_ONLY,
    sample: { name: 'Ada' },
    properties: ['name'],
    text: { template: 'Hello, {{name}}!' },
  },
  // T25-TOOL-04 and T25-RES-01 call it directly and as a task and compare.
  'F-ECHO': {
    tool: 'slow_compute',
    taskSupport: BOTH_WAYS,
    sample: { seconds: 0.25, label: 'sep1686-probe' },
    properties: ['seconds', 'label'],
    text: { template: 'computed:{{label}}' },
  },
  // T25-TOOL-03 calls it without a task and expects -32601.
  'F-REQ': { tool: 'failing_job', taskSupport: ['required'], sample: {}, properties: [], text: { template: 'job failed' } },
  // Only ever run as a task (failed status, isError result through tasks/result).
  'F-TOOLERR': { tool: 'failing_job', taskSupport: TASK_ONLY, sample: {}, properties: [], text: { template: 'job failed' } },
  // T25-ERR-04 calls it directly and as a task: -32603 both ways.
  'F-RPCERR': {
    tool: 'protocol_error_job',
    taskSupport: BOTH_WAYS,
    sample: {},
    properties: [],
    text: { why: 'the contract tool ends in JSON-RPC error -32603, not in a text' },
  },
  // The input_required checks run it as a task; T25-CAP-05's direct call only watches server requests.
  'F-ELICIT': {
    tool: 'confirm_delete',
    taskSupport: TASK_ONLY,
    sample: {},
    properties: [],
    answers: ['name'],
    text: { template: 'hello:{{name}}' },
  },
  'F-MULTI': {
    tool: 'multi_input',
    taskSupport: TASK_ONLY,
    sample: {},
    properties: [],
    answers: ['a', 'b'],
    text: { template: 'a={{a}},b={{b}}' },
  },
  'F-GATE': {
    tool: 'gated_job',
    taskSupport: TASK_ONLY,
    sample: { gateId: 'sep1686-gate' },
    properties: ['gateId'],
    text: { template: 'released:{{gateId}}' },
  },
  // The gate helpers are called directly, while a task runs.
  'F-GATE-RELEASE': {
    tool: 'release_gate',
    taskSupport: DIRECT_ONLY,
    sample: { gateId: 'sep1686-gate', outcome: 'success' },
    properties: ['gateId', 'outcome'],
    text: { template: 'ok' },
  },
  'F-GATE-STATE': {
    tool: 'gate_state',
    taskSupport: DIRECT_ONLY,
    sample: { gateId: 'sep1686-gate' },
    properties: ['gateId'],
    text: { why: 'the contract tool answers structured content {state}' },
  },
  'F-PROGRESS': {
    tool: 'progress_job',
    taskSupport: TASK_ONLY,
    sample: { steps: 2, intervalSeconds: 0.05 },
    properties: ['steps', 'intervalSeconds'],
    text: { template: 'done' },
  },
  'F-BIG': {
    tool: 'big_result',
    taskSupport: TASK_ONLY,
    sample: { bytes: 1024 },
    properties: ['bytes'],
    text: { why: 'the contract fixes the length of the text (bytes), not its pattern' },
  },
} as const satisfies Record<string, RoleContract>;

export type ToolRole = keyof typeof ROLE_CONTRACTS;
export const TOOL_ROLES = Object.keys(ROLE_CONTRACTS) as ToolRole[];

export function isToolRole(role: FixtureRole): role is ToolRole {
  return role in ROLE_CONTRACTS;
}

/** What the checks need, in words: "optional", "optional or required", "forbidden (or absent)". */
export function taskSupportNeed(role: ToolRole): string {
  const allowed = ROLE_CONTRACTS[role].taskSupport;
  return allowed.map((v) => (v === 'forbidden' ? 'forbidden (or absent)' : v)).join(' or ');
}

/** A listed tool's execution.taskSupport: the declared value, "forbidden" when absent, or the raw invalid value. */
export function declaredTaskSupport(tool: JsonObject): { value: TaskSupport; declared: boolean } | { invalid: unknown } {
  const execution = tool.execution as JsonObject | undefined;
  const v = execution && typeof execution === 'object' ? execution.taskSupport : undefined;
  if (v === undefined) return { value: 'forbidden', declared: false };
  return TASK_SUPPORT_VALUES.includes(v as TaskSupport) ? { value: v as TaskSupport, declared: true } : { invalid: v };
}
