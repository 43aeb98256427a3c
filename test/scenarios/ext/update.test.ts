// Proof for scenarios/ext/update.ts (2.H, H-EXT-07): the clean reference passes over both transports, and
// each EXT-UPD fault is FAILURE or WARNING.
import { describe } from 'vitest';
import update from '../../../scenarios/ext/update.js';
import { proveClean, proveFaults } from './proof.js';

describe('ext-update scenario (EXT-UPD-01..08, H-EXT-07)', () => {
  proveClean(update, {
    'EXT-UPD-01': 'SUCCESS',
    'EXT-UPD-02': 'SUCCESS',
    'EXT-UPD-03': 'SUCCESS',
    'EXT-UPD-04': 'SUCCESS',
    'EXT-UPD-05': 'SUCCESS',
    'EXT-UPD-06': 'SUCCESS',
    'EXT-UPD-07': 'INFO',
    'EXT-UPD-08': 'SUCCESS',
    'H-EXT-07': 'SUCCESS',
  });
  proveFaults(update, [
    { id: 'EXT-UPD-01', status: 'FAILURE', message: /must be acknowledged with an empty result .*got JSON-RPC error -32602/ },
    {
      id: 'EXT-UPD-02',
      status: 'WARNING',
      message: /still input_required with the answered key\(s\) .* after tasks\/update was acknowledged/,
    },
    { id: 'EXT-UPD-03', status: 'WARNING', message: /was acknowledged .*an unknown taskId should get JSON-RPC error -32602/ },
    {
      id: 'EXT-UPD-04',
      status: 'WARNING',
      message: /never-issued key bogus-.* should be acknowledged and ignored; got JSON-RPC error -32602/,
    },
    { id: 'EXT-UPD-05', status: 'FAILURE', message: /after answering only .*, the task ended completed \("declined"\) without the answer/ },
    { id: 'EXT-UPD-06', status: 'FAILURE', message: /round 2 reuses the key\(s\) elicitation-1 answered in round 1/ },
    { id: 'EXT-UPD-08', status: 'WARNING', message: /after a declined elicitation the task was still input_required/ },
  ]);
});
