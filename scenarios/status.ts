// 2.E Status lifecycle (T25-LIFE-01, T25-LIFE-03)
import type { Scenario } from '../harness/scenario.js';

const scenario: Scenario = {
  name: 'status',
  description: '2.E Status lifecycle (T25-LIFE-01, T25-LIFE-03)',
  checks: [],
  async run() {},
};

export default scenario;
