// `sep1686-check init`: proposes a fixture role for each listed tool from its name, execution.taskSupport
// and inputSchema, with the reason; every proposal is checked the way loadFixtures checks a mapping
// (fixture-binding.ts), so what init writes is never refused. Pure: tools in, proposals out.
import { bindingProblem } from '../fixture-binding.js';
import { declaredTaskSupport, ROLE_CONTRACTS, TOOL_ROLES, type ToolRole } from '../fixture-contract.js';
import { valueFor } from '../elicitation-answer.js';
import { applyTemplate } from '../fixture-template.js';
import type { JsonObject } from '../scenario.js';

export type Proposal =
  | { kind: 'default'; role: ToolRole; tool: string; why: string }
  | { kind: 'mapped'; role: ToolRole; tool: string; arguments: JsonObject; why: string }
  | { kind: 'none'; role: ToolRole; why: string };

interface Heuristic {
  /** Names that suggest the behaviour. */
  name: RegExp;
  /** What the role's tool does, for the comment of a role nothing fits. */
  behaviour: string;
  /** Canonical argument -> property-name patterns of the server's tool, best first. */
  args: Record<string, RegExp>;
  /** A role no name suggests may still go to the only tool of a fitting shape (F-REQ: any required tool). */
  anyName?: boolean;
}

const HEURISTICS: Record<ToolRole, Heuristic> = {
  'F-SYNC': {
    name: /greet|hello|echo/i,
    behaviour: 'a synchronous tool that answers at once',
    args: { name: /name|message|text|who|input/i },
  },
  'F-ECHO': {
    name: /sleep|delay|wait|slow|compute/i,
    behaviour: 'a tool that sleeps for a given time, then answers, directly and as a task',
    args: { seconds: /sec|ms|milli|duration|delay|time|wait/i, label: /label|tag|message|name|text/i },
  },
  'F-REQ': { name: /fail|error|job/i, behaviour: 'any tool with taskSupport required', args: {}, anyName: true },
  'F-TOOLERR': { name: /fail/i, behaviour: 'a task tool that ends with an isError:true result', args: {} },
  'F-RPCERR': {
    name: /protocol.?error|rpc.?error|throw/i,
    behaviour: 'a tool that fails with a JSON-RPC error, directly and as a task',
    args: {},
  },
  'F-ELICIT': {
    name: /elicit|confirm|ask|collect|input/i,
    behaviour: 'a task tool that asks one form elicitation, then completes',
    args: {},
  },
  'F-MULTI': { name: /multi.?input/i, behaviour: 'a task tool that asks two elicitations at once', args: {} },
  'F-GATE': {
    name: /gate|block|barrier/i,
    behaviour: 'a task tool that blocks until a release call names its id',
    args: { gateId: /gate|id|key|name/i },
  },
  'F-GATE-RELEASE': {
    name: /release|unblock|open/i,
    behaviour: 'a synchronous tool that releases a gate by id',
    args: { gateId: /gate|id|key|name/i, outcome: /outcome/i },
  },
  'F-GATE-STATE': {
    name: /gate.?state|gate.?status/i,
    behaviour: "a synchronous tool that reports a gate's state",
    args: { gateId: /gate|id|key|name/i },
  },
  'F-PROGRESS': {
    name: /progress|long.?running/i,
    behaviour: 'a task tool that sends progress notifications',
    args: { steps: /step|count/i, intervalSeconds: /interval|delay|sec|ms|duration/i },
  },
  'F-BIG': {
    name: /big|large|payload|bytes/i,
    behaviour: 'a task tool that returns a text of a given size',
    args: { bytes: /bytes|size|length/i },
  },
};

const properties = (tool: JsonObject): Record<string, JsonObject> => {
  const p = (tool.inputSchema as { properties?: unknown } | undefined)?.properties;
  return p && typeof p === 'object' ? (p as Record<string, JsonObject>) : {};
};
const requiredOf = (tool: JsonObject): string[] => {
  const r = (tool.inputSchema as { required?: unknown } | undefined)?.required;
  return Array.isArray(r) ? r.map(String) : [];
};
const typeOf = (schema: JsonObject | undefined) => (typeof schema?.type === 'string' ? schema.type : undefined);
const CANONICAL_TYPE: Record<string, string[]> = {
  name: ['string'],
  label: ['string'],
  gateId: ['string'],
  outcome: ['string'],
  seconds: ['number', 'integer'],
  intervalSeconds: ['number', 'integer'],
  steps: ['integer', 'number'],
  bytes: ['integer', 'number'],
};

/** Milliseconds when the property's name or description says so; seconds otherwise. */
function timeTemplate(canonical: string, prop: string, schema: JsonObject): string {
  const text = `${prop} ${typeof schema.description === 'string' ? schema.description : ''}`;
  return /\bms\b|ms$|Ms\b|_ms|milli/i.test(text) ? `{{${canonical}*1000}}` : `{{${canonical}}}`;
}

/** An argument template: canonical arguments onto matching properties, fixed valid values for other required ones. */
function templateFor(role: ToolRole, tool: JsonObject): JsonObject {
  const props = properties(tool);
  const used = new Set<string>();
  const template: JsonObject = {};
  for (const [canonical, pattern] of Object.entries(HEURISTICS[role].args)) {
    const fits = (p: string) => !used.has(p) && (CANONICAL_TYPE[canonical] ?? []).includes(typeOf(props[p]) ?? '');
    const prop = Object.keys(props).find((p) => fits(p) && pattern.test(p)) ?? Object.keys(props).find(fits);
    if (!prop) continue;
    used.add(prop);
    template[prop] =
      canonical === 'seconds' || canonical === 'intervalSeconds' ? timeTemplate(canonical, prop, props[prop]!) : `{{${canonical}}}`;
  }
  for (const prop of requiredOf(tool)) {
    if (used.has(prop)) continue;
    template[prop] = valueFor(props[prop] ?? {}) ?? 'sep1686-check';
  }
  return template;
}

function supportText(tool: JsonObject): string {
  const s = declaredTaskSupport(tool);
  return 'invalid' in s ? `taskSupport ${JSON.stringify(s.invalid)}` : s.declared ? `taskSupport ${s.value}` : 'no taskSupport (forbidden)';
}

/** One proposal per tool role: the contract's tool when it fits, else the best-named tool that fits, else none. */
export function proposeRoles(tools: JsonObject[]): Proposal[] {
  return TOOL_ROLES.map((role): Proposal => {
    const contract = ROLE_CONTRACTS[role];
    const h = HEURISTICS[role];
    const own = tools.find((t) => t.name === contract.tool);
    if (own && !bindingProblem({ role, tool: own, mapped: false, args: contract.sample })) {
      return {
        kind: 'default',
        role,
        tool: contract.tool,
        why: `the contract's own tool (it declares ${supportText(own)}): binds by default, no entry needed`,
      };
    }
    const rejected: string[] = [];
    const named = tools.filter((t) => typeof t.name === 'string' && h.name.test(t.name));
    const candidates = h.anyName ? [...named, ...tools.filter((t) => !named.includes(t))] : named;
    for (const tool of candidates) {
      const args = templateFor(role, tool);
      const problem = bindingProblem({ role, tool, mapped: true, args: applyTemplate(args, contract.sample) });
      if (problem) {
        if (named.includes(tool)) rejected.push(problem);
        continue;
      }
      const by = named.includes(tool) ? `the name suggests ${h.behaviour}` : h.behaviour;
      return { kind: 'mapped', role, tool: String(tool.name), arguments: args, why: `${by}; it declares ${supportText(tool)}` };
    }
    const ownNote = own ? [bindingProblem({ role, tool: own, mapped: false, args: contract.sample })!] : [];
    const notes = [...ownNote, ...rejected].slice(0, 2);
    return { kind: 'none', role, why: `nothing fits (${h.behaviour})${notes.length ? `: ${notes.join('; ')}` : ''}` };
  });
}
