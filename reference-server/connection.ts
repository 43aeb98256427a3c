// A small JSON-RPC peer on top of one SDK transport: dispatches incoming requests concurrently (a
// blocked tasks/result never delays tasks/get), routes responses to our own outgoing requests, honours
// notifications/cancelled for in-flight requests, and passes every outgoing message through the fault
// seam. It knows JSON-RPC, not MCP.
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { AbortWatch } from './engine.js';
import type { Faults } from './faults/index.js';
import type { JsonRpcErrorBody } from './store.js';

export type JsonObject = Record<string, unknown>;

export const INVALID_REQUEST = -32600;
export const METHOD_NOT_FOUND = -32601;
export const INVALID_PARAMS = -32602;
export const INTERNAL_ERROR = -32603;

/** Thrown by handlers to answer a JSON-RPC error. */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'RpcError';
  }

  toJSON(): JsonRpcErrorBody {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }
}

export interface IncomingRequest {
  id: RequestId;
  method: string;
  params: JsonObject;
  /** Aborted when the peer sends notifications/cancelled for this request or the connection closes. */
  signal: AbortSignal;
  /** The same abort as `signal`, without making an AbortSignal: for waits on hot paths (tasks/result). */
  abortWatch: AbortWatch;
  /** Runs `fn` once the response has been handed to the transport (or could not be). */
  afterReply(fn: () => void): void;
}

/** What a handler answers: a result, or NO_REPLY when the request was cancelled and must stay unanswered. */
export const NO_REPLY = Symbol('no reply');
export type Handler = (request: IncomingRequest) => Promise<JsonObject | typeof NO_REPLY>;

export interface ConnectionOptions {
  transport: Transport;
  faults: Faults;
  handler: Handler;
  onNotification?: (method: string, params: JsonObject) => void;
  /** Problems worth an operator's attention (internal errors, transport errors). */
  log?: (line: string) => void;
  /** Routine events, e.g. a message that could not be delivered because the client dropped its stream. */
  trace?: (line: string) => void;
}

/**
 * An incoming request being handled. Its AbortController is made when a handler first reads `signal`
 * (tasks/result, tool runs): most requests never do, and a controller per request is measurable at
 * thousands of requests a second.
 */
class InFlight implements IncomingRequest, AbortWatch {
  private controller: AbortController | undefined;
  private reason: Error | undefined;
  /** abortWatch listeners (each is called once, at the abort). */
  private listeners: Array<() => void> | undefined;
  private readonly after: Array<() => void> = [];
  constructor(
    readonly id: RequestId,
    readonly method: string,
    readonly params: JsonObject,
  ) {}

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.reason) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  get abortWatch(): AbortWatch {
    return this;
  }

  get aborted(): boolean {
    return this.reason !== undefined;
  }

  abort(reason: Error): void {
    if (this.reason) return;
    this.reason = reason;
    this.controller?.abort(reason);
    const listeners = this.listeners;
    this.listeners = undefined;
    for (const listener of listeners ?? []) listener();
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    if (!this.reason) (this.listeners ??= []).push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const i = this.listeners?.indexOf(listener) ?? -1;
    if (i >= 0) this.listeners!.splice(i, 1);
  }

  afterReply(fn: () => void): void {
    this.after.push(fn);
  }

  replied(): void {
    for (const fn of this.after) fn();
  }
}

interface Outgoing {
  resolve: (result: JsonObject) => void;
  reject: (error: Error) => void;
}

/**
 * Where a response goes. Normally back through the transport; http.ts answers some requests itself.
 * A sink is always called exactly once: with undefined when the request ends without a response.
 */
export type ReplySink = (message: JSONRPCMessage | undefined) => Promise<void>;

export class Connection {
  private readonly transport: Transport;
  private readonly faults: Faults;
  private readonly handler: Handler;
  private readonly inFlight = new Map<RequestId, InFlight>();
  private readonly outgoing = new Map<RequestId, Outgoing>();
  private nextOutgoingId = 1;
  private queue: Promise<unknown> = Promise.resolve();
  private closedFlag = false;
  private readonly closeListeners = new Set<() => void>();

  constructor(private readonly options: ConnectionOptions) {
    this.transport = options.transport;
    this.faults = options.faults;
    this.handler = options.handler;
    this.transport.onmessage = (message) => this.receive(message);
    this.transport.onclose = () => this.handleClose();
    this.transport.onerror = (error) => this.log(`transport error: ${error.message}`);
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  start(): Promise<void> {
    return this.transport.start();
  }

  onClose(listener: () => void): void {
    this.closeListeners.add(listener);
  }

  /** Handles one incoming message; `sink` overrides where the response to a request goes. */
  receive(message: JSONRPCMessage, sink?: ReplySink): void {
    if ('method' in message && 'id' in message) {
      this.dispatch({ id: message.id, method: message.method, params: (message.params ?? {}) as JsonObject }, sink);
    } else if ('method' in message) {
      this.notification(message.method, (message.params ?? {}) as JsonObject);
    } else if ('id' in message) {
      this.response(message);
    }
  }

  /** Sends a notification or request that is not a response; `relatedRequestId` picks the HTTP stream. */
  async send(message: JSONRPCMessage, relatedRequestId?: RequestId): Promise<void> {
    if (this.closedFlag) return;
    const out = this.faults.rewriteOutgoing(message, {});
    try {
      await this.transport.send(out, relatedRequestId === undefined ? undefined : { relatedRequestId });
    } catch (error) {
      // A dropped HTTP stream or closed pipe: the message cannot be delivered; the task state is unaffected.
      this.options.trace?.(`could not deliver ${describe(out)}: ${(error as Error).message}`);
    }
  }

  notify(method: string, params: JsonObject, relatedRequestId?: RequestId): Promise<void> {
    return this.send({ jsonrpc: '2.0', method, params } as JSONRPCMessage, relatedRequestId);
  }

  /** Sends a request to the peer; resolves with its result, rejects with RpcError or on close. */
  request(method: string, params: JsonObject, relatedRequestId?: RequestId): { id: RequestId; result: Promise<JsonObject> } {
    const id = `srv-${this.nextOutgoingId++}`;
    const result = new Promise<JsonObject>((resolve, reject) => {
      if (this.closedFlag) return reject(new Error('connection closed'));
      this.outgoing.set(id, { resolve, reject });
    });
    void this.send({ jsonrpc: '2.0', id, method, params } as JSONRPCMessage, relatedRequestId);
    if (relatedRequestId !== undefined && this.faults.behaviour.duplicateTaskRequestsOnStandaloneStream)
      void this.send({ jsonrpc: '2.0', id, method, params } as JSONRPCMessage);
    return { id, result };
  }

  async close(): Promise<void> {
    await this.transport.close().catch(() => undefined);
    this.handleClose();
  }

  private dispatch(request: Pick<IncomingRequest, 'id' | 'method' | 'params'>, sink?: ReplySink): void {
    const incoming = new InFlight(request.id, request.method, request.params);
    this.inFlight.set(request.id, incoming);
    const run = () => this.answer(incoming, sink);
    if (this.faults.behaviour.serialRequests) this.queue = this.queue.then(run, run);
    else void run();
  }

  private async answer(request: InFlight, sink?: ReplySink): Promise<void> {
    let reply: JSONRPCMessage | undefined;
    try {
      const result = await this.handler(request);
      if (result !== NO_REPLY && !request.aborted) reply = { jsonrpc: '2.0', id: request.id, result } as JSONRPCMessage;
    } catch (error) {
      if (!request.aborted) {
        const body =
          error instanceof RpcError
            ? error.toJSON()
            : { code: INTERNAL_ERROR, message: `Internal error: ${(error as Error)?.message ?? String(error)}` };
        if (!(error instanceof RpcError)) this.log(`internal error in ${request.method}: ${(error as Error)?.stack ?? String(error)}`);
        reply = { jsonrpc: '2.0', id: request.id, error: body } as JSONRPCMessage;
      }
    } finally {
      this.inFlight.delete(request.id);
    }
    try {
      const out =
        reply && !this.closedFlag
          ? this.faults.rewriteOutgoing(reply, { answers: { method: request.method, params: request.params } })
          : undefined;
      if (sink) await sink(out);
      else if (out) await this.transport.send(out);
    } catch (error) {
      this.options.trace?.(`could not deliver the response to ${request.method} (id ${String(request.id)}): ${(error as Error).message}`);
    } finally {
      request.replied();
    }
  }

  private notification(method: string, params: JsonObject): void {
    if (method === 'notifications/cancelled') {
      // Cancels an in-flight request only (e.g. a blocked tasks/result); tasks are cancelled with tasks/cancel.
      const id = params.requestId as RequestId | undefined;
      if (id !== undefined) this.inFlight.get(id)?.abort(new Error(String(params.reason ?? 'cancelled by the client')));
      return;
    }
    this.options.onNotification?.(method, params);
  }

  private response(message: JSONRPCMessage): void {
    const id = (message as { id: RequestId }).id;
    const pending = this.outgoing.get(id);
    if (!pending) return; // a late or duplicate answer: nothing is waiting for it
    this.outgoing.delete(id);
    if ('error' in message) {
      const e = message.error as JsonRpcErrorBody;
      pending.reject(new RpcError(e.code, e.message, e.data));
    } else {
      pending.resolve(((message as { result?: JsonObject }).result ?? {}) as JsonObject);
    }
  }

  private handleClose(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    for (const request of this.inFlight.values()) request.abort(new Error('connection closed'));
    for (const pending of this.outgoing.values()) pending.reject(new Error('connection closed'));
    this.outgoing.clear();
    for (const listener of this.closeListeners) listener();
  }

  private log(line: string): void {
    this.options.log?.(line);
  }
}

function describe(message: JSONRPCMessage): string {
  if ('method' in message) return message.method;
  return `response ${String((message as { id?: RequestId }).id)}`;
}
