// 2.P Security (T25-SEC-*)
import type { Scenario } from '../harness/scenario.js';

const scenario: Scenario = {
  name: 'security',
  description: '2.P Security (T25-SEC-*)',
  checks: [],
  async run() {},
};

export default scenario;
