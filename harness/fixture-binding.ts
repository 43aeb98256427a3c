// Whether a listed tool can play a fixture role: its execution.taskSupport must be one the role's checks
// work with, its inputSchema must accept the (templated) canonical arguments, and a tool bound by its
// contract name alone must have the contract's shape (a same-named tool with other arguments is another
// tool). Also derives an argument object the tool's inputSchema rejects, for the invalid-argument probes.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { declaredTaskSupport, ROLE_CONTRACTS, taskSupportNeed, type ToolRole } from './fixture-contract.js';
import type { JsonObject } from './scenario.js';

// ajv-formats is CJS with a default export; under NodeNext its type is the module namespace.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
// Servers' schemas come in every draft and with their own $ids: lenient, and nothing registered by $id.
const ajv = new Ajv2020({ strict: false, addUsedSchema: false, validateSchema: false });
addFormats(ajv);

const compiled = new WeakMap<object, ValidateFunction | Error>();

/** The tool's inputSchema compiled, or why it cannot be (no schema, or one ajv cannot compile). */
export function inputValidator(tool: JsonObject): ValidateFunction | Error {
  const schema = tool.inputSchema;
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return new Error('it lists no inputSchema object');
  let v = compiled.get(schema);
  if (!v) {
    // A draft-07 "$schema" (zod-to-json-schema, the SDK) names a meta-schema this 2020-12 ajv does not load.
    const { $schema: _ignored, ...rest } = schema as JsonObject;
    try {
      v = ajv.compile(rest);
    } catch (e) {
      v = new Error(`its inputSchema does not compile: ${(e as Error).message}`);
    }
    compiled.set(schema, v);
  }
  return v;
}

function firstError(v: ValidateFunction): string {
  const e = v.errors?.[0];
  if (!e) return 'rejected';
  const where = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : 'arguments';
  return `${where} ${e.message ?? 'is invalid'}`;
}

/** Arguments every task-capable contract tool takes in the 2026-07-28 era (fixtures.md): the task's ttlMs and pollIntervalMs. */
const EXT_FIXTURE_CONTROLS: readonly string[] = ['ttlMs', 'pollIntervalMs'];

export interface BindingInput {
  role: ToolRole;
  tool: JsonObject;
  /** True when the mapping named the tool or gave an argument template; false for a contract-name binding. */
  mapped: boolean;
  /** The canonical sample arguments after the role's template. */
  args: JsonObject;
  /**
   * False when the server declares no task-augmented tools/call: then no tool runs as a task, the task
   * checks skip for the missing capability (the root cause), and taskSupport does not decide a binding.
   */
  tasks?: boolean;
}

/** Why the tool cannot play the role, or undefined when it can. */
export function bindingProblem({ role, tool, mapped, args, tasks = true }: BindingInput): string | undefined {
  const name = String(tool.name);
  const contract = ROLE_CONTRACTS[role];
  const support = declaredTaskSupport(tool);
  if ('invalid' in support)
    return `${name} declares taskSupport ${JSON.stringify(support.invalid)} (not forbidden, optional or required); ${role} needs ${taskSupportNeed(role)}`;
  if (tasks && !(contract.taskSupport as readonly string[]).includes(support.value)) {
    const declared = support.declared ? `taskSupport ${support.value}` : 'no taskSupport (forbidden)';
    return `${name} declares ${declared}; ${role} needs ${taskSupportNeed(role)}`;
  }
  if (!mapped) {
    const props = (tool.inputSchema as { properties?: unknown } | undefined)?.properties;
    const declared = props && typeof props === 'object' ? Object.keys(props) : [];
    const foreign = declared.filter((p) => !(contract.properties as readonly string[]).includes(p) && !EXT_FIXTURE_CONTROLS.includes(p));
    if (foreign.length) {
      const takes = contract.properties.length ? `{${contract.properties.join(', ')}}` : 'no arguments';
      return `${name} takes {${declared.join(', ')}} but the contract's ${contract.tool} takes ${takes}: another tool of the same name (map it with --fixtures if it plays ${role})`;
    }
  }
  const validate = inputValidator(tool);
  if (validate instanceof Error) return undefined; // nothing to judge the arguments by
  if (!validate(args)) return `${name}'s inputSchema rejects the ${role} arguments ${JSON.stringify(args)}: ${firstError(validate)}`;
  return undefined;
}

export type InvalidArguments = { kind: 'known'; arguments: JsonObject; how: string } | { kind: 'unknown'; why: string };

const WRONG_TYPE_VALUES: Array<[string, unknown]> = [
  ['string', 'sep1686-not-valid'],
  ['number', 12345],
  ['boolean', true],
  ['object', { sep1686: 'not-valid' }],
  ['array', ['sep1686-not-valid']],
  ['null', null],
];

function typesOf(schema: unknown): string[] {
  const t = (schema as { type?: unknown } | undefined)?.type;
  const list = Array.isArray(t) ? t.map(String) : typeof t === 'string' ? [t] : [];
  return list.includes('integer') ? [...list, 'number'] : list;
}

/**
 * An argument object the tool's inputSchema rejects, built from valid arguments: a required property
 * given a value of another JSON type; with no required property, an unknown property when
 * additionalProperties is false; otherwise none (every object is valid).
 */
export function deriveInvalidArguments(tool: JsonObject, valid: JsonObject): InvalidArguments {
  const name = String(tool.name);
  const validate = inputValidator(tool);
  if (validate instanceof Error) return { kind: 'unknown', why: `${name}: ${validate.message}` };
  const schema = tool.inputSchema as { required?: unknown; properties?: Record<string, unknown>; additionalProperties?: unknown };
  const required = Array.isArray(schema.required) ? schema.required.map(String) : [];
  for (const prop of required) {
    const types = typesOf(schema.properties?.[prop]);
    for (const [type, value] of WRONG_TYPE_VALUES) {
      if (types.includes(type)) continue;
      const candidate = { ...valid, [prop]: value };
      if (!validate(candidate)) {
        const expected = types.length ? types.filter((t) => t !== 'number' || !types.includes('integer')).join(' or ') : 'another type';
        return { kind: 'known', arguments: candidate, how: `${prop} is a ${type} where ${name}'s inputSchema wants ${expected}` };
      }
    }
  }
  if (schema.additionalProperties === false) {
    const candidate = { ...valid, sep1686_unexpected: true };
    if (!validate(candidate))
      return { kind: 'known', arguments: candidate, how: `an unknown property, which ${name}'s inputSchema forbids` };
  }
  return {
    kind: 'unknown',
    why: required.length
      ? `${name}'s inputSchema accepts every value of its required properties (${required.join(', ')})`
      : `${name}'s inputSchema has no required property and allows additional ones: no argument object is invalid`,
  };
}
