// Schema-aware elicitation answers: every PrimitiveSchemaDefinition shape of the 2025-11-25 schema gets a
// valid value, and the answer as a whole validates against the requestedSchema (checked with ajv).
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { acceptContentFor } from '../../harness/elicitation-answer.js';
import { defaultServerRequestHandler } from '../../harness/transport/session.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
const ajv = new Ajv2020({ strict: false });
addFormats(ajv);
const validAgainst = (schema: object, content: unknown) => ajv.compile(schema)(content);
const form = (properties: Record<string, object>, required = Object.keys(properties)) => ({ type: 'object', properties, required });

describe('acceptContentFor', () => {
  it('answers the contract fixture with its checkable name', () => {
    expect(acceptContentFor(form({ name: { type: 'string' } }), { name: 'Ada' })).toEqual({ name: 'Ada' });
  });

  it('answers the SDK example confirm_delete ({confirm: boolean}) with a boolean, not {}', () => {
    expect(acceptContentFor(form({ confirm: { type: 'boolean', description: 'Confirm?' } }), { name: 'Ada' })).toEqual({ confirm: true });
  });

  it('gives every primitive shape a valid value', () => {
    const schema = form({
      text: { type: 'string', minLength: 5, maxLength: 8 },
      short: { type: 'string', maxLength: 2 },
      email: { type: 'string', format: 'email' },
      uri: { type: 'string', format: 'uri' },
      date: { type: 'string', format: 'date' },
      when: { type: 'string', format: 'date-time' },
      count: { type: 'integer', minimum: 3, maximum: 9 },
      ratio: { type: 'number', maximum: 0.5 },
      flag: { type: 'boolean' },
      color: { type: 'string', enum: ['red', 'green'] },
      titled: {
        type: 'string',
        oneOf: [
          { const: 'a', title: 'A' },
          { const: 'b', title: 'B' },
        ],
      },
      legacy: { type: 'string', enum: ['x', 'y'], enumNames: ['X', 'Y'] },
      many: { type: 'array', items: { type: 'string', enum: ['p', 'q', 'r'] }, minItems: 2 },
      manyTitled: {
        type: 'array',
        items: {
          anyOf: [
            { const: 'u', title: 'U' },
            { const: 'v', title: 'V' },
          ],
        },
        maxItems: 1,
      },
    });
    const content = acceptContentFor(schema);
    expect(validAgainst(schema, content)).toBe(true);
    expect(content).toMatchObject({
      text: 'Adaaa',
      short: 'Ad',
      email: 'ada@example.com',
      count: 3,
      flag: true,
      color: 'red',
      titled: 'a',
      legacy: 'x',
      many: ['p', 'q'],
      manyTitled: ['u'],
    });
    expect(content.ratio).toBeLessThanOrEqual(0.5);
  });

  it('prefers given values when valid, then the schema default', () => {
    const schema = form({
      name: { type: 'string' },
      color: { type: 'string', enum: ['red', 'green'], default: 'green' },
      age: { type: 'integer', minimum: 18, default: 30 },
      mail: { type: 'string', format: 'email' },
    });
    expect(acceptContentFor(schema, { name: 'Grace', color: 'blue', age: 40, mail: 'not-an-email' })).toEqual({
      name: 'Grace',
      color: 'green',
      age: 40,
      mail: 'ada@example.com',
    });
  });

  it('answers server-everything research query choice (titled oneOf) with one of its consts', () => {
    const schema = form({
      interpretation: {
        type: 'string',
        title: 'Clarification',
        oneOf: [
          { const: 'technical', title: 'Technical' },
          { const: 'historical', title: 'Historical' },
        ],
      },
    });
    expect(acceptContentFor(schema)).toEqual({ interpretation: 'technical' });
  });

  it('is what the session answers by default', async () => {
    const answer = await defaultServerRequestHandler({
      id: 1,
      method: 'elicitation/create',
      params: { message: 'confirm?', requestedSchema: form({ confirm: { type: 'boolean' } }) },
      channel: 'stdio',
    });
    expect(answer).toEqual({ action: 'accept', content: { confirm: true } });
  });

  it('tolerates a missing or odd schema', () => {
    expect(acceptContentFor(undefined)).toEqual({});
    expect(acceptContentFor({ type: 'object', properties: { x: 5 } })).toEqual({});
  });
});
