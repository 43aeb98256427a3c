// Integration proof against dist/harness/bench/sdk-server.js: the fixture tools built on the TS SDK 1.32's
// McpServer + experimental.tasks.registerToolTask + InMemoryTaskStore, defaults untouched. The harness
// must find the SDK's real deviations and nothing else. Each finding below was traced to SDK code:
//   T25-TOOL-03  McpServer's tools/call handler catches its own McpError(-32601) for a required tool
//                and returns createToolError(...) = CallToolResult{isError:true} (server/mcp.js).
//   T25-TOOL-02  a task on a forbidden tool runs the tool, then the Server's task-result validation
//                fails: -32602 "Invalid task creation result" instead of -32601 (SHOULD => WARNING).
//   T25-ERR-01..03  request schemas are parsed with zod; a ZodError has no numeric code, so Protocol
//                answers -32603 (shared/protocol.js) where an invalid taskId must give -32602.
//   T25-META-02  Protocol._onrequest queues the response of any request whose _meta names a related
//                task into that task's message queue instead of sending it: tasks/get {taskId:A,
//                _meta related-task B} never answers on stdio.
//   T25-GET-04   StreamableHTTPServerTransport answers every POST with SSE unless enableJsonResponse.
//   H25-20       the fingerprint probes run and name McpServer's isError wrapping (the poll-tick probe
//                also runs; whether it flags depends on timing, so it is not asserted here).
import { afterAll, describe, expect, it } from 'vitest';
import { execute } from '../../harness/cli/execute.js';
import { packagePath } from '../../harness/paths.js';
import robustness from '../../scenarios/robustness.js';
import { check, idsWith, messageOf, statusesOf, Workspace } from './cli-run.js';
import { only } from '../helpers/run.js';

const SDK_SERVER = packagePath('dist', 'harness', 'bench', 'sdk-server.js');

// Generous: a loaded 2-core machine runs other suites at the same time.
const TIMEOUT = 150_000;

const ws = new Workspace();
afterAll(() => ws.dispose());

describe('SDK-based comparison server (McpServer + InMemoryTaskStore)', () => {
  it('stdio: the SDK deviations fail, the task core passes', { timeout: TIMEOUT }, async () => {
    const server = ws.link(SDK_SERVER, 'sdk-server.js');
    // A short request timeout: T25-META-02's misrouted responses never come back on stdio.
    const { code, report } = await ws.cli([
      '--scenario',
      'negotiation',
      '--scenario',
      'errors',
      '--scenario',
      'metadata',
      '--scenario',
      'result',
      '--timeout',
      '3000',
      '--',
      process.execPath,
      server,
    ]);

    expect(code).toBe(1);
    expect(report.run.exitCode).toBe(1);
    expect(report.runProblems ?? []).toEqual([]);
    expect(idsWith(report, 'FAILURE', 'stdio')).toEqual(['T25-ERR-01', 'T25-ERR-02', 'T25-ERR-03', 'T25-META-02', 'T25-TOOL-03']);
    expect(idsWith(report, 'WARNING', 'stdio')).toEqual(['T25-TOOL-02']);

    expect(check(report, 'T25-TOOL-03', 'stdio').errorMessage).toMatch(
      /failing_job \(taskSupport required\) must return JSON-RPC error -32601, but it returned a CallToolResult with isError:true .*-32601 was wrapped/,
    );
    expect(check(report, 'T25-TOOL-02', 'stdio').errorMessage).toMatch(
      /on greet \(taskSupport forbidden\), got JSON-RPC error -32602 "MCP error -32602: Invalid task creation result/,
    );
    for (const id of ['T25-ERR-01', 'T25-ERR-02', 'T25-ERR-03'])
      expect(check(report, id, 'stdio').errorMessage).toMatch(/the number 42 as taskId must fail with -32602; got JSON-RPC error -32603/);
    expect(check(report, 'T25-META-02', 'stdio').errorMessage).toMatch(
      /crossed meta: tasks\/get \{taskId:A, _meta related-task \w+\} answered no response within \d+ ms; expected task A/,
    );

    // The core of the task plumbing is right, and the harness says so.
    expect(statusesOf(report, 'stdio')).toMatchObject({
      'T25-TOOL-01': 'SUCCESS',
      'T25-TOOL-04': 'SUCCESS',
      'T25-ERR-05': 'SUCCESS',
      'T25-ERR-07': 'SUCCESS',
      'T25-RES-01': 'SUCCESS',
      'T25-RES-02': 'SUCCESS',
      'T25-RES-03': 'SUCCESS',
      'T25-RES-05': 'SUCCESS',
      'T25-RES-06': 'SUCCESS',
      'T25-RES-07': 'SUCCESS',
    });
    // What the fixture set lacks is named, not guessed.
    expect(check(report, 'T25-RES-04', 'stdio').skip?.enabledBy).toEqual(['F-RPCERR (tool protocol_error_job)']);
    expect(check(report, 'T25-META-04', 'stdio').skip?.enabledBy).toEqual(['F-PROGRESS (tool progress_job)']);
    // The plain call of failing_job (required) is a wrapped refusal, not an acceptance.
    expect(messageOf(check(report, 'T25-SUP-02', 'stdio'))).toMatch(/failing_job \(required\) without task: answered an isError result/);

    expect(await ws.survivors()).toEqual([]);
  });

  it('stdio: H25-20 runs its probes and names the McpServer isError wrapping', { timeout: TIMEOUT }, async () => {
    const server = ws.link(SDK_SERVER, 'sdk-server-h20.js');
    const { run } = await execute({
      specs: [{ kind: 'stdio', command: process.execPath, args: [server] }],
      scenarios: [only(robustness, ['H25-20'])],
    });
    expect(run.fatal).toBeUndefined();
    expect(run.results.map((r) => r.id)).toEqual(['H25-20']);
    const h20 = run.results[0]!;
    expect(h20.status, h20.errorMessage).toBe('WARNING');
    expect(h20.errorMessage).toMatch(
      /calling the required tool failing_job without a task returned a CallToolResult\{isError:true\}.*TS SDK v1 McpServer/,
    );
    const observations = h20.details?.observations as string[];
    expect(observations).toHaveLength(3);
    for (const o of observations) expect(o).not.toMatch(/probe not run|inconclusive/);
    expect(observations[1]).toMatch(/tasks\/result answered \d+\/\d+\/\d+ ms after release_gate completed the task \(pollInterval 1000\)/);

    expect(await ws.survivors()).toEqual([]);
  });

  it('Streamable HTTP (--http-command): tasks/get over SSE warns, the HTTP stream checks pass', { timeout: TIMEOUT }, async () => {
    const server = ws.link(SDK_SERVER, 'sdk-server-http.js');
    const { code, report } = await ws.cli([
      '--scenario',
      'get',
      '--scenario',
      'http',
      '--http-command',
      '--',
      process.execPath,
      server,
      '--http',
      '--port',
      '0',
    ]);

    // Only a SHOULD is broken and every check ran: exit 0.
    expect(code).toBe(0);
    expect(report.run.incomplete).toBe(false);
    expect(report.run.targets.map((t) => t.transport)).toEqual(['http']);
    expect(idsWith(report, 'FAILURE', 'http')).toEqual([]);
    expect(idsWith(report, 'WARNING', 'http')).toEqual(['T25-GET-04']);
    expect(check(report, 'T25-GET-04', 'http').errorMessage).toMatch(
      /tasks\/get was answered with an SSE stream \(Content-Type text\/event-stream\)/,
    );
    expect(statusesOf(report, 'http')).toMatchObject({
      'T25-GET-01': 'SUCCESS',
      'T25-GET-02': 'SUCCESS',
      'T25-GET-03': 'SUCCESS',
      'T25-HTTP-01': 'SUCCESS',
      'T25-HTTP-03': 'SUCCESS',
      // The SDK store binds tasks to the MCP session that created them.
      'T25-HTTP-04': 'INFO',
    });
    expect(messageOf(check(report, 'T25-HTTP-04', 'http'))).toMatch(/not visible from session B/);

    expect(await ws.survivors()).toEqual([]);
  });
});
