// 2.O Errors (T25-ERR-*)
import type { Scenario } from '../harness/scenario.js';

const scenario: Scenario = {
  name: 'errors',
  description: '2.O Errors (T25-ERR-*)',
  checks: [],
  async run() {},
};

export default scenario;
