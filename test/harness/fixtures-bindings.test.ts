// Validated bindings: a listed tool plays a role only when its execution.taskSupport is one the role's
// checks work with, its inputSchema accepts the templated canonical arguments, and (bound by the contract's
// name alone) it has the contract's shape. Refusals say why; the report lists every tool and its role.
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../harness/scenario.js';
import { fixtures, obj, tool } from './fixture-tools.js';

const CONTRACT: JsonObject[] = [
  tool('greet', undefined, obj({ name: { type: 'string' } }, ['name'], { additionalProperties: false })),
  tool('slow_compute', 'optional', obj({ seconds: { type: 'number', minimum: 0 }, label: { type: 'string' } }, ['seconds'])),
  tool('failing_job', 'required'),
  tool('confirm_delete', 'optional', obj({}, [], { additionalProperties: false })),
  tool('gated_job', 'optional', obj({ gateId: { type: 'string' } }, ['gateId'])),
  tool(
    'release_gate',
    'forbidden',
    obj({ gateId: { type: 'string' }, outcome: { enum: ['success', 'tool_error', 'protocol_error'] } }, ['gateId']),
  ),
];

describe('validated bindings', () => {
  it('binds the contract tools by name', () => {
    const f = fixtures(CONTRACT);
    for (const role of ['F-SYNC', 'F-ECHO', 'F-REQ', 'F-TOOLERR', 'F-ELICIT', 'F-GATE', 'F-GATE-RELEASE'] as const) {
      expect([role, f.has(role), f.refusal(role)]).toEqual([role, true, undefined]);
    }
    expect(f.has('F-PROGRESS')).toBe(false);
    expect(f.refusal('F-PROGRESS')).toBeUndefined(); // simply absent
  });

  it('refuses a required tool as F-ECHO and a forbidden one as F-GATE, naming what the role needs', () => {
    const f = fixtures([tool('slow_compute', 'required', obj({ seconds: { type: 'number' } })), tool('gated_job', undefined)]);
    expect(f.has('F-ECHO')).toBe(false);
    expect(f.refusal('F-ECHO')).toBe('binding refused: slow_compute declares taskSupport required; F-ECHO needs optional');
    expect(f.refusal('F-GATE')).toBe('binding refused: gated_job declares no taskSupport (forbidden); F-GATE needs optional or required');
    expect(() => f.tool('F-ECHO')).toThrow(/^binding refused: slow_compute/);
  });

  it('F-REQ needs required, F-TOOLERR takes optional too, F-SYNC needs forbidden', () => {
    const f = fixtures([tool('failing_job', 'optional'), tool('greet', 'optional', obj({ name: { type: 'string' } }))]);
    expect(f.refusal('F-REQ')).toBe('binding refused: failing_job declares taskSupport optional; F-REQ needs required');
    expect(f.has('F-TOOLERR')).toBe(true);
    expect(f.refusal('F-SYNC')).toMatch(/greet declares taskSupport optional; F-SYNC needs forbidden \(or absent\)/);
    expect(fixtures([tool('failing_job', 'sometimes')]).refusal('F-TOOLERR')).toMatch(
      /taskSupport "sometimes" \(not forbidden, optional or required\)/,
    );
  });

  it('does not bind a same-named tool of another shape (the SDK example confirm_delete takes a filename)', () => {
    const f = fixtures([tool('confirm_delete', 'required', obj({ filename: { type: 'string' } }))]);
    expect(f.has('F-ELICIT')).toBe(false);
    expect(f.refusal('F-ELICIT')).toMatch(/confirm_delete takes \{filename\} but the contract's confirm_delete takes no arguments/);
    // Mapped explicitly, the same tool is bound: the mapping says it plays the role.
    const mapped = fixtures(
      [tool('confirm_delete', 'required', obj({ filename: { type: 'string' } }))],
      'roles:\n  F-ELICIT:\n    tool: confirm_delete\n    arguments: { filename: x.txt }\n',
    );
    expect(mapped.has('F-ELICIT')).toBe(true);
  });

  it('refuses a tool whose inputSchema rejects the templated canonical arguments', () => {
    const schema = obj({ ms: { type: 'integer' } }, ['ms'], { additionalProperties: false });
    const bad = fixtures([tool('sleep', 'optional', schema)], 'roles:\n  F-ECHO:\n    tool: sleep\n    arguments: { ms: "{{seconds}}" }\n');
    expect(bad.refusal('F-ECHO')).toMatch(/sleep's inputSchema rejects the F-ECHO arguments \{"ms":0.25\}: ms must be integer/);
    const good = fixtures(
      [tool('sleep', 'optional', schema)],
      'roles:\n  F-ECHO:\n    tool: sleep\n    arguments: { ms: "{{seconds*1000}}" }\n',
    );
    expect(good.has('F-ECHO')).toBe(true);
    // A default binding with a required argument the contract does not send.
    expect(
      fixtures([tool('gated_job', 'optional', obj({ gateId: { type: 'string' }, other: { type: 'string' } }, ['other']))]).has('F-GATE'),
    ).toBe(false);
  });

  it('on a server without task-augmented tools/call, taskSupport does not decide (the checks skip for the capability)', () => {
    const f = fixtures(
      [tool('failing_job', undefined), tool('confirm_delete', undefined, obj({ filename: { type: 'string' } }))],
      '',
      false,
    );
    expect(f.has('F-REQ')).toBe(true);
    expect(f.refusal('F-ELICIT')).toMatch(/takes \{filename\}/); // the shape still does
  });

  it('refuses a mapped tool the server does not list', () => {
    const f = fixtures(CONTRACT, 'roles:\n  F-PROGRESS:\n    tool: ticker\n');
    expect(f.refusal('F-PROGRESS')).toBe('binding refused: the server lists no tool ticker');
  });

  it('reads draft-07 schemas as the SDK lists them', () => {
    const zodSchema = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      ...obj({ gateId: { type: 'string' } }, ['gateId'], { additionalProperties: false }),
    };
    expect(fixtures([tool('gated_job', 'optional', zodSchema)]).has('F-GATE')).toBe(true);
  });

  it('lists every tool with its taskSupport and the role it got or why it was refused', () => {
    const f = fixtures(
      [...CONTRACT, tool('delay', 'required', obj({ duration: { type: 'number' } })), tool('other', undefined)],
      'roles:\n  F-ECHO:\n    tool: delay\n    arguments: { duration: "{{seconds*1000}}" }\n',
    );
    const rows = f.toolBindings();
    expect(rows.find((r) => r.name === 'failing_job')).toEqual({
      name: 'failing_job',
      listed: true,
      taskSupport: 'required',
      roles: ['F-REQ', 'F-TOOLERR'],
      refused: [],
    });
    expect(rows.find((r) => r.name === 'delay')).toEqual({
      name: 'delay',
      listed: true,
      taskSupport: 'required',
      roles: [],
      refused: [{ role: 'F-ECHO', why: 'delay declares taskSupport required; F-ECHO needs optional' }],
    });
    expect(rows.find((r) => r.name === 'other')).toEqual({ name: 'other', listed: true, roles: [], refused: [] });
    expect(rows.find((r) => r.name === 'greet')?.taskSupport).toBeUndefined();
  });
});
