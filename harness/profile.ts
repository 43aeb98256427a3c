// The lifecycle profile: what a server promises beyond the spec's MUSTs (scenarios/lifecycle.ts).
// Each lifecycle check puts one observation in its result, `details.property = {name, value}`, where
// value is true (the promise holds), false (it does not) or null (not applicable / could not tell).
// The report derives the profile from check results alone, so report.json and report.md agree with
// the evidence, and `--require <property>` can gate CI on it.
import type { CheckResult, TransportName } from './checks.js';

export const PROFILE_PROPERTIES = [
  { name: 'survivesDisconnect', label: 'Connection independence: submit, disconnect, come back later', evidence: ['LC-01', 'LC-04'] },
  { name: 'crossSession', label: 'Another session can read the task and its result by id', evidence: ['H25-12'] },
  { name: 'repeatableResult', label: 'Multiple result retrieval: tasks/result again and again, from anywhere', evidence: ['LC-02'] },
  { name: 'multiClient', label: 'Multi-client coordination: several clients watch one task', evidence: ['LC-03'] },
  { name: 'survivesClientCrash', label: 'Crash resilience: the client dies, the work goes on', evidence: ['LC-05'] },
  { name: 'survivesRestart', label: 'Server restart: finished results kept, running tasks not stuck', evidence: ['LC-06'] },
  { name: 'cancelStopsWork', label: 'tasks/cancel really stops the work', evidence: ['LC-07'] },
  { name: 'ttlHonoured', label: 'TTL honoured: an expired task is removed and its work stopped', evidence: ['LC-08'] },
] as const;

export type ProfileProperty = (typeof PROFILE_PROPERTIES)[number]['name'];
export type PropertyValue = boolean | null;
export type Profile = Record<ProfileProperty, PropertyValue>;

export const PROFILE_PROPERTY_NAMES: readonly ProfileProperty[] = PROFILE_PROPERTIES.map((p) => p.name);

export const isProfileProperty = (name: string): name is ProfileProperty => (PROFILE_PROPERTY_NAMES as readonly string[]).includes(name);

/** What a lifecycle check adds to its verdict details. */
export function property(name: ProfileProperty, value: PropertyValue): { property: { name: ProfileProperty; value: PropertyValue } } {
  return { property: { name, value } };
}

/** The property observation of one result, if it carries one. */
export function readProperty(r: CheckResult): { name: ProfileProperty; value: PropertyValue } | undefined {
  const p = r.details?.property as { name?: unknown; value?: unknown } | undefined;
  if (!p || typeof p.name !== 'string' || !isProfileProperty(p.name)) return undefined;
  if (p.value !== true && p.value !== false && p.value !== null) return undefined;
  return { name: p.name, value: p.value };
}

/** false when any observation is false, true when some is true and none false, else null. */
function combine(values: PropertyValue[]): PropertyValue {
  if (values.includes(false)) return false;
  return values.includes(true) ? true : null;
}

export interface ProfileRow {
  name: ProfileProperty;
  label: string;
  value: PropertyValue;
  byTransport: Partial<Record<TransportName, PropertyValue>>;
  /** The results that carried an observation of this property (ids with transport). */
  evidence: Array<{ id: string; transport: TransportName | null; value: PropertyValue; status: CheckResult['status'] }>;
}

/** Every property with its combined value, per-transport values and evidence; undefined when no lifecycle check ran. */
export function profileRows(results: CheckResult[]): ProfileRow[] | undefined {
  const observed = results.map((r) => ({ r, p: readProperty(r) })).filter((x) => x.p !== undefined);
  const lifecycleRan = results.some((r) => PROFILE_PROPERTIES.some((p) => (p.evidence as readonly string[]).includes(r.id)));
  if (!observed.length && !lifecycleRan) return undefined;
  return PROFILE_PROPERTIES.map((def) => {
    const mine = observed.filter((x) => x.p!.name === def.name);
    const byTransport: ProfileRow['byTransport'] = {};
    for (const t of ['stdio', 'http'] as const) {
      const values = mine.filter((x) => x.r.transport === t).map((x) => x.p!.value);
      const ran = results.some((r) => r.transport === t && (def.evidence as readonly string[]).includes(r.id));
      if (values.length || ran) byTransport[t] = combine(values);
    }
    return {
      name: def.name,
      label: def.label,
      value: combine(mine.map((x) => x.p!.value)),
      byTransport,
      evidence: mine.map((x) => ({ id: x.r.id, transport: x.r.transport, value: x.p!.value, status: x.r.status })),
    };
  });
}

/** report.json `profile`: property -> true / false / null (not applicable or unknown). */
export function deriveProfile(results: CheckResult[]): Profile | undefined {
  const rows = profileRows(results);
  if (!rows) return undefined;
  return Object.fromEntries(rows.map((r) => [r.name, r.value])) as Profile;
}

/** The --require gate: one line per required property that is not true. */
export function unmetRequirements(profile: Partial<Record<string, PropertyValue>> | undefined, required: readonly string[]): string[] {
  return required
    .filter((name) => profile?.[name] !== true)
    .map((name) => {
      const def = PROFILE_PROPERTIES.find((p) => p.name === name);
      const value = profile?.[name];
      const why =
        value === false
          ? 'does not hold'
          : value === null
            ? 'could not be established (not applicable or not observed)'
            : 'was not checked (run the lifecycle scenario)';
      return `required property ${name} ${why}${def ? ` (evidence: ${def.evidence.join(', ')})` : ''}`;
    });
}

export const yesNo = (v: PropertyValue | undefined): string => (v === true ? 'yes' : v === false ? 'no' : 'not applicable');
