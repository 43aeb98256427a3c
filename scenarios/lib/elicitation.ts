// Holds server->client requests (elicitations) of one session so a check decides when and how to answer.
// Checks that observe input_required must keep the elicitation unanswered for a while (T25-CLI-16).
import { acceptContentFor } from '../../harness/elicitation-answer.js';
import { RELATED_TASK } from '../../harness/protocol.js';
import type { JsonObject, ServerRequest, Session } from '../../harness/scenario.js';

type Answer = JsonObject | undefined;

export interface HeldRequest {
  request: ServerRequest;
  /** Sends the answer (once; later calls are ignored). */
  answer(result: JsonObject): void;
  readonly answered: boolean;
}

/** The related-task _meta to copy into our answer (T25-CLI-10). */
function relatedMeta(req: ServerRequest): JsonObject | undefined {
  const related = (req.params._meta as JsonObject | undefined)?.[RELATED_TASK];
  return related === undefined ? undefined : { [RELATED_TASK]: related };
}

/**
 * accept with content valid for the requested schema: every property gets a value of its type, enum or
 * format, and the given values (the fixture's checkable ones, e.g. name "Ada") win where they are valid.
 */
export function acceptAnswer(req: ServerRequest, values: Record<string, unknown> = {}): JsonObject {
  const content = acceptContentFor(req.params.requestedSchema, values);
  const meta = relatedMeta(req);
  return { action: 'accept', content, ...(meta ? { _meta: meta } : {}) };
}

export function refuseAnswer(req: ServerRequest, action: 'decline' | 'cancel'): JsonObject {
  const meta = relatedMeta(req);
  return { action, ...(meta ? { _meta: meta } : {}) };
}

function defaultAnswer(req: ServerRequest): Answer {
  if (req.method === 'elicitation/create') return acceptAnswer(req);
  if (req.method === 'ping') return {};
  return undefined;
}

/**
 * While a capture is open, every server request of the session is held for the check; otherwise it gets
 * the default answer. Checks run one after the other, so one capture at a time is enough, and requests
 * are matched even when a server omits related-task (which is what T25-INP-02 looks for).
 */
export class ElicitationCapture {
  private readonly held: HeldRequest[] = [];
  private waiters: Array<(h: HeldRequest) => void> = [];
  private open = false;

  constructor(session: Session) {
    session.onServerRequest((req) => (this.open ? this.hold(req) : defaultAnswer(req)));
  }

  /** Starts holding requests; forgets requests of earlier captures. */
  start(): void {
    this.open = true;
    this.held.length = 0;
  }

  /** Stops holding: answers every request still held with the default answer. */
  stop(): void {
    this.open = false;
    for (const h of this.held) if (!h.answered) h.answer(defaultAnswer(h.request) ?? {});
  }

  requests(): HeldRequest[] {
    return [...this.held];
  }

  /** The n-th held request (0-based), already received or within timeoutMs. */
  async next(index: number, timeoutMs: number): Promise<HeldRequest | undefined> {
    if (this.held[index]) return this.held[index];
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== onHeld);
        resolve(undefined);
      }, timeoutMs);
      const onHeld = () => {
        const h = this.held[index];
        if (!h) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== onHeld);
        resolve(h);
      };
      this.waiters.push(onHeld);
    });
  }

  private hold(request: ServerRequest): Promise<Answer> {
    return new Promise<Answer>((resolve) => {
      let answered = false;
      const h: HeldRequest = {
        request,
        answer(result) {
          if (answered) return;
          answered = true;
          resolve(result);
        },
        get answered() {
          return answered;
        },
      };
      this.held.push(h);
      for (const w of [...this.waiters]) w(h);
    });
  }
}
