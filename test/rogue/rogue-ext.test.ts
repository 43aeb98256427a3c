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

/** id -> status of every verdict that is neither SUCCESS nor not applicable. */
const notPassing = (results: CheckResult[]) =>
  Object.fromEntries(
    results
      .filter((r) => r.status !== 'SUCCESS' && r.status !== 'NOT_APPLICABLE')
      .map((r) => [r.id, r.status] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  );

/** id -> status of every FAILURE and WARNING. */
const problemSet = (results: CheckResult[]) =>
  Object.fromEntries(
    results
      .filter((r) => r.status === 'FAILURE' || r.status === 'WARNING')
      .map((r) => [r.id, r.status] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  );

const messages = (results: CheckResult[]) =>
  results.filter((r) => r.status === 'FAILURE' || r.status === 'WARNING').map((r) => `${r.id}: ${r.errorMessage ?? ''}`);

// Observations (INFO) and checks this server cannot enable (SKIPPED: no dual era, no auth, no graceful
// closure, header-safe task ids); everything else passes.
const CLEAN_COMMON = {
  'EXT-CRT-03': 'INFO',
  'EXT-ERR-01': 'INFO',
  'EXT-NEG-08': 'SKIPPED',
  'EXT-NEG-09': 'INFO',
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
      expect(notPassing(r.results)).toEqual(Object.fromEntries(Object.entries(CLEAN[transport]).sort(([a], [b]) => a.localeCompare(b))));
      expect(r.exitCode).toBe(0);
    });
  }
});

type Verdicts = Record<string, 'FAILURE' | 'WARNING'>;
/** break -> transport, the scenarios and checks to run, and the exact FAILURE/WARNING set they must give. */
const CASES: Array<[string, 'stdio' | 'http', string[], Verdicts]> = [
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
];

describe.concurrent('each rogue extension deviation is reported by exactly the checks that own it', () => {
  for (const [brk, transport, scenarios, expected] of CASES) {
    const label = Object.entries(expected)
      .map(([id, s]) => `${id} ${s}`)
      .join(', ');
    it(`--break ${brk} (${transport}) -> ${label}`, async ({ expect }) => {
      const r = await runRogue(brk, scenarios, {
        server: ROGUE_EXT,
        protocol: '2026-07-28',
        transport,
        checks: Object.keys(expected),
        timeouts: FAULT_TIMEOUTS,
      });
      expect(r.fatal).toBeUndefined();
      expect(problemSet(r.results), messages(r.results).join('\n')).toEqual(expected);
    });
  }
});

describe('processes', () => {
  it('no rogue extension server outlives its run', () => {
    expect(leftovers()).toEqual([]);
  });
});
