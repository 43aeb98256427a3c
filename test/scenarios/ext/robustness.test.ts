// Proof for scenarios/ext/robustness.ts (H-EXT-01..04, 09, 13, 14, 16): on the clean reference the figures
// are recorded and nothing WARNs; spec faults that break what a harness-level check watches make it WARN.
import { describe, expect, it } from 'vitest';
import robustness from '../../../scenarios/ext/robustness.js';
import { byId } from '../../helpers/run.js';
import { messageOf, proveClean, proveFaults, runScenario } from './proof.js';

describe('ext-robustness scenario (H-EXT-*)', () => {
  proveClean(robustness, {
    'H-EXT-01': 'INFO',
    'H-EXT-02': 'SUCCESS',
    'H-EXT-03': 'SUCCESS',
    'H-EXT-04': 'INFO',
    'H-EXT-09': 'SUCCESS',
    'H-EXT-13': 'SUCCESS',
    'H-EXT-14': 'INFO',
    'H-EXT-16': 'INFO',
  });
  proveFaults(robustness, [
    { id: 'H-EXT-02', violate: ['EXT-ID-01'], status: 'WARNING', message: /task id .* was issued for .* and /, transports: ['stdio'] },
    {
      id: 'H-EXT-03',
      violate: ['EXT-LIFE-02'],
      status: 'WARNING',
      message: /21 reads of the terminal task .* gave 2 different bodies/,
      transports: ['stdio'],
    },
    {
      id: 'H-EXT-13',
      violate: ['EXT-GET-09'],
      status: 'WARNING',
      message: /the same work gave .* through 2025-11-25 and .*\(via task\)/,
      transports: ['stdio'],
    },
    {
      id: 'H-EXT-14',
      violate: ['EXT-ERR-01'],
      status: 'WARNING',
      message: /uninformative errors: .*message "" says nothing/,
      transports: ['stdio'],
    },
  ]);
  it('an era gate (tasks/get served without the extension) is named by H-EXT-16 (INFO: EXT-NEG-07 judges it)', async () => {
    const r = byId(await runScenario(robustness, 'stdio', { ids: ['H-EXT-16'], violate: ['EXT-NEG-07'] }), 'H-EXT-16');
    expect(messageOf(r)).toMatch(/an "era gate" lets legacy clients through/);
  });
});
