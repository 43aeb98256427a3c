// Accept content for a form elicitation, built from its requestedSchema (the 2025-11-25
// PrimitiveSchemaDefinition shapes: string with format/length, number/integer with bounds, boolean,
// single-select enums (enum, titled oneOf, legacy enumNames) and multi-select arrays). A server that
// validates the answer must get a valid one: every property gets a value of its type; a preferred value
// (the fixture's checkable one, e.g. name "Ada") wins when the property's schema accepts it.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { JsonObject } from './scenario.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
const ajv = new Ajv2020({ strict: false, addUsedSchema: false, validateSchema: false });
addFormats(ajv);

/** The answer to an unconstrained text field: the name the fixture contract's checks look for. */
export const DEFAULT_TEXT = 'Ada';

const FORMAT_VALUES: Record<string, string> = {
  email: 'ada@example.com',
  uri: 'https://example.com/ada',
  date: '2025-11-25',
  'date-time': '2025-11-25T12:00:00Z',
};

// Servers ask the same few schemas over and over: compile each once.
const compiled = new Map<string, ValidateFunction | undefined>();

function accepts(schema: JsonObject): (value: unknown) => boolean {
  const key = JSON.stringify(schema);
  if (!compiled.has(key)) {
    try {
      compiled.set(key, ajv.compile(schema));
    } catch {
      compiled.set(key, undefined); // a schema ajv cannot read cannot refuse our value either
    }
  }
  const v = compiled.get(key);
  return (value) => (v ? v(value) : true);
}

const strings = (list: unknown): string[] => (Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : []);
const consts = (list: unknown): unknown[] =>
  Array.isArray(list)
    ? list.map((o) => (o && typeof o === 'object' ? (o as JsonObject).const : undefined)).filter((x) => x !== undefined)
    : [];

function text(schema: JsonObject): string {
  const format = typeof schema.format === 'string' ? FORMAT_VALUES[schema.format] : undefined;
  let s = format ?? DEFAULT_TEXT;
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : Infinity;
  if (!format && s.length < min) s = s + 'a'.repeat(min - s.length);
  if (!format && s.length > max) s = s.slice(0, Math.max(0, max));
  return s;
}

function number(schema: JsonObject, integer: boolean): number {
  const min = typeof schema.minimum === 'number' ? schema.minimum : undefined;
  const max = typeof schema.maximum === 'number' ? schema.maximum : undefined;
  let n = min ?? (max !== undefined && max < 1 ? max : 1);
  if (integer) n = min !== undefined ? Math.ceil(n) : Math.floor(n);
  return n;
}

function selection(schema: JsonObject): string[] {
  const items = (schema.items ?? {}) as JsonObject;
  const options = [...strings(items.enum), ...(consts(items.anyOf ?? items.oneOf) as string[])];
  const min = typeof schema.minItems === 'number' ? schema.minItems : 1;
  const max = typeof schema.maxItems === 'number' ? schema.maxItems : options.length;
  return options.slice(0, Math.min(Math.max(min, 1), max, options.length));
}

/** A valid value for one property schema (undefined when nothing sensible can be built). */
export function valueFor(schema: JsonObject): unknown {
  const single = [...strings(schema.enum), ...consts(schema.oneOf ?? schema.anyOf)];
  if (schema.type !== 'array' && single.length) return single[0];
  switch (schema.type) {
    case 'string':
      return text(schema);
    case 'number':
      return number(schema, false);
    case 'integer':
      return number(schema, true);
    case 'boolean':
      return true;
    case 'array':
      return selection(schema);
    default:
      return undefined;
  }
}

/** Accept content for `requestedSchema`: a valid value for every property, preferred values first, then defaults. */
export function acceptContentFor(requestedSchema: unknown, preferred: Record<string, unknown> = {}): JsonObject {
  const props = (requestedSchema as { properties?: unknown } | undefined)?.properties;
  if (!props || typeof props !== 'object') return {};
  const required = strings((requestedSchema as { required?: unknown }).required);
  const content: JsonObject = {};
  for (const [key, raw] of Object.entries(props as Record<string, unknown>)) {
    if (!raw || typeof raw !== 'object') continue;
    const schema = raw as JsonObject;
    const valid = accepts(schema);
    const candidates = [preferred[key], schema.default, valueFor(schema)];
    const value = candidates.find((c) => c !== undefined && valid(c));
    if (value !== undefined) content[key] = value;
    // A required field gets our best guess even when its schema is beyond us (the server's answer shows why).
    else if (required.includes(key)) content[key] = valueFor(schema) ?? DEFAULT_TEXT;
  }
  return content;
}
