// 2.F Timestamps, TTL, pollInterval (T25-TTL-04..07)
import type { Scenario } from '../harness/scenario.js';

const scenario: Scenario = {
  name: 'ttl',
  description: '2.F Timestamps, TTL, pollInterval (T25-TTL-04..07)',
  checks: [],
  async run() {},
};

export default scenario;
