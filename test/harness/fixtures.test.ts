// Fixture resolution: default role -> tool binding, mapping files (validation, templates), paging of
// tools/list, F-RES and the server-level roles.
import { afterEach, describe, expect, it } from 'vitest';
import { applyTemplate, loadFixtures, parseFixtureMapping } from '../../harness/fixtures.js';
import type { Target, TargetSpec } from '../../harness/transport/target.js';
import { createTarget } from '../../harness/transport/targets.js';
import { WireLog } from '../../harness/transport/wire.js';
import { everythingStdio, tinyStdio } from '../helpers/servers.js';

const targets: Target[] = [];
afterEach(async () => {
  await Promise.all(targets.splice(0).map((t) => t.dispose()));
});

async function connect(spec: TargetSpec) {
  const t = createTarget({ spec, wire: new WireLog(), requestTimeoutMs: 20_000, startTimeoutMs: 30_000 });
  targets.push(t);
  return t.connect();
}

describe('mapping file', () => {
  it('parses YAML and JSON', () => {
    const yaml = parseFixtureMapping(
      'roles:\n  F-ECHO:\n    tool: my_sleep\n    arguments: { ms: "{{seconds*1000}}", tag: "{{label}}" }\n',
    );
    expect(yaml.roles?.['F-ECHO']?.tool).toBe('my_sleep');
    const json = parseFixtureMapping('{"roles": {"F-GATE": {"tool": "wait_for"}}, "resource": "file:///x"}');
    expect(json.roles?.['F-GATE']?.tool).toBe('wait_for');
    expect(json.resource).toBe('file:///x');
  });

  it('names the bad key in a one-line error', () => {
    expect(() => parseFixtureMapping('roles:\n  F-NOPE:\n    tool: x\n', 'f.yaml')).toThrow(/^f\.yaml: roles\.F-NOPE/);
    expect(() => parseFixtureMapping('roles:\n  F-ECHO:\n    tol: x\n', 'f.yaml')).toThrow(/roles\.F-ECHO.*tol/);
    expect(() => parseFixtureMapping('rols: {}\n', 'f.yaml')).toThrow(/rols/);
    expect(() => parseFixtureMapping('roles:\n  F-ECHO:\n    arguments: { ms: "{{seconds**}}" }\n', 'f.yaml')).toThrow(
      /roles\.F-ECHO\.arguments\.ms: bad placeholder/,
    );
    expect(() => parseFixtureMapping('roles: [1', 'f.yaml')).toThrow(/^f\.yaml: not valid YAML/);
    for (const bad of ['roles:\n  F-NOPE:\n    tool: x\n', 'rols: {}\n']) {
      try {
        parseFixtureMapping(bad);
      } catch (e) {
        expect((e as Error).message).not.toContain('\n');
      }
    }
  });
});

describe('templates', () => {
  it('keeps JSON types for whole placeholders, interpolates inside strings, and supports simple arithmetic', () => {
    const t = {
      ms: '{{seconds*1000}}',
      tag: '{{label}}',
      msg: 'job {{label}} for {{seconds}}s',
      fixed: 7,
      nested: { s: '{{seconds}}' },
      list: ['{{label}}'],
    };
    expect(applyTemplate(t, { seconds: 1.5, label: 'a' })).toEqual({
      ms: 1500,
      tag: 'a',
      msg: 'job a for 1.5s',
      fixed: 7,
      nested: { s: 1.5 },
      list: ['a'],
    });
  });

  it('leaves out keys whose canonical value was not given', () => {
    expect(applyTemplate({ ms: '{{seconds*1000}}', tag: '{{label}}' }, { seconds: 0 })).toEqual({ ms: 0 });
  });
});

describe('loadFixtures', () => {
  it('binds roles to the listed tools, reading every page of tools/list', async () => {
    const s = await connect(tinyStdio('--paged'));
    const f = await loadFixtures(s);
    expect(f.tools.map((t) => t.name)).toEqual(['greet', 'gated_job', 'release_gate', 'ask', 'noisy', 'crash', 'notify']);
    expect(f.has('F-SYNC')).toBe(true);
    expect(f.tool('F-SYNC')).toBe('greet');
    // tiny declares no tasks capability, so its gated_job (no taskSupport) is bound: the task checks skip
    // for the capability, the root cause (fixtures-bindings.test.ts covers refusals).
    expect(f.has('F-GATE')).toBe(true);
    expect(f.refusal('F-GATE')).toBeUndefined();
    expect(f.has('F-GATE-RELEASE')).toBe(true);
    expect(f.has('F-ECHO')).toBe(false);
    expect(() => f.tool('F-ECHO')).toThrow(/F-ECHO is not available.*slow_compute/);
    expect(f.args('F-GATE', { gateId: 'g' })).toEqual({ gateId: 'g' });
    expect(f.has('F-RES')).toBe(false);
  });

  it('applies a mapping: renamed tool and argument template', async () => {
    const s = await connect(tinyStdio());
    const mapping = parseFixtureMapping('roles:\n  F-GATE-STATE:\n    tool: greet\n    arguments: { name: "{{gateId}}" }\n');
    const f = await loadFixtures(s, mapping);
    expect(f.has('F-GATE-STATE')).toBe(true);
    expect(f.tool('F-GATE-STATE')).toBe('greet');
    const args = f.args('F-GATE-STATE', { gateId: 'Zed' });
    expect(args).toEqual({ name: 'Zed' });
    const o = await s.request('tools/call', { name: f.tool('F-GATE-STATE'), arguments: args });
    expect(o.kind === 'result' && (o.result.content as { text: string }[])[0]?.text).toBe('Hello, Zed!');
  });

  it('answers the server-level roles from the target facts', async () => {
    const s = await connect(tinyStdio());
    const none = await loadFixtures(s, {}, { principals: 0, canRestart: false });
    expect([none.has('S-AUTH'), none.has('S-RESTART'), none.has('S-NOTASK')]).toEqual([false, false, false]);
    const all = await loadFixtures(s, {}, { principals: 2, canRestart: true, notask: true });
    expect([all.has('S-AUTH'), all.has('S-RESTART'), all.has('S-NOTASK')]).toEqual([true, true, true]);
  });

  it('finds a resource for F-RES', async () => {
    const s = await connect(everythingStdio());
    const f = await loadFixtures(s);
    expect(f.has('F-RES')).toBe(true);
    expect(f.resource.uri ?? f.resource.prompt).toBeTruthy();
  });
});
