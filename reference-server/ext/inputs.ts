// The outstanding input requests of running tasks (ext §Task Update Requests). A tool that elicits while
// it runs as a task gets a fresh key, never reused in the task's life; tasks/get inlines every outstanding
// request as `inputRequests`, tasks/update answers them. TaskInputRequests is what the surface needs; the
// class here keeps the requests with the work that waits for them (one process); inputs-redis.ts keeps
// them in Redis so that any instance of a deployment reads and answers them.
import { EventEmitter } from 'node:events';
import { RpcError, type JsonObject } from '../connection.js';
import type { WorkContext } from '../engine.js';
import type { ElicitAnswer } from '../tools.js';
import { isObject } from './envelope.js';

export interface InputRequest {
  method: 'elicitation/create';
  params: JsonObject;
}

interface Outstanding {
  request: InputRequest;
  resolve(answer: ElicitAnswer): void;
}

interface TaskInputState {
  /** Keys issued so far; a key is `elicitation-<n>`, so none repeats. */
  issued: number;
  outstanding: Map<string, Outstanding>;
  work: WorkContext;
}

export interface InputRules {
  /** Fault EXT-UPD-06: keys restart in every round (a round ends when nothing is outstanding). */
  reuseKeys?: boolean;
}

/** The outstanding input requests of running tasks, wherever their work runs; 'changed' fires on every change. */
export interface TaskInputRequests {
  /** Called by a task's work: surfaces one form elicitation and waits for its answer (rejects on abort). */
  elicit(work: WorkContext, message: string, requestedSchema: JsonObject): Promise<ElicitAnswer>;
  /** The outstanding requests of a task, by key (an empty object when none). */
  requests(taskId: string): Promise<Record<string, InputRequest>>;
  /** Applies answers to outstanding keys (see TaskInputs.answer); rejects with -32602 for a malformed one. */
  answer(taskId: string, responses: JsonObject, declineTheRest?: boolean): Promise<void>;
  /** The task's work ended: its requests are gone. */
  forget(taskId: string): void;
  on(event: 'changed', listener: (taskId: string) => void): unknown;
}

export class TaskInputs extends EventEmitter<{ changed: [taskId: string] }> implements TaskInputRequests {
  private readonly tasks = new Map<string, TaskInputState>();

  constructor(private readonly rules: InputRules = {}) {
    super();
  }

  /** Called by a task's work: surfaces one form elicitation and waits for its answer (rejects on abort). */
  elicit(work: WorkContext, message: string, requestedSchema: JsonObject): Promise<ElicitAnswer> {
    const taskId = work.taskId;
    let state = this.tasks.get(taskId);
    if (!state) this.tasks.set(taskId, (state = { issued: 0, outstanding: new Map(), work }));
    if (this.rules.reuseKeys && state.outstanding.size === 0) state.issued = 0;
    const key = `elicitation-${++state.issued}`;
    const request: InputRequest = { method: 'elicitation/create', params: { mode: 'form', message, requestedSchema } };
    const outstanding = state.outstanding;
    return new Promise<ElicitAnswer>((resolve, reject) => {
      const onAbort = () => {
        outstanding.delete(key);
        reject(work.signal.reason);
      };
      if (work.signal.aborted) return onAbort();
      work.signal.addEventListener('abort', onAbort, { once: true });
      outstanding.set(key, {
        request,
        resolve: (answer) => {
          work.signal.removeEventListener('abort', onAbort);
          resolve(answer);
        },
      });
      void work.setStatus('input_required').then(() => this.emit('changed', taskId));
    });
  }

  /** The outstanding requests of a task, by key (an empty object when none). */
  async requests(taskId: string): Promise<Record<string, InputRequest>> {
    const out: Record<string, InputRequest> = {};
    for (const [key, entry] of this.tasks.get(taskId)?.outstanding ?? []) out[key] = entry.request;
    return out;
  }

  /**
   * Applies answers to outstanding keys. Keys not outstanding are ignored, values included (ext §Task Update
   * Requests ¶2; mrtr §Error Handling: ignore what is not recognised): only an outstanding key's value must be
   * an ElicitResult, and all of them are checked before any is applied.
   * When nothing is left outstanding the task is back to working before the tool sees its answers.
   * `declineTheRest` (fault EXT-UPD-05) answers every other outstanding key with a decline.
   */
  async answer(taskId: string, responses: JsonObject, declineTheRest = false): Promise<void> {
    const state = this.tasks.get(taskId);
    if (!state) return;
    const parsed = Object.entries(responses)
      .filter(([key]) => state.outstanding.has(key))
      .map(([key, response]) => [key, parseElicitResult(key, response)] as const);
    const answers = new Map<Outstanding, ElicitAnswer>();
    for (const [key, answer] of parsed) {
      const entry = state.outstanding.get(key);
      if (!entry) continue;
      state.outstanding.delete(key);
      answers.set(entry, answer);
    }
    if (answers.size === 0) return;
    if (declineTheRest) for (const entry of state.outstanding.values()) answers.set(entry, { action: 'decline' });
    if (declineTheRest) state.outstanding.clear();
    if (state.outstanding.size === 0) await state.work.setStatus('working');
    this.emit('changed', taskId);
    for (const [entry, answer] of answers) entry.resolve(answer);
  }

  forget(taskId: string): void {
    this.tasks.delete(taskId);
  }
}

/** An ElicitResult as an InputResponse; anything else is -32602 (mrtr §Error Handling: servers SHOULD validate). */
export function parseElicitResult(key: string, response: unknown): ElicitAnswer {
  const action = isObject(response) ? response.action : undefined;
  if (action !== 'accept' && action !== 'decline' && action !== 'cancel')
    throw new RpcError(-32602, `Invalid params: inputResponses["${key}"] must be an ElicitResult with action accept, decline or cancel`);
  const content = (response as JsonObject).content;
  if (content !== undefined && !isObject(content))
    throw new RpcError(-32602, `Invalid params: inputResponses["${key}"].content must be an object`);
  return { action, content };
}
