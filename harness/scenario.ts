// The contract between scenarios and the runner. A scenario never touches transports, processes or
// files: it asks the context for sessions, runs check blocks and returns nothing.
import type { FixtureExpectations } from './fixtures.js';
import type { CheckSpec, Era, FixtureRole, TransportName, Verdict, WireEntry } from './checks.js';
import type { ModernClient } from './modern/client.js';

export type JsonObject = Record<string, unknown>;

export interface RpcError {
  code: number;
  message: string;
  data?: unknown;
}

/** The outcome of one request: exactly one of result / error / failure (timeout, transport closed). */
export type RpcOutcome =
  | { kind: 'result'; result: JsonObject; id: number | string; ms: number; http?: HttpResponseInfo }
  | { kind: 'error'; error: RpcError; id: number | string; ms: number; http?: HttpResponseInfo }
  | { kind: 'timeout'; id: number | string; ms: number }
  | { kind: 'closed'; id: number | string; ms: number; reason: string; http?: HttpResponseInfo };

/** What the HTTP layer saw for a POST (absent on stdio). */
export interface HttpResponseInfo {
  status: number;
  contentType: string | null;
}

export interface RequestOptions {
  /** Default: the run's --timeout (per request). */
  timeoutMs?: number;
  /** Aborting drops the request's HTTP stream (or stops waiting on stdio) without sending notifications/cancelled. */
  signal?: AbortSignal;
  /** Send with this JSON-RPC id instead of a fresh run-wide one (H25-21 reuses one id on two sessions on purpose). */
  id?: number;
}

/** A request the server sent to the client (elicitation/create, sampling/createMessage, roots/list). */
export interface ServerRequest {
  id: number | string;
  method: string;
  params: JsonObject;
  /** HTTP: the stream it arrived on ("POST <requestId>" or "GET"); stdio: "stdio". */
  channel: string;
}

/** How the client answers a server request: a result object, an error, or `undefined` to leave it unanswered. */
export type ServerRequestHandler = (req: ServerRequest) => Promise<JsonObject | RpcError | undefined> | JsonObject | RpcError | undefined;

export interface ReceivedNotification {
  method: string;
  params: JsonObject;
  seq: number;
  channel: string;
}

export interface ConnectOptions {
  /** Client capabilities sent in initialize. Default {elicitation:{form:{}}} (no client `tasks`, per T25-CLI-02). */
  capabilities?: JsonObject;
  /** HTTP with S-AUTH: which of the configured principals to authenticate as (0 = first token). */
  principal?: number;
  /** HTTP: open the standalone GET SSE stream after initialize (default true). */
  openGetStream?: boolean;
  /**
   * HTTP: run this session's client in a separate OS process (harness/process-link.ts); `drop()` then
   * SIGKILLs that process, which is what a crashing client looks like to the server. Ignored on stdio.
   */
  separateProcess?: boolean;
  /** A deployment of several endpoints (Target.endpoints): which one to connect to (default 0, the only one elsewhere). */
  endpoint?: number;
}

/** One initialized MCP connection. stdio: one process; HTTP: one MCP session. */
export interface Session {
  readonly name: string; // e.g. "stdio#2", "http#1"
  readonly transport: TransportName;
  readonly initializeResult: JsonObject;
  readonly serverCapabilities: JsonObject;
  readonly protocolVersion: string;
  request(method: string, params?: JsonObject, options?: RequestOptions): Promise<RpcOutcome>;
  notify(method: string, params?: JsonObject): Promise<void>;
  /** Replaces the handler for server->client requests. Default: accept elicitations with "Ada" for every string field. */
  onServerRequest(handler: ServerRequestHandler): void;
  /** Every notification received so far on this session, in receipt order. */
  notifications(): ReceivedNotification[];
  /** Every server->client request received so far on this session. */
  serverRequests(): ServerRequest[];
  /** Resolves with the first notification (already received or future) matching the predicate, or undefined on timeout. */
  waitForNotification(predicate: (n: ReceivedNotification) => boolean, timeoutMs: number): Promise<ReceivedNotification | undefined>;
  waitForServerRequest(predicate: (r: ServerRequest) => boolean, timeoutMs: number): Promise<ServerRequest | undefined>;
  /** Current sequence number of the run-wide wire log (for slicing evidence). */
  wireSeq(): number;
  /** HTTP: the MCP session id; stdio: undefined. */
  readonly sessionId?: string;
  /** HTTP: DELETE the session (graceful goodbye). stdio: close stdin. Then closes. */
  terminate(): Promise<void>;
  /** HTTP: abort every open connection without DELETE. stdio: kill the process hard. */
  drop(): Promise<void>;
  close(): Promise<void>;
  /** True once the underlying process or session has gone away. */
  readonly closed: boolean;
}

/** Fixture roles resolved to the target's tools (default names from docs/fixtures.md, or --fixtures mapping). */
export interface Fixtures extends FixtureExpectations {
  has(role: FixtureRole): boolean;
  /** The tool name that plays the role (throws if absent: check `has` or declare the role in the spec). */
  tool(role: FixtureRole): string;
  /** The role's canonical arguments (docs/fixtures.md form) mapped through the target's argument template. */
  args(role: FixtureRole, canonical: JsonObject): JsonObject;
  /** Tools as listed by tools/list (all pages); throws (check SKIPPED) when discovery failed. */
  readonly tools: JsonObject[];
  /** Set when tools/list (or resources/list, prompts/list) errored or timed out: the lists are unknown. */
  readonly discoveryError?: string;
}

export interface CheckContext {
  readonly spec: CheckSpec;
  /** Attaches extra evidence (wire entries are attached automatically for the block's time span). */
  note(key: string, value: unknown): void;
}

export interface ScenarioContext {
  readonly transport: TransportName;
  /** The protocol eras found on the target (run/eras.ts): both on a dual-era server probed with --protocol auto. */
  readonly eras: readonly Era[];
  readonly fixtures: Fixtures;
  /** Per-request timeout (ms), the settle bound T_SETTLE for polling, and the deadline of one check block. */
  readonly timeouts: { requestMs: number; settleMs: number; checkMs: number };
  /** Number of auth principals available (S-AUTH): 0 when the target has no tokens. */
  readonly principals: number;
  /** True when the harness owns the server process and may kill/restart it (S-RESTART). */
  readonly canRestart: boolean;
  /** The scenario's main session (created lazily, shared by its checks). */
  session(): Promise<Session>;
  /** A further session: stdio spawns another process of the same command, HTTP opens another MCP session. */
  connect(options?: ConnectOptions): Promise<Session>;
  /**
   * 2026-07-28 scenarios: the scenario's main modern client (created lazily, shared by its checks); no
   * initialize, every request carries the envelope (harness/modern/client.ts).
   */
  modern(): Promise<ModernClient>;
  /**
   * A further modern client: stdio spawns another process, HTTP another connection (`principal` for
   * S-AUTH, `endpoint` for one of a deployment's endpoints, see `endpoints`).
   */
  connectModern(options?: { principal?: number; endpoint?: number }): Promise<ModernClient>;
  /**
   * Kill the server process hard and start it again (only when canRestart). stdio: the processes of this
   * scenario's sessions. HTTP: the one server process, which kills every session, so it first waits until
   * no other scenario of the target is running (none starts meanwhile).
   */
  restart(): Promise<void>;
  /** Endpoints of the target's deployment (--url given several times, --instances N): 1 for a single server. */
  readonly endpoints: number;
  /**
   * A deployment the harness started (--instances): kill the instance behind endpoint `index` hard; its
   * sessions close and the next connect to it starts it again. Throws on any other target.
   */
  killEndpoint(index: number): Promise<void>;
  /** True when killEndpoint() can work (the harness owns the deployment's instances). */
  readonly canKillEndpoints: boolean;
  /**
   * Runs one check block. The runner handles selection, fixture and transport applicability,
   * timing, exceptions, and evidence (wire entries exchanged during the block).
   */
  check(spec: CheckSpec, block: (c: CheckContext) => Promise<Verdict>): Promise<Verdict>;
  /** Unique token for nonces, gate ids and labels. */
  nonce(prefix?: string): string;
  /**
   * Wire entries recorded so far (run-wide, of the scenario's era only), e.g. for passive checks. Scenarios of a target run
   * concurrently, and both targets at once: filter by connection (session name) or transport.
   */
  wire(): WireEntry[];
  log(message: string): void;
}

export interface Scenario {
  name: string;
  description: string;
  /**
   * The protocol era of its checks (default 2025-11-25): the runner runs it only against a target that
   * speaks that era, and its checks use ctx.session() (2025-11-25) or ctx.modern() (2026-07-28).
   */
  era?: Era;
  /** Every check the scenario can record (for --list, coverage and docs); scenarios/lib/define.ts makes them check objects. */
  checks: CheckSpec[];
  /**
   * When the runner starts it among the other scenarios of its target, which run a few at a time in
   * list order: 'first' before them (a long one, so it does not finish last); 'last' once they have
   * all finished (it reads what they exchanged). ctx.restart() needs no declaration (see there).
   */
  runs?: 'first' | 'last';
  /** Runs the checks (defineScenario: each of `checks` in order, through ctx.check). */
  run(ctx: ScenarioContext): Promise<void>;
}
