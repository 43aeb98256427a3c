// Proof for scenarios/ext/progress.ts (2.K): the clean reference passes over both transports; progress
// after the CreateTaskResult is visible on stdio (one ordered channel), a decreasing count on both.
import { describe } from 'vitest';
import progress from '../../../scenarios/ext/progress.js';
import { proveClean, proveFaults } from './proof.js';

describe('ext-progress scenario (EXT-PROG-01, EXT-PROG-02)', () => {
  proveClean(progress, { 'EXT-PROG-01': 'SUCCESS', 'EXT-PROG-02': 'SUCCESS' });
  proveFaults(progress, [
    {
      id: 'EXT-PROG-01',
      status: 'FAILURE',
      message: /notifications\/progress on token .* arrived after the CreateTaskResult/,
      transports: ['stdio'],
    },
    { id: 'EXT-PROG-02', status: 'FAILURE', message: /progress values \[5,4,3,2,1\] do not strictly increase/ },
  ]);
});
