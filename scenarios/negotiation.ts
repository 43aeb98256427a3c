// 2.B Task support and tool-level negotiation (T25-SUP-*, T25-TOOL-*)
import type { Scenario } from '../harness/scenario.js';

const scenario: Scenario = {
  name: 'negotiation',
  description: '2.B Task support and tool-level negotiation (T25-SUP-*, T25-TOOL-*)',
  checks: [],
  async run() {},
};

export default scenario;
