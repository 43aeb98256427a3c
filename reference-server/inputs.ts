// TaskInputs: requests a task's work sends its requestor (elicitation/create) when the work may run on
// another instance than the requestor's open tasks/result. The asker stores the request; every
// instance with a tasks/result open for that task delivers it through its local TaskRequestQueue
// (input.ts) and the first answer wins. Without a cluster the server uses TaskRequestQueue directly.
import type { JsonObject } from './connection.js';

/** Delivers one request on this instance's open tasks/result channels; rejects with the reason on abort. */
export type DeliverInput = (method: string, params: JsonObject, signal: AbortSignal) => Promise<JsonObject>;

export interface TaskInputs {
  /**
   * Asks the requestor of a task, wherever its tasks/result is open.
   * @param taskId the task whose work asks.
   * @param method e.g. "elicitation/create".
   * @param params the request params (with related-task _meta).
   * @param signal aborts the question (the task was cancelled or expired): the stored request is withdrawn.
   * @returns the requestor's result; rejects with an RpcError when the requestor answered with an error.
   */
  request(taskId: string, method: string, params: JsonObject, signal: AbortSignal): Promise<JsonObject>;
  /**
   * Delivers the task's pending and future requests here while a tasks/result is open on this instance.
   * @param taskId the task of the open tasks/result.
   * @param deliver sends one request on this instance's channels for the task (server.requestQueue).
   * @returns stop watching (call when the tasks/result ends); deliveries not yet answered are dropped.
   */
  watch(taskId: string, deliver: DeliverInput): () => void;
  close(): Promise<void>;
}
