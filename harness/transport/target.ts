// How to reach a server under test. Implementations: spawned stdio command, HTTP URL, HTTP command that
// prints its endpoint, and the embedded reference server (stdio, or HTTP with two auth principals).
import type { TransportName } from '../checks.js';
import type { ModernClient } from '../modern/client.js';
import type { ConnectOptions, Session } from '../scenario.js';
import type { IntakeLimits } from './limits.js';
import type { WireLog } from './wire.js';

/** An already running Streamable HTTP endpoint; `tokens` are bearer tokens of distinct principals (S-AUTH). */
export type HttpSpec = { kind: 'http'; url: string; headers?: Record<string, string>; tokens?: string[] };

/** Spawn a command that prints `MCP endpoint: <url>` on stdout when ready, then speak Streamable HTTP to it (S-RESTART). */
export type HttpCommandSpec = {
  kind: 'http-command';
  command: string;
  args: string[];
  headers?: Record<string, string>;
  tokens?: string[];
  env?: Record<string, string>;
};

export type TargetSpec =
  /** Spawn `command args` and speak MCP over its stdio; every connect() spawns a fresh process. */
  | { kind: 'stdio'; command: string; args: string[]; env?: Record<string, string>; cwd?: string }
  | HttpSpec
  | HttpCommandSpec
  /**
   * One deployment reached at several endpoints: `--url` given several times, or `--http-command` with
   * `--instances N` (N instances of the command, the harness owns them). Scenarios use endpoint 0; the
   * cluster scenario uses every endpoint (ConnectOptions.endpoint).
   */
  | { kind: 'deployment'; endpoints: HttpSpec[] | HttpCommandSpec[] };

export interface TargetOptions {
  spec: TargetSpec;
  wire: WireLog;
  /** Per-request timeout (ms) for sessions of this target. */
  requestTimeoutMs: number;
  /** How long start-up (spawn + initialize) may take before the target counts as unreachable. */
  startTimeoutMs: number;
  /** Caps on what the server may send (default DEFAULT_LIMITS). */
  limits?: IntakeLimits;
  /** Marker for every process this target spawns (proc.ts); default: one of its own. */
  owner?: string;
  /**
   * The bench: HTTP sessions use the lean link (lean-http-link.ts), whose client CPU stays out of the
   * figures; without it, the recording HttpLink the checks need for their evidence.
   */
  lean?: boolean;
}

export interface ModernConnectOptions {
  /** T_SETTLE of the client's poll(). */
  settleMs: number;
  /** HTTP with S-AUTH: which configured principal to authenticate as (0 = first token). */
  principal?: number;
  /** A deployment of several endpoints: which one to talk to (default 0; H-EXT-05 uses the others). */
  endpoint?: number;
}

export interface ExitInfo {
  code: number | null;
  signal: string | null;
}

export interface Target {
  readonly transport: TransportName;
  /** Human-readable, e.g. "stdio: node server.js" or "http: http://127.0.0.1:3000/mcp". */
  readonly label: string;
  /** Number of auth principals (tokens) available: 0 without S-AUTH. */
  readonly principals: number;
  /** True when the harness owns the server process (stdio, http-command) and may kill and restart it. */
  readonly canRestart: boolean;
  /** Connects and initializes a new session. Throws TargetError with a one-line reason on failure. */
  connect(options?: ConnectOptions): Promise<Session>;
  /**
   * Opens a 2026-07-28 client (no initialize, no session): stdio spawns a process, HTTP speaks to the
   * endpoint with the request metadata headers. Throws TargetError when the server cannot be reached.
   */
  connectModern(options: ModernConnectOptions): Promise<ModernClient>;
  /**
   * Kill the owned server hard (SIGKILL) and start it again; sessions opened before are closed.
   * `connections` (session names) limits it to the processes behind those sessions where every session
   * has its own process (stdio); a server process shared by every session (HTTP) restarts for all.
   */
  restart(connections?: ReadonlySet<string>): Promise<void>;
  /**
   * Pids of the live server processes the harness spawned for this target: one per open session over
   * stdio, the one server of an HTTP command, none for a plain URL. For diagnostics and the bench's
   * memory readings; the harness never signals a server through these.
   */
  serverPids(): number[];
  /** The last lines the owned server wrote to stderr (empty for plain URLs). */
  stderrTail(lines?: number): string;
  /** Endpoints of one deployment (--url given several times, --instances N); absent (1) for every other target. */
  readonly endpoints?: number;
  /**
   * A deployment the harness started (--instances): kill the instance behind endpoint `index` hard
   * (SIGKILL, its sessions closed); the next connect to that endpoint starts it again.
   */
  killEndpoint?(index: number): Promise<void>;
  /**
   * The latest unexpected exit of an owned process. `connections` (session names) narrows it to the
   * processes behind those sessions where every session has its own process (stdio); a server process
   * shared by every session (HTTP) counts for all.
   */
  exitInfo(connections?: ReadonlySet<string>): ExitInfo | undefined;
  /** Closes every session and kills every process this target spawned (SIGTERM, then SIGKILL). Idempotent. */
  dispose(): Promise<void>;
  /** After dispose(): processes the final sweep still found (and killed) carrying this target's marker. */
  survivors?(): string[];
}

/** A target problem the user must fix (cannot spawn, cannot initialize, unreachable URL): one clear line. */
export class TargetError extends Error {
  constructor(
    message: string,
    readonly stderrTail = '',
  ) {
    super(message);
    this.name = 'TargetError';
  }
}

/** The bearer tokens a spec carries (to keep them out of reports and shared labels). */
export function specSecrets(spec: TargetSpec): string[] {
  if (spec.kind === 'deployment') return [...new Set(spec.endpoints.flatMap(specSecrets))];
  return spec.kind === 'stdio' ? [] : (spec.tokens ?? []);
}
