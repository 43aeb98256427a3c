// 2.H tasks/result (T25-RES-*)
import type { Scenario } from '../harness/scenario.js';

const scenario: Scenario = {
  name: 'result',
  description: '2.H tasks/result (T25-RES-*)',
  checks: [],
  async run() {},
};

export default scenario;
