// The fault table of the 2026-07-28 checks of sections 2.B-2.F and 2.M: check id, the status its fault
// gives, and what the message says. The proof files (dispatch-create-ids, get, lifecycle-core) each take
// their scenarios' rows, so vitest runs them in parallel.
export const OWNERS: Record<string, string[]> = {
  'ext-dispatch': ['EXT-DISP-01', 'EXT-DISP-02', 'EXT-DISP-03', 'EXT-DISP-04', 'EXT-DISP-05', 'EXT-DISP-06', 'EXT-DISP-07', 'EXT-DISP-08'],
  'ext-create': ['EXT-CRT-01', 'EXT-CRT-02', 'EXT-CRT-03', 'EXT-CRT-04', 'EXT-CRT-05'],
  'ext-ids': ['EXT-ID-01', 'EXT-ID-02'],
  'ext-get': ['EXT-GET-01', 'EXT-GET-02', 'EXT-GET-03', 'EXT-GET-04', 'EXT-GET-05', 'EXT-GET-06', 'EXT-GET-07', 'EXT-GET-08', 'EXT-GET-09'],
  'ext-lifecycle': ['EXT-LIFE-01', 'EXT-LIFE-02', 'EXT-LIFE-03', 'EXT-LIFE-04', 'EXT-LIFE-05', 'EXT-ERR-01'],
  'ext-core': ['EXT-CORE-01', 'EXT-CORE-02', 'EXT-CORE-03', 'EXT-CORE-04'],
};

/** Checks whose clean verdict is INFO. */
export const INFO = new Set(['EXT-CRT-03', 'EXT-ERR-01']);

export const FAULTS: Array<[string, 'FAILURE' | 'WARNING', RegExp]> = [
  ['EXT-DISP-01', 'FAILURE', /tasks\/result must answer -32601/],
  ['EXT-DISP-02', 'WARNING', /tasks\/list must answer -32601.*A-EXT-15/],
  ['EXT-DISP-03', 'FAILURE', /legacy task parameter opted a client without the extension in/],
  ['EXT-DISP-04', 'FAILURE', /task-creating tools\/call results carry resultType "complete"/],
  ['EXT-DISP-05', 'FAILURE', /tools\/list .* answered resultType "task"/],
  ['EXT-DISP-06', 'FAILURE', /results have no resultType: tasks\/cancel/],
  ['EXT-DISP-07', 'FAILURE', /tasks\/update answered resultType "input_required"/],
  ['EXT-DISP-08', 'FAILURE', /answered resultType "done"/],
  ['EXT-CRT-01', 'FAILURE', /not the flat Result & Task: taskId is not a top-level string/],
  ['EXT-CRT-02', 'FAILURE', /could not be read at once after their CreateTaskResult/],
  ['EXT-CRT-04', 'WARNING', /created its task at once instead of settling its input round first/],
  ['EXT-CRT-05', 'FAILURE', /did not declare elicitation was asked elicitation\/create/],
  ['EXT-ID-01', 'FAILURE', /taskIds repeat an earlier task's id/],
  ['EXT-ID-02', 'FAILURE', /task ids are guessable/],
  ['EXT-GET-01', 'FAILURE', /tasks\/get answered resultType "task".*A-EXT-01/],
  ['EXT-GET-02', 'FAILURE', /blocked on its gate answered status "completed"/],
  ['EXT-GET-03', 'FAILURE', /has inputRequests undefined/],
  ['EXT-GET-04', 'FAILURE', /the completed task has no result/],
  ['EXT-GET-05', 'FAILURE', /the failed task's error is undefined/],
  ['EXT-GET-06', 'FAILURE', /reads "failed", not cancelled/],
  ['EXT-GET-07', 'FAILURE', /a random UUID: JSON-RPC error -32603/],
  ['EXT-GET-08', 'FAILURE', /names two different requests across polls/],
  ['EXT-GET-09', 'FAILURE', /differs from the direct result/],
  ['EXT-LIFE-01', 'FAILURE', /reported status "submitted"/],
  ['EXT-LIFE-02', 'FAILURE', /was "completed", then "failed"/],
  ['EXT-LIFE-03', 'FAILURE', /isError:true ended the task failed/],
  ['EXT-LIFE-04', 'FAILURE', /error code is -32000, but the direct call answered -32603/],
  ['EXT-LIFE-05', 'WARNING', /no statusMessage/],
  ['EXT-ERR-01', 'WARNING', /JSON-RPC errors have an empty message/],
  ['EXT-CORE-01', 'FAILURE', /without _meta\["io.modelcontextprotocol\/clientCapabilities"\] must answer -32602/],
  ['EXT-CORE-02', 'FAILURE', /must answer -32022, but it JSON-RPC error -32602/],
  ['EXT-CORE-03', 'FAILURE', /sent 1 JSON-RPC request\(s\), e.g. elicitation\/create/],
  ['EXT-CORE-04', 'FAILURE', /surfaced elicitation\/create in inputRequests/],
];
