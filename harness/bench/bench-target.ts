// A target as the bench's own steps outside `bench`'s main run make one (--instances, the rawcheck
// script): nothing recorded (the discarding wire log), no cap on the count of server messages (a status
// notification per task), and the lean HTTP link, as cli.ts asks createTargets for (TargetOptions.lean).
import { resolveLimits } from '../transport/limits.js';
import type { Target, TargetSpec } from '../transport/target.js';
import { createTarget } from '../transport/targets.js';
import { DiscardingWireLog } from './discarding-wire.js';

export function createBenchTarget(spec: TargetSpec, timeouts: { requestMs: number; startMs: number }): Target {
  return createTarget({
    spec,
    wire: new DiscardingWireLog(),
    requestTimeoutMs: timeouts.requestMs,
    startTimeoutMs: timeouts.startMs,
    limits: resolveLimits({ maxServerMessages: Number.MAX_SAFE_INTEGER }),
    lean: true,
  });
}
