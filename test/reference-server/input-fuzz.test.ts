// Fuzz tests of the stdio and HTTP framing (bounded, seeded, loopback only): every malformed or invalid
// JSON-RPC message gets the right error (-32700 not JSON, -32600 not a JSON-RPC message, -32602 wrong
// parameter types) with id null where no request id can be read, one log line each, and the server
// keeps serving. A line over the stdio limit is refused and reading goes on; the process still exits 0.
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES } from '../../reference-server/jsonrpc-input.js';
import { startReferenceServer, type RunningReferenceServer } from '../../reference-server/start.js';
import { SERVER_MAIN, type Json } from '../helpers/ref-client.js';

/** A bad input and what the server must answer to it. */
interface Case {
  text: string;
  code: number;
  id: string | number | null;
}

/** mulberry32: a tiny seeded PRNG, so a failing case can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = 1686;
const ROUNDS = 120;
const WRONG: Record<string, unknown[]> = {
  jsonrpc: [null, 2, '1.0', '', [], {}],
  id: [null, true, 1.5, [], {}],
  method: [null, 1, true, [], {}],
  params: [1, 'x', true, [], [1, 2]],
};

/** Cases that are the same whatever the seed: one of each kind. */
const FIXED: Case[] = [
  { text: 'not json', code: -32700, id: null },
  { text: '{"jsonrpc":"2.0","id":1,"method":"ping"', code: -32700, id: null },
  { text: '{"a":1}', code: -32600, id: null },
  { text: '[]', code: -32600, id: null },
  { text: '[{"jsonrpc":"2.0","id":2,"method":"ping"}]', code: -32600, id: null },
  { text: '"ping"', code: -32600, id: null },
  { text: '42', code: -32600, id: null },
  { text: 'null', code: -32600, id: null },
  { text: '{"jsonrpc":"2.0","id":3,"method":7}', code: -32600, id: 3 },
  { text: '{"jsonrpc":"2.0","id":null,"method":"ping"}', code: -32600, id: null },
  { text: '{"jsonrpc":"2.0","id":4,"method":"ping","params":[1]}', code: -32600, id: 4 },
  { text: '{"jsonrpc":"2.0","id":5,"method":"ping","extra":true}', code: -32600, id: 5 },
  { text: '{"jsonrpc":"2.0","id":"r6","result":5}', code: -32600, id: null },
  { text: '{"jsonrpc":"2.0","method":"notifications/cancelled","params":7}', code: -32600, id: null },
  // Valid JSON-RPC, wrong parameter types: the method answers -32602 with the request id.
  { text: '{"jsonrpc":"2.0","id":7,"method":"tasks/get","params":{"taskId":5}}', code: -32602, id: 7 },
  { text: '{"jsonrpc":"2.0","id":8,"method":"tasks/cancel","params":{"taskId":{}}}', code: -32602, id: 8 },
  { text: '{"jsonrpc":"2.0","id":9,"method":"tasks/list","params":{"cursor":5}}', code: -32602, id: 9 },
  { text: '{"jsonrpc":"2.0","id":10,"method":"tools/call","params":{"name":5}}', code: -32602, id: 10 },
  { text: '{"jsonrpc":"2.0","id":11,"method":"tools/call","params":{"name":"slow_compute","task":5}}', code: -32602, id: 11 },
  { text: '{"jsonrpc":"2.0","id":12,"method":"resources/read","params":{"uri":[]}}', code: -32602, id: 12 },
];

/** Seeded cases: random printable text, and valid requests with one member of a wrong type. */
function randomCases(seed: number, rounds: number): Case[] {
  const next = random(seed);
  const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)]!;
  const cases: Case[] = [];
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      let text = '';
      while (text.trim() === '')
        text = Array.from({ length: 1 + Math.floor(next() * 60) }, () => String.fromCharCode(32 + Math.floor(next() * 95))).join('');
      let json = true;
      try {
        JSON.parse(text);
      } catch {
        json = false;
      }
      cases.push({ text, code: json ? -32600 : -32700, id: null });
      continue;
    }
    const message: Json = { jsonrpc: '2.0', id: 1000 + i, method: 'ping', params: {} };
    const member = pick(Object.keys(WRONG));
    message[member] = pick(WRONG[member]!);
    const id = message.id;
    const readableId = typeof id === 'string' || (typeof id === 'number' && Number.isInteger(id)) ? id : null;
    cases.push({ text: JSON.stringify(message), code: -32600, id: readableId });
  }
  return cases;
}

const CASES = [...FIXED, ...randomCases(SEED, ROUNDS)];

describe('stdio framing', () => {
  let running: RunningReferenceServer;
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const log: string[] = [];
  const lines: Json[] = [];
  let onLine: (() => void) | undefined;

  beforeAll(async () => {
    running = await startReferenceServer({ transport: 'stdio', stdin, stdout, log: (line) => log.push(line) });
    createInterface({ input: stdout }).on('line', (line) => {
      lines.push(JSON.parse(line) as Json);
      onLine?.();
    });
  });
  afterAll(async () => {
    await running?.close();
  });

  /** Writes `text` and a ping; resolves with what arrived up to the ping's answer. */
  async function exchange(text: string, pingId: string): Promise<Json[]> {
    const from = lines.length;
    const answered = new Promise<void>((resolve) => {
      onLine = () => lines.some((l, i) => i >= from && l.id === pingId) && resolve();
    });
    stdin.write(`${text}\n{"jsonrpc":"2.0","id":"${pingId}","method":"ping"}\n`);
    await answered;
    return lines.slice(from).filter((l) => l.id !== pingId);
  }

  it(`answers each of ${CASES.length} bad messages (seed ${SEED}) with one error and one log line, and keeps serving`, async () => {
    for (const [n, c] of CASES.entries()) {
      const before = log.length;
      const replies = await exchange(c.text, `ping-${n}`);
      expect(replies, c.text).toHaveLength(1);
      expect(replies[0], c.text).toMatchObject({ jsonrpc: '2.0', id: c.id, error: { code: c.code } });
      // -32602 is an ordinary answer of a method; the framing errors are logged, one line each.
      const logged = log.slice(before);
      expect(logged, c.text).toHaveLength(c.code === -32602 ? 0 : 1);
      expect(logged.every((l) => !l.includes('\n'))).toBe(true);
    }
  });

  it('refuses a line over the limit at once, discards it and reads on', async () => {
    const huge = `{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"${'x'.repeat(MAX_MESSAGE_BYTES)}"}}`;
    const replies = await exchange(huge, 'after-huge');
    expect(replies).toEqual([
      { jsonrpc: '2.0', id: null, error: { code: -32600, message: expect.stringContaining(`longer than ${MAX_MESSAGE_BYTES} bytes`) } },
    ]);
    expect(log.at(-1)).toContain('discarded');
  });

  it('skips blank lines without an answer', async () => {
    expect(await exchange('   \r', 'after-blank')).toEqual([]);
  });
});

describe('stdio process', () => {
  it('a line over 10 MiB gets -32600, the next request is answered, and closing stdin exits 0', async () => {
    const child = spawn(process.execPath, [SERVER_MAIN], { stdio: ['pipe', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const out = createInterface({ input: child.stdout });
    const answers: Json[] = [];
    const pinged = new Promise<void>((resolve) =>
      out.on('line', (line) => {
        answers.push(JSON.parse(line) as Json);
        if (answers.at(-1)?.id === 'after') resolve();
      }),
    );
    child.stdin.write('y'.repeat(10 * 1024 * 1024 + 1));
    child.stdin.write('\n{"jsonrpc":"2.0","id":"after","method":"ping"}\n');
    await pinged;
    child.stdin.end();
    expect(await exited).toBe(0);
    expect(answers).toMatchObject([
      { id: null, error: { code: -32600 } },
      { id: 'after', result: {} },
    ]);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('HTTP framing', () => {
  let running: RunningReferenceServer;
  const log: string[] = [];
  let sessionId: string;

  const post = (body: string, session?: string) =>
    fetch(running.url!, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        ...(session && { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' }),
      },
      body,
    });

  /** A JSON body, or the one message of an SSE stream (tools/call answers over SSE). */
  const bodyOf = async (res: Response): Promise<unknown> => {
    const text = await res.text();
    if (!res.headers.get('content-type')?.startsWith('text/event-stream')) return JSON.parse(text);
    const data = text.split('\n').find((line) => line.startsWith('data: '));
    return JSON.parse(data!.slice('data: '.length));
  };

  beforeAll(async () => {
    running = await startReferenceServer({ transport: 'http', port: 0, log: (line) => log.push(line) });
    const init = { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'fuzz', version: '0' } };
    const res = await post(JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: init }));
    sessionId = res.headers.get('mcp-session-id')!;
    await res.body?.cancel();
    await (await post('{"jsonrpc":"2.0","method":"notifications/initialized"}', sessionId)).body?.cancel();
  });
  afterAll(async () => {
    await running?.close();
  });

  it.each([
    ['without a session', false],
    ['in a session', true],
  ])(`answers each of ${CASES.length} bad bodies (seed ${SEED}) %s with the right error and one log line`, async (_label, inSession) => {
    for (const c of CASES) {
      if (c.code === -32602 && !inSession) continue; // a method answer needs a session
      const before = log.length;
      const res = await post(c.text, inSession ? sessionId : undefined);
      expect(res.status, c.text).toBe(c.code === -32602 ? 200 : 400);
      expect(await bodyOf(res), c.text).toMatchObject({ jsonrpc: '2.0', id: c.id, error: { code: c.code } });
      expect(log.slice(before), c.text).toHaveLength(c.code === -32602 ? 0 : 1);
    }
  });

  it('refuses a body over the limit with 413 and keeps serving', async () => {
    const res = await post(`"${'x'.repeat(MAX_MESSAGE_BYTES)}"`, sessionId);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ id: null, error: { code: -32000 } });
    const ping = await post('{"jsonrpc":"2.0","id":"p","method":"ping"}', sessionId);
    expect(await ping.json()).toEqual({ jsonrpc: '2.0', id: 'p', result: {} });
  });
});
