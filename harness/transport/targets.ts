// Implementations of the Target contract (target.ts): a spawned stdio command (one process per
// connect), a Streamable HTTP URL, an HTTP command that prints its endpoint, and the embedded
// reference server (stdio, or HTTP with two auth principals).
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { TransportName } from '../checks.js';
import { DeploymentTarget } from './deployment.js';
import { HttpLink, type HttpLinkOptions } from './http-link.js';
import { LeanHttpLink } from './lean-http-link.js';
import { packagePath } from '../paths.js';
import { LineTail, newOwner, spawnOwned, stopProcess, sweepOwner } from './proc.js';
import { ProcessLink } from './process-link.js';
import { ModernClient } from '../modern/client.js';
import { headersFor, MODERN_VERSION, type HeaderOverrides } from '../modern/envelope.js';
import type { ConnectOptions, JsonObject, Session } from '../scenario.js';
import type { Link } from './link.js';
import { McpSession, nextConnectionName, openSession } from './session.js';
import { StdioLink } from './stdio-link.js';
import { withTimeout } from '../util/async.js';
import { TargetError, type ExitInfo, type ModernConnectOptions, type Target, type TargetOptions, type TargetSpec } from './target.js';

/** How long dispose() waits for a DELETE before giving up on a graceful goodbye. */
const DELETE_GRACE_MS = 2000;

function quote(parts: string[]): string {
  return parts.map((p) => (/[\s"']/.test(p) ? JSON.stringify(p) : p)).join(' ');
}

export function targetLabel(spec: TargetSpec): string {
  switch (spec.kind) {
    case 'stdio':
      return `stdio: ${quote([spec.command, ...spec.args])}`;
    case 'http':
      return `http: ${spec.url}`;
    case 'http-command':
      return `http: ${quote([spec.command, ...spec.args])}`;
    case 'deployment':
      return deploymentLabel(spec);
  }
}

/** "http: 3 instances of <command>" for --instances, "http: <url>, <url>" for --url given several times. */
function deploymentLabel(spec: Extract<TargetSpec, { kind: 'deployment' }>): string {
  const labels = spec.endpoints.map((e) => targetLabel(e).replace(/^http: /, ''));
  if (labels.length > 1 && labels.every((l) => l === labels[0])) return `http: ${labels.length} instances of ${labels[0]}`;
  return `http: ${labels.join(', ')}`;
}

abstract class BaseTarget implements Target {
  abstract readonly transport: TransportName;
  abstract readonly principals: number;
  abstract readonly canRestart: boolean;
  readonly label: string;
  protected readonly sessions = new Set<McpSession>();
  protected disposed = false;
  private disposing: Promise<void> | undefined;
  /** Marker of every process spawned for this target (proc.ts). */
  protected readonly owner: string;
  private leftovers: string[] = [];

  constructor(protected readonly options: TargetOptions) {
    this.label = targetLabel(options.spec);
    this.owner = options.owner ?? newOwner();
  }

  abstract connect(options?: ConnectOptions): Promise<Session>;
  abstract connectModern(options: ModernConnectOptions): Promise<ModernClient>;
  abstract restart(connections?: ReadonlySet<string>): Promise<void>;
  abstract serverPids(): number[];
  abstract stderrTail(lines?: number): string;
  abstract exitInfo(connections?: ReadonlySet<string>): ExitInfo | undefined;
  protected abstract stopAll(): Promise<void>;

  protected assertUsable(connect?: ConnectOptions): void {
    if (this.disposed) throw new TargetError(`${this.label}: target already disposed`);
    if (connect?.endpoint) throw new TargetError(`${this.label}: one endpoint only (endpoint ${connect.endpoint} asked for)`);
  }

  protected track(session: McpSession): McpSession {
    this.sessions.add(session);
    return session;
  }

  /** A 2026-07-28 client over `link`: the session is attached, never initialized. */
  protected async openModern(
    name: string,
    link: Link,
    overrides: Map<number | string, HeaderOverrides>,
    options: ModernConnectOptions,
  ): Promise<ModernClient> {
    this.options.wire.markModern(name);
    const session = new McpSession({
      name,
      link,
      wire: this.options.wire,
      requestTimeoutMs: this.options.requestTimeoutMs,
      limits: this.options.limits,
    });
    try {
      await session.attach();
    } catch (e) {
      await link.drop().catch(() => {});
      throw new TargetError(`${name}: ${(e as Error).message}`, this.stderrTail(20));
    }
    link.setProtocolVersion(MODERN_VERSION);
    this.track(session);
    return new ModernClient({ session, wire: this.options.wire, settleMs: options.settleMs, headerOverrides: overrides });
  }

  dispose(): Promise<void> {
    this.disposed = true;
    this.disposing ??= this.stopAll().finally(() => {
      // Only this target's own marker: another target of the run may still be running.
      if (!this.options.owner) this.leftovers = sweepOwner(this.owner);
    });
    return this.disposing;
  }

  survivors(): string[] {
    return this.leftovers;
  }
}

class StdioTarget extends BaseTarget {
  readonly transport = 'stdio' as const;
  readonly principals = 0;
  readonly canRestart = true;
  /** Every process spawned, with the name of the session it serves. */
  private readonly links = new Map<StdioLink, string>();
  private readonly tail = new LineTail(400);
  /** Unexpected exits in the order they happened, with the session each process served. */
  private readonly exits: Array<{ connection: string; exit: ExitInfo }> = [];

  constructor(
    options: TargetOptions,
    private readonly spec: Extract<TargetSpec, { kind: 'stdio' }>,
  ) {
    super(options);
  }

  async connect(connect: ConnectOptions = {}): Promise<Session> {
    this.assertUsable(connect);
    const { name, link } = this.spawnLink();
    const session = await openSession({
      name,
      link,
      wire: this.options.wire,
      requestTimeoutMs: this.options.requestTimeoutMs,
      startTimeoutMs: this.options.startTimeoutMs,
      limits: this.options.limits,
      connect,
      stderrTail: () => link.stderrTail.tail(20),
    });
    return this.track(session);
  }

  async connectModern(options: ModernConnectOptions): Promise<ModernClient> {
    this.assertUsable();
    const { name, link } = this.spawnLink();
    return this.openModern(name, link, new Map(), options);
  }

  private spawnLink(): { name: string; link: StdioLink } {
    const name = nextConnectionName(this.options.wire, 'stdio');
    const link = new StdioLink({
      ...this.spec,
      limits: this.options.limits,
      owner: this.owner,
      stderr: (chunk) => this.tail.push(chunk),
      exitedUnexpectedly: (exit) => this.exits.push({ connection: name, exit }),
    });
    this.links.set(link, name);
    return { name, link };
  }

  /** Processes are killed hard (only those of `connections` when given); the next connect() spawns a fresh one. */
  async restart(connections?: ReadonlySet<string>): Promise<void> {
    this.assertUsable();
    const mine = (name: string) => !connections || connections.has(name);
    const links = [...this.links].filter(([, name]) => mine(name)).map(([link]) => link);
    for (const link of links) this.links.delete(link);
    for (const session of [...this.sessions]) if (mine(session.name)) this.sessions.delete(session);
    await Promise.all(links.map((l) => l.drop()));
  }

  stderrTail(lines = 20): string {
    return this.tail.tail(lines);
  }

  exitInfo(connections?: ReadonlySet<string>): ExitInfo | undefined {
    for (let i = this.exits.length - 1; i >= 0; i--) {
      const e = this.exits[i]!;
      if (!connections || connections.has(e.connection)) return e.exit;
    }
    return undefined;
  }

  serverPids(): number[] {
    return [...this.links.keys()].filter((l) => !l.exitInfo() && l.pid !== undefined).map((l) => l.pid!);
  }

  protected async stopAll(): Promise<void> {
    await Promise.all([...this.links.keys()].map((l) => l.close()));
    this.sessions.clear();
  }
}

/** Streamable HTTP to a URL; the http-command target adds a process that prints the URL. */
class HttpTarget extends BaseTarget {
  readonly transport = 'http' as const;
  readonly canRestart: boolean = false;
  protected readonly headers: Record<string, string>;
  protected readonly tokens: string[];

  constructor(options: TargetOptions, spec: { headers?: Record<string, string>; tokens?: string[] }) {
    super(options);
    this.headers = spec.headers ?? {};
    this.tokens = spec.tokens ?? [];
  }

  get principals(): number {
    return this.tokens.length;
  }

  protected async endpoint(): Promise<string> {
    return (this.options.spec as { url: string }).url;
  }

  async connect(connect: ConnectOptions = {}): Promise<Session> {
    this.assertUsable(connect);
    const url = await this.endpoint();
    const headers = this.authHeaders(connect.principal);
    const linkOptions = { url, headers, requestTimeoutMs: this.options.requestTimeoutMs, limits: this.options.limits };
    const session = await openSession({
      name: nextConnectionName(this.options.wire, 'http'),
      link: connect.separateProcess ? new ProcessLink(linkOptions) : this.link(linkOptions),
      wire: this.options.wire,
      requestTimeoutMs: this.options.requestTimeoutMs,
      startTimeoutMs: this.options.startTimeoutMs,
      limits: this.options.limits,
      connect,
      stderrTail: () => this.stderrTail(20),
    });
    return this.track(session);
  }

  async connectModern(options: ModernConnectOptions): Promise<ModernClient> {
    this.assertUsable();
    const url = await this.endpoint();
    const overrides = new Map<number | string, HeaderOverrides>();
    const link = this.link({
      url,
      headers: this.authHeaders(options.principal),
      requestTimeoutMs: this.options.requestTimeoutMs,
      limits: this.options.limits,
      postHeaders: (message: JsonObject) => headersFor(message, overrides.get(message.id as number | string)),
    });
    return this.openModern(nextConnectionName(this.options.wire, 'http'), link, overrides, options);
  }

  /** The bench's lean link or the checks' recording one (TargetOptions.lean). */
  private link(options: HttpLinkOptions): Link {
    return this.options.lean ? new LeanHttpLink(options) : new HttpLink(options);
  }

  /** The configured headers plus the bearer token of `principal` (S-AUTH). */
  private authHeaders(principal?: number): Record<string, string> {
    const headers = { ...this.headers };
    if (this.tokens.length) {
      principal ??= 0;
      const token = this.tokens[principal];
      if (token === undefined)
        throw new TargetError(
          `${this.label}: principal ${principal} requested but only ${this.tokens.length} token(s) configured (pass more --auth-token values)`,
        );
      headers.authorization = `Bearer ${token}`;
    } else if (principal !== undefined && principal > 0) {
      throw new TargetError(`${this.label}: principal ${principal} requested but no tokens are configured (pass --auth-token twice)`);
    }
    return headers;
  }

  async restart(): Promise<void> {
    throw new TargetError(`${this.label}: cannot restart a server the harness did not start (use --http-command)`);
  }

  serverPids(): number[] {
    return [];
  }

  stderrTail(_lines?: number): string {
    return '';
  }

  exitInfo(): ExitInfo | undefined {
    return undefined;
  }

  protected async closeSessions(graceful: boolean): Promise<void> {
    const sessions = [...this.sessions];
    this.sessions.clear();
    await Promise.all(
      sessions.map(async (s) => (graceful ? ((await withTimeout(s.terminate(), DELETE_GRACE_MS)) ?? s.drop()) : s.drop()).catch(() => {})),
    );
  }

  protected async stopAll(): Promise<void> {
    await this.closeSessions(true);
  }
}

const ENDPOINT_LINE = /MCP endpoint:\s*(\S+)/;

class HttpCommandTarget extends HttpTarget {
  override readonly canRestart = true;
  private child: ChildProcess | undefined;
  private started: Promise<string> | undefined;
  private readonly tail = new LineTail(400);
  private readonly stdoutTail = new LineTail(100);
  private exit: ExitInfo | undefined;
  private stopping = false;

  constructor(
    options: TargetOptions,
    private readonly spec: Extract<TargetSpec, { kind: 'http-command' }>,
  ) {
    super(options, spec);
  }

  protected override endpoint(): Promise<string> {
    this.started ??= this.start();
    // A failed start is not cached: the next connect may try again.
    this.started.catch(() => (this.started = undefined));
    return this.started;
  }

  private start(): Promise<string> {
    const { command, args, env } = this.spec;
    this.exit = undefined;
    this.stopping = false;
    return new Promise<string>((resolve, reject) => {
      let child: ChildProcess;
      try {
        child = spawnOwned(command, args, { owner: this.owner, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
      } catch (e) {
        reject(new TargetError(`${this.label}: cannot start: ${(e as Error).message}`));
        return;
      }
      this.child = child;
      let found = false;
      let pending = '';
      const timer = setTimeout(() => {
        if (found) return;
        reject(
          new TargetError(
            `${this.label}: no "MCP endpoint: <url>" line on stdout within ${this.options.startTimeoutMs} ms (make the server print it when ready)${this.tailNote()}`,
            this.stderrTail(),
          ),
        );
        void stopProcess(child, { termGraceMs: 1000 });
      }, this.options.startTimeoutMs);
      child.stderr?.on('data', (c: Buffer) => this.tail.push(c));
      child.stdout?.on('data', (c: Buffer) => {
        this.stdoutTail.push(c);
        if (found) return;
        pending += c.toString();
        const m = ENDPOINT_LINE.exec(pending);
        if (m?.[1]) {
          found = true;
          clearTimeout(timer);
          resolve(m[1]);
        } else if (pending.length > 100_000) {
          pending = pending.slice(-1000);
        }
      });
      child.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(
          new TargetError(
            e.code === 'ENOENT' ? `${this.label}: command not found: ${command}` : `${this.label}: cannot start: ${e.message}`,
          ),
        );
      });
      child.once('exit', (code, signal) => {
        if (!this.stopping) this.exit = { code, signal };
        if (!found) {
          clearTimeout(timer);
          reject(
            new TargetError(
              `${this.label}: the server exited (${signal ? `signal ${signal}` : `exit code ${code}`}) before printing "MCP endpoint: <url>"${this.tailNote()}`,
              this.stderrTail(),
            ),
          );
        }
      });
    });
  }

  private tailNote(): string {
    const t = (this.stderrTail(5) || this.stdoutTail.tail(5)).trim();
    return t ? ` | output: ${t.split('\n').join(' / ')}` : '';
  }

  /** Pid of the running server process. */
  private pid(): number | undefined {
    return this.child && this.child.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  override serverPids(): number[] {
    const pid = this.pid();
    return pid === undefined ? [] : [pid];
  }

  override stderrTail(lines = 20): string {
    return this.tail.tail(lines);
  }

  override exitInfo(): ExitInfo | undefined {
    return this.exit;
  }

  private async stopProcess(hard: boolean): Promise<void> {
    const child = this.child;
    this.child = undefined;
    this.started = undefined;
    if (!child) return;
    if (child.exitCode === null && child.signalCode === null) this.stopping = true;
    await stopProcess(child, hard ? { termGraceMs: 0 } : { termGraceMs: 2000 });
  }

  override async restart(): Promise<void> {
    await this.killEndpoint();
    await this.endpoint();
  }

  /** Kills the server hard (its sessions dropped); the next connect() starts it again. */
  async killEndpoint(): Promise<void> {
    this.assertUsable();
    await this.closeSessions(false);
    await this.stopProcess(true);
  }

  protected override async stopAll(): Promise<void> {
    const alive = this.pid() !== undefined;
    await this.closeSessions(alive);
    await this.stopProcess(false);
  }
}

export function createTarget(options: TargetOptions): Target {
  const spec = options.spec;
  switch (spec.kind) {
    case 'stdio':
      return new StdioTarget(options, spec);
    case 'http':
      return new HttpTarget(options, spec);
    case 'http-command':
      return new HttpCommandTarget(options, spec);
    case 'deployment':
      return new DeploymentTarget(options, spec, targetLabel(spec), createTarget);
  }
}

export const REFERENCE_SERVER_MAIN = () => packagePath('dist', 'reference-server', 'main.js');

/**
 * The embedded reference server as a target spec. stdio: one process per connect. HTTP: one process on a
 * free port with two random bearer tokens (two principals, S-AUTH). `extraArgs` e.g. ["--violate", "..."].
 */
export function referenceServerSpec(transport: TransportName, extraArgs: string[] = []): TargetSpec {
  const main = REFERENCE_SERVER_MAIN();
  if (!existsSync(main)) throw new TargetError(`the embedded reference server is not built (${main} is missing): run "npm run build"`);
  if (transport === 'stdio') return { kind: 'stdio', command: process.execPath, args: [main, ...extraArgs] };
  const tokens = [randomBytes(16).toString('hex'), randomBytes(16).toString('hex')];
  return {
    kind: 'http-command',
    command: process.execPath,
    args: [main, '--http', '--port', '0', '--auth-token', tokens[0]!, '--auth-token', tokens[1]!, ...extraArgs],
    tokens,
  };
}

/** Both embedded reference targets' specs. */
export function embeddedReferenceTargets(extraArgs: string[] = []): Record<TransportName, TargetSpec> {
  return { stdio: referenceServerSpec('stdio', extraArgs), http: referenceServerSpec('http', extraArgs) };
}
