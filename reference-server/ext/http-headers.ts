// The request metadata headers of Streamable HTTP in 2026-07-28 (streamable-http §Request Metadata,
// §Server Validation) and the extension's routing header (ext §Streamable HTTP: Routing Headers):
// MCP-Protocol-Version = _meta protocol version, Mcp-Method = method, Mcp-Name = params.name / params.uri
// / params.taskId (Base64 sentinel decoded). A missing or mismatching header is -32020, HTTP 400.
import type { IncomingHttpHeaders } from 'node:http';
import { RpcError, type JsonObject } from '../connection.js';
import { HEADER_MISMATCH, isObject, META_PROTOCOL_VERSION } from './envelope.js';
import type { ExtBehaviour } from '../faults/index.js';

/** Where Mcp-Name comes from, per method (the core table plus the extension's task methods). */
const NAME_SOURCE: Record<string, 'name' | 'uri' | 'taskId'> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
  'tasks/get': 'taskId',
  'tasks/update': 'taskId',
  'tasks/cancel': 'taskId',
};

const SENTINEL = /^=\?base64\?([A-Za-z0-9+/]*={0,2})\?=$/;

/** A header value as the client meant it: Base64-sentinel values decoded (streamable-http §Value Encoding). */
export function decodeHeaderValue(value: string): string {
  const match = SENTINEL.exec(value);
  return match ? Buffer.from(match[1]!, 'base64').toString('utf8') : value;
}

function single(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

const mismatch = (message: string) => new RpcError(HEADER_MISMATCH, `Header mismatch: ${message}`);

/**
 * Checks the headers of one request against its body. Returns the body to dispatch: normally `body`;
 * under fault EXT-HTTP-02 the task named by Mcp-Name replaces params.taskId.
 */
export function checkHeaders(headers: IncomingHttpHeaders, body: { method: string; params?: unknown }, b: ExtBehaviour): typeof body {
  const params: JsonObject = isObject(body.params) ? body.params : {};
  const version = single(headers, 'mcp-protocol-version');
  const bodyVersion = isObject(params._meta) ? params._meta[META_PROTOCOL_VERSION] : undefined;
  if (version === undefined) throw mismatch('the MCP-Protocol-Version header is required');
  // A body without a version is malformed metadata: the envelope answers that (-32602), not the header check.
  if (bodyVersion !== undefined && version !== bodyVersion)
    throw mismatch(`MCP-Protocol-Version header value '${version}' does not match body value '${String(bodyVersion)}'`);
  const method = single(headers, 'mcp-method');
  if (!b.ignoreMethodHeader) {
    if (method === undefined) throw mismatch('the Mcp-Method header is required');
    if (method !== body.method) throw mismatch(`Mcp-Method header value '${method}' does not match body value '${body.method}'`);
  }
  const source = NAME_SOURCE[body.method];
  if (!source) return body;
  const raw = single(headers, 'mcp-name');
  if (raw === undefined) throw mismatch(`the Mcp-Name header is required for ${body.method} (params.${source})`);
  const name = b.headerUnsafeIdsUndecoded ? raw : decodeHeaderValue(raw);
  if (b.actOnHeaderTaskId && source === 'taskId') return { ...body, params: { ...params, taskId: name } };
  const expected = params[source];
  if (typeof expected === 'string' && name !== expected)
    throw mismatch(`Mcp-Name header value '${raw}' does not match body value '${expected}' (params.${source})`);
  return body;
}
