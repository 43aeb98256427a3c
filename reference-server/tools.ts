// The fixture tools of docs/fixtures.md, exactly: names, arguments, taskSupport and
// results. A tool is a plain async function of its arguments and a context; it neither knows nor cares
// whether it runs as a task (server.ts decides), so a direct call and a task return the same result.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { INTERNAL_ERROR, INVALID_PARAMS, RpcError, type JsonObject } from './connection.js';

export type TaskSupport = 'forbidden' | 'optional' | 'required';

export interface CallToolResult {
  content: Array<{ type: 'text'; text: string }>;
  structuredContent?: JsonObject;
  isError?: boolean;
  [key: string]: unknown;
}

export interface ElicitAnswer {
  action: 'accept' | 'decline' | 'cancel';
  content?: JsonObject;
}

export interface ToolContext {
  /** Aborted when the call is cancelled (notifications/cancelled, tasks/cancel) or its task expires. */
  signal: AbortSignal;
  /** Whose gates the gate tools see: the caller's auth principal, or '' (one set shared by all sessions). */
  gateScope: string;
  /** Reports progress on the request's progress token (a no-op when the request carried none). */
  progress(progress: number, total: number): void;
  /** Whether the client declared form elicitation; elicit() must not be called otherwise. */
  canElicit: boolean;
  /** Asks the client one form elicitation; several may be outstanding at once. */
  elicit(message: string, requestedSchema: JsonObject): Promise<ElicitAnswer>;
}

export interface ToolDefinition {
  name: string;
  description: string;
  inputSchema: JsonObject;
  outputSchema?: JsonObject;
  /** undefined = no `execution` member at all (which means forbidden). */
  taskSupport?: TaskSupport;
  /**
   * Running it again from the start yields the same result and tells the requestor nothing twice (no
   * elicitation, no progress, no consumed gate release): a task whose runner died may be re-run (worker.ts).
   */
  idempotent?: boolean;
  run(args: JsonObject, ctx: ToolContext): Promise<CallToolResult>;
}

export type GateOutcome = 'success' | 'tool_error' | 'protocol_error';
export type GateStateName = 'unknown' | 'waiting' | 'aborted' | 'finished';

interface Gate {
  state: GateStateName;
  /** A release that arrived while no job was waiting, kept for the next job on this gate. */
  pendingRelease?: GateOutcome;
  waiters: Set<(outcome: GateOutcome) => void>;
}

/**
 * The gates behind gated_job / release_gate / gate_state, shared by every session of one scope: with
 * auth, a principal's sessions (another principal can neither release nor see them); without, all
 * sessions. GateRegistry (below) keeps them in this process; gates-redis.ts shares them between server
 * instances, so a release or a gate_state on any instance sees a job of the same scope waiting on any other.
 */
export interface Gates {
  /** @returns unknown (never used), waiting (a job waits), aborted (its waiting jobs were aborted) or finished (released). */
  state(scope: string, gateId: string): GateStateName | Promise<GateStateName>;
  /** Wakes every job waiting on the gate with `outcome`, or remembers it for the next job if none waits. */
  release(scope: string, gateId: string, outcome: GateOutcome): void | Promise<void>;
  /**
   * Waits for a release (or takes a remembered one).
   * @param signal aborting it ends the wait with the abort reason; the gate reads aborted once no job waits.
   */
  wait(scope: string, gateId: string, signal: AbortSignal): Promise<GateOutcome>;
}

/** The gates of one process. */
export class GateRegistry implements Gates {
  /** Gates are tiny, but an endless stream of unique gate ids must not grow memory without bound. */
  static readonly MAX_GATES = 10_000;
  private readonly gates = new Map<string, Gate>();

  state(scope: string, gateId: string): GateStateName {
    return this.gates.get(gateKey(scope, gateId))?.state ?? 'unknown';
  }

  release(scope: string, gateId: string, outcome: GateOutcome): void {
    const gate = this.gate(gateKey(scope, gateId));
    if (gate.waiters.size === 0) {
      gate.pendingRelease = outcome;
      return;
    }
    const waiters = [...gate.waiters];
    gate.waiters.clear();
    gate.state = 'finished';
    for (const wake of waiters) wake(outcome);
  }

  /** Waits for a release (or takes a remembered one); rejects with the abort reason when aborted. */
  wait(scope: string, gateId: string, signal: AbortSignal): Promise<GateOutcome> {
    const gate = this.gate(gateKey(scope, gateId));
    if (gate.pendingRelease) {
      const outcome = gate.pendingRelease;
      gate.pendingRelease = undefined;
      gate.state = 'finished';
      return Promise.resolve(outcome);
    }
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        gate.state = 'aborted';
        return reject(signal.reason);
      }
      const wake = (outcome: GateOutcome) => {
        signal.removeEventListener('abort', onAbort);
        resolve(outcome);
      };
      const onAbort = () => {
        gate.waiters.delete(wake);
        if (gate.waiters.size === 0) gate.state = 'aborted';
        reject(signal.reason);
      };
      gate.waiters.add(wake);
      gate.state = 'waiting';
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private gate(key: string): Gate {
    let gate = this.gates.get(key);
    if (!gate) {
      this.evictIdle();
      gate = { state: 'unknown', waiters: new Set() };
      this.gates.set(key, gate);
    }
    return gate;
  }

  private evictIdle(): void {
    if (this.gates.size < GateRegistry.MAX_GATES) return;
    for (const [id, gate] of this.gates) {
      if (gate.waiters.size === 0) this.gates.delete(id);
      if (this.gates.size < GateRegistry.MAX_GATES * 0.9) return;
    }
  }
}

const text = (t: string): CallToolResult => ({ content: [{ type: 'text', text: t }] });

/** Sleeps, or rejects with the abort reason as soon as the signal fires. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

const fieldSchema = (field: string) => ({ type: 'object', properties: { [field]: { type: 'string' } }, required: [field] });

const noElicitation = (tool: string) =>
  ({
    ...text(
      `${tool} needs to ask the user, but the client did not declare the elicitation capability (form mode); declare capabilities.elicitation to use it`,
    ),
    isError: true,
  }) satisfies CallToolResult;

/** What one form elicitation for one string field gave: the value, a decline or cancel, or an accepted answer without it. */
export type FieldAnswer = { kind: 'value'; value: string } | { kind: 'declined' } | { kind: 'missing'; field: string };

/** Asks for one string field (`requestedSchema` requires it). */
export async function askField(ctx: ToolContext, field: string, message: string): Promise<FieldAnswer> {
  const answer = await ctx.elicit(message, fieldSchema(field));
  if (answer.action !== 'accept') return { kind: 'declined' };
  const value = answer.content?.[field];
  return typeof value === 'string' ? { kind: 'value', value } : { kind: 'missing', field };
}

/**
 * An accepted answer that lacks the field its requestedSchema requires is bad input to the tool, so the tool
 * reports it in its result: server-tools §Error Handling lists "Input validation errors" among the Tool
 * Execution Errors "reported in tool results with `isError: true`"; a protocol error is an unknown tool, a
 * malformed request or a server error. A task so ended is `completed` (ext §Task Execution Errors).
 */
export const missingField = (tool: string, field: string) =>
  ({ ...text(`${tool}: the elicitation answer must contain a string "${field}"`), isError: true }) satisfies CallToolResult;

/** A repeated, checkable pattern: character i is "abcdefghijklmnopqrstuvwxyz"[i % 26]. */
export function bigResultText(bytes: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz';
  return alphabet.repeat(Math.ceil(bytes / alphabet.length)).slice(0, bytes);
}

const gateIdSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 200,
  description: "Any id the caller chooses; gates are shared by all sessions of the caller's principal",
};
const NO_ARGS = { type: 'object', properties: {}, additionalProperties: false };

export function fixtureTools(gates: Gates): ToolDefinition[] {
  return [
    {
      name: 'greet',
      description: 'Returns "Hello, {name}!" at once (synchronous only).',
      inputSchema: {
        type: 'object',
        properties: { name: { type: 'string', maxLength: 1000 } },
        required: ['name'],
        additionalProperties: false,
      },
      run: async ({ name }) => text(`Hello, ${name as string}!`),
    },
    {
      name: 'slow_compute',
      description: 'Sleeps `seconds`, then returns "computed:{label}". Honours cancellation.',
      inputSchema: {
        type: 'object',
        properties: { seconds: { type: 'number', minimum: 0, maximum: 3600 }, label: { type: 'string', maxLength: 1000 } },
        required: ['seconds'],
        additionalProperties: false,
      },
      taskSupport: 'optional',
      idempotent: true,
      run: async ({ seconds, label }, ctx) => {
        if ((seconds as number) > 0) await sleep((seconds as number) * 1000, ctx.signal);
        return text(`computed:${(label as string | undefined) ?? ''}`);
      },
    },
    {
      name: 'failing_job',
      description: 'Must run as a task; ends with an isError result "job failed".',
      inputSchema: NO_ARGS,
      taskSupport: 'required',
      idempotent: true,
      run: async () => ({ ...text('job failed'), isError: true }),
    },
    {
      name: 'protocol_error_job',
      description: 'Fails with JSON-RPC error -32603, directly and as a task.',
      inputSchema: NO_ARGS,
      taskSupport: 'optional',
      idempotent: true,
      run: async () => {
        throw new RpcError(INTERNAL_ERROR, 'protocol_error_job failed on purpose (fixture)');
      },
    },
    {
      name: 'confirm_delete',
      description: 'Asks the user for a name (form elicitation), then returns "hello:{name}", or "declined".',
      // The contract's confirm_delete takes no arguments. The official conformance suite's calls add a
      // `filename` (README "Cross-check with the official suite"), so extra arguments are allowed, not
      // listed: a listed `filename` would make this look like another tool of the same name to a harness
      // that validates bindings. A string `filename` only names the file in the question.
      inputSchema: { type: 'object', properties: {} },
      taskSupport: 'optional',
      run: async ({ filename }, ctx) => {
        if (!ctx.canElicit) return noElicitation('confirm_delete');
        const what = typeof filename === 'string' ? ` of ${filename}` : '';
        const answer = await askField(ctx, 'name', `Please confirm the deletion${what}: who is asking?`);
        if (answer.kind === 'missing') return missingField('confirm_delete', answer.field);
        return text(answer.kind === 'value' ? `hello:${answer.value}` : 'declined');
      },
    },
    {
      name: 'multi_input',
      description: 'Asks two form elicitations at once (fields a and b), then returns "a={a},b={b}".',
      inputSchema: NO_ARGS,
      taskSupport: 'optional',
      run: async (_args, ctx) => {
        if (!ctx.canElicit) return noElicitation('multi_input');
        // Both asked at once, both awaited: one answer never ends the task while the other is outstanding.
        const [a, b] = await Promise.all([askField(ctx, 'a', 'Please provide a'), askField(ctx, 'b', 'Please provide b')]);
        for (const answer of [a, b]) if (answer.kind === 'missing') return missingField('multi_input', answer.field);
        if (a.kind !== 'value' || b.kind !== 'value') return text('declined');
        return text(`a=${a.value},b=${b.value}`);
      },
    },
    {
      name: 'gated_job',
      description: 'Blocks until release_gate names the same gateId, then ends as that release says. Honours cancellation.',
      inputSchema: { type: 'object', properties: { gateId: gateIdSchema }, required: ['gateId'], additionalProperties: false },
      taskSupport: 'optional',
      run: async ({ gateId }, ctx) => {
        const outcome = await gates.wait(ctx.gateScope, gateId as string, ctx.signal);
        if (outcome === 'tool_error') return { ...text(`gate ${gateId as string} released with a tool error`), isError: true };
        if (outcome === 'protocol_error')
          throw new RpcError(INTERNAL_ERROR, `gated_job: gate ${gateId as string} released with a protocol error`);
        return text(`released:${gateId as string}`);
      },
    },
    {
      name: 'release_gate',
      description: 'Releases a gate (remembered if no job waits yet). Returns "ok".',
      inputSchema: {
        type: 'object',
        properties: { gateId: gateIdSchema, outcome: { type: 'string', enum: ['success', 'tool_error', 'protocol_error'] } },
        required: ['gateId'],
        additionalProperties: false,
      },
      taskSupport: 'forbidden',
      run: async ({ gateId, outcome }, ctx) => {
        await gates.release(ctx.gateScope, gateId as string, (outcome as GateOutcome | undefined) ?? 'success');
        return text('ok');
      },
    },
    {
      name: 'gate_state',
      description: 'Reports a gate: unknown, waiting, aborted (work stopped by cancel or expiry) or finished.',
      inputSchema: { type: 'object', properties: { gateId: gateIdSchema }, required: ['gateId'], additionalProperties: false },
      outputSchema: {
        type: 'object',
        properties: { state: { type: 'string', enum: ['unknown', 'waiting', 'aborted', 'finished'] } },
        required: ['state'],
        additionalProperties: false,
      },
      taskSupport: 'forbidden',
      run: async ({ gateId }, ctx) => {
        const structuredContent = { state: await gates.state(ctx.gateScope, gateId as string) };
        return { ...text(JSON.stringify(structuredContent)), structuredContent };
      },
    },
    {
      name: 'progress_job',
      description: 'Sends `steps` progress notifications `intervalSeconds` apart, then returns "done".',
      inputSchema: {
        type: 'object',
        properties: { steps: { type: 'integer', minimum: 0, maximum: 1000 }, intervalSeconds: { type: 'number', minimum: 0, maximum: 60 } },
        required: ['steps', 'intervalSeconds'],
        additionalProperties: false,
      },
      taskSupport: 'optional',
      run: async ({ steps, intervalSeconds }, ctx) => {
        for (let i = 1; i <= (steps as number); i++) {
          await sleep((intervalSeconds as number) * 1000, ctx.signal);
          ctx.progress(i, steps as number);
        }
        return text('done');
      },
    },
    {
      name: 'big_result',
      description: 'Returns one text block of exactly `bytes` characters: "abc…xyz" repeated.',
      inputSchema: {
        type: 'object',
        properties: { bytes: { type: 'integer', minimum: 0, maximum: 50_000_000 } },
        required: ['bytes'],
        additionalProperties: false,
      },
      taskSupport: 'optional',
      idempotent: true,
      run: async ({ bytes }) => text(bigResultText(bytes as number)),
    },
  ];
}

/** Tools by name with compiled argument validators. */
export class ToolRegistry {
  private readonly tools = new Map<string, { def: ToolDefinition; validate: ValidateFunction }>();

  constructor(definitions: ToolDefinition[]) {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    for (const def of definitions) this.tools.set(def.name, { def, validate: ajv.compile(def.inputSchema) });
  }

  list(): ToolDefinition[] {
    return [...this.tools.values()].map((t) => t.def);
  }

  get(name: string): ToolDefinition | undefined {
    return this.tools.get(name)?.def;
  }

  /** Throws -32602 saying exactly what is wrong with the arguments. */
  checkArguments(name: string, args: unknown): JsonObject {
    const tool = this.tools.get(name);
    if (!tool) throw new RpcError(INVALID_PARAMS, `Unknown tool: ${name}`);
    if (tool.validate(args)) return args as JsonObject;
    const problems = (tool.validate.errors ?? []).map(describeError).join('; ');
    throw new RpcError(INVALID_PARAMS, `Invalid arguments for tool ${name}: ${problems}`);
  }
}

function describeError(e: ErrorObject): string {
  const where = e.instancePath ? `argument ${e.instancePath.slice(1).replaceAll('/', '.')}` : 'arguments';
  if (e.keyword === 'additionalProperties')
    return `${where} must not have the unknown property "${(e.params as { additionalProperty: string }).additionalProperty}"`;
  if (e.keyword === 'enum')
    return `${where} must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  return `${where} ${e.message ?? 'is invalid'}`;
}

/** Gate ids are the caller's; the scope keeps two principals' gates of the same id apart. */
export const gateKey = (scope: string, gateId: string) => (scope ? `${scope}\n${gateId}` : gateId);
