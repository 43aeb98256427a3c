// Proof for scenarios/ext/schema.ts (H-EXT-SCHEMA): the clean reference's 2026-07-28 messages all validate,
// and a Task shape without ttlMs (the spec fault EXT-TTL-02, borrowed as H-EXT checks do) is reported
// as a schema violation of the CreateTaskResult.
import { describe } from 'vitest';
import schema from '../../../scenarios/ext/schema.js';
import { proveClean, proveFaults } from './proof.js';

describe('ext-schema scenario (H-EXT-SCHEMA)', () => {
  proveClean(schema, { 'H-EXT-SCHEMA': 'SUCCESS' });
  proveFaults(schema, [
    {
      id: 'H-EXT-SCHEMA',
      violate: ['EXT-TTL-02'],
      status: 'FAILURE',
      message:
        /server message\(s\) violate the 2026-07-28 or Tasks extension JSON Schema; first: seq \d+: response to tools\/call vs CreateTaskResult: \/ must have required property 'ttlMs'/,
    },
  ]);
});
