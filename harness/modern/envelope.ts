// What a 2026-07-28 client puts on every request (core basic/index §_meta; checklist §3 EXT-CLI-01/08):
// the _meta envelope naming protocol version, client capabilities and client info, and over HTTP the
// request metadata headers derived from the body (MCP-Protocol-Version, Mcp-Method, Mcp-Name with the
// Base64 sentinel for values that are not header-safe). The harness keeps its own constants: the reference
// server is the independent implementation the checks are proven against.
import { MODERN_ERA } from '../checks.js';
import { packageInfo } from '../paths.js';
import type { JsonObject } from '../scenario.js';

export const MODERN_VERSION = MODERN_ERA;
export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';
export const META = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
  subscriptionId: 'io.modelcontextprotocol/subscriptionId',
} as const;

/** Modern error codes (core basic/index §Error Codes). */
export const HEADER_MISMATCH = -32020;
export const MISSING_CAPABILITY = -32021;
export const UNSUPPORTED_VERSION = -32022;

/** Client capabilities of the checklist's notation: EXT, EXT+E (with form elicitation), NOEXT. */
export const EXT: JsonObject = { extensions: { [TASKS_EXTENSION]: {} } };
export const EXT_E: JsonObject = { extensions: { [TASKS_EXTENSION]: {} }, elicitation: { form: {} } };
export const NOEXT: JsonObject = {};
/** The 2025-11-25 capability a legacy client declares (EXT-NEG-06: it does not declare the extension). */
export const LEGACY_TASKS_CAPS: JsonObject = { tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } } };

export const MODERN_CLIENT_INFO = { name: 'sep1686-check', version: packageInfo().version };

/** META(caps) of the checklist: the standard request _meta. */
export function envelope(caps: JsonObject = EXT_E, version: string = MODERN_VERSION): JsonObject {
  return {
    [META.protocolVersion]: version,
    [META.clientCapabilities]: caps,
    [META.clientInfo]: MODERN_CLIENT_INFO,
  };
}

/** Where Mcp-Name comes from, per method (the core table plus the extension's task methods). */
const NAME_SOURCE: Record<string, string> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
  'tasks/get': 'taskId',
  'tasks/update': 'taskId',
  'tasks/cancel': 'taskId',
  'tasks/result': 'taskId',
};

const SENTINEL = /^=\?base64\?.*\?=$/;

/** A header value as sent: visible ASCII without edge spaces as is, anything else (or a sentinel look-alike) Base64-wrapped. */
export function encodeHeaderValue(value: string): string {
  const safe = /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(value) && !SENTINEL.test(value);
  return safe ? value : `=?base64?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

/** Header overrides of one request: a value replaces the derived header, `undefined` removes it. */
export type HeaderOverrides = Record<string, string | undefined>;

/** The request metadata headers a conforming client sends for a message (EXT-CLI-08), plus overrides. */
export function headersFor(message: JsonObject, overrides: HeaderOverrides = {}): HeaderOverrides {
  const params = (message.params ?? {}) as JsonObject;
  const meta = params._meta as JsonObject | undefined;
  const version = meta?.[META.protocolVersion];
  // A body without a version keeps the link's default header (2026-07-28); only overrides remove headers.
  const derived: HeaderOverrides = {};
  if (typeof version === 'string') derived['mcp-protocol-version'] = version;
  if (typeof message.method === 'string') derived['mcp-method'] = message.method;
  const source = typeof message.method === 'string' ? NAME_SOURCE[message.method] : undefined;
  const name = source ? params[source] : undefined;
  if (typeof name === 'string') derived['mcp-name'] = encodeHeaderValue(name);
  const lower = Object.fromEntries(Object.entries(overrides).map(([k, v]) => [k.toLowerCase(), v]));
  return { ...derived, ...lower };
}

/** Whether capabilities declare the extension (an object under extensions). */
export function declaresTasks(caps: unknown): boolean {
  const ext = (caps as { extensions?: Record<string, unknown> } | undefined)?.extensions?.[TASKS_EXTENSION];
  return typeof ext === 'object' && ext !== null && !Array.isArray(ext);
}
