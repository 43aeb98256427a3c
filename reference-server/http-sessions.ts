// The open Streamable HTTP sessions, and their idle expiry: a session with no request in flight and no
// stream open (standalone GET, SSE response) for `idleTimeoutMs` is closed, as if the client had sent
// DELETE; its id then answers 404 and the client initializes a new session. Its tasks are unaffected.
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { ServerResponse } from 'node:http';
import type { ClientSession } from './server.js';

/** Default idle timeout of an HTTP session: 30 minutes. */
export const DEFAULT_SESSION_IDLE_MS = 30 * 60_000;

export interface SessionEntry {
  transport: StreamableHTTPServerTransport;
  session: ClientSession;
  /** The principal that created the session (auth only); other principals may not use it. */
  principal?: string;
}

interface Tracked {
  entry: SessionEntry;
  /** Responses of this session still open. */
  open: number;
  idle?: NodeJS.Timeout;
}

export class HttpSessions {
  private readonly tracked = new Map<string, Tracked>();

  constructor(
    private readonly idleTimeoutMs: number,
    private readonly onExpired: (id: string) => void,
  ) {}

  get(id: string): SessionEntry | undefined {
    return this.tracked.get(id)?.entry;
  }

  entries(): SessionEntry[] {
    return [...this.tracked.values()].map((t) => t.entry);
  }

  add(id: string, entry: SessionEntry): void {
    const tracked: Tracked = { entry, open: 0 };
    this.tracked.set(id, tracked);
    this.armIdle(id, tracked);
  }

  delete(id: string): void {
    const tracked = this.tracked.get(id);
    if (tracked) clearTimeout(tracked.idle);
    this.tracked.delete(id);
  }

  clear(): void {
    for (const id of [...this.tracked.keys()]) this.delete(id);
  }

  /** The session is busy until this response closes. */
  busyUntilClosed(id: string, res: ServerResponse): void {
    const tracked = this.tracked.get(id);
    if (!tracked || res.writableFinished || res.destroyed) return;
    tracked.open++;
    clearTimeout(tracked.idle);
    tracked.idle = undefined;
    res.once('close', () => {
      tracked.open--;
      if (this.tracked.get(id) === tracked) this.armIdle(id, tracked);
    });
  }

  private armIdle(id: string, tracked: Tracked): void {
    if (tracked.open > 0) return;
    clearTimeout(tracked.idle);
    tracked.idle = setTimeout(() => {
      if (this.tracked.get(id) !== tracked || tracked.open > 0) return;
      this.delete(id);
      this.onExpired(id);
      void tracked.entry.transport.close().catch(() => undefined);
    }, this.idleTimeoutMs);
    tracked.idle.unref();
  }
}
