// In-memory Target and Session for runner tests: no processes, deterministic, records what was asked.
import type { FixtureRole, TransportName } from '../../harness/checks.js';
import type { LoadedFixtures } from '../../harness/fixtures.js';
import type { JsonObject, RpcOutcome, Scenario, Session } from '../../harness/scenario.js';
import type { ModernClient } from '../../harness/modern/client.js';
import type { ExitInfo, Target } from '../../harness/transport/target.js';
import { TargetError } from '../../harness/transport/target.js';
import type { WireLog } from '../../harness/transport/wire.js';

let sessionCounter = 0;

export class FakeSession implements Session {
  readonly name: string;
  readonly initializeResult: JsonObject = {};
  readonly serverCapabilities: JsonObject = { tasks: {} };
  readonly protocolVersion = '2025-11-25';
  closed = false;
  private nextId = 1;

  constructor(
    readonly transport: TransportName,
    private readonly wire: WireLog,
    /** Answers a request; default echoes the method. */
    private readonly answer: (method: string, params: JsonObject) => Promise<RpcOutcome> | RpcOutcome = (method, params) => ({
      kind: 'result',
      result: { method, params },
      id: 0,
      ms: 1,
    }),
  ) {
    this.name = `${transport}#${++sessionCounter}`;
  }

  async request(method: string, params: JsonObject = {}): Promise<RpcOutcome> {
    const id = this.nextId++;
    if (this.closed) return { kind: 'closed', id, ms: 0, reason: 'session closed' };
    this.wire.record({ dir: 'send', transport: this.transport, connection: this.name, message: { jsonrpc: '2.0', id, method, params } });
    const o = await this.answer(method, params);
    if (o.kind === 'result')
      this.wire.record({
        dir: 'recv',
        transport: this.transport,
        connection: this.name,
        message: { jsonrpc: '2.0', id, result: o.result },
      });
    return { ...o, id };
  }
  async notify(): Promise<void> {}
  onServerRequest(): void {}
  notifications() {
    return [];
  }
  serverRequests() {
    return [];
  }
  async waitForNotification() {
    return undefined;
  }
  async waitForServerRequest() {
    return undefined;
  }
  wireSeq(): number {
    return this.wire.seq();
  }
  async terminate() {
    this.closed = true;
  }
  async drop() {
    this.closed = true;
  }
  async close() {
    this.closed = true;
  }
}

export interface FakeTargetOptions {
  transport?: TransportName;
  wire: WireLog;
  /** Every connect throws this TargetError message. */
  failConnect?: string;
  principals?: number;
  canRestart?: boolean;
  answer?: ConstructorParameters<typeof FakeSession>[2];
}

export class FakeTarget implements Target {
  readonly transport: TransportName;
  readonly label: string;
  readonly principals: number;
  readonly canRestart: boolean;
  readonly sessions: FakeSession[] = [];
  restarts = 0;
  disposed = false;
  exit?: ExitInfo;
  stderr = '';

  constructor(private readonly o: FakeTargetOptions) {
    this.transport = o.transport ?? 'stdio';
    this.label = `${this.transport}: fake`;
    this.principals = o.principals ?? 0;
    this.canRestart = o.canRestart ?? true;
  }
  async connect(): Promise<Session> {
    if (this.o.failConnect) throw new TargetError(this.o.failConnect, 'boom on stderr');
    const s = new FakeSession(this.transport, this.o.wire, this.o.answer);
    this.sessions.push(s);
    return s;
  }
  /** A fake speaks 2025-11-25 only: detection falls back to initialize. */
  async connectModern(): Promise<ModernClient> {
    throw new TargetError(`${this.label}: speaks 2025-11-25 only`);
  }
  async restart() {
    this.restarts++;
    for (const s of this.sessions) await s.close();
  }
  serverPids() {
    return [];
  }
  stderrTail() {
    return this.stderr;
  }
  exitInfo() {
    return this.exit;
  }
  /** Simulates the server process dying. */
  crash(code = 1) {
    this.exit = { code, signal: null };
    this.stderr = 'panic: out of cheese';
    for (const s of this.sessions) s.closed = true;
  }
  async dispose() {
    this.disposed = true;
  }
  openSessions() {
    return this.sessions.filter((s) => !s.closed).length;
  }
}

export function fakeFixtures(roles: FixtureRole[], refused: Partial<Record<FixtureRole, string>> = {}): LoadedFixtures {
  return {
    has: (r) => roles.includes(r),
    tool: (r) => r.toLowerCase(),
    args: (_r, a) => a,
    tools: [],
    expectedText: () => ({ kind: 'unknown', why: 'fake fixtures' }),
    invalidArguments: () => ({ kind: 'unknown', why: 'fake fixtures' }),
    refusal: (r) => (refused[r] ? `binding refused: ${refused[r]}` : undefined),
    toolBindings: () => [],
  };
}

export function scenario(name: string, checks: Scenario['checks'], run: Scenario['run']): Scenario {
  return { name, description: `${name} (fake)`, checks, run };
}
