// The independent oracle: validates every message a server sends against the official 2025-11-25
// JSON Schema (spec-schemas/, copied verbatim from the spec repository).
import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { packagePath } from './paths.js';

const schema2025 = JSON.parse(readFileSync(packagePath('spec-schemas', '2025-11-25-schema.json'), 'utf8')) as {
  $defs: Record<string, unknown>;
};

// ajv-formats is CJS with a default export; under NodeNext its type is the module namespace.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addFormat('byte', /^[A-Za-z0-9+/]*={0,2}$/);
ajv.addSchema({ ...schema2025, $id: 'mcp-2025-11-25' });

const cache = new Map<string, ValidateFunction>();
function validator(def: string): ValidateFunction {
  let v = cache.get(def);
  if (!v) {
    if (!(def in schema2025.$defs)) throw new Error(`no $defs.${def} in the 2025-11-25 schema`);
    v = ajv.getSchema(`mcp-2025-11-25#/$defs/${def}`)!;
    cache.set(def, v);
  }
  return v;
}

/** Result definitions by request method. tools/call depends on whether the request was task-augmented. */
const RESULT_DEFS: Record<string, string> = {
  initialize: 'InitializeResult',
  ping: 'EmptyResult',
  'tools/list': 'ListToolsResult',
  'resources/list': 'ListResourcesResult',
  'resources/templates/list': 'ListResourceTemplatesResult',
  'resources/read': 'ReadResourceResult',
  'prompts/list': 'ListPromptsResult',
  'prompts/get': 'GetPromptResult',
  'completion/complete': 'CompleteResult',
  'logging/setLevel': 'EmptyResult',
  'tasks/get': 'GetTaskResult',
  'tasks/list': 'ListTasksResult',
  'tasks/cancel': 'CancelTaskResult',
  // tasks/result of a tools/call task is a CallToolResult (GetTaskPayloadResult is an open object).
  'tasks/result': 'CallToolResult',
};

const NOTIFICATION_DEFS: Record<string, string> = {
  'notifications/cancelled': 'CancelledNotification',
  'notifications/progress': 'ProgressNotification',
  'notifications/resources/list_changed': 'ResourceListChangedNotification',
  'notifications/resources/updated': 'ResourceUpdatedNotification',
  'notifications/prompts/list_changed': 'PromptListChangedNotification',
  'notifications/tools/list_changed': 'ToolListChangedNotification',
  'notifications/tasks/status': 'TaskStatusNotification',
  'notifications/message': 'LoggingMessageNotification',
  'notifications/elicitation/complete': 'ElicitationCompleteNotification',
};

const REQUEST_DEFS: Record<string, string> = {
  ping: 'PingRequest',
  'elicitation/create': 'ElicitRequest',
  'sampling/createMessage': 'CreateMessageRequest',
  'roots/list': 'ListRootsRequest',
  'tasks/get': 'GetTaskRequest',
  'tasks/result': 'GetTaskPayloadRequest',
  'tasks/cancel': 'CancelTaskRequest',
  'tasks/list': 'ListTasksRequest',
};

export interface SchemaViolation {
  /** The $defs entry the message was checked against. */
  def: string;
  errors: string[];
}

/** What the server's message answers, when it is a response. */
export interface RequestContext {
  method: string;
  params?: Record<string, unknown>;
}

function run(def: string, value: unknown): SchemaViolation | undefined {
  const v = validator(def);
  if (v(value)) return undefined;
  return { def, errors: (v.errors ?? []).slice(0, 10).map((e) => `${e.instancePath || '/'} ${e.message ?? 'invalid'}`) };
}

/**
 * Validates one message sent by a server. `answers` is the client request it responds to (for responses).
 * Returns undefined when valid. Unknown methods are checked against the JSON-RPC envelope only.
 */
export function validateServerMessage(message: unknown, answers?: RequestContext): SchemaViolation | undefined {
  const envelope = run('JSONRPCMessage', message);
  if (envelope) return envelope;
  const m = message as Record<string, unknown>;
  if ('method' in m && 'id' in m) {
    const def = REQUEST_DEFS[m.method as string];
    return def ? run(def, m) : undefined;
  }
  if ('method' in m) {
    const def = NOTIFICATION_DEFS[m.method as string];
    return def ? run(def, m) : undefined;
  }
  if ('error' in m) return run('JSONRPCErrorResponse', m);
  if (!answers) return undefined;
  let def = RESULT_DEFS[answers.method];
  if (answers.method === 'tools/call') def = answers.params && 'task' in answers.params ? 'CreateTaskResult' : 'CallToolResult';
  return def ? run(def, m.result) : undefined;
}

/** Validates an arbitrary value against a named $defs entry (e.g. "Task"). */
export function validateDef(def: string, value: unknown): SchemaViolation | undefined {
  return run(def, value);
}
