// 2.J Related-task metadata (T25-META-02, T25-META-04)
import type { Scenario } from '../harness/scenario.js';

const scenario: Scenario = {
  name: 'metadata',
  description: '2.J Related-task metadata (T25-META-02, T25-META-04)',
  checks: [],
  async run() {},
};

export default scenario;
