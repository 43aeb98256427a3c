// The --fixtures file (YAML or JSON): per tool role, the server's tool that plays it, how the contract's
// canonical arguments map to its own, what it returns, and how to make its arguments invalid.
// The zod schema is the one description of the format (the README's role-mapping section follows it).
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ROLE_CONTRACTS, TOOL_ROLES, type ToolRole } from './fixture-contract.js';
import { checkTemplate } from './fixture-template.js';

const ToolRoles = z.enum(TOOL_ROLES as [ToolRole, ...ToolRole[]]);

export const RoleExpectation = z
  .strictObject({
    text: z
      .string()
      .optional()
      .describe('The exact result text, a template over the canonical arguments: "slept {{seconds*1000}}ms", "Echo: {{name}}".'),
    echoes: z
      .string()
      .min(1)
      .optional()
      .describe(
        'A canonical argument (e.g. label), or an answered elicitation field (F-ELICIT: name), whose value the result text contains.',
      ),
  })
  .refine((e) => (e.text === undefined) !== (e.echoes === undefined), { message: 'give exactly one of text or echoes' })
  .describe("What the role's tool returns. Without it a mapped tool's result text is unknown and the checks that compare it are skipped.");
export type RoleExpectation = z.infer<typeof RoleExpectation>;

export const RoleMapping = z.strictObject({
  /** The server's tool that plays the role. Default: the contract's tool name. */
  tool: z.string().min(1).optional().describe("The server's tool that plays the role. Default: the contract's tool name."),
  /**
   * Argument template: any JSON value; strings may contain {{name}} placeholders for canonical arguments.
   * A string that is exactly one placeholder keeps the canonical value's JSON type. Default: canonical args as-is.
   */
  arguments: z
    .record(z.string(), z.unknown())
    .optional()
    .describe(
      'Argument template: strings may hold {{name}}, {{name*1000}}, {{name/1000}}, {{name+1}}, {{name-1}}; a string that is exactly one placeholder keeps the JSON type.',
    ),
  expect: RoleExpectation.optional(),
  /** Arguments the tool must reject (sent as they are). Default: derived from the tool's inputSchema. */
  invalid: z
    .record(z.string(), z.unknown())
    .optional()
    .describe("Arguments the tool's inputSchema rejects, sent as they are. Default: derived from the inputSchema."),
});
export type RoleMapping = z.infer<typeof RoleMapping>;

/** The --fixtures file. */
export const FixtureMappingFile = z.strictObject({
  /** Empty (`roles:` with every entry commented out, as init writes it for a contract server) means none. */
  roles: z.partialRecord(ToolRoles, RoleMapping).nullish(),
  /** F-RES: the resource URI or prompt name to use (default: the first one listed). */
  resource: z.string().optional(),
  prompt: z.string().optional(),
  /** S-NOTASK: the same server is available without the tasks capability (a target property set by the runner). */
  notask: z.boolean().optional(),
});
export type FixtureMappingFile = z.infer<typeof FixtureMappingFile>;

function allowedKeys(path: string[]): string {
  if (path.length === 0) return Object.keys(FixtureMappingFile.shape).join(', ');
  if (path.length === 1 && path[0] === 'roles') return ToolRoles.options.join(', ');
  if (path.length === 3 && path[2] === 'expect') return 'text, echoes';
  return Object.keys(RoleMapping.shape).join(', ');
}

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
      throw new Error(`${source}: ${[...path, issue.keys[0]!].join('.')}: unknown key (expected one of ${allowedKeys(path)})`);
    }
    throw new Error(`${source}: ${path.join('.') || '(top level)'}: ${issue.message}`);
  }
  for (const [role, m] of Object.entries(r.data.roles ?? {}) as Array<[ToolRole, RoleMapping | undefined]>) {
    const where = `${source}: roles.${role}`;
    if (m?.arguments) checkTemplate(m.arguments, `${where}.arguments`);
    if (m?.expect?.text !== undefined) checkTemplate(m.expect.text, `${where}.expect.text`);
    const echoes = m?.expect?.echoes;
    const contract: { properties: readonly string[]; answers?: readonly string[] } = ROLE_CONTRACTS[role];
    const known = [...contract.properties, ...(contract.answers ?? [])];
    if (echoes !== undefined && !known.includes(echoes)) {
      throw new Error(
        `${where}.expect.echoes: "${echoes}" is not a canonical argument or answered field of ${role} (${known.length ? known.join(', ') : 'it has none'})`,
      );
    }
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
