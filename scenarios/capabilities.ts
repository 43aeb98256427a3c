// 2.A Capabilities and negotiation (T25-CAP-*)
import type { Scenario } from '../harness/scenario.js';

const scenario: Scenario = {
  name: 'capabilities',
  description: '2.A Capabilities and negotiation (T25-CAP-*)',
  checks: [],
  async run() {},
};

export default scenario;
