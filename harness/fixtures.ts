// Fixture roles resolved to a target's tools (implements Fixtures of scenario.ts). Defaults follow
// docs/fixtures.md (fixture-contract.ts); a mapping file (--fixtures, fixture-mapping.ts) renames
// tools, maps the canonical arguments through a template and says what the tool returns. Every binding
// is validated (fixture-binding.ts): a tool that cannot play its role is refused, and the role is absent
// with that reason.
import { z } from 'zod';
import { FixtureRole } from './checks.js';
import { deriveInvalidArguments, bindingProblem, type InvalidArguments } from './fixture-binding.js';
import { declaredTaskSupport, isToolRole, ROLE_CONTRACTS, TOOL_ROLES, type ToolRole } from './fixture-contract.js';
import { type FixtureMappingFile, type RoleMapping } from './fixture-mapping.js';
import { applyTemplate, interpolate } from './fixture-template.js';
import type { Fixtures, JsonObject, Session } from './scenario.js';

export { FixtureMappingFile, loadFixtureMapping, parseFixtureMapping, RoleMapping } from './fixture-mapping.js';
export { applyTemplate } from './fixture-template.js';
export type { InvalidArguments } from './fixture-binding.js';

/** Role -> tool of the fixture contract (docs/fixtures.md). F-RES and S-* are not tools. */
export const DEFAULT_FIXTURE_TOOLS = Object.fromEntries(TOOL_ROLES.map((r) => [r, ROLE_CONTRACTS[r].tool])) as Partial<
  Record<FixtureRole, string>
>;

/** Roles that are not a tool: what enables them, in words. */
const NON_TOOL_HINTS = {
  'F-RES': 'F-RES (any resource or prompt)',
  'S-AUTH': 'S-AUTH (HTTP target with two --auth-token principals)',
  'S-RESTART': 'S-RESTART (a server the harness starts: stdio command or --http-command)',
  'S-NOTASK': 'S-NOTASK (the same server started without the tasks capability)',
} as const;

/** Human names of the fixtures that enable a role, for "could not run" messages: "F-GATE (tool gated_job)". */
export const FIXTURE_HINTS = Object.fromEntries(
  (['F-RES', 'S-AUTH', 'S-RESTART', 'S-NOTASK', ...TOOL_ROLES] as FixtureRole[]).map((role) => {
    const tool = DEFAULT_FIXTURE_TOOLS[role];
    return [role, tool ? `${role} (tool ${tool})` : NON_TOOL_HINTS[role as keyof typeof NON_TOOL_HINTS]];
  }),
) as Record<FixtureRole, string>;

/** The result text a role's tool returns for given canonical values: exact, or containing a value. */
export type ExpectedText =
  { kind: 'known'; text: string; match: 'exact' | 'contains'; source: 'contract' | 'mapping' } | { kind: 'unknown'; why: string };

/** True when a result text is what the expectation says. */
export function textMatches(expected: Extract<ExpectedText, { kind: 'known' }>, actual: string | undefined): boolean {
  if (actual === undefined) return false;
  return expected.match === 'exact' ? actual === expected.text : actual.includes(expected.text);
}

/**
 * What checks may ask of a role beyond its tool and arguments (to join `Fixtures` of scenario.ts).
 * Every member is safe to call for any role, available or not.
 */
export interface FixtureExpectations {
  /**
   * The role's result text for `values`: its canonical arguments plus, for elicitation roles, the
   * answered fields (F-ELICIT: name; F-MULTI: a, b). Contract tools are known; a mapped tool only with `expect:`.
   */
  expectedText(role: FixtureRole, values: JsonObject): ExpectedText;
  /** Arguments the role's tool must reject: the mapping's `invalid:`, else derived from its inputSchema. */
  invalidArguments(role: FixtureRole): InvalidArguments;
  /** "binding refused: <why>" when the role's tool is listed (or mapped) but cannot play it; else undefined. */
  refusal(role: FixtureRole): string | undefined;
}

/** One tool the server lists (or the mapping names): what it declares and which roles it got (report.json). */
export const ToolBinding = z.object({
  name: z.string(),
  /** False for a tool the --fixtures mapping names but the server does not list. */
  listed: z.boolean(),
  /** execution.taskSupport as declared; absent when not declared (which means forbidden). */
  taskSupport: z.string().optional(),
  roles: z.array(FixtureRole),
  refused: z.array(z.object({ role: FixtureRole, why: z.string() })),
});
export type ToolBinding = z.infer<typeof ToolBinding>;

/** What a run needs of resolved fixtures: the scenario API plus the binding report. */
export interface LoadedFixtures extends Fixtures, FixtureExpectations {
  toolBindings(): ToolBinding[];
}

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

type Resolution = { kind: 'bound'; tool: JsonObject } | { kind: 'refused'; name: string; why: string } | { kind: 'absent' };

export class ResolvedFixtures implements LoadedFixtures {
  private readonly resolved = new Map<ToolRole, Resolution>();

  constructor(
    private readonly listed: JsonObject[],
    private readonly mapping: FixtureMappingFile,
    private readonly facts: TargetFacts,
    /** F-RES: what the server lists (first resource URI / prompt name, or the configured one). */
    readonly resource: { uri?: string; prompt?: string },
    /** The server declares task-augmented tools/call (else taskSupport does not decide bindings). */
    private readonly tasks = true,
    /** Why tools/list (or resources/list, prompts/list) gave no answer: the lists are unknown, not empty. */
    readonly discoveryError?: string,
  ) {
    for (const role of TOOL_ROLES) this.resolved.set(role, this.resolve(role));
  }

  /** The listed tools; throws DiscoveryError when tools/list failed (an unknown list is not an empty one). */
  get tools(): JsonObject[] {
    if (this.discoveryError) throw new DiscoveryError(`tool discovery failed: ${this.discoveryError}`);
    return this.listed;
  }

  private entry(role: ToolRole): RoleMapping | undefined {
    return this.mapping.roles?.[role];
  }

  /** Bound by the mapping (a tool or an argument template given), not by the contract's name alone. */
  private mapped(role: ToolRole): boolean {
    const e = this.entry(role);
    return e?.tool !== undefined || e?.arguments !== undefined;
  }

  private toolName(role: ToolRole): string {
    return this.entry(role)?.tool ?? ROLE_CONTRACTS[role].tool;
  }

  private resolve(role: ToolRole): Resolution {
    const name = this.toolName(role);
    const tool = this.listed.find((t) => t.name === name);
    if (!tool) return this.mapped(role) ? { kind: 'refused', name, why: `the server lists no tool ${name}` } : { kind: 'absent' };
    const args = this.args(role, ROLE_CONTRACTS[role].sample);
    const why = bindingProblem({ role, tool, mapped: this.mapped(role), args, tasks: this.tasks });
    return why ? { kind: 'refused', name, why } : { kind: 'bound', tool };
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
    return this.resolved.get(role)?.kind === 'bound';
  }

  tool(role: FixtureRole): string {
    if (!isToolRole(role) || !this.has(role)) {
      const name = isToolRole(role) ? this.toolName(role) : '(none)';
      throw new Error(
        this.refusal(role) ??
          `fixture ${role} is not available: the server does not list tool "${name}" (map it with --fixtures, or declare ${role} in the check's fixtures)`,
      );
    }
    return this.toolName(role);
  }

  /** The listed tool definition of a bound role (e.g. to read execution.taskSupport). */
  toolDefinition(role: FixtureRole): JsonObject | undefined {
    const r = isToolRole(role) ? this.resolved.get(role) : undefined;
    return r?.kind === 'bound' ? r.tool : undefined;
  }

  args(role: FixtureRole, canonical: JsonObject): JsonObject {
    const template = isToolRole(role) ? this.entry(role)?.arguments : undefined;
    return template ? applyTemplate(template, canonical) : { ...canonical };
  }

  refusal(role: FixtureRole): string | undefined {
    const r = isToolRole(role) ? this.resolved.get(role) : undefined;
    return r?.kind === 'refused' ? `binding refused: ${r.why}` : undefined;
  }

  private unavailable(role: FixtureRole): string | undefined {
    if (this.has(role)) return undefined;
    return this.refusal(role) ?? `${FIXTURE_HINTS[role]} is not available`;
  }

  expectedText(role: FixtureRole, values: JsonObject): ExpectedText {
    const absent = this.unavailable(role);
    if (absent) return { kind: 'unknown', why: absent };
    if (!isToolRole(role)) return { kind: 'unknown', why: `${role} is not a tool` };
    const name = this.toolName(role);
    if (this.mapped(role)) {
      const expect = this.entry(role)?.expect;
      if (expect?.text !== undefined) return { kind: 'known', text: interpolate(expect.text, values), match: 'exact', source: 'mapping' };
      if (expect?.echoes !== undefined) {
        const v = values[expect.echoes];
        if (v === undefined) return { kind: 'unknown', why: `the mapping says ${name} echoes ${expect.echoes}, which was not given` };
        return { kind: 'known', text: typeof v === 'string' ? v : JSON.stringify(v), match: 'contains', source: 'mapping' };
      }
      return { kind: 'unknown', why: `${name} plays ${role} by mapping, which does not say what it returns (add expect: to the mapping)` };
    }
    const text = ROLE_CONTRACTS[role].text;
    if ('why' in text) return { kind: 'unknown', why: `${name}: ${text.why}` };
    return { kind: 'known', text: interpolate(text.template, values), match: 'exact', source: 'contract' };
  }

  invalidArguments(role: FixtureRole): InvalidArguments {
    const absent = this.unavailable(role);
    if (absent) return { kind: 'unknown', why: absent };
    if (!isToolRole(role)) return { kind: 'unknown', why: `${role} is not a tool` };
    const invalid = this.entry(role)?.invalid;
    if (invalid) return { kind: 'known', arguments: { ...invalid }, how: `the mapping's invalid arguments for ${this.toolName(role)}` };
    return deriveInvalidArguments(this.toolDefinition(role)!, this.args(role, ROLE_CONTRACTS[role].sample));
  }

  toolBindings(): ToolBinding[] {
    const rows = new Map<string, ToolBinding>();
    for (const t of this.listed) {
      if (typeof t.name !== 'string' || rows.has(t.name)) continue;
      const support = declaredTaskSupport(t);
      const taskSupport = 'invalid' in support ? JSON.stringify(support.invalid) : support.declared ? support.value : undefined;
      rows.set(t.name, { name: t.name, listed: true, ...(taskSupport ? { taskSupport } : {}), roles: [], refused: [] });
    }
    for (const [role, r] of this.resolved) {
      if (r.kind === 'absent') continue;
      const name = r.kind === 'bound' ? String(r.tool.name) : r.name;
      let row = rows.get(name);
      if (!row) rows.set(name, (row = { name, listed: false, roles: [], refused: [] }));
      if (r.kind === 'bound') row.roles.push(role);
      else row.refused.push({ role, why: r.why });
    }
    return [...rows.values()];
  }
}

/** What fixture discovery needs of a connection: a 2025-11-25 Session, or a modern client with its discovered capabilities. */
export type FixtureSource = Pick<Session, 'request' | 'serverCapabilities'>;

const MAX_PAGES = 100;

/** Lists every page of a list method; stops on error, on a repeated cursor, or after MAX_PAGES. */
async function listAll(session: FixtureSource, method: string, key: string, failures: string[] = []): Promise<JsonObject[]> {
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

/** Every tool the server lists (all pages), or none when it declares no tools capability. */
export async function listTools(session: FixtureSource, failures: string[] = []): Promise<JsonObject[]> {
  return session.serverCapabilities.tools ? listAll(session, 'tools/list', 'tools', failures) : [];
}

/** Lists tools (all pages), resources and prompts, and binds roles to tools. */
export async function loadFixtures(
  session: FixtureSource,
  mapping: FixtureMappingFile = {},
  facts: TargetFacts = { principals: 0, canRestart: false },
): Promise<ResolvedFixtures> {
  const caps = session.serverCapabilities;
  const failures: string[] = [];
  const tools = await listTools(session, failures);
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
  const toolCall = ((caps.tasks as JsonObject | undefined)?.requests as JsonObject | undefined)?.tools as JsonObject | undefined;
  return new ResolvedFixtures(
    tools,
    mapping,
    facts,
    { uri, prompt },
    toolCall?.call !== undefined,
    failures.length ? failures.join('; ') : undefined,
  );
}
