// Red-team regression for the 2026-07-28 suite: test/rogue/rogue-ext.mjs is a tasks-extension server written
// from shared/spec alone, sharing no code with reference-server/. The clean server must get exactly the
// verdicts recorded here; each `--break <name>` deviates in a shape servers in other languages plausibly
// have, and only the checks that own the rule run, so the exact FAILURE/WARNING set is asserted.
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../harness/checks.js';
import { FAULT_TIMEOUTS, killLeftovers, leftovers, ROGUE_EXT, runRogue } from './rogue-run.js';

afterAll(killLeftovers);

const EXT_SCENARIOS = [
  'ext-negotiation',
  'ext-create',
  'ext-ids',
  'ext-get',
  'ext-core',
  'ext-dispatch',
  'ext-lifecycle',
  'ext-ttl',
  'ext-update',
  'ext-cancel',
  'ext-notifications',
  'ext-progress',
  'ext-http',
  'ext-security',
  'ext-robustness',
];

/** id -> status of the verdicts whose status `keep` accepts, sorted by id. */
const verdictMap = (results: CheckResult[], keep: (status: string) => boolean) =>
  Object.fromEntries(
    results
      .filter((r) => keep(r.status))
      .map((r) => [r.id, r.status] as const)
      .sort(([x], [y]) => x.localeCompare(y)),
  );
const notPassing = (results: CheckResult[]) => verdictMap(results, (s) => s !== 'SUCCESS' && s !== 'NOT_APPLICABLE');
const problemSet = (results: CheckResult[]) => verdictMap(results, (s) => s === 'FAILURE' || s === 'WARNING');

// INFO for a reason the machine's load decides, not the server: EXT-TTL-05's probe can arrive after the ttl.
const LOAD_INFO = new Set(['EXT-TTL-05']);
const withoutLoadInfo = (m: Record<string, string>) =>
  Object.fromEntries(Object.entries(m).filter(([id, s]) => !(LOAD_INFO.has(id) && s === 'INFO')));
const messages = (results: CheckResult[]) =>
  results.filter((r) => r.status === 'FAILURE' || r.status === 'WARNING').map((r) => `${r.id}: ${r.errorMessage ?? ''}`);

// Observations (INFO) and checks this server cannot enable (SKIPPED: no dual era, no auth, no graceful
// closure, header-safe task ids); everything else passes.
const CLEAN_COMMON = {
  'EXT-CRT-03': 'INFO',
  'EXT-ERR-01': 'INFO',
  'EXT-NEG-08': 'SKIPPED',
  'EXT-NEG-09': 'INFO',
  'EXT-NEG-10': 'SKIPPED',
  'EXT-NOTIF-01': 'INFO',
  'EXT-NOTIF-09': 'SKIPPED',
  'EXT-SEC-01': 'SKIPPED',
  'EXT-SEC-02': 'INFO',
  'EXT-TTL-03': 'INFO',
  'EXT-TTL-06': 'INFO',
  'EXT-UPD-07': 'INFO',
  'H-EXT-01': 'INFO',
  'H-EXT-04': 'INFO',
  'H-EXT-12': 'INFO',
  'H-EXT-13': 'SKIPPED',
  'H-EXT-14': 'INFO',
  'H-EXT-16': 'INFO',
};
const HTTP_IDS = ['01', '02', '03', '04', '05', '06', '07', '08'].map((n) => `EXT-HTTP-${n}`);
const CLEAN: Record<'stdio' | 'http', Record<string, string>> = {
  stdio: { ...CLEAN_COMMON, ...Object.fromEntries(HTTP_IDS.map((id) => [id, 'SKIPPED'])) },
  http: { ...CLEAN_COMMON, 'EXT-HTTP-03': 'INFO', 'EXT-HTTP-07': 'INFO', 'EXT-HTTP-08': 'SKIPPED' },
};

describe.concurrent('the clean rogue extension server (--protocol 2026-07-28)', () => {
  for (const transport of ['stdio', 'http'] as const) {
    it(`gets exactly the recorded verdicts over ${transport}: no FAILURE, no WARNING`, async ({ expect }) => {
      const r = await runRogue(undefined, EXT_SCENARIOS, { server: ROGUE_EXT, protocol: '2026-07-28', transport });
      expect(r.fatal).toBeUndefined();
      expect(messages(r.results)).toEqual([]);
      expect(withoutLoadInfo(notPassing(r.results))).toEqual(
        Object.fromEntries(Object.entries(CLEAN[transport]).sort(([a], [b]) => a.localeCompare(b))),
      );
      expect(r.exitCode).toBe(0);
    }, 150_000); // the whole extension suite: ~20 s alone, several times that while six files share two cores
  }
});

type Verdicts = Record<string, 'FAILURE' | 'WARNING'>;
/** break -> transport, the scenarios to run, the exact FAILURE/WARNING set of its checks, more checks to run. */
const CASES: Array<[string, 'stdio' | 'http', string[], Verdicts, string[]?]> = [
  ['nested-task', 'stdio', ['ext-create'], { 'EXT-CRT-01': 'FAILURE' }],
  [
    'legacy-keys',
    'stdio',
    ['ext-create', 'ext-get', 'ext-ttl', 'ext-notifications'],
    { 'EXT-CRT-01': 'FAILURE', 'EXT-GET-01': 'FAILURE', 'EXT-TTL-02': 'FAILURE', 'EXT-NOTIF-06': 'FAILURE' },
  ],
  ['tasks-result-served', 'http', ['ext-dispatch'], { 'EXT-DISP-01': 'FAILURE' }],
  ['tasks-list-served', 'stdio', ['ext-dispatch'], { 'EXT-DISP-02': 'WARNING' }],
  ['result-not-inlined', 'stdio', ['ext-get'], { 'EXT-GET-01': 'FAILURE', 'EXT-GET-04': 'FAILURE', 'EXT-GET-09': 'FAILURE' }],
  ['cancel-returns-task', 'stdio', ['ext-cancel'], { 'EXT-CAN-01': 'WARNING' }],
  ['sticky-capability', 'stdio', ['ext-negotiation'], { 'EXT-NEG-04': 'FAILURE' }],
  [
    'no-required-caps',
    'stdio',
    ['ext-negotiation', 'ext-notifications'],
    { 'EXT-NEG-05': 'FAILURE', 'EXT-NEG-07': 'FAILURE', 'EXT-NOTIF-02': 'FAILURE' },
  ],
  [
    'status-200',
    'http',
    ['ext-negotiation', 'ext-core', 'ext-http'],
    { 'EXT-NEG-05': 'FAILURE', 'EXT-CORE-02': 'FAILURE', 'EXT-HTTP-04': 'FAILURE' },
  ],
  ['mcp-name-unchecked', 'http', ['ext-http'], { 'EXT-HTTP-02': 'WARNING' }],
  ['mcp-name-routes', 'http', ['ext-http'], { 'EXT-HTTP-02': 'FAILURE' }],
  ['push-unsubscribed', 'stdio', ['ext-notifications'], { 'EXT-NOTIF-05': 'FAILURE' }],
  ['cancel-then-complete', 'stdio', ['ext-cancel', 'ext-lifecycle'], { 'EXT-CAN-04': 'FAILURE', 'EXT-LIFE-02': 'FAILURE' }],
  // stdio answers in request order; over HTTP concurrent creations arrive out of order, and the sorted values still form a run.
  ['counter-ids', 'stdio', ['ext-ids'], { 'EXT-ID-02': 'FAILURE' }],
  ['counter-ids', 'http', ['ext-ids'], { 'EXT-ID-02': 'FAILURE' }],
  ['id-recycle', 'stdio', ['ext-ids'], { 'EXT-ID-01': 'FAILURE' }],
  ['early-purge', 'stdio', ['ext-ttl'], { 'EXT-TTL-05': 'WARNING' }],
  [
    'get-resulttype-task',
    'stdio',
    ['ext-get', 'ext-dispatch'],
    { 'EXT-GET-01': 'FAILURE', 'EXT-DISP-05': 'FAILURE', 'EXT-DISP-06': 'FAILURE' },
  ],
  ['iserror-failed', 'stdio', ['ext-lifecycle'], { 'EXT-LIFE-03': 'FAILURE' }],
  ['legacy-capability', 'stdio', ['ext-negotiation'], { 'EXT-NEG-03': 'FAILURE' }],
  ['partial-input-requests', 'stdio', ['ext-get', 'ext-update'], { 'EXT-GET-03': 'FAILURE', 'EXT-UPD-05': 'FAILURE' }],
  ['key-reuse', 'stdio', ['ext-update'], { 'EXT-UPD-06': 'FAILURE' }],
  ['elicit-undeclared', 'stdio', ['ext-core'], { 'EXT-CORE-04': 'FAILURE' }],
  ['no-base64-decode', 'http', ['ext-http'], { 'EXT-HTTP-08': 'FAILURE' }],
  ['progress-after-task', 'stdio', ['ext-progress'], { 'EXT-PROG-01': 'FAILURE' }],
  ['progress-on-listen', 'stdio', ['ext-notifications'], { 'EXT-NOTIF-07': 'FAILURE' }],
  ['ack-late', 'stdio', ['ext-notifications'], { 'EXT-NOTIF-03': 'FAILURE' }],
  ['notif-no-subid', 'http', ['ext-notifications'], { 'EXT-NOTIF-04': 'FAILURE' }],
  ['notif-after-terminal', 'stdio', ['ext-notifications'], { 'EXT-NOTIF-08': 'FAILURE' }],
  // An unrequested notification type breaks a MUST NOT (core/subscriptions); the missing status only WARNs.
  ['notif-legacy-method', 'http', ['ext-notifications'], { 'EXT-NOTIF-05': 'FAILURE', 'EXT-NOTIF-06': 'WARNING' }],
  ['notif-legacy-method', 'stdio', ['ext-notifications'], { 'EXT-NOTIF-05': 'FAILURE', 'EXT-NOTIF-06': 'WARNING' }],
  ['server-request', 'stdio', ['ext-core'], { 'EXT-CORE-03': 'FAILURE' }],
  ['meta-optional', 'stdio', ['ext-core'], { 'EXT-CORE-01': 'FAILURE' }],
  ['version-unchecked', 'stdio', ['ext-core'], { 'EXT-CORE-02': 'FAILURE' }],
  ['mcp-method-unchecked', 'http', ['ext-http'], { 'EXT-HTTP-01': 'FAILURE' }],
  ['failed-no-message', 'stdio', ['ext-lifecycle'], { 'EXT-LIFE-05': 'WARNING' }],
  ['rpcerr-code-changed', 'stdio', ['ext-lifecycle'], { 'EXT-LIFE-04': 'FAILURE' }],
  ['answered-keys-linger', 'stdio', ['ext-update'], { 'EXT-UPD-05': 'WARNING' }],
  ['bogus-key-error', 'stdio', ['ext-update'], { 'EXT-UPD-04': 'WARNING' }],
  ['unknown-acks', 'stdio', ['ext-update', 'ext-cancel'], { 'EXT-UPD-03': 'WARNING', 'EXT-CAN-02': 'WARNING' }],
  ['get-unknown-32603', 'stdio', ['ext-get'], { 'EXT-GET-07': 'FAILURE' }],
  ['created-moves', 'stdio', ['ext-ttl'], { 'EXT-TTL-01': 'FAILURE' }],
  ['ttl-fraction', 'stdio', ['ext-ttl'], { 'EXT-TTL-02': 'FAILURE' }],
  // The dispatch audits judge every response of the run; EXT-GET-03 makes the input_required task they see.
  ['get-input-resulttype', 'stdio', ['ext-get', 'ext-dispatch'], { 'EXT-DISP-06': 'FAILURE', 'EXT-DISP-07': 'FAILURE' }, ['EXT-GET-03']],
  ['decline-stuck', 'stdio', ['ext-update'], { 'EXT-UPD-08': 'WARNING' }],
  ['cancel-input-stuck', 'stdio', ['ext-cancel'], { 'EXT-CAN-06': 'WARNING' }],
  ['discover-no-ext', 'stdio', ['ext-negotiation'], { 'EXT-NEG-02': 'FAILURE' }],
  ['ack-no-resulttype', 'stdio', ['ext-update', 'ext-cancel'], { 'EXT-UPD-01': 'FAILURE', 'EXT-CAN-01': 'FAILURE' }],
  ['cancel-noop', 'stdio', ['ext-cancel'], { 'EXT-CAN-03': 'WARNING' }],
  ['task-param-rejected', 'stdio', ['ext-dispatch'], { 'EXT-DISP-03': 'FAILURE' }],
  ['mrtr-in-task', 'stdio', ['ext-create'], { 'EXT-CRT-04': 'WARNING' }],
  // Legal variations: nothing may be reported.
  ['instant-complete', 'stdio', ['ext-create', 'ext-get'], {}, ['EXT-CRT-01', 'EXT-CRT-03', 'EXT-GET-04']],
  ['result-with-meta', 'stdio', ['ext-get', 'ext-notifications'], {}, ['EXT-GET-04', 'EXT-GET-09', 'EXT-NOTIF-06']],
  ['decline-subscriptions', 'stdio', ['ext-notifications'], {}, ['EXT-NOTIF-03', 'EXT-NOTIF-06']],
  ['require-mcp-name', 'http', ['ext-http'], {}, ['EXT-HTTP-02', 'EXT-HTTP-03']],
  ['unknown-task-400', 'http', ['ext-get', 'ext-http'], {}, ['EXT-GET-07', 'EXT-HTTP-04']],
];

describe.concurrent('each rogue extension deviation is reported by exactly the checks that own it', () => {
  for (const [brk, transport, scenarios, expected, more = []] of CASES) {
    const label =
      Object.entries(expected)
        .map(([id, s]) => `${id} ${s}`)
        .join(', ') || 'nothing reported';
    it(`--break ${brk} (${transport}) -> ${label}`, async ({ expect }) => {
      const r = await runRogue(brk, scenarios, {
        server: ROGUE_EXT,
        protocol: '2026-07-28',
        transport,
        checks: [...Object.keys(expected), ...more],
        timeouts: FAULT_TIMEOUTS,
      });
      expect(r.fatal).toBeUndefined();
      expect(problemSet(r.results), messages(r.results).join('\n')).toEqual(expected);
    });
  }
});

describe('a server whose task ids need the Base64 sentinel (--break unicode-ids, not a violation)', () => {
  it('passes EXT-HTTP-02 and EXT-HTTP-08 over HTTP', async () => {
    const checks = ['EXT-HTTP-02', 'EXT-HTTP-08'];
    const r = await runRogue('unicode-ids', ['ext-http'], { server: ROGUE_EXT, protocol: '2026-07-28', transport: 'http', checks });
    expect(r.results.filter((c) => checks.includes(c.id)).map((c) => `${c.id} ${c.status}`)).toEqual(checks.map((id) => `${id} SUCCESS`));
  });
});

/** break -> transport, the scenarios to run, the exact verdict of each check run (gaps the red team found, now closed). */
const EXACT: Array<[string, 'stdio' | 'http', string[], Record<string, string>]> = [
  // Ignoring cancel is legal: EXT-CAN-03 WARNs, and EXT-LIFE-02 has no cancelled task to re-poll.
  ['cancel-noop', 'stdio', ['ext-cancel', 'ext-lifecycle'], { 'EXT-CAN-03': 'WARNING', 'EXT-LIFE-02': 'SKIPPED' }],
  // Every stdio process counts from task-1: ext-get polls its task-1 to completed, then EXT-LIFE-02's own process
  // creates a working task-1 (a different task); the timelines keep each process's ids apart.
  [
    'counter-ids',
    'stdio',
    ['ext-ids', 'ext-get', 'ext-lifecycle'],
    { 'EXT-ID-02': 'FAILURE', 'EXT-GET-01': 'SUCCESS', 'EXT-LIFE-02': 'SUCCESS', 'EXT-LIFE-01': 'SUCCESS' },
  ],
];

describe.concurrent('a deviation the checks once misjudged gets exactly the recorded verdicts', () => {
  for (const [brk, transport, scenarios, expected] of EXACT) {
    const label = Object.entries(expected)
      .map(([id, s]) => `${id} ${s}`)
      .join(', ');
    it(`--break ${brk} (${transport}) -> ${label}`, async ({ expect }) => {
      const checks = Object.keys(expected);
      const r = await runRogue(brk, scenarios, { server: ROGUE_EXT, protocol: '2026-07-28', transport, checks, timeouts: FAULT_TIMEOUTS });
      expect(r.fatal).toBeUndefined();
      expect(
        verdictMap(
          r.results.filter((c) => checks.includes(c.id)),
          () => true,
        ),
        messages(r.results).join('\n'),
      ).toEqual(expected);
    });
  }
});

// Deviations the checks miss or misjudge today (the red-team report of this work); each names the fix.
describe('known gaps of the checks', () => {
  it.todo(
    '--break sse-abort-cancels (http): EXT-HTTP-06 should WARN; the harness never aborts the tools/call SSE stream after the CreateTaskResult, so it waits for the server to end it',
  );
  it.todo('--break session-minted (http): EXT-HTTP-05 should WARN; no GET probe (405 expected) and a minted Mcp-Session-Id goes unnoticed');
});

describe('processes', () => {
  it('no rogue extension server outlives its run', () => {
    expect(leftovers()).toEqual([]);
  });
});
