// Zod schemas of the 2025-11-25 task wire shapes (lenient where the harness must observe violations;
// the official JSON Schema in spec-schemas/ is the strict oracle).
import { z } from 'zod';

export const RELATED_TASK = 'io.modelcontextprotocol/related-task';
export const MODEL_IMMEDIATE_RESPONSE = 'io.modelcontextprotocol/model-immediate-response';
export const PROTOCOL_VERSION = '2025-11-25';

export const TaskStatus = z.enum(['working', 'input_required', 'completed', 'failed', 'cancelled']);
export type TaskStatus = z.infer<typeof TaskStatus>;
export const TERMINAL: readonly TaskStatus[] = ['completed', 'failed', 'cancelled'];
export const isTerminal = (s: unknown): boolean => TERMINAL.includes(s as TaskStatus);

/** Allowed edges of the lifecycle (tasks §Task Status Lifecycle r2); a repeated status is not an edge. */
export const ALLOWED_EDGES: Record<TaskStatus, readonly TaskStatus[]> = {
  working: ['input_required', 'completed', 'failed', 'cancelled'],
  input_required: ['working', 'completed', 'failed', 'cancelled'],
  completed: [],
  failed: [],
  cancelled: [],
};

export const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export const Task = z.object({
  taskId: z.string(),
  status: TaskStatus,
  statusMessage: z.string().optional(),
  createdAt: z.string(),
  lastUpdatedAt: z.string(),
  ttl: z.number().nullable(),
  pollInterval: z.number().optional(),
});
export type Task = z.infer<typeof Task>;

export const CreateTaskResult = z.object({ task: Task, _meta: z.record(z.string(), z.unknown()).optional() });
export type CreateTaskResult = z.infer<typeof CreateTaskResult>;

export const GetTaskResult = Task.extend({ _meta: z.record(z.string(), z.unknown()).optional() });
export const CancelTaskResult = GetTaskResult;

export const ListTasksResult = z.object({
  tasks: z.array(Task),
  nextCursor: z.string().optional(),
  _meta: z.record(z.string(), z.unknown()).optional(),
});
export type ListTasksResult = z.infer<typeof ListTasksResult>;

export const CallToolResult = z.object({
  content: z.array(z.record(z.string(), z.unknown())),
  structuredContent: z.record(z.string(), z.unknown()).optional(),
  isError: z.boolean().optional(),
  _meta: z.record(z.string(), z.unknown()).optional(),
});
export type CallToolResult = z.infer<typeof CallToolResult>;

export const TaskSupport = z.enum(['forbidden', 'optional', 'required']);
export type TaskSupport = z.infer<typeof TaskSupport>;

/** The `taskSupport` a tools/list entry declares; absent execution or taskSupport means forbidden. */
export function taskSupportOf(tool: Record<string, unknown>): unknown {
  const execution = tool.execution as Record<string, unknown> | undefined;
  return execution?.taskSupport ?? 'forbidden';
}

/** First text content of a CallToolResult, if any. */
export function textOf(result: unknown): string | undefined {
  const content = (result as { content?: Array<{ type?: string; text?: string }> } | undefined)?.content;
  return content?.find((c) => c?.type === 'text')?.text;
}

export function relatedTaskId(meta: unknown): unknown {
  return (meta as Record<string, { taskId?: unknown } | undefined> | undefined)?.[RELATED_TASK]?.taskId;
}
