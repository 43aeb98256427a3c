// Proof for ext-lifecycle and ext-core (2.F, 2.M): clean on both transports, every fault of fault-table.ts reported.
import { proveScenarios } from './proof.js';

proveScenarios(['ext-lifecycle', 'ext-core'], 'EXT-CORE-02');
