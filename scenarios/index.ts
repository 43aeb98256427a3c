// Every scenario, in run order: the 2025-11-25 suite, then the 2026-07-28 one (ext/). wire-audit reads what
// the others recorded, so it runs last among its era's.
import type { Scenario } from '../harness/scenario.js';
import capabilities from './capabilities.js';
import negotiation from './negotiation.js';
import create from './create.js';
import ids from './ids.js';
import status from './status.js';
import ttl from './ttl.js';
import get from './get.js';
import result from './result.js';
import inputRequired from './input-required.js';
import metadata from './metadata.js';
import notifications from './notifications.js';
import progress from './progress.js';
import list from './list.js';
import cancel from './cancel.js';
import errors from './errors.js';
import security from './security.js';
import http from './http.js';
import robustness from './robustness.js';
import lifecycle from './lifecycle.js';
import cluster from './cluster.js';
import wireAudit from './wire-audit.js';
import transportHygiene from './transport-hygiene.js';
import { EXT_SCENARIOS } from './ext/index.js';

export const SCENARIOS: Scenario[] = [
  capabilities,
  negotiation,
  create,
  ids,
  status,
  ttl,
  get,
  result,
  inputRequired,
  metadata,
  notifications,
  progress,
  list,
  cancel,
  errors,
  security,
  http,
  robustness,
  lifecycle,
  cluster,
  wireAudit,
  transportHygiene,
  ...EXT_SCENARIOS,
];
