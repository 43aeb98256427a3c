// init's proposals for the tool lists of real servers (as they list them): a proposal is always a binding
// loadFixtures accepts; a same-named tool of another shape is proposed as a mapping, not by default.
import { describe, expect, it } from 'vitest';
import { parseFixtureMapping } from '../../harness/fixtures.js';
import { proposeRoles } from '../../harness/init/propose.js';
import { renderMapping } from '../../harness/init/render.js';
import { fixtures, obj, tool } from '../harness/fixture-tools.js';

// The SDK 1.x example simpleStreamableHttp (the task-relevant tools) and simpleTaskInteractive.
const SIMPLE_STREAMABLE = [
  tool('greet', undefined, obj({ name: { type: 'string', description: 'Name to greet' } }, ['name'])),
  tool('delay', 'required', obj({ duration: { type: 'number', description: 'Duration in milliseconds' } })),
  tool(
    'collect-user-info-task',
    'required',
    obj({ infoType: { type: 'string', enum: ['contact', 'preferences', 'feedback'] } }, ['infoType']),
  ),
  tool('start-notification-stream', undefined, obj({ interval: { type: 'number' }, count: { type: 'number' } })),
];
const TASK_INTERACTIVE = [
  tool('confirm_delete', 'required', obj({ filename: { type: 'string' } })),
  tool('write_haiku', 'required', obj({ topic: { type: 'string' } })),
];

describe('proposeRoles', () => {
  it('simpleStreamableHttp: greet binds by default, delay cannot be F-ECHO (required), the elicitation tool maps', () => {
    const byRole = Object.fromEntries(proposeRoles(SIMPLE_STREAMABLE).map((p) => [p.role, p]));
    expect(byRole['F-SYNC']).toMatchObject({ kind: 'default', tool: 'greet' });
    expect(byRole['F-ECHO']).toMatchObject({
      kind: 'none',
      why: expect.stringContaining('delay declares taskSupport required; F-ECHO needs optional'),
    });
    expect(byRole['F-REQ']).toMatchObject({ kind: 'mapped', tool: 'delay', arguments: {} });
    expect(byRole['F-ELICIT']).toMatchObject({ kind: 'mapped', tool: 'collect-user-info-task', arguments: { infoType: 'contact' } });
  });

  it('simpleTaskInteractive: its confirm_delete is not the contract one, so it is proposed as a mapping', () => {
    const byRole = Object.fromEntries(proposeRoles(TASK_INTERACTIVE).map((p) => [p.role, p]));
    expect(byRole['F-ELICIT']).toMatchObject({ kind: 'mapped', tool: 'confirm_delete' });
    expect(byRole['F-REQ']).toMatchObject({ kind: 'mapped', tool: 'confirm_delete' });
  });

  it('maps seconds to milliseconds when the property says ms, and the rendered file binds without refusal', () => {
    const tools = [tool('sleep_ms', 'optional', obj({ ms: { type: 'integer' }, tag: { type: 'string' } }, ['ms']))];
    const echo = proposeRoles(tools).find((p) => p.role === 'F-ECHO');
    expect(echo).toMatchObject({ kind: 'mapped', arguments: { ms: '{{seconds*1000}}', tag: '{{label}}' } });
    for (const list of [tools, SIMPLE_STREAMABLE, TASK_INTERACTIVE]) {
      const yaml = renderMapping(proposeRoles(list), list, { target: 'test' });
      const f = fixtures(list, yaml);
      expect(f.toolBindings().flatMap((b) => b.refused)).toEqual([]);
      expect(parseFixtureMapping(yaml)).toBeTruthy();
    }
  });
});
