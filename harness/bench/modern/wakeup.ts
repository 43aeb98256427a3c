// Wake-up latency after the work ends (issue 11, item 5a; H-EXT-01 "the delay from release_gate until the
// client sees terminal"): a gated task (gated_job) whose work ends exactly when release_gate is answered,
// seen terminal by polling tasks/get at the server's pollIntervalMs (clamped as the harness client does) or
// by a notifications/tasks push on subscriptions/listen. No sleeps decide the outcome: the gate does.
// Polling releases at stratified phases of the poll interval, so the samples spread over it as a client's
// own clock would; listen releases once the subscription has answered.
import type { BenchWakeup } from '../../report/bench-model.js';
import { sleep } from '../../util/async.js';
import { errorText } from '../../util/errors.js';
import { percentiles } from '../stats.js';
import { type Progress, silent } from '../types.js';
import { listenToTerminal, pollToTerminal } from './approaches.js';
import { checkTerminal, createModernTask, missingRoles, nextPollMs, releaseGate, type ModernBenchTarget } from './target.js';

export type WakeupMode = BenchWakeup['mode'];
export const WAKEUP_MODES: readonly WakeupMode[] = ['poll', 'listen'];

export interface WakeupOptions {
  samples: number;
  /** How long a released task may take to be seen terminal (ms). */
  timeoutMs: number;
  progress?: Progress;
  labelPrefix?: string;
}

interface Sample {
  ms: number;
  fromSentMs: number;
  requests: number;
  pollIntervalMs: number | null;
}

async function sample(target: ModernBenchTarget, mode: WakeupMode, gateId: string, phase: number, timeoutMs: number): Promise<Sample> {
  const created = await createModernTask(target, 'F-GATE', { gateId });
  let releasedAt = 0;
  let sentAt = 0;
  const release = async () => {
    sentAt = performance.now();
    await releaseGate(target, gateId);
    releasedAt = performance.now();
  };
  try {
    if (mode === 'poll') {
      const interval = nextPollMs(created);
      const watching = pollToTerminal(target, created, performance.now() + timeoutMs);
      await sleep(phase * interval);
      await release();
      const seen = await watching;
      const problem = checkTerminal(seen.task, `released:${gateId}`);
      if (problem) throw new Error(problem);
      return {
        ms: Math.max(0, seen.seenAt - releasedAt),
        fromSentMs: seen.seenAt - sentAt,
        requests: seen.reads,
        pollIntervalMs: interval,
      };
    }
    const seen = await listenToTerminal(target, created, timeoutMs, async (first) => {
      await first;
      await release();
    });
    const problem = checkTerminal(seen.task, `released:${gateId}`);
    if (problem) throw new Error(problem);
    return { ms: Math.max(0, seen.seenAt - releasedAt), fromSentMs: seen.seenAt - sentAt, requests: seen.requests, pollIntervalMs: null };
  } finally {
    // A sample that failed before its release must not leave the job blocked.
    if (!releasedAt) await releaseGate(target, gateId).catch(() => undefined);
  }
}

/** `samples` gated tasks per mode and target, the modes interleaved. Never throws: a failure is carried as `error`. */
export async function runWakeup(targets: ModernBenchTarget[], options: WakeupOptions): Promise<BenchWakeup[]> {
  const progress = options.progress ?? silent;
  const prefix = options.labelPrefix ?? 'bench';
  const out: BenchWakeup[] = [];
  for (const target of targets) {
    const got = new Map<WakeupMode, { samples: Sample[]; error?: string }>(WAKEUP_MODES.map((m) => [m, { samples: [] }]));
    const missing = missingRoles(target, ['F-GATE', 'F-GATE-RELEASE']);
    for (let i = 0; i < options.samples && !missing; i++) {
      for (const mode of WAKEUP_MODES) {
        const mine = got.get(mode)!;
        if (mine.error) continue;
        progress(`wake-up: ${mode} ${i + 1}/${options.samples} on ${target.label}`);
        try {
          mine.samples.push(await sample(target, mode, `${prefix}-wake-${mode}-${i}`, (i + 0.5) / options.samples, options.timeoutMs));
        } catch (err) {
          mine.error = errorText(err);
        }
      }
    }
    for (const mode of WAKEUP_MODES) {
      const { samples, error = missing } = got.get(mode)!;
      const ms = samples.map((s) => s.ms);
      const p = ms.length ? percentiles(ms) : undefined;
      const fromSent = samples.map((s) => s.fromSentMs);
      const q = fromSent.length ? percentiles(fromSent) : undefined;
      out.push({
        target: target.label,
        mode,
        pollIntervalMs: samples[0]?.pollIntervalMs ?? null,
        samplesMs: ms,
        p50Ms: p?.p50 ?? null,
        p95Ms: p?.p95 ?? null,
        maxMs: ms.length ? Math.max(...ms) : null,
        fromSentSamplesMs: fromSent,
        fromSentP50Ms: q?.p50 ?? null,
        fromSentP95Ms: q?.p95 ?? null,
        requestsPerTask: samples.length ? samples.reduce((sum, s) => sum + s.requests, 0) / samples.length : null,
        correct: samples.length > 0 && !error,
        ...(error ? { error } : {}),
      });
    }
  }
  return out;
}
