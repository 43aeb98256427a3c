// An independent client: the official @modelcontextprotocol/client 2.x (which negotiates the 2026-07-28
// era through server/discover) and the official @modelcontextprotocol/ext-tasks requester session call the
// reference server's task tools over Streamable HTTP and settle their outcomes: a result, a tool error,
// a JSON-RPC failure, a cancellation, and input answered through tasks/update.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { createTaskSessionFromClient, type RawClientDispatch, type TaskEnabledSession } from '@modelcontextprotocol/ext-tasks/client';
import { unique } from '../../helpers/ref-client.js';
import { headersFor, httpServer, NOEXT, type HttpModernClient, type Json } from './client.js';
import { release } from './suite.js';

const FRAMING = {
  protocolVersion: '2026-07-28',
  clientInfo: { name: 'ext-tasks-official-client-test', version: '0' },
  clientCapabilities: { elicitation: { form: {} } },
};

describe('the official ext-tasks client against the reference server (2026-07-28, HTTP)', () => {
  let server: Awaited<ReturnType<typeof httpServer>>;
  let raw: HttpModernClient;
  let client: Client;
  let session: TaskEnabledSession;
  let nextId = 1;

  beforeAll(async () => {
    server = await httpServer();
    raw = server.client();
    client = new Client({ name: FRAMING.clientInfo.name, version: '0' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
    expect(client.getProtocolEra()).toBe('modern');
    // The host-owned raw request path ext-tasks needs for V2 task shapes: one POST with the standard headers.
    const rawDispatch: RawClientDispatch = async (request, options) => {
      const body = { ...(request as Json), jsonrpc: '2.0', id: `official-${nextId++}` };
      const response = await fetch(server.url, {
        method: 'POST',
        headers: headersFor(body),
        body: JSON.stringify(body),
        signal: options?.signal,
      });
      const message = (await response.json()) as Json;
      if ('error' in message) return { kind: 'error', error: message.error as { code: number; message: string } };
      return { kind: 'result', result: message.result as Json as never };
    };
    session = createTaskSessionFromClient(client, {
      endpointId: 'reference-server',
      rawDispatch,
      v2RequestFraming: FRAMING,
      onInputRequest: async (request) => {
        if (request.kind !== 'elicitation') throw new Error(`unexpected ${request.kind}`);
        return { action: 'accept', content: { name: 'Ada' } } as never;
      },
    });
  });
  afterAll(async () => {
    await session?.close();
    await client?.close();
    await server?.stop();
  });

  it('sees the extension advertised by server/discover', () => {
    expect(session.capabilities.execution).toBe(true);
  });

  it('settles a task-backed slow_compute with its result', async () => {
    const execution = await session.callTool('slow_compute', { seconds: 0.05, label: 'official' });
    expect(execution.kind).toBe('task');
    const { outcome } = await execution.settle();
    expect(outcome).toMatchObject({ status: 'completed', result: { content: [{ type: 'text', text: 'computed:official' }] } });
  });

  it('settles failing_job as completed with isError, protocol_error_job as failed -32603', async () => {
    const toolError = await (await session.callTool('failing_job', {})).settle();
    expect(toolError.outcome).toMatchObject({ status: 'completed', result: { isError: true } });
    const rpc = await (await session.callTool('protocol_error_job', {})).settle();
    expect(rpc.outcome.status).toBe('failed');
    expect(rpc.outcome.status === 'failed' && rpc.outcome.error.code).toBe(-32603);
  });

  it('answers confirm_delete input through tasks/update', async () => {
    const { outcome } = await (await session.callTool('confirm_delete', {})).settle();
    expect(outcome).toMatchObject({ status: 'completed', result: { content: [{ type: 'text', text: 'hello:Ada' }] } });
  });

  it('cancels a gated job: the outcome is cancelled', async () => {
    const gateId = unique('official');
    const execution = await session.callTool('gated_job', { gateId });
    expect(execution.kind).toBe('task');
    const settled = execution.settle();
    await execution.cancel();
    expect((await settled).outcome.status).toBe('cancelled');
    await release(raw, gateId);
    const state = await raw.ok('tools/call', { name: 'gate_state', arguments: { gateId } }, { caps: NOEXT });
    expect(state.structuredContent).toEqual({ state: 'aborted' });
  });
});
