// Proof for scenarios/ext/ttl.ts (2.G, H-EXT-10): the clean reference passes over both transports, and each
// EXT-TTL fault is FAILURE or WARNING. The expiry checks really wait for a 2 s (EXT-TTL-05: 10 s) ttl the
// fixture control requests: the server's timer, not a race.
import { describe } from 'vitest';
import ttl from '../../../scenarios/ext/ttl.js';
import { proveClean, proveFaults } from './proof.js';

describe('ext-ttl scenario (EXT-TTL-01..06, H-EXT-10)', () => {
  proveClean(ttl, {
    'EXT-TTL-01': 'SUCCESS',
    'EXT-TTL-02': 'SUCCESS',
    'EXT-TTL-03': 'INFO',
    'EXT-TTL-04': 'SUCCESS',
    // INFO only when the 90% probe's answer was delayed past the ttl (a stalled machine), never WARNING.
    'EXT-TTL-05': ['SUCCESS', 'INFO'],
    'EXT-TTL-06': 'INFO',
    'H-EXT-10': 'SUCCESS',
  });
  proveFaults(ttl, [
    { id: 'EXT-TTL-01', status: 'FAILURE', message: /createdAt must be an ISO 8601 string .*got \d+/ },
    { id: 'EXT-TTL-02', status: 'FAILURE', message: /ttlMs is missing; it is a required key/ },
    { id: 'EXT-TTL-04', status: 'FAILURE', message: /after its ttl must answer the task or -32602 \(deleted\); got JSON-RPC error -32603/ },
    { id: 'EXT-TTL-05', status: 'WARNING', message: /answered -32602 at (50|90)% .*it should stay retrievable until createdAt \+ ttlMs/ },
    { id: 'EXT-TTL-06', status: 'WARNING', message: /polling a working task every pollIntervalMs .* was refused 2 of 6 times/ },
  ]);
});
