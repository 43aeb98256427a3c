// Templates of a fixture mapping: argument templates ({{name}}, {{name*1000}}, ...) that map the contract's
// canonical arguments to a server's own, and expected-text templates ("slept {{seconds*1000}}ms").
import type { JsonObject } from './scenario.js';

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:([*/+-])\s*(-?\d+(?:\.\d+)?))?\s*\}\}/g;
const WHOLE = new RegExp(`^${PLACEHOLDER.source}$`);

/** Throws `<where>: bad placeholder ...` for a `{{` or `}}` that is not a placeholder, anywhere in the value. */
export function checkTemplate(value: unknown, where: string): void {
  if (typeof value === 'string') {
    const stripped = value.replace(PLACEHOLDER, '');
    if (/\{\{|\}\}/.test(stripped)) throw new Error(`${where}: bad placeholder in "${value}" (use {{name}} or {{name*1000}})`);
  } else if (Array.isArray(value)) value.forEach((v, i) => checkTemplate(v, `${where}.${i}`));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) checkTemplate(v, `${where}.${k}`);
}

function evaluate(name: string, op: string | undefined, operand: string | undefined, canonical: JsonObject): unknown {
  const v = canonical[name];
  if (!op) return v;
  if (typeof v !== 'number') return undefined;
  const n = Number(operand);
  const r = op === '*' ? v * n : op === '/' ? v / n : op === '+' ? v + n : v - n;
  // 1.1*1000 is 1100.0000000000002 in binary floating point; a server would print 1100.
  return Number(r.toPrecision(12));
}

const ABSENT = Symbol('absent');

/** Interpolates every placeholder of a string; a value that was not given becomes ''. */
export function interpolate(template: string, values: JsonObject): string {
  return template.replace(PLACEHOLDER, (_m, name: string, op?: string, operand?: string) => {
    const v = evaluate(name, op, operand, values);
    return v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  });
}

function fill(template: unknown, canonical: JsonObject): unknown {
  if (typeof template === 'string') {
    const whole = WHOLE.exec(template);
    if (whole) {
      const v = evaluate(whole[1]!, whole[2], whole[3], canonical);
      return v === undefined ? ABSENT : v;
    }
    return interpolate(template, canonical);
  }
  if (Array.isArray(template)) return template.map((t) => fill(t, canonical)).filter((v) => v !== ABSENT);
  if (template && typeof template === 'object') {
    const out: JsonObject = {};
    for (const [k, t] of Object.entries(template)) {
      const v = fill(t, canonical);
      // An optional canonical argument that was not given leaves its key out (e.g. slow_compute's label).
      if (v !== ABSENT) out[k] = v;
    }
    return out;
  }
  return template;
}

/** Applies an argument template to canonical arguments. */
export function applyTemplate(template: Record<string, unknown>, canonical: JsonObject): JsonObject {
  return fill(template, canonical) as JsonObject;
}
