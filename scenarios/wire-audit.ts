// Passive checks over every recorded message: schema, timelines, timestamps, notifications (run last)
import type { Scenario } from '../harness/scenario.js';

const scenario: Scenario = {
  name: 'wire-audit',
  description: 'Passive checks over every recorded message: schema, timelines, timestamps, notifications (run last)',
  checks: [],
  async run() {},
};

export default scenario;
