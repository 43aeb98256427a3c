// 2.Q Interplay with Streamable HTTP (T25-HTTP-*)
import type { Scenario } from '../harness/scenario.js';

const scenario: Scenario = {
  name: 'http',
  description: '2.Q Interplay with Streamable HTTP (T25-HTTP-*)',
  checks: [],
  async run() {},
};

export default scenario;
