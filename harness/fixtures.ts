// Fixture roles resolved to a target's tools (implements Fixtures of scenario.ts). Defaults follow
// docs/fixtures.md; a mapping file (--fixtures, YAML or JSON) renames tools and maps the
// canonical arguments through a template, for servers whose tools are named or shaped differently.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { FixtureRole } from './checks.js';
import type { Fixtures, JsonObject, Session } from './scenario.js';

/** Role -> tool of the fixture contract (docs/fixtures.md). F-RES and S-* are not tools. */
export const DEFAULT_FIXTURE_TOOLS: Partial<Record<FixtureRole, string>> = {
  'F-SYNC': 'greet',
  'F-ECHO': 'slow_compute',
  'F-REQ': 'failing_job',
  'F-TOOLERR': 'failing_job',
  'F-RPCERR': 'protocol_error_job',
  'F-ELICIT': 'confirm_delete',
  'F-MULTI': 'multi_input',
  'F-GATE': 'gated_job',
  'F-GATE-RELEASE': 'release_gate',
  'F-GATE-STATE': 'gate_state',
  'F-PROGRESS': 'progress_job',
  'F-BIG': 'big_result',
};

const ToolRoles = FixtureRole.exclude(['F-RES', 'S-AUTH', 'S-RESTART', 'S-NOTASK']);

/** Roles that are not a tool: what enables them, in words. */
const NON_TOOL_HINTS = {
  'F-RES': 'F-RES (any resource or prompt)',
  'S-AUTH': 'S-AUTH (HTTP target with two --auth-token principals)',
  'S-RESTART': 'S-RESTART (a server the harness starts: stdio command or --http-command)',
  'S-NOTASK': 'S-NOTASK (the same server started without the tasks capability)',
} as const;

/** Human names of the fixtures that enable a role, for "could not run" messages: "F-GATE (tool gated_job)". */
export const FIXTURE_HINTS = Object.fromEntries(
  FixtureRole.options.map((role) => {
    const tool = DEFAULT_FIXTURE_TOOLS[role];
    return [role, tool ? `${role} (tool ${tool})` : NON_TOOL_HINTS[role as keyof typeof NON_TOOL_HINTS]];
  }),
) as Record<FixtureRole, string>;

export const RoleMapping = z.strictObject({
  /** The server's tool that plays the role. Default: the contract's tool name. */
  tool: z.string().min(1).optional(),
  /**
   * Argument template: any JSON value; strings may contain {{name}} placeholders for canonical arguments.
   * A string that is exactly one placeholder keeps the canonical value's JSON type. Default: canonical args as-is.
   */
  arguments: z.record(z.string(), z.unknown()).optional(),
});
export type RoleMapping = z.infer<typeof RoleMapping>;

/** The --fixtures file. */
export const FixtureMappingFile = z.strictObject({
  roles: z.partialRecord(ToolRoles, RoleMapping).optional(),
  /** F-RES: the resource URI or prompt name to use (default: the first one listed). */
  resource: z.string().optional(),
  prompt: z.string().optional(),
  /** S-NOTASK: the same server is available without the tasks capability (a target property set by the runner). */
  notask: z.boolean().optional(),
});
export type FixtureMappingFile = z.infer<typeof FixtureMappingFile>;

/** Parses and validates a mapping (YAML or JSON text). Throws one line naming the bad key. */
export function parseFixtureMapping(text: string, source = 'fixtures file'): FixtureMappingFile {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new Error(`${source}: not valid YAML/JSON: ${(e as Error).message.split('\n')[0]}`, { cause: e });
  }
  const r = FixtureMappingFile.safeParse(raw ?? {});
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      const where = [...path, issue.keys[0]!].join('.');
      const allowed =
        path.length === 0
          ? 'roles, resource, prompt, notask'
          : path.length === 1 && path[0] === 'roles'
            ? ToolRoles.options.join(', ')
            : 'tool, arguments';
      throw new Error(`${source}: ${where}: unknown key (expected one of ${allowed})`);
    }
    throw new Error(`${source}: ${path.join('.') || '(top level)'}: ${issue.message}`);
  }
  for (const [role, m] of Object.entries(r.data.roles ?? {})) {
    if (m?.arguments) checkTemplate(m.arguments, `${source}: roles.${role}.arguments`);
  }
  return r.data;
}

export function loadFixtureMapping(file: string): FixtureMappingFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read fixtures file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  return parseFixtureMapping(text, file);
}

// ---- templating: {{name}}, {{name*1000}}, {{name/1000}}, {{name+1}}, {{name-1}} ----

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:([*/+-])\s*(-?\d+(?:\.\d+)?))?\s*\}\}/g;
const WHOLE = new RegExp(`^${PLACEHOLDER.source}$`);

function checkTemplate(value: unknown, where: string): void {
  if (typeof value === 'string') {
    const stripped = value.replace(PLACEHOLDER, '');
    if (/\{\{|\}\}/.test(stripped)) throw new Error(`${where}: bad placeholder in "${value}" (use {{name}} or {{name*1000}})`);
  } else if (Array.isArray(value)) value.forEach((v, i) => checkTemplate(v, `${where}.${i}`));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) checkTemplate(v, `${where}.${k}`);
}

function evaluate(name: string, op: string | undefined, operand: string | undefined, canonical: JsonObject): unknown {
  const v = canonical[name];
  if (!op) return v;
  if (typeof v !== 'number') return undefined;
  const n = Number(operand);
  switch (op) {
    case '*':
      return v * n;
    case '/':
      return v / n;
    case '+':
      return v + n;
    default:
      return v - n;
  }
}

const ABSENT = Symbol('absent');

function fill(template: unknown, canonical: JsonObject): unknown {
  if (typeof template === 'string') {
    const whole = WHOLE.exec(template);
    if (whole) {
      const v = evaluate(whole[1]!, whole[2], whole[3], canonical);
      return v === undefined ? ABSENT : v;
    }
    return template.replace(PLACEHOLDER, (_m, name: string, op?: string, operand?: string) => {
      const v = evaluate(name, op, operand, canonical);
      return v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
    });
  }
  if (Array.isArray(template)) return template.map((t) => fill(t, canonical)).filter((v) => v !== ABSENT);
  if (template && typeof template === 'object') {
    const out: JsonObject = {};
    for (const [k, t] of Object.entries(template)) {
      const v = fill(t, canonical);
      // An optional canonical argument that was not given leaves its key out (e.g. slow_compute's label).
      if (v !== ABSENT) out[k] = v;
    }
    return out;
  }
  return template;
}

/** Applies an argument template to canonical arguments. */
export function applyTemplate(template: Record<string, unknown>, canonical: JsonObject): JsonObject {
  return fill(template, canonical) as JsonObject;
}

// ---- resolution against a server ----

/** Target facts that decide the server-level roles. */
export interface TargetFacts {
  principals: number;
  canRestart: boolean;
  /** S-NOTASK is available only when configured (a no-tasks variant of the server exists). */
  notask?: boolean;
}

/** Thrown by `tools` when discovery failed: the runner makes the check SKIPPED with this root cause. */
export class DiscoveryError extends Error {
  override name = 'DiscoveryError';
}

export class ResolvedFixtures implements Fixtures {
  constructor(
    private readonly listed: JsonObject[],
    private readonly mapping: FixtureMappingFile,
    private readonly facts: TargetFacts,
    /** F-RES: what the server lists (first resource URI / prompt name, or the configured one). */
    readonly resource: { uri?: string; prompt?: string },
    /** Why tools/list (or resources/list, prompts/list) gave no answer: the lists are unknown, not empty. */
    readonly discoveryError?: string,
  ) {}

  /** The listed tools; throws DiscoveryError when tools/list failed (an unknown list is not an empty one). */
  get tools(): JsonObject[] {
    if (this.discoveryError) throw new DiscoveryError(`tool discovery failed: ${this.discoveryError}`);
    return this.listed;
  }

  private toolName(role: FixtureRole): string | undefined {
    return this.mapping.roles?.[role as z.infer<typeof ToolRoles>]?.tool ?? DEFAULT_FIXTURE_TOOLS[role];
  }

  has(role: FixtureRole): boolean {
    switch (role) {
      case 'S-AUTH':
        return this.facts.principals >= 2;
      case 'S-RESTART':
        return this.facts.canRestart;
      case 'S-NOTASK':
        return Boolean(this.facts.notask ?? this.mapping.notask);
      case 'F-RES':
        return this.resource.uri !== undefined || this.resource.prompt !== undefined;
    }
    const name = this.toolName(role);
    return name !== undefined && this.listed.some((t) => t.name === name);
  }

  tool(role: FixtureRole): string {
    const name = this.toolName(role);
    if (!name || !this.has(role)) {
      throw new Error(
        `fixture ${role} is not available: the server does not list tool "${name ?? '(none)'}" (map it with --fixtures, or declare ${role} in the check's fixtures)`,
      );
    }
    return name;
  }

  /** The listed tool definition of a role (e.g. to read execution.taskSupport), if available. */
  toolDefinition(role: FixtureRole): JsonObject | undefined {
    const name = this.toolName(role);
    return this.tools.find((t) => t.name === name);
  }

  args(role: FixtureRole, canonical: JsonObject): JsonObject {
    const template = this.mapping.roles?.[role as z.infer<typeof ToolRoles>]?.arguments;
    return template ? applyTemplate(template, canonical) : { ...canonical };
  }
}

const MAX_PAGES = 100;

/** Lists every page of a list method; stops on error, on a repeated cursor, or after MAX_PAGES. */
async function listAll(session: Session, method: string, key: string, failures: string[]): Promise<JsonObject[]> {
  const items: JsonObject[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const o = await session.request(method, cursor === undefined ? {} : { cursor });
    if (o.kind !== 'result') {
      const why =
        o.kind === 'error'
          ? `answered error ${o.error.code} "${o.error.message}"`
          : o.kind === 'timeout'
            ? `got no answer within ${Math.round(o.ms)} ms`
            : `failed: ${o.reason}`;
      failures.push(`${method}${page ? ` (page ${page + 1})` : ''} ${why}`);
      break;
    }
    const list = o.result[key];
    if (Array.isArray(list)) items.push(...(list.filter((x) => x && typeof x === 'object') as JsonObject[]));
    const next = o.result.nextCursor;
    if (typeof next !== 'string' || seen.has(next)) break;
    seen.add(next);
    cursor = next;
  }
  return items;
}

/** Lists tools (all pages), resources and prompts, and binds roles to tools. */
export async function loadFixtures(
  session: Session,
  mapping: FixtureMappingFile = {},
  facts: TargetFacts = { principals: 0, canRestart: false },
): Promise<ResolvedFixtures> {
  const caps = session.serverCapabilities;
  const failures: string[] = [];
  const tools = caps.tools ? await listAll(session, 'tools/list', 'tools', failures) : [];
  let uri = mapping.resource;
  let prompt = mapping.prompt;
  if (uri === undefined && prompt === undefined) {
    if (caps.resources)
      uri = (await listAll(session, 'resources/list', 'resources', failures)).find((r) => typeof r.uri === 'string')?.uri as
        string | undefined;
    if (uri === undefined && caps.prompts)
      prompt = (await listAll(session, 'prompts/list', 'prompts', failures)).find((p) => typeof p.name === 'string')?.name as
        string | undefined;
  }
  return new ResolvedFixtures(tools, mapping, facts, { uri, prompt }, failures.length ? failures.join('; ') : undefined);
}
