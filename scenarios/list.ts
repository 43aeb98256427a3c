// 2.M tasks/list (T25-LIST-*)
import type { Scenario } from '../harness/scenario.js';

const scenario: Scenario = {
  name: 'list',
  description: '2.M tasks/list (T25-LIST-*)',
  checks: [],
  async run() {},
};

export default scenario;
