// Passive checks over every message recorded on this transport during the run: JSON Schema, task ids,
// lifecycle timelines, timestamps, ttl, related-task _meta, status notifications, HTTP stream rules.
// Runs last, so it sees what every other scenario exchanged; it first drives a small exercise of its
// own so that it means something when run alone (`--scenario wire-audit`).
import type { CheckSpec, Verdict, WireEntry } from '../harness/checks.js';
import type { JsonObject, ScenarioContext, Session } from '../harness/scenario.js';
import {
  cancelTask,
  createTask,
  DEFAULT_TTL_MS,
  getTask,
  listTasks,
  pollUntil,
  releaseGate,
  sleep,
  taskResult,
  untilTerminal,
} from '../harness/tasks.js';
import { createdAtFormat, lastUpdatedAt, pollIntervalType, taskIdsAreStrings, ttlPresent } from './audit/fields.js';
import { httpStreamRules } from './audit/http-streams.js';
import { lifecycleEdges, notificationCoverage, notificationsAgree, stableIdentity, terminalStaysTerminal } from './audit/lifecycle.js';
import { noRelatedOnTaskResults, resultMeta, schemaValid, statusNotificationMeta, statusNotificationSchema } from './audit/messages.js';
import { serverMessages, taskObservations } from './audit/observations.js';
import { defineCheck, defineScenario, type Check, type CheckScope } from './lib/define.js';

/** What the audit reads: this transport's wire log after the exercise, once for all checks. */
interface Recorded {
  all: WireEntry[];
  messages: ReturnType<typeof serverMessages>;
  obs: ReturnType<typeof taskObservations>;
}

/** A passive check: a judgement over the recorded traffic, no requests of its own. */
function audit(spec: CheckSpec, judge: (recorded: Recorded, ctx: ScenarioContext) => Verdict): Check<Recorded> {
  return defineCheck(spec, async (ctx, _c, { shared }: CheckScope<Recorded>) => judge(shared, ctx));
}

const SCHEMA = audit(
  {
    id: 'H25-SCHEMA',
    name: 'Every server message validates against the 2025-11-25 JSON Schema',
    description:
      'Every message the server sent during the run (responses by the request they answer, notifications, server requests) validates against the official 2025-11-25 JSON Schema; a task-augmented tools/call answer against CreateTaskResult. On stdio every line the server writes to stdout must be a JSON-RPC message (logs belong on stderr).',
    level: 'MUST',
    specRefs: ['schema', 'transports §stdio'],
    fixtures: [],
  },
  (a, ctx) =>
    schemaValid(
      a.all.filter((e) => e.transport === ctx.transport),
      a.messages,
    ),
);

const ID_01 = audit(
  {
    id: 'T25-ID-01',
    name: 'Task ids are strings',
    description: 'taskId is a JSON string in every Task observed (the harness also expects it non-empty).',
    level: 'MUST',
    specRefs: ['tasks §Task ID Requirements r1'],
    fixtures: [],
  },
  (a) => taskIdsAreStrings(a.obs),
);

const LIFE_02 = audit(
  {
    id: 'T25-LIFE-02',
    name: 'Statuses are valid and move only along allowed edges',
    description:
      'Status is always one of working, input_required, completed, failed, cancelled and moves only along working->{input_required, completed, failed, cancelled} or input_required->{working, completed, failed, cancelled}; checked over the timeline of every task from all observations (stdio: wire order; HTTP: ordered exchanges, notifications WARN only).',
    level: 'MUST',
    specRefs: ['tasks §Task Status Lifecycle r2'],
    fixtures: [],
  },
  (a, ctx) => lifecycleEdges(a.obs, ctx.transport),
);

const LIFE_03 = audit(
  {
    id: 'T25-LIFE-03',
    name: 'No task leaves a terminal status, over the whole run',
    description:
      "A task seen completed, failed or cancelled never shows another status later: every task's timeline over every response and notification of the run, in causal order (a response is later than what arrived before its request was sent; HTTP notifications WARN only).",
    level: 'MUST',
    specRefs: ['tasks §Task Status Lifecycle r2.3'],
    fixtures: [],
  },
  (a, ctx) => terminalStaysTerminal(a.obs, ctx.transport),
);

const LIFE_04 = audit(
  {
    id: 'T25-LIFE-04',
    name: 'taskId and createdAt are stable',
    description: 'createdAt (as an instant) and taskId are the same in every representation of a task.',
    level: 'MUST',
    specRefs: ['tasks §Task'],
    fixtures: [],
  },
  (a) => stableIdentity(a.obs),
);

const TTL_01 = audit(
  {
    id: 'T25-TTL-01',
    name: 'Every Task carries an RFC 3339 createdAt',
    description:
      'Every task response carries createdAt, an ISO 8601 timestamp in the RFC 3339 profile (schema: every Task in CreateTaskResult, get, list, cancel and notifications).',
    level: 'MUST',
    specRefs: ['tasks §TTL and Resource Management r1'],
    fixtures: [],
  },
  (a) => createdAtFormat(a.obs),
);

const TTL_02 = audit(
  {
    id: 'T25-TTL-02',
    name: 'Every Task carries an RFC 3339 lastUpdatedAt',
    description:
      'Every task response carries lastUpdatedAt in the same format; semantics (WARN only): not before createdAt and never decreasing.',
    level: 'MUST',
    specRefs: ['tasks §TTL and Resource Management r2'],
    fixtures: [],
  },
  (a, ctx) => lastUpdatedAt(a.obs, ctx.transport),
);

const TTL_03 = audit(
  {
    id: 'T25-TTL-03',
    name: 'Tasks carry the actual ttl',
    description:
      'tasks/get responses include ttl: the actual retention in ms, or null for unlimited; the schema requires ttl in every Task.',
    level: 'MUST',
    specRefs: ['tasks §TTL and Resource Management r4', 'schema Task'],
    fixtures: [],
  },
  (a) => ttlPresent(a.obs),
);

const TTL_07 = audit(
  {
    id: 'T25-TTL-07',
    name: 'pollInterval is an integer number of ms',
    description: 'tasks/get may include pollInterval; when present it is an integer number of milliseconds.',
    level: 'MAY',
    specRefs: ['tasks §TTL and Resource Management r6'],
    fixtures: [],
  },
  (a) => pollIntervalType(a.obs),
);

const META_01 = audit(
  {
    id: 'T25-META-01',
    name: 'tasks/result responses carry related-task',
    description: 'Successful tasks/result responses carry _meta["io.modelcontextprotocol/related-task"].taskId equal to params.taskId.',
    level: 'MUST',
    specRefs: ['tasks §Related Task Metadata', 'tasks §Associating Task-Related Messages r1'],
    fixtures: [],
  },
  (a) => resultMeta(a.messages),
);

const META_03 = audit(
  {
    id: 'T25-META-03',
    name: 'tasks/get, list and cancel results carry no related-task',
    description: 'Results of tasks/get, tasks/list and tasks/cancel do not include related-task _meta (the taskId is in the result).',
    level: 'SHOULD',
    specRefs: ['tasks §Associating Task-Related Messages r2', 'tasks §Related Task Metadata'],
    fixtures: [],
  },
  (a) => noRelatedOnTaskResults(a.messages),
);

const NOTIF_01 = audit(
  {
    id: 'T25-NOTIF-01',
    name: 'Which transitions produce status notifications',
    description:
      'The server may send notifications/tasks/status on status changes, possibly only for some transitions (recorded: which transitions, on which channels).',
    level: 'MAY',
    specRefs: ['tasks §Task Notifications r1'],
    fixtures: [],
  },
  (a) => notificationCoverage(a.obs),
);

const NOTIF_02 = audit(
  {
    id: 'T25-NOTIF-02',
    name: 'Status notifications carry the full Task',
    description:
      'When sent, notifications/tasks/status params are the full Task: taskId, status, createdAt, lastUpdatedAt and ttl, plus optional statusMessage and pollInterval.',
    level: 'MUST',
    specRefs: ['tasks §Task Status Notification', 'schema TaskStatusNotificationParams'],
    fixtures: [],
  },
  (a) => statusNotificationSchema(a.messages),
);

const NOTIF_03 = audit(
  {
    id: 'T25-NOTIF-03',
    name: 'Status notifications carry no related-task',
    description: 'notifications/tasks/status does not carry related-task _meta (params.taskId names the task).',
    level: 'SHOULD',
    specRefs: ['tasks §Task Notifications r3'],
    fixtures: [],
  },
  (a) => statusNotificationMeta(a.messages),
);

const NOTIF_04 = audit(
  {
    id: 'T25-NOTIF-04',
    name: 'Status notifications agree with the lifecycle',
    description:
      'Notifications agree with the lifecycle: no non-terminal status after a terminal one, nothing that contradicts a later tasks/get (stdio: FAIL; HTTP: WARN, streams are not ordered).',
    level: 'MUST',
    specRefs: ['tasks §Task Status Lifecycle'],
    fixtures: [],
  },
  (a, ctx) => notificationsAgree(a.obs, ctx.transport),
);

const HTTP_02 = audit(
  {
    id: 'T25-HTTP-02',
    name: 'HTTP: stream rules hold for all task traffic',
    description:
      'Task traffic follows Streamable HTTP: each server message goes on one stream only, no JSON-RPC response on the standalone GET stream except when resuming, SSE event ids (if used) unique within the session.',
    level: 'MUST',
    specRefs: [
      'transports §Listening for Messages from the Server r4',
      'transports §Multiple Connections',
      'transports §Resumability and Redelivery r1',
    ],
    fixtures: [],
    transports: ['http'],
  },
  (a) => httpStreamRules(a.all),
);

async function attempt(ctx: ScenarioContext, what: string, step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (e) {
    ctx.log(`wire-audit exercise: ${what} failed: ${(e as Error).message}`);
  }
}

const declares = (s: Session, member: 'list' | 'cancel') => Boolean((s.serverCapabilities.tasks as JsonObject | undefined)?.[member]);

/** Creates a little traffic of every kind, so the audit has something to read even when run alone. */
async function exercise(ctx: ScenarioContext): Promise<void> {
  const s = await ctx.session();
  const fx = ctx.fixtures;
  if (fx.has('F-GATE') && fx.has('F-GATE-RELEASE')) {
    await attempt(ctx, 'gated task', async () => {
      const gateId = ctx.nonce('g');
      const t = await createTask(s, fx, 'F-GATE', { gateId });
      try {
        await getTask(s, t.taskId);
        if (declares(s, 'list')) await listTasks(s);
        if (declares(s, 'cancel')) await cancelTask(s, t.taskId);
      } finally {
        await releaseGate(s, fx, gateId);
      }
      await getTask(s, t.taskId);
    });
  }
  if (fx.has('F-GATE') && fx.has('F-GATE-RELEASE')) {
    // A tasks/result that is pending while the task ends: notifications may travel on its stream (HTTP).
    await attempt(ctx, 'gated task with a pending tasks/result', async () => {
      const gateId = ctx.nonce('g');
      const t = await createTask(s, fx, 'F-GATE', { gateId });
      const pending = taskResult(s, t.taskId, ctx.timeouts.settleMs + ctx.timeouts.requestMs);
      try {
        await sleep(300);
      } finally {
        await releaseGate(s, fx, gateId);
      }
      await pending;
    });
  }
  const toResult = async (role: 'F-ECHO' | 'F-TOOLERR', args: JsonObject) => {
    const t = await createTask(s, fx, role, args);
    await pollUntil(s, t.taskId, untilTerminal, ctx.timeouts.settleMs);
    await taskResult(s, t.taskId);
    // A terminal task read again: its timeline must not move (T25-LIFE-03).
    await getTask(s, t.taskId);
  };
  if (fx.has('F-ECHO')) await attempt(ctx, 'slow_compute task', () => toResult('F-ECHO', { seconds: 0.1, label: ctx.nonce('audit') }));
  if (fx.has('F-TOOLERR')) await attempt(ctx, 'failing_job task', () => toResult('F-TOOLERR', {}));
  if (fx.has('F-PROGRESS')) {
    await attempt(ctx, 'progress_job task', async () => {
      const t = await createTask(
        s,
        fx,
        'F-PROGRESS',
        { steps: 2, intervalSeconds: 0.05 },
        { ttl: DEFAULT_TTL_MS },
        { _meta: { progressToken: `p-${ctx.nonce('audit')}` } },
      );
      await pollUntil(s, t.taskId, untilTerminal, ctx.timeouts.settleMs);
      await taskResult(s, t.taskId);
    });
  }
  // Let notifications still in flight (another HTTP stream) arrive before reading the log.
  await sleep(300 + (ctx.transport === 'http' ? 250 : 0));
}

const scenario = defineScenario<Recorded>({
  name: 'wire-audit',
  description: 'Passive checks over every recorded message: schema, timelines, timestamps, notifications (run last)',
  checks: [
    SCHEMA,
    ID_01,
    LIFE_02,
    LIFE_03,
    LIFE_04,
    TTL_01,
    TTL_02,
    TTL_03,
    TTL_07,
    META_01,
    META_03,
    NOTIF_01,
    NOTIF_02,
    NOTIF_03,
    NOTIF_04,
    HTTP_02,
  ],
  runs: 'last',
  setup: async (ctx) => {
    await exercise(ctx);
    const all = ctx.wire();
    return { all, messages: serverMessages(all, ctx.transport), obs: taskObservations(all, ctx.transport) };
  },
});

export default scenario;
