// Fault injection for the 2026-07-28 era: `--violate <EXT-id>` breaks exactly the rule of one check of
// requirements-ext-tasks.md (every id whose verdict can be FAIL or WARN). The table maps each id to one
// named flag of ExtBehaviour; the server reads `behaviour.<flag>` at its seams and never tests an id.
// To add one: a row here (id -> flag + what breaks), the flag in ExtBehaviour, its seam, a wire test in
// test/reference-server/ext/faults.test.ts.

const TABLE = {
  'EXT-NEG-01': ['discoverOmitsModernVersion', 'server/discover lists only 2025-11-25 in supportedVersions'],
  'EXT-NEG-02': [
    'discoverHidesExtension',
    'server/discover does not advertise io.modelcontextprotocol/tasks, yet tools/call creates tasks',
  ],
  'EXT-NEG-03': [
    'advertiseLegacyTasksCapability',
    'server/discover also advertises the legacy capabilities.tasks {list, cancel, requests}',
  ],
  'EXT-NEG-04': [
    'rememberExtensionPerRequestor',
    'a requestor that declared the extension once gets tasks on later requests that do not declare it',
  ],
  'EXT-NEG-05': ['taskOnlyToolAnswers32601', 'failing_job without the extension answers -32601 (the 2025-11-25 rule) instead of -32021'],
  'EXT-NEG-06': ['legacyCapabilityOptsIn', 'a legacy clientCapabilities.tasks counts as declaring the extension'],
  'EXT-NEG-07': [
    'taskMethodsWithoutExtension',
    'tasks/get, tasks/update and tasks/cancel are served to requests that do not declare the extension',
  ],
  'EXT-NEG-08': [
    'legacySessionHonoursExtension',
    'a 2025-11-25 session that declared the extension gets flat modern CreateTaskResults from tools/call',
  ],
  'EXT-DISP-01': ['serveTasksResult', 'tasks/result is still served (the 2025-11-25 payload) instead of -32601'],
  'EXT-DISP-02': ['serveTasksList', 'tasks/list is still served (a list of the requestor tasks) instead of -32601'],
  'EXT-DISP-03': ['legacyTaskParamOptsIn', 'a legacy params.task on tools/call creates a task even without the extension'],
  'EXT-DISP-04': ['createResultTypeComplete', 'the CreateTaskResult carries resultType "complete" instead of "task"'],
  'EXT-DISP-05': ['listResultTypeTask', 'tools/list answers resultType "task"'],
  'EXT-DISP-06': ['cancelAckWithoutResultType', 'the tasks/cancel ack has no resultType'],
  'EXT-DISP-07': ['updateAnswersInputRequired', 'tasks/update answers resultType "input_required"'],
  'EXT-DISP-08': ['unknownResultType', 'synchronous tools/call results carry resultType "done"'],
  'EXT-CRT-01': [
    'nestedCreateTaskResult',
    'the CreateTaskResult nests the task under "task" (the 2025-11-25 shape) with legacy ttl/pollInterval',
  ],
  'EXT-CRT-02': ['firstGetNotFound', 'the first tasks/get of every task answers -32602 (created before it is durable)'],
  'EXT-CRT-04': [
    'mrtrInsideTask',
    'test_tool_with_task creates its task at once and asks user_name through the task (no MRTR before creation)',
  ],
  'EXT-CRT-05': [
    'mrtrIgnoresElicitationCapability',
    'test_tool_with_task asks elicitation/create in its InputRequiredResult to clients that lack elicitation',
  ],
  'EXT-ID-01': ['repeatTaskIds', 'every second CreateTaskResult repeats the previous task id'],
  'EXT-ID-02': ['sequentialTaskIds', 'task ids on the wire are sequential (task-1, task-2, ...)'],
  'EXT-GET-01': ['getResultTypeTask', 'tasks/get answers resultType "task" (as the spec\'s error examples show)'],
  'EXT-GET-02': ['workingReportedCompleted', 'tasks/get reports a working task as completed with an empty result'],
  'EXT-GET-03': ['omitInputRequests', 'tasks/get of an input_required task carries no inputRequests'],
  'EXT-GET-04': ['omitResult', 'tasks/get of a completed task carries no result'],
  'EXT-GET-05': ['omitError', 'tasks/get of a failed task carries no error'],
  'EXT-GET-06': ['cancelledReportedFailed', 'tasks/get reports a cancelled task as failed'],
  'EXT-GET-07': ['unknownTaskInternalError', 'tasks/get of an unknown task id answers -32603 instead of -32602'],
  'EXT-GET-08': ['inputRequestsChangeOnPoll', 'every tasks/get changes the message of the outstanding elicitation under the same key'],
  'EXT-GET-09': ['resultDiffersFromDirect', 'the inlined result of a completed task has an extra text block the direct call does not have'],
  'EXT-LIFE-01': ['statusSubmitted', 'tasks/get reports a working task with status "submitted"'],
  'EXT-LIFE-02': ['terminalFlipsToFailed', 'a completed task is reported failed from the second tasks/get that sees it terminal'],
  'EXT-LIFE-03': ['toolErrorFails', 'a tool result with isError:true ends the task failed instead of completed'],
  'EXT-LIFE-04': ['replaceFailureCode', 'a failed task reports error code -32000 instead of the JSON-RPC error of the tool'],
  'EXT-LIFE-05': ['failedWithoutStatusMessage', 'a failed task has no statusMessage'],
  'EXT-ERR-01': ['emptyErrorMessages', 'every JSON-RPC error the modern surface answers has an empty message'],
  'EXT-TTL-01': ['createdAtEpoch', 'Task shapes carry createdAt as a number of milliseconds since the epoch'],
  'EXT-TTL-02': ['omitTtlMs', 'Task shapes carry no ttlMs'],
  'EXT-TTL-04': ['expiredInternalError', 'lookups of an expired task answer -32603 instead of -32602'],
  'EXT-TTL-05': ['earlyExpiry', 'tasks/get answers -32602 once half of the task ttl has elapsed'],
  'EXT-TTL-06': ['rateLimitEveryThirdGet', 'every third tasks/get of a task is refused as rate-limited, whatever the polling rate'],
  'EXT-UPD-01': ['rejectUpdates', 'tasks/update answers -32602 even for outstanding keys'],
  'EXT-UPD-02': ['dropUpdates', 'tasks/update acks but never applies the answers: the task stays input_required'],
  'EXT-UPD-03': ['ackUnknownTaskUpdate', 'tasks/update of an unknown task id is acked'],
  'EXT-UPD-04': ['rejectUnknownKeys', 'tasks/update with a key that is not outstanding answers -32602'],
  'EXT-UPD-05': ['partialUpdateCompletes', 'a partial tasks/update ends the task: the keys not answered count as declined'],
  'EXT-UPD-06': ['reuseInputKeys', 'input request keys restart in every round, so round 2 reuses the answered key of round 1'],
  'EXT-UPD-08': ['declineStalls', 'a declined or cancelled elicitation leaves the task input_required'],
  'EXT-CAN-01': ['cancelAnswersError', 'tasks/cancel cancels the task but answers -32603'],
  'EXT-CAN-02': ['ackUnknownTaskCancel', 'tasks/cancel of an unknown task id is acked'],
  'EXT-CAN-03': ['ignoreCancel', 'tasks/cancel is acked but ignored: the task runs on and ends as its work does'],
  'EXT-CAN-04': ['lateOutcomeOverridesCancel', 'a cancelled task whose work ends later is reported completed'],
  'EXT-CAN-05': ['cancelTerminalError', 'tasks/cancel of a completed, failed or cancelled task answers -32602'],
  'EXT-CAN-06': ['cancelIgnoredInInput', 'tasks/cancel of an input_required task is acked but the task stays input_required'],
  'EXT-NOTIF-02': ['listenWithoutExtension', 'subscriptions/listen accepts notifications.taskIds from requests without the extension'],
  'EXT-NOTIF-03': ['skipAcknowledgement', 'subscriptions/listen sends no notifications/subscriptions/acknowledged'],
  'EXT-NOTIF-04': ['omitSubscriptionId', 'notifications/tasks carry no io.modelcontextprotocol/subscriptionId'],
  'EXT-NOTIF-05': ['notifyEveryTask', 'every subscription receives notifications/tasks of every task'],
  'EXT-NOTIF-06': ['notificationMissingCreatedAt', 'notifications/tasks lack createdAt and the result or error of terminal tasks'],
  'EXT-NOTIF-07': ['progressOnListen', 'progress of a task is sent as notifications/progress on its subscriptions'],
  'EXT-NOTIF-08': ['workingAfterTerminal', 'after a terminal notifications/tasks, one more reports the task working'],
  'EXT-PROG-01': ['progressAfterCreate', 'a task keeps sending notifications/progress on the tools/call that created it'],
  'EXT-PROG-02': ['progressCountsDown', 'progress notifications count down (total - step + 1) instead of increasing'],
  'EXT-HTTP-01': ['ignoreMethodHeader', 'HTTP: Mcp-Method is not compared with the body method'],
  'EXT-HTTP-02': [
    'actOnHeaderTaskId',
    'HTTP: tasks/get, tasks/update and tasks/cancel act on the task named by Mcp-Name, not params.taskId',
  ],
  'EXT-HTTP-04': ['errorsWithStatus200', 'HTTP: every JSON-RPC error is answered with status 200'],
  'EXT-HTTP-05': [
    'requireNoSessionHeader',
    'HTTP: a request with an Mcp-Session-Id header is rejected (400), and GET answers 400 instead of 405',
  ],
  'EXT-HTTP-06': ['streamEndCancelsTask', 'HTTP: the end of the tools/call response stream cancels the task it created'],
  'EXT-HTTP-08': ['headerUnsafeIdsUndecoded', 'HTTP: task ids contain a space and a Base64-sentinel Mcp-Name is compared undecoded'],
  'EXT-CORE-01': ['capabilitiesOptional', 'a request without clientCapabilities in _meta is served as if it declared {}'],
  'EXT-CORE-02': ['versionErrorAsInvalidParams', 'an unsupported protocol version answers -32602 without data instead of -32022'],
  'EXT-CORE-03': [
    'sendElicitationRequests',
    'stdio: a task that needs input also sends a JSON-RPC elicitation/create request to the client',
  ],
  'EXT-CORE-04': [
    'elicitWithoutCapability',
    'tools that elicit create tasks for clients without elicitation and surface elicitation/create',
  ],
  'EXT-SEC-01': ['ignorePrincipal', 'HTTP auth: tasks/get, tasks/update and tasks/cancel reach the tasks of any principal'],
} as const satisfies Record<string, readonly [string, string]>;

export type ExtFaultId = keyof typeof TABLE;
type Flag = (typeof TABLE)[ExtFaultId][0];

/** What the modern surface does differently; every flag false = spec-exact. */
export type ExtBehaviour = Readonly<Record<Flag, boolean>>;

/** Fault id -> what breaks, for --list-faults. */
export const EXT_FAULTS: Readonly<Record<ExtFaultId, string>> = Object.fromEntries(
  Object.entries(TABLE).map(([id, [, what]]) => [id, what]),
) as Record<ExtFaultId, string>;

export const isExtFaultId = (id: string): id is ExtFaultId => Object.hasOwn(TABLE, id);

/** The behaviour for a set of selected fault ids (unknown ids throw). */
export function extBehaviour(ids: Iterable<string> = []): ExtBehaviour {
  const behaviour = Object.fromEntries(Object.values(TABLE).map(([flag]) => [flag, false])) as Record<Flag, boolean>;
  for (const id of ids) {
    if (!isExtFaultId(id)) throw new Error(`unknown 2026-07-28 fault "${id}"`);
    behaviour[TABLE[id][0]] = true;
  }
  return behaviour;
}
