// Section 7 harness-level checks (H25-*)
import type { Scenario } from '../harness/scenario.js';

const scenario: Scenario = {
  name: 'harness',
  description: 'Section 7 harness-level checks (H25-*)',
  checks: [],
  async run() {},
};

export default scenario;
