// Raw-request proofs of the deviations every server built on the TS SDK 1.x McpServer shares (server-everything,
// the simpleStreamableHttp example, dist/harness/bench/sdk-server.js). Each is traced to SDK 1.32 code:
//   T25-TOOL-03  server/mcp.js:168 throws McpError(-32601) for a required tool called without a task, and
//                mcp.js:191 catches it into createToolError(...): a CallToolResult{isError:true}.
//   T25-TOOL-02  a task on a forbidden tool runs it as a plain call; server/index.js:122 then rejects the plain
//                result as "Invalid task creation result" with -32602 (the spec's SHOULD is -32601).
//   T25-ERR-01..03  shared/protocol.js:918 parses params with zod; a ZodError has no numeric code, so :426
//                answers -32603 where an invalid taskId must give -32602.
import { expect } from 'vitest';
import { textOf, type TestClient } from '../../helpers/ref-client.js';

export interface McpServerTools {
  /** A tool listed with taskSupport "required", and arguments it accepts. */
  required: { name: string; arguments: Record<string, unknown> };
  /** A tool listed with taskSupport "forbidden". */
  forbidden: { name: string; arguments: Record<string, unknown> };
  /** The task methods the server answers (tasks/cancel only when a handler exists). */
  taskMethods: string[];
}

function supportOf(tools: Array<Record<string, unknown>>, name: string): unknown {
  return (tools.find((t) => t.name === name)?.execution as { taskSupport?: unknown } | undefined)?.taskSupport;
}

/** T25-TOOL-03: the required tool without a task answers a wrapped -32601 result instead of the error. */
export async function proveRequiredToolWrapsError(c: TestClient, tools: McpServerTools): Promise<void> {
  const listed = (await c.ok('tools/list')).tools as Array<Record<string, unknown>>;
  expect(supportOf(listed, tools.required.name)).toBe('required');
  const o = await c.request('tools/call', { name: tools.required.name, arguments: tools.required.arguments });
  expect(o.error, 'the spec wants JSON-RPC error -32601 here').toBeUndefined();
  expect(o.result?.isError).toBe(true);
  expect(textOf(o.result)).toBe(`MCP error -32601: Tool ${tools.required.name} requires task augmentation (taskSupport: 'required')`);
}

/** T25-TOOL-02 (SHOULD): a task on a forbidden tool answers -32602 "Invalid task creation result". */
export async function proveForbiddenToolTask32602(c: TestClient, tools: McpServerTools): Promise<void> {
  const listed = (await c.ok('tools/list')).tools as Array<Record<string, unknown>>;
  expect(supportOf(listed, tools.forbidden.name)).toBe('forbidden');
  const o = await c.request('tools/call', { name: tools.forbidden.name, arguments: tools.forbidden.arguments, task: { ttl: 60_000 } });
  expect(o.error?.code).toBe(-32602);
  expect(o.error?.message).toMatch(/^MCP error -32602: Invalid task creation result/);
}

/** T25-ERR-01..03: a numeric taskId answers -32603 with a zod issue dump; a well-formed unknown id answers -32602. */
export async function proveNumericTaskId32603(c: TestClient, tools: McpServerTools): Promise<void> {
  for (const method of tools.taskMethods) {
    const wrongType = await c.request(method, { taskId: 42 });
    expect(wrongType.error?.code, method).toBe(-32603);
    expect(wrongType.error?.message, method).toMatch(/"expected": "string"[\s\S]*"path": \[\s*"params",\s*"taskId"\s*\]/);
    // The well-formed case is right: the deviation is the validation error's code alone.
    const unknown = await c.request(method, { taskId: `unknown-${Date.now()}` });
    expect(unknown.error?.code, method).toBe(-32602);
  }
}

/** The harness's evidence for T25-ERR-01..03 of the numeric taskId (other probes of the check may come first). */
export const numericIdEvidence = (method: string): RegExp =>
  new RegExp(`${method} with the number 42 as taskId must fail with -32602; got JSON-RPC error -32603 "\\[ \\{ "expected": "string"`);
