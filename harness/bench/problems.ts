// What makes a bench run exit 1, as report `runProblems`: a wrong result or a measurement that could not
// be made, in either era, and a server that exited during the bench.
import { MODERN_ERA } from '../checks.js';
import type { BenchReport } from '../report/bench-model.js';
import type { RunProblem } from '../report/model.js';
import type { Target } from '../transport/target.js';

/** Problems that make the exit code 1 (wrong results, a measurement that could not be made), as report `runProblems`. */
export function benchProblems(b: BenchReport): RunProblem[] {
  const problem = (target: string, message: string): RunProblem => ({
    scenario: 'bench',
    transport: [...(b.targetInfo ?? []), ...(b.modern?.targetInfo ?? [])].find((t) => t.label === target)?.transport ?? 'stdio',
    target,
    message,
  });
  return [
    ...b.approaches.filter((a) => !a.correct).map((a) => problem(a.target, `approach ${a.name}: ${a.error ?? 'wrong result'}`)),
    ...b.operations.filter((o) => o.error).map((o) => problem(o.target, `operation ${o.name}: ${o.error}`)),
    ...b.scale.filter((s) => !s.correct).map((s) => problem(s.target, `scale ${s.tasks} tasks: ${s.error ?? 'wrong results'}`)),
    ...(b.soak ?? []).filter((s) => s.error).map((s) => problem(s.target, `soak: ${s.error}`)),
    ...modernProblems(b, problem),
  ];
}

function modernProblems(b: BenchReport, problem: (target: string, message: string) => RunProblem): RunProblem[] {
  const m = b.modern;
  if (!m) return [];
  const era = MODERN_ERA;
  return [
    ...m.approaches.filter((a) => !a.correct).map((a) => problem(a.target, `${era} approach ${a.name}: ${a.error ?? 'wrong result'}`)),
    ...m.wakeup.filter((w) => !w.correct).map((w) => problem(w.target, `${era} wake-up (${w.mode}): ${w.error ?? 'wrong result'}`)),
    ...m.operations.filter((o) => o.error).map((o) => problem(o.target, `${era} operation ${o.name}: ${o.error}`)),
    ...m.scale
      .filter((s) => !s.correct)
      .map((s) => problem(s.target, `${era} scale ${s.tasks} tasks (${s.mode}): ${s.error ?? 'wrong results'}`)),
    ...(m.soak ?? []).filter((s) => s.error).map((s) => problem(s.target, `${era} soak (${s.id}): ${s.error}`)),
  ];
}

/** A server that exited during the bench: every figure after that is an error. */
export function exitProblems(targets: Target[], labels: string[]): RunProblem[] {
  return targets.flatMap((target, i) => {
    const exit = target.exitInfo();
    if (!exit) return [];
    const how = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
    const tail = target.stderrTail(10).trim();
    return [
      {
        scenario: 'bench',
        transport: target.transport,
        target: labels[i]!,
        message: `the server exited (${how}) during the bench; figures after that are errors`,
        ...(tail ? { stderrTail: tail } : {}),
      },
    ];
  });
}
