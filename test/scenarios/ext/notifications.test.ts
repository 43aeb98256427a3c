// Proof for scenarios/ext/notifications.ts (2.J, H-EXT-12): the clean reference passes over both
// transports, and each EXT-NOTIF fault is FAILURE.
import { describe } from 'vitest';
import notifications from '../../../scenarios/ext/notifications.js';
import { proveClean, proveFaults } from './proof.js';

describe('ext-notifications scenario (EXT-NOTIF-01..09, H-EXT-12)', () => {
  proveClean(notifications, {
    'EXT-NOTIF-01': 'INFO',
    'EXT-NOTIF-02': 'SUCCESS',
    'EXT-NOTIF-03': 'SUCCESS',
    'EXT-NOTIF-04': 'SUCCESS',
    'EXT-NOTIF-05': 'SUCCESS',
    'EXT-NOTIF-06': 'SUCCESS',
    'EXT-NOTIF-07': 'SUCCESS',
    'EXT-NOTIF-08': 'SUCCESS',
    'EXT-NOTIF-09': 'SKIPPED',
    'H-EXT-12': 'INFO',
  });
  proveFaults(notifications, [
    { id: 'EXT-NOTIF-02', status: 'FAILURE', message: /without the extension in clientCapabilities was served/ },
    { id: 'EXT-NOTIF-03', status: 'FAILURE', message: /first message of the subscription was notifications\/tasks/ },
    { id: 'EXT-NOTIF-04', status: 'FAILURE', message: /notification\(s\) about the subscription's task lack _meta subscriptionId/ },
    { id: 'EXT-NOTIF-05', status: 'FAILURE', message: /the subscription for .* only received \d+ notifications\/tasks about/ },
    { id: 'EXT-NOTIF-06', status: 'FAILURE', message: /lacks the Task field\(s\) createdAt/ },
    { id: 'EXT-NOTIF-07', status: 'FAILURE', message: /notifications\/progress message\(s\) arrived on the listen stream/ },
    { id: 'EXT-NOTIF-08', status: 'FAILURE', message: /after the terminal notification \(completed\) the stream reported working/ },
  ]);
});
