// Black-box statistics over a sample of task IDs (T25-SEC-03, H25-13): length, alphabet, UUID version,
// an entropy estimate, and the two patterns that make IDs guessable (counters and time ordering).
// Estimates are deliberately conservative per position, so a sample of ~50 IDs is enough.

export interface IdStats {
  count: number;
  distinct: number;
  length: { min: number; max: number };
  /** Smallest common alphabet that covers the varying characters, e.g. "hex (lowercase)". */
  charset: string;
  alphabetSize: number;
  /** UUID versions seen (by version nibble), e.g. {"4": 50}; empty when the IDs are not UUIDs. */
  uuidVersions: Record<string, number>;
  constantPrefix: string;
  constantSuffix: string;
  /** Estimated bits of unpredictability per ID. */
  entropyBits: number;
  /** Set when a decimal part counts up or down in small steps (task-17, task-18, ...). */
  sequential?: string;
  /** Set when IDs are ordered by creation time (monotonic numeric part, sorted IDs, UUID v1/v6/v7). */
  timeOrdered?: string;
}

const ALPHABETS: Array<{ name: string; size: number; re: RegExp }> = [
  { name: 'decimal digits', size: 10, re: /^[0-9]*$/ },
  { name: 'hex (lowercase)', size: 16, re: /^[0-9a-f]*$/ },
  { name: 'hex (uppercase)', size: 16, re: /^[0-9A-F]*$/ },
  { name: 'lowercase alphanumeric', size: 36, re: /^[0-9a-z]*$/ },
  { name: 'uppercase alphanumeric', size: 36, re: /^[0-9A-Z]*$/ },
  { name: 'alphanumeric', size: 62, re: /^[0-9A-Za-z]*$/ },
  { name: 'base64url', size: 64, re: /^[0-9A-Za-z_-]*$/ },
  { name: 'base64', size: 65, re: /^[0-9A-Za-z+/=]*$/ },
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-([0-9a-f])[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIME_UUID_VERSIONS = new Set(['1', '2', '6', '7']);

function commonPrefix(ids: string[]): string {
  let p = ids[0] ?? '';
  for (const id of ids) while (!id.startsWith(p)) p = p.slice(0, -1);
  return p;
}

function commonSuffix(ids: string[]): string {
  let s = ids[0] ?? '';
  for (const id of ids) while (!id.endsWith(s)) s = s.slice(1);
  return s;
}

function alphabetOf(chars: string): { name: string; size: number } {
  const known = ALPHABETS.find((a) => a.re.test(chars));
  if (known) return known;
  return { name: `${new Set(chars).size} distinct characters`, size: Math.max(new Set(chars).size, 2) };
}

/** Expected distinct symbols among n uniform draws from an alphabet of size c. */
const expectedDistinct = (c: number, n: number) => c * (1 - Math.pow(1 - 1 / c, n));

/** Bits one varying position contributes: the full alphabet if it looks uniform, else what was seen. */
function positionBits(distinct: number, alphabet: number, samples: number): number {
  if (distinct <= 1) return 0;
  return distinct >= 0.8 * expectedDistinct(alphabet, samples) ? Math.log2(alphabet) : Math.log2(distinct);
}

/**
 * A counter read under concurrent creation: answers arrive out of order, but the distinct values, sorted,
 * fill most of a short range (at least 1 in 4 of min..max). Random numbers of any useful width never do.
 */
function denseRun(values: number[]): string | undefined {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  if (values.length < 5 || sorted.length < values.length) return undefined;
  const span = sorted.at(-1)! - sorted[0]!;
  if (span > 4 * (sorted.length - 1)) return undefined;
  return `is a counter out of arrival order: ${sorted.length} distinct values within ${sorted[0]}..${sorted.at(-1)!}`;
}

function counterPattern(ids: string[]): Pick<IdStats, 'sequential' | 'timeOrdered'> {
  const skeleton = (id: string) => id.replace(/\d+/g, '#');
  const first = ids[0];
  if (first === undefined || !/\d/.test(first) || !ids.every((id) => skeleton(id) === skeleton(first))) return {};
  const runs = ids.map((id) => (id.match(/\d+/g) ?? []).map((d) => Number(d)));
  const width = runs[0]?.length ?? 0;
  for (let k = 0; k < width; k++) {
    const values = runs.map((r) => r[k] ?? NaN);
    if (values.some((v) => !Number.isSafeInteger(v))) continue;
    const steps = values.slice(1).map((v, i) => v - (values[i] as number));
    const up = steps.every((d) => d > 0);
    const down = steps.every((d) => d < 0);
    if (!up && !down) {
      const run = denseRun(values);
      if (run) return { sequential: `numeric part ${k + 1} ${run} (${ids.slice(0, 3).join(', ')}, ...)` };
      continue;
    }
    const maxStep = Math.max(...steps.map(Math.abs));
    const example = ids.slice(0, 3).join(', ');
    if (maxStep <= 1000)
      return { sequential: `numeric part ${k + 1} ${up ? 'counts up' : 'counts down'} in steps of at most ${maxStep} (${example}, ...)` };
    return { timeOrdered: `numeric part ${k + 1} grows monotonically with creation (${example}, ...): looks like a timestamp` };
  }
  return {};
}

/** Statistics of `ids`, given in creation order. */
export function analyzeIds(ids: string[]): IdStats {
  const lengths = ids.map((id) => id.length);
  const prefix = commonPrefix(ids);
  const rest = ids.map((id) => id.slice(prefix.length));
  const suffix = commonSuffix(rest);
  const cores = rest.map((id) => id.slice(0, id.length - suffix.length));
  const sameLength = new Set(cores.map((c) => c.length)).size === 1;

  // Characters at positions that never vary (UUID dashes, the version nibble) carry no entropy.
  let varying = '';
  let entropyBits = 0;
  if (sameLength && cores.length > 1) {
    const width = cores[0]?.length ?? 0;
    const columns = Array.from({ length: width }, (_, i) => new Set(cores.map((c) => c[i] ?? '')));
    for (const col of columns) if (col.size > 1) varying += [...col].join('');
    const alphabet = alphabetOf(varying);
    for (const col of columns) entropyBits += positionBits(col.size, alphabet.size, cores.length);
  } else {
    varying = cores.join('');
    const alphabet = alphabetOf(varying);
    const meanLength = cores.reduce((a, c) => a + c.length, 0) / Math.max(cores.length, 1);
    entropyBits = meanLength * Math.log2(alphabet.size);
  }
  const alphabet = alphabetOf(varying);

  const uuidVersions: Record<string, number> = {};
  for (const id of ids) {
    const v = UUID.exec(id)?.[1];
    if (v) uuidVersions[v] = (uuidVersions[v] ?? 0) + 1;
  }

  const pattern = counterPattern(ids);
  let timeOrdered = pattern.timeOrdered;
  const timeUuid = Object.keys(uuidVersions).find((v) => TIME_UUID_VERSIONS.has(v));
  if (!timeOrdered && timeUuid) timeOrdered = `UUID version ${timeUuid} embeds the creation time`;
  const sorted = ids.length >= 10 && ids.every((id, i) => i === 0 || (ids[i - 1] as string) < id);
  if (!timeOrdered && !pattern.sequential && sorted)
    timeOrdered = `all ${ids.length} IDs sort in creation order: they have a time-ordered prefix`;

  return {
    count: ids.length,
    distinct: new Set(ids).size,
    length: { min: Math.min(...lengths), max: Math.max(...lengths) },
    charset: alphabet.name,
    alphabetSize: alphabet.size,
    uuidVersions,
    constantPrefix: prefix,
    constantSuffix: suffix,
    entropyBits: Math.round(entropyBits * 10) / 10,
    ...(pattern.sequential ? { sequential: pattern.sequential } : {}),
    ...(timeOrdered ? { timeOrdered } : {}),
  };
}

/** One line, e.g. "50 IDs, length 36, hex (lowercase), UUID v4, ~122 bits". */
export function summarizeIds(s: IdStats): string {
  const len = s.length.min === s.length.max ? `length ${s.length.min}` : `length ${s.length.min}-${s.length.max}`;
  const uuid = Object.keys(s.uuidVersions).length
    ? `, UUID ${Object.entries(s.uuidVersions)
        .map(([v, n]) => `v${v}${n === s.count ? '' : ` (${n})`}`)
        .join('/')}`
    : '';
  const affix =
    s.constantPrefix || s.constantSuffix
      ? `, constant affixes ${JSON.stringify(s.constantPrefix)}…${JSON.stringify(s.constantSuffix)}`
      : '';
  return `${s.count} IDs (${s.distinct} distinct), ${len}, ${s.charset}${uuid}${affix}, ~${Math.round(s.entropyBits)} bits estimated entropy`;
}
