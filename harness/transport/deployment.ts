// One deployment reached at several endpoints (TargetSpec kind 'deployment'): `--url` given several times,
// or `--http-command --instances N`, where the harness starts N instances of the command and owns them.
// Every scenario but the cluster scenario talks to endpoint 0 only, so a deployment looks like one HTTP
// server to them; the cluster scenario opens sessions on the others (ConnectOptions.endpoint) and, when
// the harness owns the instances, kills one (killEndpoint).
import type { TransportName } from '../checks.js';
import type { ConnectOptions, Session } from '../scenario.js';
import type { ModernClient } from '../modern/client.js';
import { TargetError, type ExitInfo, type ModernConnectOptions, type Target, type TargetOptions, type TargetSpec } from './target.js';

type DeploymentSpec = Extract<TargetSpec, { kind: 'deployment' }>;

export class DeploymentTarget implements Target {
  readonly transport: TransportName = 'http';
  readonly label: string;
  private readonly members: Target[];

  constructor(
    options: TargetOptions,
    spec: DeploymentSpec,
    label: string,
    /** Builds the target of one endpoint (targets.ts createTarget). */
    member: (options: TargetOptions) => Target,
  ) {
    if (spec.endpoints.length === 0) throw new TargetError('a deployment needs at least one endpoint');
    this.label = label;
    this.members = spec.endpoints.map((endpoint) => member({ ...options, spec: endpoint }));
  }

  get endpoints(): number {
    return this.members.length;
  }

  get principals(): number {
    return this.members[0]!.principals;
  }

  /** Owned instances (--instances): restart() and killEndpoint() work. */
  get canRestart(): boolean {
    return this.members.every((m) => m.canRestart);
  }

  private member(index: number): Target {
    const m = this.members[index];
    if (!m) throw new TargetError(`${this.label}: no endpoint ${index} (the deployment has ${this.members.length})`);
    return m;
  }

  async connect(options: ConnectOptions = {}): Promise<Session> {
    return this.member(options.endpoint ?? 0).connect({ ...options, endpoint: 0 });
  }

  /** 2026-07-28 clients talk to endpoint 0 unless told otherwise (H-EXT-05 routes across the endpoints). */
  async connectModern(options: ModernConnectOptions): Promise<ModernClient> {
    return this.member(options.endpoint ?? 0).connectModern({ ...options, endpoint: 0 });
  }

  /**
   * The instance behind endpoint 0 (the one scenarios talk to), as "the server" restarts for them, plus
   * any other instance that exited on its own: a deployment's other instances keep running.
   */
  async restart(): Promise<void> {
    const down = this.members.filter((m, i) => i === 0 || m.exitInfo() !== undefined);
    await Promise.all(down.map((m) => m.restart()));
  }

  async killEndpoint(index: number): Promise<void> {
    const m = this.member(index);
    if (!m.killEndpoint) throw new TargetError(`${this.label}: the harness did not start endpoint ${index} and cannot kill it`);
    await m.killEndpoint(0);
  }

  serverPids(): number[] {
    return this.members.flatMap((m) => m.serverPids());
  }

  stderrTail(lines = 20): string {
    return this.members
      .map((m, i) => [i, m.stderrTail(lines)] as const)
      .filter(([, tail]) => tail)
      .map(([i, tail]) => (this.members.length > 1 ? `[endpoint ${i}]\n${tail}` : tail))
      .join('\n');
  }

  exitInfo(): ExitInfo | undefined {
    for (const m of this.members) {
      const exit = m.exitInfo();
      if (exit) return exit;
    }
    return undefined;
  }

  async dispose(): Promise<void> {
    await Promise.all(this.members.map((m) => m.dispose().catch(() => undefined)));
  }

  survivors(): string[] {
    return this.members.flatMap((m) => m.survivors?.() ?? []);
  }
}
