// 2.I input_required and server-to-client requests (T25-INP-*)
import type { Scenario } from '../harness/scenario.js';

const scenario: Scenario = {
  name: 'input-required',
  description: '2.I input_required and server-to-client requests (T25-INP-*)',
  checks: [],
  async run() {},
};

export default scenario;
