// Validation of incoming JSON-RPC text, shared by the stdio and HTTP transports: a message the SDK
// schema accepts goes on to the session; anything else gets the JSON-RPC error it deserves (-32700 for
// text that is not JSON, -32600 for JSON that is not a JSON-RPC message) and a one-line reason for the log.
import {
  JSONRPCErrorResponseSchema,
  JSONRPCMessageSchema,
  JSONRPCNotificationSchema,
  JSONRPCRequestSchema,
  JSONRPCResultResponseSchema,
  type JSONRPCMessage,
} from '@modelcontextprotocol/sdk/types.js';
import { INVALID_REQUEST } from './connection.js';

export const PARSE_ERROR = -32700;

/** Largest message accepted (one stdio line, one HTTP body). Requests are small; results flow the other way. */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** An error response to a message that could not be handled; `id` is null when none could be read. */
export interface RejectReply {
  jsonrpc: '2.0';
  id: string | number | null;
  error: { code: number; message: string };
}

export type Checked = { ok: true; message: JSONRPCMessage } | { ok: false; reply: RejectReply; reason: string };

export const reject = (code: number, message: string, id: string | number | null = null): RejectReply => ({
  jsonrpc: '2.0',
  id,
  error: { code, message },
});

/** Parses one message of text (a stdio line, an HTTP body without batching). */
export function parseMessage(text: string): Checked {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const why = (error as Error).message;
    return { ok: false, reply: reject(PARSE_ERROR, 'Parse error: the message is not valid JSON'), reason: `not JSON (${why})` };
  }
  return checkMessage(value);
}

/** Checks an already parsed value against the JSON-RPC message schema of the SDK. */
export function checkMessage(value: unknown): Checked {
  if (isPlainRequestOrNotification(value)) return { ok: true, message: value };
  const parsed = JSONRPCMessageSchema.safeParse(value);
  if (parsed.success) return { ok: true, message: parsed.data };
  const reason = whyInvalid(value);
  // Answer with the request's id when it has a readable one; never with the id of a (malformed)
  // response, which the peer would take as the answer to its own request of that id.
  const id = isObject(value) && 'method' in value && isRequestId(value.id) ? value.id : null;
  return { ok: false, reply: reject(INVALID_REQUEST, `Invalid Request: ${reason}`, id), reason: `invalid request (${reason})` };
}

/** One line saying what is wrong, from the schema of the kind of message the value tries to be. */
function whyInvalid(value: unknown): string {
  if (Array.isArray(value)) return 'a batch (JSON array) is not supported; send one message at a time (2025-11-25)';
  if (!isObject(value)) return 'a JSON-RPC message must be a JSON object';
  const schema =
    'method' in value
      ? 'id' in value
        ? JSONRPCRequestSchema
        : JSONRPCNotificationSchema
      : 'error' in value
        ? JSONRPCErrorResponseSchema
        : 'result' in value
          ? JSONRPCResultResponseSchema
          : undefined;
  if (!schema) return 'not a request, notification or response (no method, result or error member)';
  if ('method' in value && 'id' in value && !isRequestId(value.id)) return 'id must be a string or an integer';
  const issue = schema.safeParse(value).error?.issues[0];
  if (!issue) return 'does not match the JSON-RPC message schema';
  const where = issue.path.length ? issue.path.join('.') : 'message';
  return `${where}: ${issue.message.split('\n')[0]}`;
}

const REQUEST_KEYS = new Set(['jsonrpc', 'id', 'method', 'params']);

/**
 * The common case, decided without zod (whose parse copies the message): a request or notification
 * with no member the SDK schema does not know, and params without `_meta` (the one member of params
 * the schema looks into). What this accepts, JSONRPCRequestSchema or JSONRPCNotificationSchema accepts
 * too, with the same content; everything else (responses, `_meta`, anything odd) goes through the schema.
 */
function isPlainRequestOrNotification(value: unknown): value is JSONRPCMessage {
  if (!isObject(value) || value.jsonrpc !== '2.0' || typeof value.method !== 'string') return false;
  for (const key in value) if (!REQUEST_KEYS.has(key)) return false;
  if ('id' in value && typeof value.id !== 'string' && !Number.isSafeInteger(value.id)) return false;
  return !('params' in value) || (isObject(value.params) && !('_meta' in value.params));
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const isRequestId = (v: unknown): v is string | number => typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v));
