// H-EXT-15 Sustained soak (requirements-ext-tasks.md §7): mixed create, get, update and cancel of the
// 2026-07-28 era at a fixed rate, on the soak machinery of the 2025-11-25 bench (soak.ts driveSoak: the open
// loop schedule, windows, RSS and slopes). Per cycle of eight: a short task created, an input task
// (E-INPUT) created, three tasks/get (the last task created; a get that finds the input task waiting
// records its inputRequests), one tasks/update answering the oldest waiting input task, a long task
// created and cancelled.
import type { BenchSoak } from '../../report/bench-model.js';
import type { JsonObject } from '../../scenario.js';
import { driveSoak, SOAK_TTL_MS, type SoakOptions } from '../soak.js';
import { EXT, EXT_E, modernCreated, toolParams, type ModernBenchTarget } from './target.js';

export const MODERN_SOAK_ID = 'H-EXT-15';
export const MODERN_SOAK_CYCLE = ['create-short', 'get', 'create-input', 'get', 'update', 'create-long', 'get', 'cancel'] as const;
type Step = (typeof MODERN_SOAK_CYCLE)[number];
const SHORT_TASK_S = 0.05;
const LONG_TASK_S = 30;

export async function runModernSoak(target: ModernBenchTarget, options: SoakOptions): Promise<BenchSoak> {
  const prefix = options.labelPrefix ?? 'bench';
  const c = target.client;
  const soak = await driveSoak(target, options, ['create', 'get', 'update', 'cancel'], (timed) => {
    let lastTask: string | undefined;
    const inputTasks = new Set<string>();
    const waiting = new Map<string, JsonObject>();
    const toCancel: string[] = [];
    const create = (params: JsonObject, keep: (id: string) => void) =>
      timed(
        'create',
        () => c.request('tools/call', params, { caps: EXT_E }),
        (o) => keep(modernCreated(o).taskId as string),
      );
    const step = (what: Step, i: number) => {
      const label = `${prefix}-msoak-${i}`;
      switch (what) {
        case 'create-short':
          return create(toolParams(target, 'F-ECHO', { seconds: SHORT_TASK_S, label }, SOAK_TTL_MS), (id) => (lastTask = id));
        case 'create-input':
          return create(toolParams(target, 'F-ELICIT', {}, SOAK_TTL_MS), (id) => void inputTasks.add((lastTask = id)));
        case 'create-long':
          return create(
            toolParams(target, 'F-ECHO', { seconds: LONG_TASK_S, label }, SOAK_TTL_MS),
            (id) => void toCancel.push((lastTask = id)),
          );
        case 'get': {
          const taskId = lastTask;
          return (
            taskId &&
            timed(
              'get',
              () => c.request('tasks/get', { taskId }, { caps: EXT }),
              (o) => {
                if (o.result.taskId !== taskId) throw new Error(`tasks/get ${taskId} answered task ${String(o.result.taskId)}`);
                if (o.result.status === 'input_required' && inputTasks.delete(taskId))
                  waiting.set(taskId, o.result.inputRequests as JsonObject);
              },
            )
          );
        }
        case 'update': {
          const [taskId, requests] = waiting.entries().next().value ?? [];
          if (!taskId) return;
          waiting.delete(taskId);
          const inputResponses = c.inputResponses(requests);
          return timed('update', () => c.request('tasks/update', { taskId, inputResponses }, { caps: EXT_E }));
        }
        case 'cancel': {
          const taskId = toCancel.shift();
          return taskId && timed('cancel', () => c.request('tasks/cancel', { taskId }, { caps: EXT }));
        }
      }
    };
    return {
      step: (i) => void step(MODERN_SOAK_CYCLE[i % MODERN_SOAK_CYCLE.length]!, i),
      // Long tasks not yet cancelled and input tasks never answered would stay alive: cancel them (not measured).
      finish: async () =>
        void (await Promise.all(
          [...toCancel, ...inputTasks, ...waiting.keys()].map((taskId) => c.request('tasks/cancel', { taskId }, { caps: EXT })),
        )),
    };
  });
  return { id: MODERN_SOAK_ID, ...soak };
}
