// The lifecycle profile: what a server promises beyond the spec's MUSTs, per protocol era. 2025-11-25:
// scenarios/lifecycle.ts (LC-*) and cluster.ts (CL-*); 2026-07-28: scenarios/ext/lifecycle-profile.ts
// (LC-EXT-*), lifecycle-durability.ts (H-EXT-08, H-EXT-05) and the H-EXT checks that observe a property.
// Each such check puts one observation in its result, `profile = {property, value}`, where value is true
// (the promise holds), false (it does not) or null (not applicable / could not tell). Any check that
// observed a property attaches it (T25-HTTP-04 sees crossSession, for one), and `evidence` lists every
// such check, so a property is "observed" wherever it was seen.
// The report derives the profile from check results alone, so report.json and report.md agree with
// the evidence, and `--require <property>` can gate CI on it (every era combined).
import { Era, ProfileProperty, type CheckResult, type ProfileObservation } from './checks.js';
import type { EraProfile, ProfileRow } from './report/model.js';

export { ProfileProperty };
export type { EraProfile, ProfileRow };
export type PropertyValue = ProfileObservation['value'];
export type Profile = Record<ProfileProperty, PropertyValue>;

interface Definition {
  label: string;
  /** The checks that observe the property, per era (none: the era has no such promise to check). */
  evidence: Record<Era, readonly string[]>;
}

const DEFINITIONS: Record<ProfileProperty, Definition> = {
  survivesDisconnect: {
    label: 'Connection independence: submit, disconnect, come back later',
    evidence: { '2025-11-25': ['LC-01', 'LC-04'], '2026-07-28': ['LC-EXT-01'] },
  },
  crossSession: {
    label: 'Another session can read the task and its result by id',
    // 2026-07-28 has no sessions: every request stands alone, so "another connection" is survivesDisconnect.
    evidence: { '2025-11-25': ['H25-12', 'T25-HTTP-04'], '2026-07-28': [] },
  },
  repeatableResult: {
    label: 'Multiple result retrieval: the result again and again, from anywhere',
    evidence: { '2025-11-25': ['LC-02'], '2026-07-28': ['H-EXT-03'] },
  },
  multiClient: {
    label: 'Multi-client coordination: several clients watch one task',
    evidence: { '2025-11-25': ['LC-03'], '2026-07-28': ['LC-EXT-02'] },
  },
  survivesClientCrash: {
    label: 'Crash resilience: the client dies, the work goes on',
    evidence: { '2025-11-25': ['LC-05'], '2026-07-28': [] },
  },
  survivesRestart: {
    label: 'Server restart: finished results kept, running tasks not stuck',
    evidence: { '2025-11-25': ['LC-06'], '2026-07-28': ['H-EXT-08'] },
  },
  cancelStopsWork: {
    label: 'Cancellation really stops the work',
    evidence: { '2025-11-25': ['LC-07'], '2026-07-28': ['LC-EXT-03'] },
  },
  ttlHonoured: {
    label: 'TTL honoured: an expired task is removed and its work stopped',
    evidence: { '2025-11-25': ['LC-08'], '2026-07-28': ['LC-EXT-04', 'H-EXT-10'] },
  },
  crossInstance: {
    label: 'One task world across instances: a task created on one endpoint is served by any other',
    evidence: { '2025-11-25': ['CL-01', 'CL-03', 'CL-04', 'CL-06'], '2026-07-28': ['H-EXT-05'] },
  },
  survivesInstanceLoss: {
    label: 'Instance loss: a killed instance leaves no task lost or stuck in working',
    evidence: { '2025-11-25': ['CL-05'], '2026-07-28': [] },
  },
};

/** The scenario that holds most of an era's lifecycle checks (named in the report's section titles). */
const HOME: Record<Era, string> = { '2025-11-25': 'lifecycle', '2026-07-28': 'ext-lifecycle-profile' };

/** Every property in report order, with its label and the checks that observe it in each era. */
export const PROFILE_PROPERTIES = ProfileProperty.options.map((name) => ({ name, ...DEFINITIONS[name] }));

export const PROFILE_PROPERTY_NAMES: readonly ProfileProperty[] = ProfileProperty.options;

export const isProfileProperty = (name: string): name is ProfileProperty => ProfileProperty.safeParse(name).success;

/** Every check id that observes `name`, in any era. */
export const evidenceOf = (name: ProfileProperty): string[] => Era.options.flatMap((era) => DEFINITIONS[name].evidence[era]);

/** What a lifecycle check attaches to its verdict (Verdict.profile). */
export function property(name: ProfileProperty, value: PropertyValue): ProfileObservation {
  return { property: name, value };
}

/** The property observation of one result, if it carries one. */
export function readProperty(r: CheckResult): ProfileObservation | undefined {
  return r.profile;
}

/** false when any observation is false, true when some is true and none false, else null. */
function combine(values: PropertyValue[]): PropertyValue {
  if (values.includes(false)) return false;
  return values.includes(true) ? true : null;
}

/** One row per property of `results` (one era's, or all), with the given checks as its evidence list. */
function rowsOf(results: CheckResult[], checksOf: (name: ProfileProperty) => readonly string[]): ProfileRow[] {
  const observed = results.flatMap((r) => (r.profile ? [{ r, p: r.profile }] : []));
  return PROFILE_PROPERTIES.map((def) => {
    const checks = checksOf(def.name);
    const mine = observed.filter((x) => x.p.property === def.name);
    const byTransport: ProfileRow['byTransport'] = {};
    for (const t of ['stdio', 'http'] as const) {
      const values = mine.filter((x) => x.r.transport === t).map((x) => x.p.value);
      const ran = results.some((r) => r.transport === t && checks.includes(r.id));
      if (values.length || ran) byTransport[t] = combine(values);
    }
    return {
      property: def.name,
      label: def.label,
      value: combine(mine.map((x) => x.p.value)),
      byTransport,
      checks: [...checks],
      evidence: mine.map((x) => ({ id: x.r.id, transport: x.r.transport, value: x.p.value, status: x.r.status })),
    };
  });
}

/** Whether any of `results` is (or observes) a lifecycle check. */
const lifecycleRan = (results: CheckResult[], checksOf: (name: ProfileProperty) => readonly string[]) =>
  results.some((r) => r.profile !== undefined || PROFILE_PROPERTY_NAMES.some((p) => checksOf(p).includes(r.id)));

/**
 * The profile of each era the run checked, in era order: the properties that era has checks for (or
 * that one of its checks observed), with values per transport and evidence. [] when no lifecycle check ran.
 */
export function eraProfiles(results: CheckResult[]): EraProfile[] {
  return Era.options.flatMap((era) => {
    const mine = results.filter((r) => r.era === era);
    const checksOf = (name: ProfileProperty) => DEFINITIONS[name].evidence[era];
    if (!lifecycleRan(mine, checksOf)) return [];
    const properties = rowsOf(mine, checksOf).filter((row) => row.checks.length || row.evidence.length);
    return [{ era, scenario: HOME[era], properties }];
  });
}

/** Every property combined over every era and transport; undefined when no lifecycle check ran. */
export function profileRows(results: CheckResult[]): ProfileRow[] | undefined {
  return lifecycleRan(results, evidenceOf) ? rowsOf(results, evidenceOf) : undefined;
}

/** report.json `profile`: property -> true / false / null (not applicable or unknown), every era combined. */
export function deriveProfile(results: CheckResult[]): Profile | undefined {
  const rows = profileRows(results);
  if (!rows) return undefined;
  return Object.fromEntries(rows.map((r) => [r.property, r.value])) as Profile;
}

/** The --require gate: one line per required property that is not true. */
export function unmetRequirements(profile: Partial<Record<string, PropertyValue>> | undefined, required: readonly string[]): string[] {
  return required
    .filter((name) => profile?.[name] !== true)
    .map((name) => {
      const value = profile?.[name];
      const why =
        value === false
          ? 'does not hold'
          : value === null
            ? 'could not be established (not applicable or not observed)'
            : 'was not checked (run the lifecycle scenario)';
      return `required property ${name} ${why}${isProfileProperty(name) ? ` (evidence: ${evidenceOf(name).join(', ')})` : ''}`;
    });
}

export const yesNo = (v: PropertyValue | undefined): string => (v === true ? 'yes' : v === false ? 'no' : 'not applicable');
