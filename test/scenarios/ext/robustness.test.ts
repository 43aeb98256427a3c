// Proof for scenarios/ext/robustness.ts (H-EXT-01..04, 09, 16): on the clean reference the figures are
// recorded and nothing WARNs; an era gate (EXT-NEG-07) shows as an H-EXT-16 fingerprint.
import { describe, expect, it } from 'vitest';
import robustness from '../../../scenarios/ext/robustness.js';
import { byId } from '../../helpers/run.js';
import { messageOf, proveClean, runScenario } from './proof.js';

describe('ext-robustness scenario (H-EXT-*)', () => {
  proveClean(robustness, {
    'H-EXT-01': 'INFO',
    'H-EXT-02': 'SUCCESS',
    'H-EXT-03': 'SUCCESS',
    'H-EXT-04': 'INFO',
    'H-EXT-09': 'SUCCESS',
    'H-EXT-14': 'INFO',
    'H-EXT-16': 'INFO',
  });
  it('an era gate (tasks/get served without the extension) is named by H-EXT-16', async () => {
    const r = byId(await runScenario(robustness, 'stdio', { ids: ['H-EXT-16'], violate: ['EXT-NEG-07'] }), 'H-EXT-16');
    expect(messageOf(r)).toMatch(/an "era gate" lets legacy clients through/);
  });
});
