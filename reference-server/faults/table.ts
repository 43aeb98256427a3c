// The fault table: every `--violate` id (a check id, verbatim from the requirement files) and one line
// saying what the reference server then does wrong. `--list-faults` prints it in this order.
//
// How to add a fault:
//   1. Add a row here.
//   2. Implement it in ONE place in this folder:
//      - Message-level (reshape a response, notification or server request as it leaves the server):
//        add a step to the rewriter of that method (rewrite-<method>.ts). This is the preferred seam.
//      - Behavioural (do something different, e.g. skip a step): add a named behaviour to behaviour.ts
//        and read that name in server.ts, http.ts or connection.ts. Those files never test a fault id.
//   3. Add a test in test/reference-server/faults.test.ts that shows the violation on the wire.

export const FAULTS = {
  'T25-TOOL-03':
    'a taskSupport "required" tool called without a task answers an isError CallToolResult mentioning -32601 instead of the JSON-RPC error',
  'T25-TOOL-02': 'a forbidden tool called with a task runs and returns its CallToolResult instead of -32601',
  'T25-CAN-04': 'tasks/cancel marks the task cancelled but does not stop its work',
  'T25-RES-03': 'tasks/result on a non-terminal task answers at once with a JSON-RPC error "task not completed" instead of blocking',
  'T25-GET-03': 'requests on one connection are handled strictly one at a time (a blocked tasks/result blocks tasks/get)',
  'T25-CAN-01': 'the tasks/cancel response still says "working" (the task itself is cancelled)',
  'T25-RES-02': 'the tasks/result payload differs from the direct call: an extra text block is appended',
  'T25-CRT-01': 'a task-augmented tools/call answers a flat Task instead of {task: Task}',
  'T25-CAP-01': 'capabilities lack tasks.requests.tools.call while tools still advertise taskSupport',
  // Scenarios 2.A-2.G (capabilities, negotiation, create, ids, status, ttl, get).
  'T25-CAP-02': 'capabilities.tasks.list is the string "yes" instead of an object',
  'T25-CAP-04': 'tasks.list is declared, but tasks/list answers -32601 (Method not found)',
  'T25-CAP-05': 'an elicitation/create sent for a task carries params.task although the client declared no tasks capability',
  'T25-CAP-06': 'tools elicit even when the client did not declare the elicitation capability',
  'T25-SUP-01': 'resources/read with a task field is rejected with -32602 instead of ignoring the field',
  'T25-TOOL-01': 'tools/list advertises greet with execution.taskSupport "sometimes"',
  'T25-TOOL-04': 'a taskSupport "optional" tool called without a task answers -32601',
  'T25-CRT-02': 'the CreateTaskResult is sent only after the task has finished (synchronous task creation)',
  'T25-CRT-03': 'tools/call with task {} (no ttl) is rejected with -32602',
  'T25-CRT-04': 'tasks/get answers -32602 "not found" for tasks younger than 3 s',
  'T25-CRT-05': 'the CreateTaskResult carries _meta["io.modelcontextprotocol/model-immediate-response"] as a number',
  'T25-CRT-06': 'a task-augmented call to an unknown tool creates a task that ends completed',
  'T25-ID-02': 'the CreateTaskResult adopts a requestor-supplied task.taskId',
  'T25-ID-03': 'every 5th CreateTaskResult repeats the previous task id',
  'T25-LIFE-01': 'the CreateTaskResult reports status input_required instead of working',
  'T25-LIFE-03': 'a completed task is reported as failed from the second tasks/get that sees it terminal',
  'T25-TTL-05': 'lookups of an expired task answer -32603 "task expired" instead of -32602',
  'T25-TTL-06':
    'tasks/get answers -32602 "not found" once half of the task\'s ttl has elapsed, or at once for a ttl above 2^31-1 ms (a setTimeout overflow, as InMemoryTaskStore has)',
  'T25-GET-01': 'tasks/get wraps the Task as {task: Task}',
  'T25-GET-02': 'tasks/get always reports working, whatever the real status',
  'T25-GET-04': 'HTTP: tasks/get is answered with an SSE stream instead of a plain JSON body',
  // Scenarios 2.M-2.Q (list, cancel, errors, security, http) and section 7 (harness).
  'T25-LIST-01': 'tasks/list entries lack lastUpdatedAt (not full Tasks)',
  'T25-LIST-02': 'tasks/list answers every task in one page (no pagination)',
  'T25-LIST-03': 'tasks/list never sends nextCursor, so only the first page can be listed',
  'T25-LIST-04': 'tasks/list leaves out cancelled tasks although tasks/get still returns them',
  'T25-LIST-05': 'an unknown tasks/list cursor restarts the listing from the beginning instead of -32602',
  'T25-CAN-02': 'for 1 s after a tasks/cancel, tasks/get still reports the cancelled task as working',
  'T25-CAN-03': 'tasks/cancel leaves the work running, and its late outcome overwrites the cancelled status',
  'T25-CAN-05': 'tasks/cancel of a completed, failed or cancelled task answers the unchanged Task instead of -32602',
  'T25-CAN-06': 'tasks/cancel of a taskId the server never issued answers -32603 instead of -32602',
  'T25-CAN-08': 'a pending tasks/result is never answered when its task is cancelled in input_required',
  'T25-ERR-01': 'tasks/get with a non-string taskId answers -32603 instead of -32602',
  'T25-ERR-02': 'tasks/result with an unknown taskId blocks instead of answering -32602',
  'T25-ERR-03': 'tasks/cancel with a non-string taskId answers -32603 instead of -32602',
  'T25-ERR-05': 'error responses to tasks/* requests carry an empty message',
  'T25-ERR-06': 'tasks/get of a failed task carries no statusMessage',
  'T25-ERR-07': 'a tool result with isError:true moves the task to completed instead of failed',
  'T25-ERR-08': 'a JSON-RPC error from the tool moves the task to completed instead of failed',
  'T25-SEC-01': 'tasks/get, tasks/result and tasks/cancel ignore the authorization context (any principal reaches any task)',
  'T25-SEC-02': "tasks/list lists the tasks of every connected principal, not only the caller's",
  'T25-SEC-03': 'task ids are sequential (task-1, task-2, ...)',
  'T25-SEC-04': 'without auth, tasks/list of any session lists the tasks of every session',
  'T25-SEC-06': 'the requested ttl is granted without a maximum',
  'T25-HTTP-01': 'dropping the HTTP stream of a pending tasks/result cancels the task',
  'T25-HTTP-03': 'the SSE stream of tasks/result is closed after 200 ms without its response and without event ids to resume from',
  'H25-02': 'tasks/result answers the first result ever produced by the same tool (a result cache keyed by tool, not by task)',
  'H25-03': 'tasks/result answers a task only once; later calls get -32602',
  'H25-09':
    'a cancel racing completion: the work is not stopped and its late outcome overwrites the cancelled status (the T25-CAN-03 seam)',
  'H25-16': 'a task-augmented call with invalid arguments creates a task that ends completed',
  'H25-01': 'tasks/result re-reads the task every 1000 ms instead of waking on completion (the H25-20 seam)',
  'H25-20': 'tasks/result re-reads the task every 1000 ms instead of waking on completion (TS SDK v1 poll-tick pattern)',
  // Scenarios 2.H-2.L (result, input-required, metadata, notifications, progress) and wire-audit.
  'T25-RES-01': 'tasks/result of a completed task answers its CallToolResult without the content blocks (content: [])',
  'T25-RES-04': 'tasks/result of a task whose tool ended in JSON-RPC error -32603 answers an isError CallToolResult instead of that error',
  'T25-RES-05': 'tasks/result of a task whose tool returned isError:true answers JSON-RPC error -32603 instead of the CallToolResult',
  'T25-RES-06': 'tasks/result for an already cancelled task never answers',
  'T25-RES-07': 'a tasks/result that is waiting when its task is cancelled is never answered',
  'T25-INP-01': 'a task waiting for an elicitation answer stays working instead of input_required',
  'T25-INP-02': 'elicitation/create sent for a task lacks the related-task _meta',
  'T25-INP-03': 'once its elicitation is answered, the task stays input_required until it is cancelled',
  'T25-INP-04': 'HTTP: a task elicitation is sent on the tasks/result stream and again on the standalone GET stream',
  'T25-INP-05': 'HTTP: a POST carrying only responses (e.g. an ElicitResult) is answered 200 instead of 202 Accepted',
  'T25-INP-06': 'a declined or cancelled elicitation leaves the task input_required until it is cancelled',
  'T25-META-01': 'tasks/result responses lack the related-task _meta',
  'T25-META-02': 'tasks/get, tasks/result and tasks/cancel target the task named in related-task _meta instead of params.taskId',
  'T25-META-03': 'tasks/get results carry related-task _meta',
  'T25-META-04': 'progress notifications of a task lack the related-task _meta',
  'T25-NOTIF-02': 'status notifications carry statusMessage as an object instead of a string (not a valid Task)',
  'T25-NOTIF-03': 'status notifications carry related-task _meta',
  'T25-NOTIF-04': 'after a task reaches a terminal status, one more status notification reports it as working',
  'T25-NOTIF-05': 'status notifications are sent to every open session, not only to the one that created the task',
  'T25-PROG-01':
    'progress notifications of a task carry a token of the server\'s own ("task:<taskId>") instead of the request\'s progressToken',
  'T25-PROG-02': 'a progress_job task completes at its first progress step and keeps sending progress afterwards',
  'T25-PROG-03': 'progress notifications count down (progress = total - step + 1) instead of increasing',
  'H25-SCHEMA': 'the InitializeResult serverInfo lacks the required version',
  'T25-ID-01': 'status notifications carry taskId as a number',
  'T25-LIFE-02': 'tasks/get reports a working task with status "submitted" (a SEP-1686 draft status)',
  'T25-LIFE-04': 'tasks/list entries report createdAt one second earlier than the other representations',
  'T25-TTL-01': 'tasks/get reports createdAt as a number of milliseconds since the epoch',
  'T25-TTL-02': 'tasks/list entries report lastUpdatedAt in JavaScript Date.toString() form (not ISO 8601)',
  'T25-TTL-03': 'tasks/get results lack ttl',
  'T25-TTL-07': 'tasks/get reports pollInterval as a string',
  'T25-HTTP-02': 'HTTP: a task notification sent on the stream of an open tasks/result is sent again on the standalone GET stream',
  // Lifecycle scenario ("beyond the connection").
  'LC-01': 'HTTP: when a session is deleted (DELETE), the tasks it created are cancelled',
  'LC-02': 'every tasks/result delivery of a task appends a text block "delivery #<n>", so repeated fetches differ',
  'LC-03': 'tasks/get is served from a lagging replica now and then: every 3rd tasks/get of a finished task reports it as working',
  'LC-05': 'HTTP: when a session loses its standalone GET stream (the client went away), the tasks it created are cancelled',
  'LC-06': 'at start-up, tasks that were running when the server died are not recovered: they stay working forever',
  'LC-08': "when a task's ttl elapses the task is removed, but its work keeps running",
  'H25-12': 'HTTP: tasks are bound to the session that created them; other sessions get -32602 (the TS SDK InMemoryTaskStore behaviour)',
  // Cluster scenario (several instances on one --store redis://...).
  'CL-01':
    'the instance ignores the shared --store and keeps its tasks in its own memory (as --store memory): other instances never see them',
  'CL-02':
    "tasks/result does not listen for other instances' changes: it re-reads the store every 2 s for a task whose work runs elsewhere",
  'CL-03': 'a tasks/cancel made on another instance does not stop the work running on this one (the task is cancelled, its work runs on)',
  'CL-04': 'tasks/list lists only the tasks created through this instance',
  'CL-05': 'work reclaimed from a runner that died is dropped without ending its task: the task stays working forever',
  'CL-06': 'tasks/get is answered from a per-instance cache that is never refreshed: an instance keeps answering the first status it read',
  // Transport hygiene (scenarios/transport-hygiene.ts): message-level, in rewrite-discovery.ts.
  'H25-21': 'ping is answered with a tools/list-shaped result ({tools: []}) instead of an empty one',
  'H25-22': 'tools/list results carry 17 MiB of _meta padding (over the harness default message limit of 16 MiB)',
} as const satisfies Record<string, string>;

export type FaultId = keyof typeof FAULTS;

export const isFaultId = (id: string): id is FaultId => Object.hasOwn(FAULTS, id);
