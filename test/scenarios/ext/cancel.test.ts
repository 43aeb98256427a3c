// Proof for scenarios/ext/cancel.ts (2.I, H-EXT-06): the clean reference passes over both transports, and
// each EXT-CAN fault is FAILURE or WARNING.
import { describe } from 'vitest';
import cancel from '../../../scenarios/ext/cancel.js';
import { proveClean, proveFaults } from './proof.js';

describe('ext-cancel scenario (EXT-CAN-01..06, H-EXT-06)', () => {
  proveClean(cancel, {
    'EXT-CAN-01': 'SUCCESS',
    'EXT-CAN-02': 'SUCCESS',
    'EXT-CAN-03': 'SUCCESS',
    'EXT-CAN-04': 'SUCCESS',
    'EXT-CAN-05': 'SUCCESS',
    'EXT-CAN-06': 'SUCCESS',
    'H-EXT-06': 'SUCCESS',
  });
  proveFaults(cancel, [
    { id: 'EXT-CAN-01', status: 'FAILURE', message: /must be acknowledged with an empty result .*got JSON-RPC error -32603/ },
    { id: 'EXT-CAN-02', status: 'WARNING', message: /was acknowledged .*an unknown taskId should get JSON-RPC error -32602/ },
    { id: 'EXT-CAN-03', status: 'WARNING', message: /still working \d+ ms after tasks\/cancel was acknowledged/ },
    { id: 'EXT-CAN-04', status: 'FAILURE', message: /was cancelled, then reported completed after its gate was released/ },
    { id: 'EXT-CAN-05', status: 'WARNING', message: /tasks\/cancel of the completed task answered -32602/ },
    { id: 'EXT-CAN-06', status: 'WARNING', message: /after tasks\/cancel was acknowledged the task still demanded input/ },
  ]);
});
