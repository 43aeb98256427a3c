// 2.D Task IDs (T25-ID-02, T25-ID-03)
import type { Scenario } from '../harness/scenario.js';

const scenario: Scenario = {
  name: 'ids',
  description: '2.D Task IDs (T25-ID-02, T25-ID-03)',
  checks: [],
  async run() {},
};

export default scenario;
