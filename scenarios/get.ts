// 2.G tasks/get (T25-GET-*)
import type { Scenario } from '../harness/scenario.js';

const scenario: Scenario = {
  name: 'get',
  description: '2.G tasks/get (T25-GET-*)',
  checks: [],
  async run() {},
};

export default scenario;
