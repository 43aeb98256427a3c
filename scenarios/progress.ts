// 2.L Progress (T25-PROG-*)
import type { Scenario } from '../harness/scenario.js';

const scenario: Scenario = {
  name: 'progress',
  description: '2.L Progress (T25-PROG-*)',
  checks: [],
  async run() {},
};

export default scenario;
