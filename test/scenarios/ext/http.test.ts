// Proof for scenarios/ext/http.ts (2.L, HTTP only): the clean reference passes, and each EXT-HTTP fault is
// FAILURE or WARNING.
import { describe } from 'vitest';
import http from '../../../scenarios/ext/http.js';
import { proveClean, proveFaults } from './proof.js';

describe('ext-http scenario (EXT-HTTP-01..08)', () => {
  proveClean(
    http,
    {
      'EXT-HTTP-01': 'SUCCESS',
      'EXT-HTTP-02': 'SUCCESS',
      'EXT-HTTP-03': 'INFO',
      'EXT-HTTP-04': 'SUCCESS',
      'EXT-HTTP-05': 'SUCCESS',
      'EXT-HTTP-06': 'SUCCESS',
      'EXT-HTTP-07': 'INFO',
      'EXT-HTTP-08': 'SKIPPED',
    },
    ['http'],
  );
  proveFaults(http, [
    {
      id: 'EXT-HTTP-01',
      status: 'FAILURE',
      message: /with Mcp-Method: tasks\/cancel must be refused with HTTP 400 and -32020/,
      transports: ['http'],
    },
    { id: 'EXT-HTTP-02', status: 'FAILURE', message: /with Mcp-Name: B cancelled B/, transports: ['http'] },
    { id: 'EXT-HTTP-04', status: 'FAILURE', message: /answered -32021 with HTTP 200; it must be 400/, transports: ['http'] },
    {
      id: 'EXT-HTTP-05',
      status: 'WARNING',
      message: /with a client-sent Mcp-Session-Id was refused.*; a GET on the endpoint must answer HTTP 405 .*, but got HTTP 400$/,
      transports: ['http'],
    },
    { id: 'EXT-HTTP-06', status: 'WARNING', message: /ended cancelled though only its tools\/call response stream/, transports: ['http'] },
    {
      id: 'EXT-HTTP-08',
      status: 'FAILURE',
      message: /with the Base64-sentinel Mcp-Name .* was refused: JSON-RPC error -32020/,
      transports: ['http'],
    },
  ]);
});
