// 2.C Task creation (T25-CRT-*)
import type { Scenario } from '../harness/scenario.js';

const scenario: Scenario = {
  name: 'create',
  description: '2.C Task creation (T25-CRT-*)',
  checks: [],
  async run() {},
};

export default scenario;
