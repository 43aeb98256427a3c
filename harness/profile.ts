// The lifecycle profile: what a server promises beyond the spec's MUSTs (scenarios/lifecycle.ts).
// Each lifecycle check puts one observation in its result, `profile = {property, value}`, where value
// is true (the promise holds), false (it does not) or null (not applicable / could not tell).
// Any check that observed a property attaches it (T25-HTTP-04 sees crossSession, for one),
// and `evidence` lists every such check, so a property is "observed" wherever it was seen.
// The report derives the profile from check results alone, so report.json and report.md agree with
// the evidence, and `--require <property>` can gate CI on it.
import { ProfileProperty, type CheckResult, type ProfileObservation, type TransportName } from './checks.js';

export { ProfileProperty };
export type PropertyValue = ProfileObservation['value'];
export type Profile = Record<ProfileProperty, PropertyValue>;

const DEFINITIONS: Record<ProfileProperty, { label: string; evidence: readonly string[] }> = {
  survivesDisconnect: { label: 'Connection independence: submit, disconnect, come back later', evidence: ['LC-01', 'LC-04'] },
  crossSession: { label: 'Another session can read the task and its result by id', evidence: ['H25-12', 'T25-HTTP-04'] },
  repeatableResult: { label: 'Multiple result retrieval: tasks/result again and again, from anywhere', evidence: ['LC-02'] },
  multiClient: { label: 'Multi-client coordination: several clients watch one task', evidence: ['LC-03'] },
  survivesClientCrash: { label: 'Crash resilience: the client dies, the work goes on', evidence: ['LC-05'] },
  survivesRestart: { label: 'Server restart: finished results kept, running tasks not stuck', evidence: ['LC-06'] },
  cancelStopsWork: { label: 'tasks/cancel really stops the work', evidence: ['LC-07'] },
  ttlHonoured: { label: 'TTL honoured: an expired task is removed and its work stopped', evidence: ['LC-08'] },
  crossInstance: {
    label: 'One task world across instances: any endpoint reads, fetches, cancels and lists a task created on another',
    evidence: ['CL-01', 'CL-03', 'CL-04', 'CL-06'],
  },
  survivesInstanceLoss: { label: 'Instance loss: a killed instance leaves no task lost or stuck in working', evidence: ['CL-05'] },
};

/** Every property in report order, with its label and the checks that observe it. */
export const PROFILE_PROPERTIES = ProfileProperty.options.map((name) => ({ name, ...DEFINITIONS[name] }));

export const PROFILE_PROPERTY_NAMES: readonly ProfileProperty[] = ProfileProperty.options;

export const isProfileProperty = (name: string): name is ProfileProperty => ProfileProperty.safeParse(name).success;

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
  const lifecycleRan = results.some((r) => PROFILE_PROPERTIES.some((p) => p.evidence.includes(r.id)));
  if (!observed.length && !lifecycleRan) return undefined;
  return PROFILE_PROPERTIES.map((def) => {
    const mine = observed.filter((x) => x.p!.property === def.name);
    const byTransport: ProfileRow['byTransport'] = {};
    for (const t of ['stdio', 'http'] as const) {
      const values = mine.filter((x) => x.r.transport === t).map((x) => x.p!.value);
      const ran = results.some((r) => r.transport === t && def.evidence.includes(r.id));
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
