// The rawcheck script's raw Streamable HTTP client: node:http with a keep-alive agent and no socket cap
// (every blocking tasks/result holds a connection, as in the bench), one POST per JSON-RPC message with
// the session id the initialize response assigned, the standalone GET stream open (its bytes dropped),
// each POST's body read whole (a JSON body, or the events of the POST's SSE stream, which the server
// ends after the response) and the response picked out. No SDK, no Session, no wire log, no undici:
// nothing of the bench's own client.
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { RAW_INITIALIZE, type RawClient, type RawMessage } from './raw-scale.js';

const ENDPOINT_LINE = /MCP endpoint:\s*(\S+)/;

/** The URL a server started with `--http --port 0` prints once it listens. */
function endpointOf(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error('no "MCP endpoint: <url>" line within 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`the server exited (code ${code}) before printing its endpoint`)));
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      seen += chunk;
      const m = ENDPOINT_LINE.exec(seen);
      if (!m?.[1]) return;
      clearTimeout(timer);
      seen = '';
      resolve(m[1]);
    });
  });
}

/** The messages of a POST's answer: one JSON body or the `data` of every SSE event. */
function messagesOf(contentType: string, text: string): RawMessage[] {
  if (!contentType.startsWith('text/event-stream')) return text ? [JSON.parse(text) as RawMessage].flat() : [];
  const out: RawMessage[] = [];
  for (const event of text.split(/\r?\n\r?\n/)) {
    const data = event
      .split(/\r?\n/)
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).replace(/^ /, ''))
      .join('\n');
    if (data) out.push(JSON.parse(data) as RawMessage);
  }
  return out;
}

export class RawHttpClient implements RawClient {
  private nextId = 1;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  private readonly headers: Record<string, string>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly url: URL,
    token: string | undefined,
  ) {
    this.headers = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    };
  }

  /** Starts `command args` (a server that prints its endpoint), then initialize + notifications/initialized. */
  static async start(command: string, args: string[], token?: string): Promise<RawHttpClient> {
    // Detached like every server the harness starts (proc.ts; see raw-stdio-client.ts for why it matters).
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'ignore'], detached: true });
    try {
      const client = new RawHttpClient(child, new URL(await endpointOf(child)), token);
      const init = await client.request('initialize', RAW_INITIALIZE);
      if (!init.result) throw new Error(`initialize failed: ${JSON.stringify(init.error)}`);
      client.headers['mcp-protocol-version'] = RAW_INITIALIZE.protocolVersion;
      await client.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
      await client.openGetStream();
      return client;
    } catch (e) {
      child.kill();
      throw e;
    }
  }

  async request(method: string, params: Record<string, unknown>): Promise<RawMessage> {
    const id = this.nextId++;
    const answer = (await this.post({ jsonrpc: '2.0', id, method, params })).find((m) => m.id === id);
    if (!answer) throw new Error(`no response to ${method} in its POST's answer`);
    return answer;
  }

  /**
   * The standalone GET stream, as the bench's session opens it: the server sends it the status
   * notifications of tasks without an open tasks/result, so both clients ask the server for the same
   * writes. Its bytes are read and dropped.
   */
  private openGetStream(): Promise<void> {
    return new Promise((resolve, reject) => {
      const { 'content-type': _, ...rest } = this.headers;
      const headers = { ...rest, accept: 'text/event-stream' };
      const req = request(this.url, { method: 'GET', agent: this.agent, headers }, (res) => {
        res.on('error', () => undefined);
        res.resume();
        if (res.statusCode === 200) resolve();
        else reject(new Error(`GET stream: HTTP ${res.statusCode}`));
      });
      req.on('error', reject);
      req.end();
    });
  }

  private post(message: Record<string, unknown>): Promise<RawMessage[]> {
    return new Promise((resolve, reject) => {
      const req = request(this.url, { method: 'POST', agent: this.agent, headers: this.headers }, (res) => {
        const sid = res.headers['mcp-session-id'];
        if (typeof sid === 'string') this.headers['mcp-session-id'] = sid;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 400) return reject(new Error(`HTTP ${status}: ${text.slice(0, 200)}`));
          try {
            resolve(messagesOf(res.headers['content-type'] ?? '', text));
          } catch (e) {
            reject(e as Error);
          }
        });
      });
      req.on('error', reject);
      req.end(JSON.stringify(message));
    });
  }

  stop(): void {
    this.agent.destroy();
    this.child.kill();
  }
}
