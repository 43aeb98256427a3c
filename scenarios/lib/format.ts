// Readers and formatters for verdict messages and evidence: nested members, short JSON, outcome labels.
import type { RpcOutcome } from '../../harness/scenario.js';

/** Reads a nested member of an object, e.g. at(caps, ['tasks', 'requests', 'tools', 'call']). */
export function at(value: unknown, path: string[]): unknown {
  let v: unknown = value;
  for (const k of path) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/** Short JSON for messages. */
export function j(v: unknown, max = 200): string {
  const s = JSON.stringify(v);
  if (s === undefined) return String(v);
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

export function errorCode(o: RpcOutcome): number | undefined {
  return o.kind === 'error' ? o.error.code : undefined;
}

/** "-32602" / "result" / "timeout" ...: a short label of an outcome for distributions. */
export function outcomeLabel(o: RpcOutcome): string {
  switch (o.kind) {
    case 'result':
      return 'result';
    case 'error':
      return String(o.error.code);
    default:
      return o.kind;
  }
}

/** Counts labels, e.g. {"-32602": 18, "result": 2}. */
export function tally(labels: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of labels) out[l] = (out[l] ?? 0) + 1;
  return out;
}
