// Proof for scenarios/negotiation.ts (2.B): clean reference passes on both transports, the S-NOTASK
// variant exercises T25-SUP-01 part (b), and each injected violation is reported.
import { describe, expect, it } from 'vitest';
import { byId, problems } from '../helpers/run.js';
import { messageOf, runClean, runFault, statuses, TRANSPORTS } from './core-proof.js';

const SCENARIO = 'negotiation';
const IDS = ['T25-SUP-01', 'T25-SUP-02', 'T25-TOOL-01', 'T25-TOOL-02', 'T25-TOOL-03', 'T25-TOOL-04'];

describe('negotiation scenario (T25-SUP-*, T25-TOOL-*)', () => {
  for (const transport of TRANSPORTS) {
    it(`clean reference over ${transport}: no FAILURE or WARNING, every check ran`, async () => {
      const r = await runClean(SCENARIO, transport);
      expect(problems(r, IDS)).toEqual([]);
      expect(statuses(r, IDS)).toEqual({
        'T25-SUP-01': 'SUCCESS',
        'T25-SUP-02': 'INFO',
        'T25-TOOL-01': 'SUCCESS',
        'T25-TOOL-02': 'SUCCESS',
        'T25-TOOL-03': 'SUCCESS',
        'T25-TOOL-04': 'SUCCESS',
      });
      expect(messageOf(byId(r, 'T25-SUP-01'))).toMatch(/resources\/read with task returned a normal ReadResourceResult/);
      // T25-SUP-02 is INFO-only: it records which tools insist on task augmentation.
      expect(messageOf(byId(r, 'T25-SUP-02'))).toMatch(
        /tools requiring task augmentation: failing_job.*failing_job \(required\) without task: rejected/,
      );
    });
  }

  it('S-NOTASK reference (--no-tasks): a task-augmented tools/call is processed normally (T25-SUP-01 b)', async () => {
    const r = await runClean(SCENARIO, 'stdio', ['--no-tasks']);
    expect(problems(r, IDS)).toEqual([]);
    expect(byId(r, 'T25-SUP-01').status).toBe('SUCCESS');
    expect(messageOf(byId(r, 'T25-SUP-01'))).toMatch(/tools\/call with task on a server without task support returned a CallToolResult/);
    expect(byId(r, 'T25-TOOL-03').skip?.kind).toBe('missing-capability');
  });

  it.each([
    ['T25-SUP-01', 'FAILURE', /the task field must be ignored/],
    ['T25-TOOL-01', 'FAILURE', /"sometimes" is not "forbidden", "optional" or "required"/],
    ['T25-TOOL-02', 'WARNING', /expected JSON-RPC error -32601.*got a CallToolResult/],
    ['T25-TOOL-03', 'FAILURE', /wrapped into a CallToolResult with isError:true/],
    ['T25-TOOL-04', 'WARNING', /the plain call was rejected/],
  ])('--violate %s makes it %s', async (id, status, message) => {
    const r = await runFault(SCENARIO, id);
    expect(r.status).toBe(status);
    expect(messageOf(r)).toMatch(message);
  });
});
