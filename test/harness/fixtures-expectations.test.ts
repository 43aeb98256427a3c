// Roles with expectations: what a role's tool returns (the contract's text, or the mapping's expect:)
// and an argument object its inputSchema rejects (the mapping's invalid:, or derived from the schema).
import { describe, expect, it } from 'vitest';
import { parseFixtureMapping, textMatches } from '../../harness/fixtures.js';
import { applyTemplate } from '../../harness/fixtures.js';
import { fixtures, obj, tool } from './fixture-tools.js';

const slow = tool(
  'slow_compute',
  'optional',
  obj({ seconds: { type: 'number' }, label: { type: 'string' } }, ['seconds'], { additionalProperties: false }),
);

describe('expectedText', () => {
  it('knows the contract tools', () => {
    const f = fixtures([
      slow,
      tool('greet', undefined, obj({ name: { type: 'string' } }, ['name'])),
      tool('failing_job', 'required'),
      tool('confirm_delete', 'optional'),
      tool('protocol_error_job', 'optional'),
    ]);
    expect(f.expectedText('F-ECHO', { seconds: 0, label: 'x1' })).toEqual({
      kind: 'known',
      text: 'computed:x1',
      match: 'exact',
      source: 'contract',
    });
    expect(f.expectedText('F-ECHO', { seconds: 0 })).toMatchObject({ kind: 'known', text: 'computed:' });
    expect(f.expectedText('F-SYNC', { name: 'Zed' })).toMatchObject({ text: 'Hello, Zed!' });
    expect(f.expectedText('F-TOOLERR', {})).toMatchObject({ text: 'job failed' });
    expect(f.expectedText('F-ELICIT', { name: 'Ada' })).toMatchObject({ text: 'hello:Ada' });
    expect(f.expectedText('F-RPCERR', {})).toMatchObject({ kind: 'unknown', why: expect.stringMatching(/JSON-RPC error -32603/) });
    expect(f.expectedText('F-GATE', { gateId: 'g' })).toEqual({ kind: 'unknown', why: 'F-GATE (tool gated_job) is not available' });
  });

  it('a mapped tool is unknown without expect:, known with a text template (arithmetic) or echoes', () => {
    const sleep = tool('sleep', 'optional', obj({ ms: { type: 'number' } }, ['ms']));
    const bare = fixtures([sleep], 'roles:\n  F-ECHO:\n    tool: sleep\n    arguments: { ms: "{{seconds*1000}}" }\n');
    expect(bare.expectedText('F-ECHO', { seconds: 0.2 })).toMatchObject({ kind: 'unknown', why: expect.stringMatching(/add expect:/) });
    const text = fixtures(
      [sleep],
      'roles:\n  F-ECHO:\n    tool: sleep\n    arguments: { ms: "{{seconds*1000}}" }\n    expect: { text: "slept {{seconds*1000}}ms" }\n',
    );
    expect(text.expectedText('F-ECHO', { seconds: 1.1 })).toEqual({
      kind: 'known',
      text: 'slept 1100ms',
      match: 'exact',
      source: 'mapping',
    });
    const echo = fixtures(
      [tool('echo', undefined, obj({ message: { type: 'string' } }, ['message']))],
      'roles:\n  F-SYNC:\n    tool: echo\n    arguments: { message: "{{name}}" }\n    expect: { echoes: name }\n',
    );
    const e = echo.expectedText('F-SYNC', { name: 'Zed' });
    expect(e).toEqual({ kind: 'known', text: 'Zed', match: 'contains', source: 'mapping' });
    if (e.kind === 'known') {
      expect(textMatches(e, 'Echo: Zed')).toBe(true);
      expect(textMatches(e, 'Echo: Ada')).toBe(false);
    }
  });

  it('a refused binding says why', () => {
    const f = fixtures([tool('slow_compute', 'required', obj({ seconds: { type: 'number' } }))]);
    expect(f.expectedText('F-ECHO', { seconds: 0 })).toEqual({
      kind: 'unknown',
      why: 'binding refused: slow_compute declares taskSupport required; F-ECHO needs optional',
    });
  });

  it('mapping errors name the key', () => {
    expect(() => parseFixtureMapping('roles:\n  F-SYNC:\n    expect: { echoes: nam }\n', 'f.yaml')).toThrow(
      /roles\.F-SYNC\.expect\.echoes: "nam" is not a canonical argument or answered field of F-SYNC \(name\)/,
    );
    expect(() => parseFixtureMapping('roles:\n  F-SYNC:\n    expect: { txt: x }\n', 'f.yaml')).toThrow(
      /roles\.F-SYNC\.expect\.txt: unknown key \(expected one of text, echoes\)/,
    );
    expect(() => parseFixtureMapping('roles:\n  F-SYNC:\n    expect: { text: a, echoes: name }\n', 'f.yaml')).toThrow(
      /exactly one of text or echoes/,
    );
    expect(() => parseFixtureMapping('roles:\n  F-SYNC:\n    expect: { text: "{{nam" }\n', 'f.yaml')).toThrow(
      /expect\.text: bad placeholder/,
    );
    expect(() => parseFixtureMapping('roles:\n  F-SYNC:\n    tol: x\n', 'f.yaml')).toThrow(
      /expected one of tool, arguments, expect, invalid/,
    );
  });

  it('arithmetic keeps what a server would print', () => {
    expect(applyTemplate({ ms: '{{seconds*1000}}' }, { seconds: 1.1 })).toEqual({ ms: 1100 });
  });
});

describe('invalidArguments', () => {
  it('gives a required property a value of another JSON type, keeping the others valid', () => {
    const f = fixtures([slow]);
    const inv = f.invalidArguments('F-ECHO');
    expect(inv).toMatchObject({ kind: 'known', arguments: { seconds: 'sep1686-not-valid', label: 'sep1686-probe' } });
    expect(inv.kind === 'known' && inv.how).toMatch(/seconds is a string where slow_compute's inputSchema wants number/);
  });

  it('goes through the mapping: the wrong type is for the server argument, not the canonical one', () => {
    const f = fixtures(
      [tool('delay', 'optional', obj({ duration: { type: 'number' } }, ['duration']))],
      'roles:\n  F-ECHO:\n    tool: delay\n    arguments: { duration: "{{seconds*1000}}" }\n',
    );
    expect(f.invalidArguments('F-ECHO')).toMatchObject({ kind: 'known', arguments: { duration: 'sep1686-not-valid' } });
  });

  it('uses the mapping invalid: as it is', () => {
    const f = fixtures([slow], 'roles:\n  F-ECHO:\n    invalid: { seconds: -1 }\n');
    expect(f.invalidArguments('F-ECHO')).toMatchObject({ kind: 'known', arguments: { seconds: -1 } });
  });

  it('with no required property: an unknown property when additionalProperties is false, else none', () => {
    const closed = fixtures([tool('failing_job', 'required', obj({}, [], { additionalProperties: false }))]);
    expect(closed.invalidArguments('F-TOOLERR')).toMatchObject({ kind: 'known', arguments: { sep1686_unexpected: true } });
    const open = fixtures([tool('failing_job', 'required')]);
    expect(open.invalidArguments('F-TOOLERR')).toMatchObject({
      kind: 'unknown',
      why: expect.stringMatching(/no argument object is invalid/),
    });
    const untyped = fixtures([tool('gated_job', 'optional', obj({ gateId: {} }, ['gateId']))]);
    expect(untyped.invalidArguments('F-GATE')).toMatchObject({ kind: 'unknown', why: expect.stringMatching(/accepts every value/) });
  });
});
