// Proof for ext-get (2.E): clean on both transports, every fault of fault-table.ts reported.
import { proveScenarios } from './proof.js';

proveScenarios(['ext-get'], 'EXT-GET-07');
