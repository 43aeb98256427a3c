// server/discover (core server/discover) and the cacheable list and read results of the 2026-07-28 era
// (changelog: CacheableResult). The fixture catalogue is the 2025-11-25 one plus the ext-only tools; tools
// carry no `execution` (gone from Tool in 2026-07-28) and task-capable ones document ttlMs/pollIntervalMs.
import { RpcError, type JsonObject } from '../connection.js';
import { PROMPT, STATIC_RESOURCE } from '../server.js';
import type { ToolDefinition } from '../tools.js';
import type { ExtContext } from './context.js';
import { isObject, LEGACY_VERSION, MODERN_VERSION, TASKS_EXTENSION } from './envelope.js';
import { resultMeta } from './wire.js';

/** Freshness hint of discover and list results: nothing in the catalogue ever changes while the server runs. */
export const CATALOGUE_TTL_MS = 3_600_000;
const cacheable = { ttlMs: CATALOGUE_TTL_MS, cacheScope: 'public' } as const;

export function discoverResult(ctx: ExtContext, dualEra: boolean): JsonObject {
  const b = ctx.behaviour;
  const capabilities: JsonObject = { tools: {}, resources: {}, prompts: {} };
  if (ctx.tasksEnabled && !b.discoverHidesExtension) capabilities.extensions = { [TASKS_EXTENSION]: {} };
  if (b.advertiseLegacyTasksCapability) capabilities.tasks = { list: {}, cancel: {}, requests: { tools: { call: {} } } };
  const supportedVersions = b.discoverOmitsModernVersion ? [LEGACY_VERSION] : dualEra ? [MODERN_VERSION, LEGACY_VERSION] : [MODERN_VERSION];
  return {
    resultType: 'complete',
    supportedVersions,
    capabilities,
    instructions:
      'SEP-1686 / SEP-2663 reference server: fixture tools for conformance checks of MCP Tasks (see the sep1686-check fixture contract).',
    ...cacheable,
    ...resultMeta(),
  };
}

function toolEntry(tool: ToolDefinition, tasksEnabled: boolean): JsonObject {
  const taskCapable = tasksEnabled && (tool.taskSupport === 'optional' || tool.taskSupport === 'required');
  const schema = tool.inputSchema as { properties?: JsonObject };
  const inputSchema = taskCapable
    ? {
        ...schema,
        properties: {
          ...schema.properties,
          ttlMs: { type: 'integer', minimum: 0, description: 'Fixture control: retention of the task this call creates, in ms' },
          pollIntervalMs: { type: 'integer', minimum: 1, description: 'Fixture control: pollIntervalMs of the task this call creates' },
        },
      }
    : schema;
  return { name: tool.name, description: tool.description, inputSchema, ...(tool.outputSchema && { outputSchema: tool.outputSchema }) };
}

/** tools/list, resources/*, prompts/* of the modern surface; undefined for any other method. */
export function catalogueResult(ctx: ExtContext, method: string, params: JsonObject): JsonObject | undefined {
  const complete = (body: JsonObject) => ({
    resultType: ctx.behaviour.listResultTypeTask ? 'task' : 'complete',
    ...body,
    ...cacheable,
    ...resultMeta(),
  });
  switch (method) {
    case 'tools/list':
      return complete({ tools: ctx.tools.list().map((t) => toolEntry(t, ctx.tasksEnabled)) });
    case 'resources/list': {
      const { uri, name, title, mimeType } = STATIC_RESOURCE;
      return complete({ resources: [{ uri, name, title, mimeType }] });
    }
    case 'resources/templates/list':
      return complete({ resourceTemplates: [] });
    case 'resources/read':
      if (typeof params.uri !== 'string') throw new RpcError(-32602, 'Invalid params: resources/read needs params.uri (a string)');
      // 2026-07-28 answers a missing resource with -32602 (changelog, minor change 6).
      if (params.uri !== STATIC_RESOURCE.uri) throw new RpcError(-32602, `Resource not found: ${params.uri}`, { uri: params.uri });
      return complete({ contents: [{ uri: STATIC_RESOURCE.uri, mimeType: STATIC_RESOURCE.mimeType, text: STATIC_RESOURCE.text }] });
    case 'prompts/list':
      return complete({ prompts: [PROMPT] });
    case 'prompts/get': {
      if (params.name !== PROMPT.name) throw new RpcError(-32602, `Unknown prompt: ${String(params.name)} (available: ${PROMPT.name})`);
      const args = isObject(params.arguments) ? params.arguments : {};
      const who = typeof args.name === 'string' ? args.name : 'the user';
      const body = {
        description: PROMPT.description,
        messages: [{ role: 'user', content: { type: 'text', text: `Please greet ${who}.` } }],
      };
      return { resultType: ctx.behaviour.listResultTypeTask ? 'task' : 'complete', ...body, ...resultMeta() };
    }
  }
  return undefined;
}
