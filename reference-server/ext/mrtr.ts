// Multi round-trip requests (core basic/patterns/mrtr) for requests served without a task: a tool that
// needs input answers an InputRequiredResult, and the client retries the call with inputResponses and
// the requestState echoed. The server keeps nothing between rounds: requestState carries the answers
// so far, bound to the tool and its arguments, integrity-protected with an HMAC and short-lived.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { RpcError, type JsonObject } from '../connection.js';
import type { ElicitAnswer } from '../tools.js';
import { isObject } from './envelope.js';
import { parseElicitResult, type InputRequest } from './inputs.js';

/** How long a requestState stays valid (mrtr r5: a short expiry). */
export const REQUEST_STATE_TTL_MS = 10 * 60_000;

interface RoundState {
  tool: string;
  args: string;
  owner: string;
  answers: Record<string, ElicitAnswer>;
  pending: string[];
  exp: number;
}

/** One call's view of its input: answers given so far, and the requests it still needs. */
export interface Rounds {
  /** Returns the answer for `key`, or records the request and never settles (the round ends). */
  ask(key: string, request: InputRequest): Promise<ElicitAnswer>;
  readonly answers: Readonly<Record<string, ElicitAnswer>>;
}

export type RoundOutcome<T> = { done: T } | { inputRequired: JsonObject };

export class RequestStates {
  /** @param key signs request states; instances of one deployment share it (TaskCluster.requestStateKey). */
  constructor(private readonly key: Buffer = randomBytes(32)) {}

  /** Answers carried by the request: those of its requestState plus its inputResponses for the keys asked. */
  answersOf(params: JsonObject, tool: string, args: JsonObject, owner: string): Record<string, ElicitAnswer> {
    const responses = params.inputResponses;
    if (responses !== undefined && !isObject(responses)) throw new RpcError(-32602, 'Invalid params: inputResponses must be an object');
    const state = params.requestState === undefined ? undefined : this.open(params.requestState, tool, digest(args), owner);
    const answers: Record<string, ElicitAnswer> = { ...state?.answers };
    for (const [key, response] of Object.entries(responses ?? {})) {
      if (state && !state.pending.includes(key)) continue; // unknown keys are ignored (mrtr §Error Handling)
      answers[key] = parseElicitResult(key, response);
    }
    return answers;
  }

  /**
   * Runs `body` with the answers so far. If it asks for something not answered yet, the round ends: the
   * InputRequiredResult lists every request asked in this round, and its requestState carries the answers.
   */
  async round<T>(
    tool: string,
    args: JsonObject,
    owner: string,
    answers: Record<string, ElicitAnswer>,
    body: (rounds: Rounds) => Promise<T>,
  ): Promise<RoundOutcome<T>> {
    const missing: Record<string, InputRequest> = {};
    let blocked!: () => void;
    const roundEnded = new Promise<'input'>((resolve) => (blocked = () => resolve('input')));
    const rounds: Rounds = {
      answers,
      ask: (key, request) => {
        const answer = answers[key];
        if (answer) return Promise.resolve(answer);
        missing[key] = request;
        // Requests asked together (e.g. Promise.all) all land before the round is cut.
        setImmediate(blocked);
        return new Promise<never>(() => undefined);
      },
    };
    const outcome = await Promise.race([body(rounds).then((done) => ({ done })), roundEnded]);
    if (outcome !== 'input') return outcome;
    const state: RoundState = {
      tool,
      args: digest(args),
      owner,
      answers,
      pending: Object.keys(missing),
      exp: Date.now() + REQUEST_STATE_TTL_MS,
    };
    return { inputRequired: { resultType: 'input_required', inputRequests: missing, requestState: this.seal(state) } };
  }

  private seal(state: RoundState): string {
    const payload = Buffer.from(JSON.stringify(state)).toString('base64url');
    return `${payload}.${this.mac(payload)}`;
  }

  private open(token: unknown, tool: string, args: string, owner: string): RoundState {
    const invalid = (why: string) => new RpcError(-32602, `Invalid params: requestState ${why}; start the call again without it`);
    if (typeof token !== 'string') throw invalid('must be the string the server sent');
    const [payload, mac, extra] = token.split('.');
    if (!payload || !mac || extra !== undefined) throw invalid('is malformed');
    const expected = Buffer.from(this.mac(payload));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid('failed verification');
    const state = JSON.parse(Buffer.from(payload, 'base64url').toString()) as RoundState;
    if (state.exp < Date.now()) throw invalid('has expired');
    if (state.tool !== tool || state.args !== args || state.owner !== owner) throw invalid('belongs to another call');
    return state;
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}

const digest = (args: JsonObject) => createHash('sha256').update(JSON.stringify(args)).digest('base64url');
