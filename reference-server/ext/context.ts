// What the modules of the 2026-07-28 surface share: the engine and registries of one server, and the
// per-request view of a caller. A caller exists for one request only (the protocol is stateless).
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { JsonObject } from '../connection.js';
import type { Requestor, TaskEngine } from '../engine.js';
import type { TaskRecord } from '../store.js';
import type { ToolRegistry } from '../tools.js';
import type { RequestEnvelope } from './envelope.js';
import type { ExtBehaviour } from '../faults/index.js';
import type { Work } from '../engine.js';
import type { WorkItem } from '../work-queue.js';
import type { TaskInputRequests } from './inputs.js';
import type { RequestStates } from './mrtr.js';
import type { WireIds } from './wire.js';

/** Where messages related to one request go: its SSE stream (HTTP) or the shared channel (stdio). */
export interface Outbound {
  notify(method: string, params: JsonObject): void;
  /** stdio only, fault EXT-CORE-03: a JSON-RPC request to the client (never sent otherwise). */
  request?(method: string, params: JsonObject): void;
}

export interface ExtContext {
  engine: TaskEngine;
  tools: ToolRegistry;
  /** Outstanding input requests of running tasks: in this process, or shared by a cluster's instances (Redis). */
  inputs: TaskInputRequests;
  states: RequestStates;
  behaviour: ExtBehaviour;
  ids: WireIds;
  /** false = the S-NOTASK fixture: no extension, no tasks. */
  tasksEnabled: boolean;
  /** Task creation within the principal's quota (ReferenceServer.createWithinQuota), shared with the 2025-11-25 surface. */
  createWithinQuota(principal: string | undefined, create: () => Promise<TaskRecord>): Promise<TaskRecord>;
  /** Runs a created task's work (ReferenceServer.runWork): in a cluster, when `shareable`, on whichever runner claims `item`. */
  runWork(item: WorkItem, shareable: boolean, local: () => Work): Promise<void>;
  /** Fault EXT-NOTIF-07: progress of a task's work sent to its subscriptions. */
  progressToSubscribers(taskId: string, params: JsonObject): void;
}

export interface Caller {
  id: RequestId;
  who: Requestor;
  env: RequestEnvelope;
  out: Outbound;
  /** Aborted when the request is cancelled (stdio notifications/cancelled, HTTP stream closed) or the server stops. */
  signal: AbortSignal;
  /** The HTTP auth principal, if any: it scopes the task quota and the fixture gates, as for its 2025-11-25 sessions. */
  principal?: string;
}

/** Owners of modern-era tasks carry this prefix, so neither era lists or serves the other's tasks. */
export const MODERN_OWNER_PREFIX = 'ext:';
export const isModernTask = (owner: string) => owner.startsWith(MODERN_OWNER_PREFIX);

/** The principal of a modern requestor (bound ones are owned by ext:<principal>), or undefined. */
export const principalOf = (who: Requestor) => (who.bound ? who.owner.slice(MODERN_OWNER_PREFIX.length) : undefined);
