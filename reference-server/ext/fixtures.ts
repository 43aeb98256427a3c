// Fixture tools that exist only in the 2026-07-28 era (fixtures.md: E-SEQ and E-MRTR), and which fixture
// tools need the client's elicitation capability. The 2025-11-25 surface keeps its own list unchanged.
import { RpcError, type JsonObject } from '../connection.js';
import type { CallToolResult, ToolDefinition } from '../tools.js';

const text = (t: string): CallToolResult => ({ content: [{ type: 'text', text: t }] });
const NO_ARGS = { type: 'object', properties: {}, additionalProperties: false };
const field = (name: string) => ({ type: 'object', properties: { [name]: { type: 'string' } }, required: [name] });

/** The key and request of test_tool_with_task's one MRTR round before its task exists. */
export const USER_NAME_KEY = 'user_name';
export const USER_NAME_REQUEST = {
  method: 'elicitation/create',
  params: { mode: 'form', message: 'What is your name?', requestedSchema: field('name') },
} as const;

export const MRTR_TOOL = 'test_tool_with_task';

/** Tools that cannot run without asking the user: a request lacking elicitation gets -32021. */
export const ELICITING_TOOLS: ReadonlySet<string> = new Set(['confirm_delete', 'multi_input', 'sequential_input', MRTR_TOOL]);

function answerField(content: JsonObject | undefined, name: string): string {
  const value = content?.[name];
  if (typeof value !== 'string') throw new RpcError(-32602, `the elicitation answer must contain a string "${name}"`);
  return value;
}

export const modernFixtureTools: ToolDefinition[] = [
  {
    name: 'sequential_input',
    description: 'Asks two form elicitations one after the other (fields first, then second); returns "first={first},second={second}".',
    inputSchema: NO_ARGS,
    taskSupport: 'optional',
    run: async (_args, ctx) => {
      const first = await ctx.elicit('Please provide first', field('first'));
      if (first.action !== 'accept') return text('declined');
      const second = await ctx.elicit('Please provide second', field('second'));
      if (second.action !== 'accept') return text('declined');
      return text(`first=${answerField(first.content, 'first')},second=${answerField(second.content, 'second')}`);
    },
  },
  {
    name: MRTR_TOOL,
    description: 'Asks user_name through an InputRequiredResult (MRTR), then answers with a task whose result greets that name.',
    inputSchema: NO_ARGS,
    taskSupport: 'optional',
    // The MRTR round happens before the run (tools-call.ts); the run receives the answer as `user_name`.
    run: async (args) => (typeof args[USER_NAME_KEY] === 'string' ? text(`hello:${args[USER_NAME_KEY]}`) : text('declined')),
  },
];
