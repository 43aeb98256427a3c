// The per-request envelope of the stateless 2026-07-28 core (basic/index §_meta): every request names its
// protocol version and client capabilities in params._meta, and the server reads nothing from earlier
// requests. Also the era test a dual-era server routes by, and the modern error codes.
import { RpcError, type JsonObject } from '../connection.js';

export const MODERN_VERSION = '2026-07-28';
export const LEGACY_VERSION = '2025-11-25';
export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';
export const META_PROTOCOL_VERSION = 'io.modelcontextprotocol/protocolVersion';
export const META_CLIENT_CAPABILITIES = 'io.modelcontextprotocol/clientCapabilities';
export const META_CLIENT_INFO = 'io.modelcontextprotocol/clientInfo';
export const META_SERVER_INFO = 'io.modelcontextprotocol/serverInfo';
export const META_SUBSCRIPTION_ID = 'io.modelcontextprotocol/subscriptionId';

export const HEADER_MISMATCH = -32020;
export const MISSING_CAPABILITY = -32021;
export const UNSUPPORTED_VERSION = -32022;

/** Methods that exist only in the modern era: a dual-era server never hands them to the legacy path. */
const MODERN_ONLY_METHODS = new Set(['server/discover', 'subscriptions/listen', 'tasks/update']);

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An error of the envelope itself (malformed request metadata): always HTTP 400 (basic/index §_meta). */
export class EnvelopeError extends RpcError {
  readonly httpStatus = 400;
}

/** What one request says about its client. Nothing here outlives the request. */
export interface RequestEnvelope {
  protocolVersion: string;
  clientCapabilities: JsonObject;
  /** The request declares io.modelcontextprotocol/tasks (an object under capabilities.extensions). */
  tasks: boolean;
  /** The request declares form elicitation (`elicitation: {}` is read as form, as in 2025-11-25). */
  elicitForm: boolean;
  progressToken?: string | number;
}

/** Whether a request belongs to the modern era: it carries the modern _meta, or its method exists only there. */
export function isModernRequest(method: string, params: unknown): boolean {
  if (MODERN_ONLY_METHODS.has(method)) return true;
  return isObject(params) && isObject(params._meta) && META_PROTOCOL_VERSION in params._meta;
}

export interface EnvelopeRules {
  /** Versions this server serves per request (the modern ones). */
  modernVersions: readonly string[];
  /** Every version it supports, for -32022 data.supported (a dual-era server lists its legacy one too). */
  allVersions: readonly string[];
  /** Fault EXT-CORE-01: a missing clientCapabilities is read as {}. */
  capabilitiesOptional?: boolean;
  /** Fault EXT-CORE-02: an unsupported version answers -32602 without data. */
  versionErrorAsInvalidParams?: boolean;
  /** Fault EXT-NEG-06: a legacy `tasks` client capability counts as declaring the extension. */
  legacyCapabilityOptsIn?: boolean;
}

/** Reads and checks params._meta; throws -32602 (HTTP 400) for missing fields, -32022 for an unsupported version. */
export function readEnvelope(params: JsonObject, rules: EnvelopeRules): RequestEnvelope {
  const meta = params._meta;
  if (!isObject(meta))
    throw new EnvelopeError(
      -32602,
      `Invalid params: params._meta is required and must carry "${META_PROTOCOL_VERSION}" and "${META_CLIENT_CAPABILITIES}"`,
    );
  const version = meta[META_PROTOCOL_VERSION];
  if (typeof version !== 'string' || version === '')
    throw new EnvelopeError(-32602, `Invalid params: params._meta["${META_PROTOCOL_VERSION}"] is required (a protocol version string)`);
  if (!rules.modernVersions.includes(version)) {
    if (rules.versionErrorAsInvalidParams) throw new EnvelopeError(-32602, `Invalid params: unsupported protocol version ${version}`);
    const legacy = rules.allVersions.includes(version) ? `; ${version} is served through the initialize handshake` : '';
    throw new RpcError(UNSUPPORTED_VERSION, `Unsupported protocol version: ${version}${legacy}`, {
      supported: [...rules.allVersions],
      requested: version,
    });
  }
  let capabilities = meta[META_CLIENT_CAPABILITIES];
  if (capabilities === undefined && rules.capabilitiesOptional) capabilities = {};
  if (!isObject(capabilities))
    throw new EnvelopeError(
      -32602,
      `Invalid params: params._meta["${META_CLIENT_CAPABILITIES}"] is required (an object; {} declares no optional capability)`,
    );
  const info = meta[META_CLIENT_INFO];
  if (info !== undefined && !(isObject(info) && typeof info.name === 'string' && typeof info.version === 'string'))
    throw new EnvelopeError(-32602, `Invalid params: params._meta["${META_CLIENT_INFO}"] must be an Implementation {name, version}`);
  const extensions = capabilities.extensions;
  if (extensions !== undefined && !isObject(extensions))
    throw new EnvelopeError(-32602, 'Invalid params: clientCapabilities.extensions must be an object');
  const elicitation = capabilities.elicitation;
  const token = meta.progressToken;
  return {
    protocolVersion: version,
    clientCapabilities: capabilities,
    tasks: isObject(extensions?.[TASKS_EXTENSION]) || (!!rules.legacyCapabilityOptsIn && isObject(capabilities.tasks)),
    elicitForm: isObject(elicitation) && (Object.keys(elicitation).length === 0 || isObject(elicitation.form)),
    ...((typeof token === 'string' || typeof token === 'number') && { progressToken: token }),
  };
}

/** MissingRequiredClientCapabilityError (-32021): data.requiredCapabilities names what the request lacks. */
export function missingCapability(what: string, requiredCapabilities: JsonObject): RpcError {
  return new RpcError(MISSING_CAPABILITY, `Missing required client capability: ${what}`, { requiredCapabilities });
}

export const TASKS_REQUIRED = { extensions: { [TASKS_EXTENSION]: {} } };
export const ELICITATION_REQUIRED = { elicitation: { form: {} } };

/** The HTTP status of an error answer (streamable-http §Protocol Version Header, §Server Validation; basic §_meta). */
export function httpStatusOf(error: RpcError): number {
  if (error instanceof EnvelopeError) return error.httpStatus;
  if (error.code === -32601) return 404;
  if (error.code === HEADER_MISMATCH || error.code === MISSING_CAPABILITY || error.code === UNSUPPORTED_VERSION) return 400;
  if (error.code === -32600 || error.code === -32700) return 400;
  return 200;
}
