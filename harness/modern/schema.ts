// The schema oracle of the 2026-07-28 era: validates every server message against the official 2026-07-28
// core schema and the Tasks extension schema (spec-schemas/, copied verbatim), as harness/schema.ts does
// for 2025-11-25. Task shapes are checked against the extension, the rest against the core. The modern
// client (client.ts) and the reference server's tests both use it.
import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { packagePath } from '../paths.js';

type Json = Record<string, unknown>;
const load = (file: string) => JSON.parse(readFileSync(packagePath('spec-schemas', file), 'utf8')) as { $defs: Json };
const core = load('2026-07-28-schema.json');
const ext = load('ext-tasks-draft-schema.json');

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ ...core, $id: 'mcp-2026-07-28' });
ajv.addSchema({ ...ext, $id: 'mcp-ext-tasks' });

const cache = new Map<string, ValidateFunction>();
function validator(ref: string): ValidateFunction {
  let v = cache.get(ref);
  if (!v) cache.set(ref, (v = ajv.getSchema(ref)!));
  if (!v) throw new Error(`no schema ${ref}`);
  return v;
}
const C = (def: string) => `mcp-2026-07-28#/$defs/${def}`;
const E = (def: string) => `mcp-ext-tasks#/$defs/${def}`;

const RESULTS: Record<string, string> = {
  'server/discover': C('DiscoverResult'),
  'tools/list': C('ListToolsResult'),
  'resources/list': C('ListResourcesResult'),
  'resources/templates/list': C('ListResourceTemplatesResult'),
  'resources/read': C('ReadResourceResult'),
  'prompts/list': C('ListPromptsResult'),
  'prompts/get': C('GetPromptResult'),
  'subscriptions/listen': C('SubscriptionsListenResult'),
  'tasks/get': E('GetTaskResult'),
  'tasks/update': E('UpdateTaskResult'),
  'tasks/cancel': E('CancelTaskResult'),
};
const NOTIFICATIONS: Record<string, string> = {
  'notifications/tasks': E('TaskStatusNotification'),
  'notifications/subscriptions/acknowledged': C('SubscriptionsAcknowledgedNotification'),
  'notifications/progress': C('ProgressNotification'),
  'notifications/cancelled': C('CancelledNotification'),
};
const ERRORS: Record<number, string> = {
  [-32020]: C('HeaderMismatchError'),
  [-32021]: C('MissingRequiredClientCapabilityError'),
  [-32022]: C('UnsupportedProtocolVersionError'),
};
const ALLOWED_RESULT_TYPES = new Set(['complete', 'input_required', 'task']);

function check(ref: string, value: unknown, label: string): string[] {
  const v = validator(ref);
  if (v(value)) return [];
  return (v.errors ?? []).slice(0, 5).map((e) => `${label} vs ${ref.split('/').pop()}: ${e.instancePath || '/'} ${e.message}`);
}

/** Schema violations of one server message; `method` is what the request it answers asked (for responses). */
export function modernViolations(message: Json, method?: string): string[] {
  if ('method' in message && 'id' in message)
    return [`the server sent a JSON-RPC request (${String(message.method)}): forbidden in 2026-07-28`];
  if ('method' in message) {
    const ref = NOTIFICATIONS[message.method as string];
    return ref ? check(ref, message, String(message.method)) : [`unexpected notification ${String(message.method)}`];
  }
  if ('error' in message) {
    const out = check(C('JSONRPCErrorResponse'), message, `error of ${method}`);
    const ref = ERRORS[(message.error as { code: number }).code];
    return ref ? [...out, ...check(ref, message, `error of ${method}`)] : out;
  }
  const out = check(C('JSONRPCResultResponse'), message, `response to ${method}`);
  const result = message.result as Json;
  if (!ALLOWED_RESULT_TYPES.has(result.resultType as string)) out.push(`response to ${method}: resultType ${String(result.resultType)}`);
  let ref = method ? RESULTS[method] : undefined;
  if (method === 'tools/call')
    ref =
      result.resultType === 'task'
        ? E('CreateTaskResult')
        : result.resultType === 'input_required'
          ? C('InputRequiredResult')
          : C('CallToolResult');
  if (method?.startsWith('tasks/') && result.resultType !== 'complete') out.push(`response to ${method}: resultType must be "complete"`);
  return ref ? [...out, ...check(ref, result, `response to ${method}`)] : [...out, `no schema for the result of ${method}`];
}
