// The 2026-07-28 era over stdio: the behaviour suite on one spawned server, then the dual-era rules of
// one process (a 2025-11-25 session and modern requests side by side) and the --protocol pins.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { textOf } from '../../helpers/ref-client.js';
import { EXT_E, meta, StdioModernClient, type Json } from './client.js';
import { createTask, defineModernSuite, pollTask, terminal } from './suite.js';

describe('2026-07-28 over stdio', () => {
  defineModernSuite(async () => {
    const clients: StdioModernClient[] = [];
    return {
      open: async () => {
        const c = new StdioModernClient();
        clients.push(c);
        return c;
      },
      stop: async () => void (await Promise.all(clients.map((c) => c.close()))),
    };
  });
});

const initialize = (c: StdioModernClient, capabilities: Json = {}) =>
  new Promise<Json>((resolve) => {
    const id = 9000 + Math.floor(Math.random() * 1000);
    const timer = setInterval(() => {
      const m = c.received.find((r) => r.id === id);
      if (!m) return;
      clearInterval(timer);
      resolve(m);
    }, 5);
    c.send({
      jsonrpc: '2.0',
      id,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities, clientInfo: { name: 'legacy', version: '0' } },
    });
  });

describe('dual-era stdio process', () => {
  it('serves a 2025-11-25 session and modern requests on one process, each in its own era', async () => {
    const c = new StdioModernClient();
    try {
      const init = await initialize(c, { extensions: { 'io.modelcontextprotocol/tasks': {} } });
      expect((init.result as Json).protocolVersion).toBe('2025-11-25');
      c.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      const modern = await createTask(c, 'slow_compute', { seconds: 0 });
      // EXT-NEG-08: the extension declared at initialize does not switch a legacy tools/call to the extension.
      const legacyCall = await c.call('tools/call', { name: 'slow_compute', arguments: { seconds: 0 } }, { meta: {} });
      expect(legacyCall.result).toEqual({ content: [{ type: 'text', text: 'computed:' }] });
      const legacyList = await c.call('tasks/list', {}, { meta: {} });
      expect(((legacyList.result as Json).tasks as Json[]).map((t) => t.taskId)).not.toContain(modern.taskId);
    } finally {
      await c.close();
    }
  });

  it('--protocol 2026-07-28 refuses initialize naming its versions; --protocol 2025-11-25 has no server/discover', async () => {
    const modern = new StdioModernClient(['--protocol', '2026-07-28']);
    const legacy = new StdioModernClient(['--protocol', '2025-11-25']);
    try {
      const refused = await initialize(modern);
      expect((refused.error as Json).message).toContain('2026-07-28');
      expect((await modern.ok('server/discover', {}, { meta: meta(EXT_E) })).supportedVersions).toEqual(['2026-07-28']);
      expect((await legacy.call('server/discover', {})).error?.code).toBe(-32601);
    } finally {
      await Promise.all([modern.close(), legacy.close()]);
    }
  });
});

describe('2026-07-28 on the sqlite store', () => {
  it('a completed task and its inlined result survive a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ext-sqlite-'));
    const args = ['--store', `sqlite:${join(dir, 'tasks.db')}`];
    try {
      const first = new StdioModernClient(args);
      const taskId = (await createTask(first, 'slow_compute', { seconds: 0, label: 'durable' })).taskId as string;
      await pollTask(first, taskId, terminal);
      await first.close();
      const second = new StdioModernClient(args);
      const again = await second.ok('tasks/get', { taskId });
      expect(again.status).toBe('completed');
      expect(textOf(again.result as Json)).toBe('computed:durable');
      expect([...first.violations, ...second.violations]).toEqual([]);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
