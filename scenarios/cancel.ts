// 2.N Cancellation (T25-CAN-*)
import type { Scenario } from '../harness/scenario.js';

const scenario: Scenario = {
  name: 'cancel',
  description: '2.N Cancellation (T25-CAN-*)',
  checks: [],
  async run() {},
};

export default scenario;
