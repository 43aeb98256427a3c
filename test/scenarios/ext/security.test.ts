// Proof for scenarios/ext/security.ts (2.N): over HTTP with two principals the clean reference keeps tasks
// to their principal; with EXT-SEC-01 another principal reads them (FAILURE).
import { describe } from 'vitest';
import security from '../../../scenarios/ext/security.js';
import { proveClean, proveFaults } from './proof.js';

describe('ext-security scenario (EXT-SEC-01, EXT-SEC-02)', () => {
  proveClean(security, { 'EXT-SEC-01': 'SUCCESS', 'EXT-SEC-02': 'INFO' }, ['http']);
  proveFaults(security, [
    { id: 'EXT-SEC-01', status: 'FAILURE', message: /tasks\/get of principal A's task by principal B was served/, transports: ['http'] },
  ]);
});
