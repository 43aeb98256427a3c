// Which protocol eras a target speaks, found before any scenario runs (issue 11): server/discover with the
// modern envelope first (2026-07-28, checklist EXT-CLI-02), then initialize (2025-11-25) when the server
// is not modern or its discover result also lists 2025-11-25, so a dual-era server gets both suites.
// `--protocol` pins one era. Each era found comes with its fixtures, listed through that era's own surface.
import { LEGACY_ERA, MODERN_ERA, type Era } from '../checks.js';
import type { FixtureSource, LoadedFixtures } from '../fixtures.js';
import { EXT } from '../modern/envelope.js';
import type { JsonObject, RpcOutcome } from '../scenario.js';
import type { Target } from '../transport/target.js';
import { TargetError } from '../transport/target.js';
import { errorText } from '../util/errors.js';
import type { RunOptions } from './types.js';

/** `--protocol`: auto (every era the server speaks) or one era. */
export type ProtocolChoice = 'auto' | Era;
export const PROTOCOL_CHOICES: readonly ProtocolChoice[] = ['auto', LEGACY_ERA, MODERN_ERA];

export interface LegacyProbe {
  fixtures: LoadedFixtures;
  /** What the server answered to initialize. */
  protocolVersion: string;
  declaresTasks: boolean;
}

export interface ModernProbe {
  fixtures: LoadedFixtures;
  /** The server/discover result. */
  discover: JsonObject;
}

export interface EraProbe {
  /** The eras whose suites run against the target, in run order. */
  eras: Era[];
  legacy?: LegacyProbe;
  modern?: ModernProbe;
  /** Why an era was not found (one line each). */
  notes: string[];
}

function describe(o: RpcOutcome): string {
  if (o.kind === 'result') return 'answered without supportedVersions';
  if (o.kind === 'error') return `answered error ${o.error.code} "${o.error.message}"`;
  if (o.kind === 'timeout') return `got no answer within ${Math.round(o.ms)} ms`;
  return `failed: ${o.reason}`;
}

async function probeModern(target: Target, load: RunOptions['loadFixtures'], settleMs: number, notes: string[], pinned: boolean) {
  let client;
  try {
    client = await target.connectModern({ settleMs });
  } catch (err) {
    notes.push(`server/discover: ${errorText(err)}`);
    return undefined;
  }
  try {
    const o = await client.discover();
    const versions = o.kind === 'result' && Array.isArray(o.result.supportedVersions) ? o.result.supportedVersions.map(String) : undefined;
    if (o.kind !== 'result' || !versions) {
      notes.push(`server/discover ${describe(o)}`);
      return undefined;
    }
    // Unpinned, a server that does not list 2026-07-28 does not get its suite (EXT-NEG-01); pinned, it
    // answered server/discover, so it is checked and EXT-NEG-01 reports the missing version.
    if (!versions.includes(MODERN_ERA) && !pinned) {
      notes.push(`server/discover lists ${JSON.stringify(versions)}, not ${MODERN_ERA}`);
      return { listsLegacy: versions.includes(LEGACY_ERA) };
    }
    const discover = o.result;
    const source: FixtureSource = {
      serverCapabilities: (discover.capabilities as JsonObject | undefined) ?? {},
      request: (method, params) => client.request(method, params ?? {}, { caps: EXT }),
    };
    return { listsLegacy: versions.includes(LEGACY_ERA), modern: { fixtures: await load(source, target), discover } };
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function probeLegacy(target: Target, load: RunOptions['loadFixtures']): Promise<LegacyProbe> {
  const session = await target.connect();
  try {
    return {
      fixtures: await load(session, target),
      protocolVersion: session.protocolVersion,
      declaresTasks: session.serverCapabilities.tasks !== undefined,
    };
  } finally {
    await session.close().catch(() => undefined);
  }
}

/** Finds the eras to check; throws (a usage-level failure) when none of the chosen ones is spoken. */
export async function probeEras(
  target: Target,
  load: RunOptions['loadFixtures'],
  choice: ProtocolChoice,
  settleMs: number,
): Promise<EraProbe> {
  const notes: string[] = [];
  const found = choice === LEGACY_ERA ? undefined : await probeModern(target, load, settleMs, notes, choice === MODERN_ERA);
  const modern = found?.modern;
  let legacy: LegacyProbe | undefined;
  if (choice === LEGACY_ERA || (choice === 'auto' && (!modern || found?.listsLegacy))) {
    try {
      legacy = await probeLegacy(target, load);
    } catch (err) {
      // A modern server that also lists 2025-11-25 but fails initialize still gets its modern suite.
      if (!modern) throw err;
      notes.push(`initialize: ${errorText(err)}`);
    }
  }
  if (choice === MODERN_ERA && !modern)
    throw new TargetError(`${target.label}: the server does not speak ${MODERN_ERA} (${notes.join('; ')}); try --protocol auto`);
  const eras: Era[] = [...(legacy ? [LEGACY_ERA] : []), ...(modern ? [MODERN_ERA] : [])];
  return { eras, legacy, modern, notes };
}
