// 2.K Status notifications (T25-NOTIF-05)
import type { Scenario } from '../harness/scenario.js';

const scenario: Scenario = {
  name: 'notifications',
  description: '2.K Status notifications (T25-NOTIF-05)',
  checks: [],
  async run() {},
};

export default scenario;
