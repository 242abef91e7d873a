// Records the replay corpus's decision histories on a real dev server, with the real workflow bundle
// and scripted activities (their timing is the point), into test/replay/histories/:
//   npx tsx test/replay/record.ts [scenario ...]
// Each scenario checks that its history took the path its name says before saving it.
// ARBITER_HISTORY_LABEL=x saves `<scenario>.x.json`, beside the histories older code recorded.
import { randomBytes } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import type { CallModelInput } from '../../activities/call-model';
import { Failure } from '../../core/failures';
import { ArbiterClient } from '../../client';
import { PipelineSpecSchema } from '../../core/pipeline/spec';
import { modelTaskQueue, type PinnedPipeline } from '../../core/pipeline/types';
import { saveHistory } from '../helpers/histories';
import { bundleWorkflows, createTestTemporal } from '../helpers/temporal';

const { EventType, WorkflowTaskFailedCause } = proto.temporal.api.enums.v1;

/** The demo pipeline's shape: a parallel quorum with a fallback and an `auto` member, under 500 ms. */
const pinned: PinnedPipeline = {
  name: 'replay-demo',
  version: '1',
  spec: PipelineSpecSchema.parse({
    name: 'replay-demo',
    deadlineMs: 500,
    onDeadline: { score: 0.5, reason: 'latency budget exceeded before a quorum answered; sent to review' },
    steps: [
      {
        id: 'scorers',
        type: 'parallel',
        quorum: 2,
        steps: [
          { id: 'gb', type: 'model', model: 'phishing-gb', timeoutMs: 300 },
          {
            id: 'nn',
            type: 'fallback',
            chain: [{ id: 'nn_tfjs', type: 'model', model: 'phishing-tfjs', timeoutMs: 300 }],
            default: { score: 0.2 },
          },
          { id: 'anomaly', type: 'model', model: 'phishing-iforest', placement: 'auto', timeoutMs: 300 },
        ],
      },
      { id: 'out', type: 'combine', method: 'mean', inputs: ['gb', 'nn'], quorum: 1 },
    ],
    output: 'out',
  }),
  pins: Object.fromEntries(
    ['phishing-gb', 'phishing-tfjs', 'phishing-iforest'].map((name) => [name, { name, version: '1' }]),
  ),
};

interface Timing {
  /** Pinning takes longer than the whole budget: the deadline timer is 1 ms when the members start. */
  loadMs: number;
  localMs: number;
  remoteMs: number;
  recordMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function activities(t: Timing) {
  return {
    loadPipeline: async () => {
      await sleep(t.loadMs);
      return pinned;
    },
    callModel: async ({ auto }: CallModelInput) => {
      if (auto) throw ApplicationFailure.create({ type: Failure.Placement.Busy, message: 'busy here', nonRetryable: true });
      await sleep(t.localMs);
      return { output: { score: 0.9 }, latencyMs: t.localMs };
    },
    recordDecision: async () => sleep(t.recordMs),
    recordModelCalls: () => Promise.resolve(),
    recordRejection: () => Promise.resolve(),
  };
}

const events = (h: History) => h.events ?? [];
const budgetSpent = (h: History) =>
  events(h).some((e) => {
    const d = e.timerStartedEventAttributes?.startToFireTimeout;
    return d !== null && d !== undefined && Number(d.seconds ?? 0) === 0 && Number(d.nanos ?? 0) <= 1_000_000;
  });
const wentRemote = (h: History) =>
  events(h).some((e) => e.activityTaskScheduledEventAttributes?.taskQueue?.name === modelTaskQueue('phishing-iforest'));
const unhandledCommand = (h: History) =>
  events(h).some(
    (e) =>
      e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED &&
      e.workflowTaskFailedEventAttributes?.cause ===
        WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND,
  );
const timerBeforeRemoteAnswer = (h: History) => {
  const kinds = events(h).map((e) => e.eventType);
  return kinds.indexOf(EventType.EVENT_TYPE_TIMER_FIRED) < kinds.indexOf(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED);
};

const SCENARIOS: Record<string, { timing: Timing; took: (h: History) => boolean }> = {
  // The remote member answers after the deadline timer: the decision answers without it (late).
  'budget-spent-busy-to-remote': {
    timing: { loadMs: 700, localMs: 50, remoteMs: 3000, recordMs: 0 },
    took: (h) => budgetSpent(h) && wentRemote(h) && timerBeforeRemoteAnswer(h) && !unhandledCommand(h),
  },
  // The remote member answers first and the timer fires while the last task records the decision:
  // the server refuses that task's completion (UnhandledCommand), the worker evicts and replays.
  'budget-spent-busy-to-remote-timer-fires-while-recording': {
    timing: { loadMs: 700, localMs: 50, remoteMs: 20, recordMs: 2000 },
    took: (h) => budgetSpent(h) && wentRemote(h) && unhandledCommand(h),
  },
};

async function record(names: string[]): Promise<void> {
  const env = await createTestTemporal();
  const workflowBundle = await bundleWorkflows();
  try {
    for (const name of names) {
      const scenario = SCENARIOS[name];
      if (!scenario) throw new Error(`unknown scenario ${name}; known: ${Object.keys(SCENARIOS).join(', ')}`);
      const taskQueue = `replay-${randomBytes(4).toString('hex')}`;
      const acts = activities(scenario.timing);
      const { nativeConnection: connection } = env;
      const orchestrator = await Worker.create({ connection, taskQueue, workflowBundle, activities: acts });
      const pool = await Worker.create({ connection, taskQueue: modelTaskQueue('phishing-iforest'), activities: acts });
      const client = new ArbiterClient(env.client, { taskQueue });
      const history = await pool.runUntil(
        orchestrator.runUntil(async () => {
          for (let attempt = 1; attempt <= 5; attempt++) {
            const decision = await client.decide(
              { caseId: `${name}-${attempt}`, input: { url: 'https://example.test/login' } },
              { pipeline: pinned.name },
            );
            const handle = env.client.workflow.getHandle(decision.workflowId);
            await handle.result();
            const h = await handle.fetchHistory();
            if (scenario.took(h)) return h;
            process.stderr.write(`${name}: attempt ${attempt} took another path, again\n`);
          }
          throw new Error(`${name}: no run took the intended path in 5 attempts`);
        }),
      );
      const label = process.env.ARBITER_HISTORY_LABEL;
      process.stdout.write(`${await saveHistory(label ? `${name}.${label}` : name, history)}\n`);
    }
  } finally {
    await env.teardown();
  }
}

const wanted = process.argv.slice(2);
await record(wanted.length > 0 ? wanted : Object.keys(SCENARIOS));
