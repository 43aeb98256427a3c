// Proof for ext-dispatch, ext-create and ext-ids (2.B-2.D): clean on both transports, every fault of fault-table.ts reported.
import { proveScenarios } from './proof.js';

proveScenarios(['ext-dispatch', 'ext-create', 'ext-ids'], 'EXT-CRT-01');
