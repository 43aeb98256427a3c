// Integration proof against a real third-party server: @modelcontextprotocol/server-everything, built
// on the TS SDK's McpServer with its experimental task plumbing (InMemoryTaskStore). It has none of
// the fixture tools, so most checks must SKIP and say which fixture would enable them; the checks that
// need no fixture must give verdicts that are right for this server. The failures below are real SDK
// deviations, established by reading the wire evidence:
//   T25-ERR-01..03  taskId 42 (wrong type) -> -32603 with a zod dump; invalid params must be -32602.
//   T25-TOOL-03     (with the example mapping) the required simulate-research-query called without a
//                   task answers a CallToolResult{isError:true} wrapping the -32601 instead of the error.
//   T25-TOOL-02     (mapping, SHOULD) a task on the forbidden echo tool runs it, then fails -32602
//                   "Invalid task creation result" instead of -32601.
// The full run with the elicitation mapping over stdio and Streamable HTTP, each verdict next to its raw proof,
// is test/integration/real-servers/server-everything.test.ts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packagePath } from '../../harness/paths.js';
import { check, idsWith, messageOf, Workspace } from './cli-run.js';

const EVERYTHING = packagePath('node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');
const MAPPING = packagePath('examples', 'server-everything.fixtures.yaml');

const ERR_IDS = ['T25-ERR-01', 'T25-ERR-02', 'T25-ERR-03'];

/** Checks that need no fixture and hold on this server (the SDK plumbing gets these right). */
const SUCCESS_WITHOUT_FIXTURES = [
  'H25-21',
  'H25-22',
  'H25-SCHEMA',
  'T25-CAN-06',
  'T25-CAP-01',
  'T25-CAP-02',
  'T25-CAP-04',
  'T25-ERR-05',
  'T25-LIST-05',
  'T25-META-03',
  'T25-SUP-01',
  'T25-TOOL-01',
];

// Generous: a loaded 2-core machine runs other suites at the same time.
const TIMEOUT = 150_000;

const ws = new Workspace();
afterAll(() => ws.dispose());

describe('server-everything (TS SDK McpServer, experimental tasks)', () => {
  it(
    'stdio, no mapping: completes, fails only the real -32603 deviations, skips the rest with the fixture that would enable it',
    { timeout: TIMEOUT },
    async () => {
      const server = ws.link(EVERYTHING, 'everything.js');
      const { code, stdout, report } = await ws.cli(['--', process.execPath, server, 'stdio']);

      // Honest exit code: real failures => 1 (the run is also incomplete, which alone would be 3).
      expect(code).toBe(1);
      expect(report.run.exitCode).toBe(1);
      expect(report.run.incomplete).toBe(true);
      expect(report.run.interrupted).toBeUndefined();
      expect(report.runProblems ?? []).toEqual([]);
      expect(stdout).toMatch(/FAIL: 3 checks failed/);

      expect(idsWith(report, 'FAILURE', 'stdio')).toEqual(ERR_IDS);
      for (const id of ERR_IDS)
        expect(check(report, id, 'stdio').errorMessage).toMatch(
          /the number 42 as taskId must fail with -32602; got JSON-RPC error -32603 "\[ \{ "expected": "string"/,
        );
      expect(idsWith(report, 'WARNING', 'stdio')).toEqual([]);
      expect(idsWith(report, 'SUCCESS', 'stdio')).toEqual(SUCCESS_WITHOUT_FIXTURES);

      // Not vacuous: T25-CAP-04 says tasks/cancel was only probed with an unknown id (no running task).
      expect(messageOf(check(report, 'T25-CAP-04', 'stdio'))).toMatch(/tasks\/cancel only probed with an unknown taskId.*-32602/);
      // H25-20 had no probe it could run: SKIPPED, not a hollow SUCCESS.
      const h20 = check(report, 'H25-20', 'stdio');
      expect(h20.status).toBe('SKIPPED');
      expect(h20.skip?.kind).toBe('missing-fixture');

      // Every skip says why; a missing fixture names the tool that would enable it.
      const skipped = report.checks.filter((c) => c.status === 'SKIPPED');
      expect(skipped.length).toBeGreaterThan(50);
      for (const c of skipped) {
        expect(c.skip?.reason, c.id).toBeTruthy();
        expect(c.skip?.kind, c.id).not.toBe('aborted');
        if (c.skip?.kind === 'missing-fixture') expect(c.skip.enabledBy?.length, c.id).toBeGreaterThan(0);
      }
      expect(check(report, 'T25-CRT-01', 'stdio').skip).toMatchObject({
        kind: 'missing-fixture',
        reason: 'needs F-ECHO (tool slow_compute)',
      });
      expect(check(report, 'T25-CAN-01', 'stdio').skip?.enabledBy).toEqual([
        'F-GATE (tool gated_job)',
        'F-GATE-RELEASE (tool release_gate)',
      ]);
      // Coverage names each fixture once, in the "role (tool name)" form.
      expect(report.summary.coverage.enabledBy).toContain('F-ECHO (tool slow_compute)');
      expect(report.summary.coverage.enabledBy).not.toContain('F-ECHO');

      expect(await ws.survivors()).toEqual([]);
    },
  );

  it(
    'stdio with examples/server-everything.fixtures.yaml and a baseline of the known deviations: incomplete => exit 3',
    { timeout: TIMEOUT },
    async () => {
      const server = ws.link(EVERYTHING, 'everything-mapped.js');
      const baseline = join(ws.dir, 'expected-failures.yml');
      writeFileSync(baseline, `server:\n${[...ERR_IDS, 'T25-TOOL-03'].map((id) => `  - ${id}\n`).join('')}`);
      const { code, report } = await ws.cli([
        '--fixtures',
        MAPPING,
        '--expected-failures',
        baseline,
        '--',
        process.execPath,
        server,
        'stdio',
      ]);

      // The failures are all expected, so what is left is the MUST checks that could not run.
      expect(code).toBe(3);
      expect(report.run.exitCode).toBe(3);
      expect(report.run.incomplete).toBe(true);
      expect(report.summary.expectedFailures).toBe(4);

      expect(idsWith(report, 'FAILURE', 'stdio')).toEqual([...ERR_IDS, 'T25-TOOL-03']);
      expect(check(report, 'T25-TOOL-03', 'stdio').errorMessage).toMatch(
        /returned a CallToolResult with isError:true \(text "MCP error -32601: Tool simulate-research-query requires task augmentation/,
      );
      expect(idsWith(report, 'WARNING', 'stdio')).toEqual(['H25-20', 'T25-TOOL-02']);
      expect(check(report, 'T25-TOOL-02', 'stdio').errorMessage).toMatch(
        /tools\/call with task on echo \(taskSupport forbidden\), got JSON-RPC error -32602 "MCP error -32602: Invalid task creation result/,
      );
      expect(check(report, 'H25-20', 'stdio').errorMessage).toMatch(
        /simulate-research-query without a task returned a CallToolResult\{isError:true\}.*TS SDK v1 McpServer/,
      );
      // The plain call of the required tool is recorded as the refusal it is, not as "accepted".
      expect(messageOf(check(report, 'T25-SUP-02', 'stdio'))).toMatch(
        /simulate-research-query \(required\) without task: answered an isError result/,
      );
      expect(idsWith(report, 'SUCCESS', 'stdio')).toEqual(SUCCESS_WITHOUT_FIXTURES);

      expect(await ws.survivors()).toEqual([]);
    },
  );
});
