// Which eras the bench measures on each target (`bench --protocol`), found the way the check command finds
// them (run/eras.ts probeEras: server/discover first, initialize when the server is not modern or also lists
// 2025-11-25), and the 2026-07-28 clients the modern phases use, with their fixtures and server process.
import { LEGACY_ERA, MODERN_ERA, type Era } from '../../checks.js';
import type { Connectivity } from '../../cli/execute.js';
import type { FixtureMappingFile } from '../../fixtures.js';
import type { BenchTargetInfo } from '../../report/bench-model.js';
import { probeEras, type ModernProbe, type ProtocolChoice } from '../../run/eras.js';
import type { Target } from '../../transport/target.js';
import { UsageError } from '../../util/errors.js';
import type { Progress } from '../types.js';
import { modernBenchTarget } from './suite.js';
import type { ModernBenchTarget } from './target.js';

export interface TargetEras {
  eras: Era[];
  modern?: ModernProbe;
  /** Why an era the choice allows was not found (one line). */
  note?: string;
}

/** The eras of every target; a pinned era the server does not speak is a TargetError (exit 2), as in the check command. */
export async function findEras(
  targets: Target[],
  labels: string[],
  choice: ProtocolChoice,
  fixtures: (i: number) => FixtureMappingFile,
  io: Connectivity,
  settleMs: number,
  progress: Progress,
): Promise<TargetEras[]> {
  if (choice === LEGACY_ERA) return targets.map(() => ({ eras: [LEGACY_ERA] }));
  const out: TargetEras[] = [];
  for (const [i, target] of targets.entries()) {
    progress(`bench: connecting to ${labels[i]} (finding the protocol eras it speaks)`);
    const probe = await probeEras(target, (source, t) => io.loadFixtures(source, t, fixtures(i)), choice, settleMs);
    const note =
      choice === 'auto' && !probe.modern
        ? `${MODERN_ERA} not benched on ${labels[i]}: ${probe.notes.join('; ') || 'not found'}`
        : undefined;
    out.push({ eras: probe.eras, ...(probe.modern ? { modern: probe.modern } : {}), ...(note ? { note } : {}) });
  }
  return out;
}

/** Before any phase runs: every target that speaks 2026-07-28 has the one fixture every modern phase needs. */
export function requireModernFixtures(eras: TargetEras[], labels: string[]): void {
  for (const [i, e] of eras.entries()) {
    if (!e.modern || e.modern.fixtures.has('F-ECHO')) continue;
    const why = e.modern.fixtures.refusal('F-ECHO')?.replace(/^/, ': ') ?? '';
    throw new UsageError(
      `${labels[i]} lacks the fixture tool slow_compute (F-ECHO${why}) the ${MODERN_ERA} bench needs; implement it or map it with --fixtures`,
    );
  }
}

/** One 2026-07-28 client per target that speaks the era. */
export async function connectModern(
  targets: Target[],
  labels: string[],
  eras: TargetEras[],
  settleMs: number,
  progress: Progress,
): Promise<Array<{ target: ModernBenchTarget; info: BenchTargetInfo }>> {
  const out: Array<{ target: ModernBenchTarget; info: BenchTargetInfo }> = [];
  for (const [i, target] of targets.entries()) {
    const modern = eras[i]?.modern;
    if (!modern) continue;
    progress(`bench: connecting to ${labels[i]} (${MODERN_ERA})`);
    const before = new Set(target.serverPids());
    const client = await target.connectModern({ settleMs });
    // stdio: the client's own new process; HTTP command: the one server process every client shares.
    const own = target.serverPids().find((p) => !before.has(p)) ?? target.serverPids()[0];
    const pid = () => (own !== undefined && target.serverPids().includes(own) ? own : undefined);
    out.push(await modernBenchTarget(labels[i]!, client, modern.fixtures, modern.discover, pid));
  }
  return out;
}
