// Listed-tool builders for the fixture tests: a tool definition as tools/list gives it, and fixtures
// resolved against a list of them with a mapping (YAML text).
import { parseFixtureMapping, ResolvedFixtures } from '../../harness/fixtures.js';
import type { JsonObject } from '../../harness/scenario.js';

/** An object inputSchema. */
export const obj = (properties: JsonObject, required: string[] = [], extra: JsonObject = {}) => ({
  type: 'object',
  properties,
  required,
  ...extra,
});

/** A listed tool; taskSupport undefined leaves execution out. */
export const tool = (name: string, taskSupport: string | undefined, inputSchema: JsonObject = obj({})): JsonObject => ({
  name,
  inputSchema,
  ...(taskSupport ? { execution: { taskSupport } } : {}),
});

/** `tasks`: whether the server declares task-augmented tools/call. */
export const fixtures = (tools: JsonObject[], mapping = '', tasks = true) =>
  new ResolvedFixtures(tools, parseFixtureMapping(mapping), { principals: 0, canRestart: false }, {}, tasks);
