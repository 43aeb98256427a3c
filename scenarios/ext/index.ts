// Every scenario of the 2026-07-28 era (the io.modelcontextprotocol/tasks extension), in run order; the
// runner runs them against targets that speak that era (harness/run/eras.ts).
import type { Scenario } from '../../harness/scenario.js';
import negotiation from './negotiation.js';
import create from './create.js';
import ids from './ids.js';
import get from './get.js';
import core from './core.js';
import dispatch from './dispatch.js';
import lifecycle from './lifecycle.js';
import lifecycleProfile from './lifecycle-profile.js';
import lifecycleDurability from './lifecycle-durability.js';
import ttl from './ttl.js';
import update from './update.js';
import cancel from './cancel.js';
import notifications from './notifications.js';
import progress from './progress.js';
import http from './http.js';
import security from './security.js';
import robustness from './robustness.js';
import schema from './schema.js';

export const EXT_SCENARIOS: Scenario[] = [
  negotiation,
  create,
  ids,
  get,
  core,
  dispatch,
  lifecycle,
  ttl,
  update,
  cancel,
  notifications,
  progress,
  http,
  security,
  robustness,
  lifecycleProfile,
  lifecycleDurability,
  // Last: it validates every message of this era the run received.
  schema,
];
