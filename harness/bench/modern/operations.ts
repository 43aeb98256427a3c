// Operations of the 2026-07-28 era: latency of each request with one in flight (tinybench, the 2025-11-25
// bench's slices: operations.ts measureSlice), set against server/discover — `ping` is gone in this era, and
// server/discover is the one stateless request every server must answer. tasks/update and tasks/cancel need
// a fresh subject per sample (an input_required task, a working one): made before each sample, untimed.
import type { BenchOperation } from '../../report/bench-model.js';
import type { JsonObject, RpcOutcome } from '../../scenario.js';
import { describeOutcome } from '../../tasks.js';
import { errorText } from '../../util/errors.js';
import { measureSlice, summarizeSlices, type Slice } from '../operations.js';
import { ratio } from '../stats.js';
import { BenchError, type Progress, silent } from '../types.js';
import {
  createModernTask,
  EXT,
  EXT_E,
  isTerminalTask,
  missingRoles,
  modernCreated,
  NOEXT,
  toolParams,
  type ModernBenchTarget,
} from './target.js';
import type { FixtureRole } from '../../checks.js';

export const MODERN_BASELINE = 'server/discover';
export const MODERN_OPERATION_NAMES = [
  MODERN_BASELINE,
  'tools/call (direct)',
  'task create',
  'tasks/get',
  'tasks/update',
  'tasks/cancel',
] as const;
export type ModernOperationName = (typeof MODERN_OPERATION_NAMES)[number];

export interface ModernOperationOptions {
  timeMs: number;
  warmupMs?: number;
  progress?: Progress;
  labelPrefix?: string;
}

const PASSES = 4;
const MIN_ITERATIONS = 30;

interface Measured {
  fn: () => Promise<void>;
  /** Untimed: puts the next sample's subject in place. */
  before?: () => Promise<void>;
}

const ROLES: Record<ModernOperationName, FixtureRole[]> = {
  'server/discover': [],
  'tools/call (direct)': ['F-SYNC'],
  'task create': ['F-ECHO'],
  'tasks/get': ['F-ECHO'],
  'tasks/update': ['F-ELICIT'],
  'tasks/cancel': ['F-ECHO'],
};

function expectResult(name: string, o: RpcOutcome): JsonObject {
  if (o.kind !== 'result') throw new BenchError(`${name}: ${describeOutcome(o)}`);
  return o.result;
}

/** The request each operation sends; each validates just enough of the answer to catch errors. */
async function operation(name: ModernOperationName, target: ModernBenchTarget, prefix: string): Promise<Measured> {
  const c = target.client;
  let n = 0;
  switch (name) {
    case 'server/discover':
      return { fn: async () => void expectResult(name, await c.discover()) };
    case 'tools/call (direct)': {
      const params = toolParams(target, 'F-SYNC', { name: 'bench' });
      return { fn: async () => void expectResult(name, await c.request('tools/call', params, { caps: NOEXT })) };
    }
    case 'task create':
      return {
        fn: async () =>
          void modernCreated(
            await c.request('tools/call', toolParams(target, 'F-ECHO', { seconds: 0, label: `${prefix}-ops-create-${++n}` }), {
              caps: EXT,
            }),
          ),
      };
    case 'tasks/get': {
      const created = await createModernTask(target, 'F-ECHO', { seconds: 0, label: `${prefix}-ops-finished` });
      const done = await c.poll(created.taskId as string, isTerminalTask, { caps: EXT });
      if (!done.settled) throw new BenchError(`could not finish a task to measure tasks/get: ${JSON.stringify(done.task?.status)}`);
      return {
        fn: async () => {
          const r = expectResult(name, await c.request('tasks/get', { taskId: created.taskId }, { caps: EXT }));
          if (r.taskId !== created.taskId) throw new BenchError(`tasks/get answered another task: ${JSON.stringify(r).slice(0, 200)}`);
        },
      };
    }
    case 'tasks/update': {
      let subject: { taskId: string; responses: JsonObject } | undefined;
      return {
        before: async () => {
          const created = await createModernTask(target, 'F-ELICIT', {});
          const waiting = await c.poll(created.taskId as string, (t) => t.status === 'input_required' || isTerminalTask(t), {
            caps: EXT_E,
          });
          if (waiting.task?.status !== 'input_required')
            throw new BenchError(`the E-INPUT task never asked for input (status ${JSON.stringify(waiting.task?.status)})`);
          subject = { taskId: created.taskId as string, responses: c.inputResponses(waiting.task.inputRequests) };
        },
        fn: async () => {
          const s = subject!;
          expectResult(name, await c.request('tasks/update', { taskId: s.taskId, inputResponses: s.responses }, { caps: EXT_E }));
        },
      };
    }
    case 'tasks/cancel': {
      let taskId: string | undefined;
      return {
        before: async () => {
          taskId = (await createModernTask(target, 'F-ECHO', { seconds: 60, label: `${prefix}-ops-cancel-${++n}` })).taskId as string;
        },
        fn: async () => void expectResult(name, await c.request('tasks/cancel', { taskId }, { caps: EXT })),
      };
    }
  }
}

/** Every operation on every target after a warm-up, in PASSES slices of rotating order; p50s set against server/discover. */
export async function runModernOperations(targets: ModernBenchTarget[], options: ModernOperationOptions): Promise<BenchOperation[]> {
  const progress = options.progress ?? silent;
  const prefix = options.labelPrefix ?? 'bench';
  const slices = new Map<string, Slice[]>();
  const key = (t: ModernBenchTarget, n: string) => `${t.label}\u0000${n}`;
  const prepared = new Map<string, Measured | string>();
  for (const target of targets) {
    for (const name of MODERN_OPERATION_NAMES) {
      const missing = missingRoles(target, ROLES[name]);
      try {
        prepared.set(key(target, name), missing ?? (await operation(name, target, prefix)));
      } catch (err) {
        prepared.set(key(target, name), errorText(err));
      }
    }
    progress(`operations: warming up on ${target.label}`);
    const until = performance.now() + (options.warmupMs ?? 1500);
    const ready = MODERN_OPERATION_NAMES.map((n) => prepared.get(key(target, n))).filter((m): m is Measured => typeof m === 'object');
    while (performance.now() < until)
      for (const m of ready)
        await (m.before ?? (async () => undefined))()
          .then(m.fn)
          .catch(() => undefined);
  }
  const sliceMs = Math.max(1, options.timeMs / PASSES);
  const names = [...MODERN_OPERATION_NAMES];
  for (let pass = 0; pass < PASSES; pass++) {
    for (const name of [...names.slice(pass % names.length), ...names.slice(0, pass % names.length)]) {
      for (const target of targets) {
        const list = slices.get(key(target, name)) ?? [];
        slices.set(key(target, name), list);
        const m = prepared.get(key(target, name))!;
        if (typeof m === 'string') {
          if (!list.length) list.push({ samples: [], totalTime: 0, error: m });
          continue;
        }
        if (list.some((s) => s.error)) continue;
        progress(`operations: ${name} on ${target.label} (slice ${pass + 1}/${PASSES})`);
        list.push(await measureSlice(name, m.fn, sliceMs, Math.ceil(MIN_ITERATIONS / PASSES), m.before));
      }
    }
  }
  const out = targets.flatMap((t) => MODERN_OPERATION_NAMES.map((n) => summarizeSlices(n, t, slices.get(key(t, n)) ?? [])));
  for (const op of out) {
    const base = out.find((o) => o.target === op.target && o.name === MODERN_BASELINE && !o.error);
    op.ratioToPing = op.error ? null : ratio(op.p50Ms, base?.p50Ms);
  }
  return out;
}
