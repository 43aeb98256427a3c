// Fixture tools that exist only in the 2026-07-28 era (fixtures.md: E-SEQ and E-MRTR), and which fixture
// tools need the client's elicitation capability. The 2025-11-25 surface keeps its own list unchanged.
import { askField, missingField, type CallToolResult, type ToolDefinition } from '../tools.js';

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

export const modernFixtureTools: ToolDefinition[] = [
  {
    name: 'sequential_input',
    description: 'Asks two form elicitations one after the other (fields first, then second); returns "first={first},second={second}".',
    inputSchema: NO_ARGS,
    taskSupport: 'optional',
    run: async (_args, ctx) => {
      // Asked one after the other; an answer without its field ends the tool with that error (tools.ts missingField).
      const first = await askField(ctx, 'first', 'Please provide first');
      if (first.kind === 'missing') return missingField('sequential_input', first.field);
      if (first.kind === 'declined') return text('declined');
      const second = await askField(ctx, 'second', 'Please provide second');
      if (second.kind === 'missing') return missingField('sequential_input', second.field);
      if (second.kind === 'declined') return text('declined');
      return text(`first=${first.value},second=${second.value}`);
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
