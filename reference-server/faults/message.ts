// What the message rewriters share: what an outgoing message answers, which faults are on, the memory of
// the stateful faults, and small helpers that reshape a JSON-RPC message without mutating it.
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { FaultId } from './table.js';

export const RELATED_TASK = 'io.modelcontextprotocol/related-task';

export type Json = Record<string, unknown>;

/** What an outgoing message is: for a response, the request it answers. */
export interface OutgoingContext {
  answers?: { method: string; params: Json };
}

/** Memory of the stateful message-level faults, shared by the rewriters of several methods. */
export class RewriteState {
  /** T25-ID-03: CreateTaskResults sent, and the last task id. */
  created = 0;
  lastCreatedId: string | undefined;
  /** T25-LIFE-03: tasks/get answers that saw each task completed. */
  readonly terminalGets = new Map<string, number>();
  /** T25-TTL-05: when each task expires (from its ttl). */
  readonly expiresAt = new Map<string, number>();
  /** T25-CAN-02: when each task was cancelled. */
  readonly cancelledAt = new Map<string, number>();
  /** T25-CAN-06: task ids this server issued. */
  readonly issuedIds = new Set<string>();
  /** H25-02: the tool of each task, and the first result each tool produced. */
  readonly toolOfTask = new Map<string, string>();
  readonly firstResultOfTool = new Map<string, Json>();
  /** H25-03: tasks whose result was delivered. */
  readonly resultServed = new Set<string>();
  /** LC-02: tasks/result deliveries per task. */
  readonly deliveries = new Map<string, number>();
  /** LC-03: tasks/get answers per finished task. */
  readonly finishedGets = new Map<string, number>();
  /** CL-06: the first tasks/get answer for each task (this instance's never-refreshed cache). */
  readonly firstGet = new Map<string, Json>();
}

/** What a rewriter sees. */
export interface ActiveFaults {
  has(id: FaultId): boolean;
  readonly state: RewriteState;
}

/**
 * Rewrites the messages of one method: a response (`params` are those of the request it answers) or a
 * notification or request the server sends (`params` are its own).
 */
export type Rewriter = (message: JSONRPCMessage, params: Json, faults: ActiveFaults) => JSONRPCMessage;

/** One step of a rewriter; steps run in order, each on the output of the previous one. */
export type Step = (message: JSONRPCMessage) => JSONRPCMessage;

export const pipe = (message: JSONRPCMessage, ...steps: Step[]): JSONRPCMessage => steps.reduce((m, step) => step(m), message);

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The result of a success response, if it is an object. */
export const resultOf = (message: JSONRPCMessage): Json | undefined => {
  const m = message as Json;
  return 'error' in m || !isObject(m.result) ? undefined : m.result;
};

/** The error of an error response. */
export const errorOf = (message: JSONRPCMessage): { code?: number; message?: string } | undefined => {
  const m = message as Json;
  return 'error' in m ? (m.error as { code?: number; message?: string }) : undefined;
};

export const withResult = (message: JSONRPCMessage, result: Json): JSONRPCMessage => ({ ...message, result }) as JSONRPCMessage;

export const withParams = (message: JSONRPCMessage, params: Json): JSONRPCMessage => ({ ...message, params }) as JSONRPCMessage;

export const asError = (message: JSONRPCMessage, code: number, text: string): JSONRPCMessage =>
  ({ jsonrpc: '2.0', id: (message as Json).id, error: { code, message: text } }) as JSONRPCMessage;

export const asResult = (message: JSONRPCMessage, result: Json): JSONRPCMessage =>
  ({ jsonrpc: '2.0', id: (message as Json).id, result }) as JSONRPCMessage;

/** A _meta without the related-task entry (undefined if nothing is left). */
export function withoutRelated(meta: unknown): Json | undefined {
  if (!isObject(meta)) return undefined;
  const { [RELATED_TASK]: related, ...rest } = meta;
  void related;
  return Object.keys(rest).length ? rest : undefined;
}

/** An object without its related-task _meta. */
export function stripRelated(value: Json): Json {
  const { _meta, ...rest } = value;
  const meta = withoutRelated(_meta);
  return { ...rest, ...(meta && { _meta: meta }) };
}
