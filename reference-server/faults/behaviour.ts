// Behavioural faults as named behaviours: the selected fault ids become one typed object whose fields
// say what the server does differently (all false = spec-exact). server.ts, connection.ts and http.ts
// read these names and never test a fault id, as the engine reads named EngineOptions.
import type { EngineLimits, EngineOptions } from '../engine.js';
import type { FaultId } from './table.js';

/** Each behaviour and the fault(s) that switch it on. */
export const BEHAVIOURS = {
  // ---- engine (see engineFaultOptions)
  /** The work keeps running after tasks/cancel. */
  keepWorkingAfterCancel: ['T25-CAN-04'],
  /** The work keeps running after tasks/cancel and its late outcome overwrites cancelled. */
  lateOutcomeOverridesCancel: ['T25-CAN-03', 'H25-09'],
  /** A cancel in input_required leaves pending tasks/result unanswered. */
  forgetResultWaitersOnInputCancel: ['T25-CAN-08'],
  /** Task ids are task-1, task-2, ... */
  sequentialTaskIds: ['T25-SEC-03'],
  /** At start-up, tasks orphaned by a crash stay working. */
  leaveOrphansWorking: ['LC-06'],
  /** An expired task is removed but its work keeps running. */
  keepWorkingAfterExpiry: ['LC-08'],
  /** Any requested ttl is granted. */
  unlimitedTtl: ['T25-SEC-06'],
  /** tasks/result hears of other instances' changes only by re-reading the store every 2 s. */
  pollStoreForOtherInstances: ['CL-02'],
  /** A cancel made on another instance does not stop the work running here. */
  ignoreCancelsFromOtherInstances: ['CL-03'],

  // ---- cluster (start.ts, worker.ts)
  /** The instance keeps its tasks in its own memory, whatever --store says. */
  keepTasksInProcessMemory: ['CL-01'],
  /** Work reclaimed from a dead runner is dropped; its task stays working. */
  dropReclaimedWork: ['CL-05'],

  // ---- sessions and connections
  /** Requests of one connection are handled one at a time. */
  serialRequests: ['T25-GET-03'],
  /** A session that closes cancels the tasks it created. */
  cancelTasksOnSessionClose: ['LC-01'],
  /** tasks/get, tasks/result and tasks/cancel ignore the authorization context. */
  ignoreAuthOnLookup: ['T25-SEC-01'],
  /** The task named in related-task _meta wins over params.taskId. */
  targetTaskFromRelatedMeta: ['T25-META-02'],
  /** A request sent with a related request also goes on the standalone stream. */
  duplicateTaskRequestsOnStandaloneStream: ['T25-INP-04'],
  /** A task notification sent with an open tasks/result also goes on the standalone stream. */
  duplicateTaskNotificationsOnStandaloneStream: ['T25-HTTP-02'],

  // ---- notifications
  /** Status notifications go to every open session. */
  statusNotificationsToEverySession: ['T25-NOTIF-05'],
  /** A terminal task is announced as working once more. */
  announceWorkingAfterTerminal: ['T25-NOTIF-04'],

  // ---- tools/call
  /** A forbidden tool called with a task runs as a plain call. */
  runForbiddenToolWithTask: ['T25-TOOL-02'],
  /** A required tool called without a task answers an isError result mentioning -32601. */
  answerRequiredWithoutTaskAsIsError: ['T25-TOOL-03'],
  /** An optional tool called without a task answers -32601. */
  refusePlainCallOfOptionalTool: ['T25-TOOL-04'],
  /** A task for an unknown tool is created and ends completed. */
  taskForUnknownTool: ['T25-CRT-06'],
  /** A task with invalid arguments is created and ends completed. */
  taskForInvalidArguments: ['H25-16'],
  /** The CreateTaskResult is sent only once the task has finished. */
  createTaskSynchronously: ['T25-CRT-02'],
  /** A tool result with isError:true ends the task completed. */
  toolErrorEndsCompleted: ['T25-ERR-07'],
  /** A JSON-RPC error from the tool ends the task completed. */
  rpcErrorEndsCompleted: ['T25-ERR-08'],
  /** A task ends completed at its first progress step; the tool keeps reporting progress. */
  endTaskAtFirstProgress: ['T25-PROG-02'],

  // ---- elicitation
  /** Tools elicit whatever the client declared. */
  elicitWithoutCapability: ['T25-CAP-06'],
  /** A task waiting for an elicitation answer stays working. */
  elicitWithoutInputRequired: ['T25-INP-01'],
  /** Once its elicitation is answered, the task stays input_required until cancelled. */
  stayInputRequiredAfterAnswer: ['T25-INP-03'],
  /** After a declined or cancelled elicitation, the task stays input_required until cancelled. */
  stayInputRequiredAfterDecline: ['T25-INP-06'],

  // ---- tasks/result
  /** tasks/result of an unknown task blocks until the client gives up. */
  blockResultOfUnknownTask: ['T25-ERR-02'],
  /** tasks/result of a non-terminal task answers -32602 "task not completed" at once. */
  refuseResultOfUnfinishedTask: ['T25-RES-03'],
  /** tasks/result notices completion only on 1 s poll ticks. */
  pollResultOnTicks: ['H25-20', 'H25-01'],
  /** tasks/result of an already cancelled task never answers. */
  neverAnswerResultOfCancelledTask: ['T25-RES-06'],
  /** A tasks/result waiting when its task is cancelled never answers. */
  neverAnswerWaitingResultOnCancel: ['T25-RES-07'],

  // ---- tasks/cancel and tasks/list
  /** tasks/cancel of a terminal task answers the unchanged Task. */
  cancelOfTerminalAnswersTask: ['T25-CAN-05'],
  /** An unknown tasks/list cursor restarts the listing. */
  unknownCursorRestartsList: ['T25-LIST-05'],
  /** tasks/list lists the tasks of every connected requestor. */
  listTasksOfEveryOwner: ['T25-SEC-02'],
  /** tasks/list answers one unbounded page. */
  listInOnePage: ['T25-LIST-02'],

  // ---- Streamable HTTP
  /** tasks/get is answered over SSE. */
  answerTasksGetOverSse: ['T25-GET-04'],
  /** Losing the standalone GET stream cancels the session's tasks. */
  cancelTasksOnStandaloneStreamLoss: ['LC-05'],
  /** A dropped tasks/result stream cancels the task. */
  cancelTaskOnDroppedResultStream: ['T25-HTTP-01'],
  /** A POST of responses only is answered 200 instead of 202. */
  acceptResponsesWith200: ['T25-INP-05'],
  /** A tasks/result SSE stream is closed after 200 ms without its response. */
  closeResultStreamEarly: ['T25-HTTP-03'],
  /** Without auth, every session lists as one shared requestor. */
  sessionsShareOneRequestor: ['T25-SEC-04'],
  /** Tasks are bound to the HTTP session that created them. */
  bindTasksToSession: ['H25-12'],
} as const satisfies Record<string, readonly FaultId[]>;

export type Behaviour = { readonly [K in keyof typeof BEHAVIOURS]: boolean };

export const behaviourOf = (active: ReadonlySet<FaultId>): Behaviour => behavioursOf(BEHAVIOURS, active);

/** The named behaviours of a table (name -> the faults that switch it on) for the selected fault ids; ext-behaviour.ts uses it too. */
export function behavioursOf<Name extends string, Id extends string>(
  table: Readonly<Record<Name, readonly Id[]>>,
  active: ReadonlySet<Id>,
): { readonly [K in Name]: boolean } {
  const entries = Object.entries<readonly Id[]>(table).map(([name, ids]) => [name, ids.some((id) => active.has(id))]);
  return Object.fromEntries(entries) as { readonly [K in Name]: boolean };
}

type EngineFaultOptions = Omit<EngineOptions, 'store'>;

/** The engine options a behaviour implies (spec-exact defaults when no fault is on). */
export function engineFaultOptions(behaviour: Behaviour, limits?: Partial<EngineLimits>): EngineFaultOptions {
  return {
    limits: behaviour.unlimitedTtl ? { ...limits, maxTtlMs: Number.MAX_SAFE_INTEGER } : limits,
    stopWorkOnCancel: !behaviour.keepWorkingAfterCancel && !behaviour.lateOutcomeOverridesCancel,
    lateOutcomeOverridesCancel: behaviour.lateOutcomeOverridesCancel,
    answerWaitersOnInputCancel: !behaviour.forgetResultWaitersOnInputCancel,
    ...(behaviour.sequentialTaskIds && { newTaskId: sequentialTaskIds() }),
    failOrphans: !behaviour.leaveOrphansWorking,
    stopWorkOnExpiry: !behaviour.keepWorkingAfterExpiry,
    stopWorkCancelledElsewhere: !behaviour.ignoreCancelsFromOtherInstances,
    ...(behaviour.pollStoreForOtherInstances && { pollOtherInstancesMs: 2000 }),
  };
}

function sequentialTaskIds(): () => string {
  let n = 0;
  return () => `task-${++n}`;
}
