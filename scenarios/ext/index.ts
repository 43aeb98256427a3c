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

export const EXT_SCENARIOS: Scenario[] = [negotiation, create, ids, get, core, dispatch, lifecycle];
