// The budget spent before the first member, with `Placement.Busy` sending the `auto` member remote.
import { ApplicationFailure } from '@temporalio/common';
import type { CallModelInput } from '../../activities/call-model';
import { Failure } from '../../core/failures';
import { modelTaskQueue } from '../../core/pipeline/types';
import { budgetSpent, scheduledOn, timerBeforeActivityCompleted, unhandledCommand } from './paths';
import { settle, type Scenario } from './scenario';
import { pinnedPipeline, sleep } from './scripted';

/** The demo pipeline's shape: a parallel quorum with a fallback and an `auto` member, under 500 ms. */
const pinned = pinnedPipeline(
  {
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
  },
  ['phishing-gb', 'phishing-tfjs', 'phishing-iforest'],
);

interface Timing {
  /** Pinning takes longer than the whole budget: the deadline timer is 1 ms when the members start. */
  loadMs: number;
  localMs: number;
  /** The remote member's answer time. @default localMs */
  remoteMs?: number;
  recordMs: number;
}

function activities(t: Timing) {
  return {
    loadPipeline: async () => {
      await sleep(t.loadMs);
      return pinned;
    },
    callModel: async ({ auto, model }: CallModelInput) => {
      if (auto)
        throw ApplicationFailure.create({ type: Failure.Placement.Busy, message: 'busy here', nonRetryable: true });
      const ms = model.name === 'phishing-iforest' ? (t.remoteMs ?? t.localMs) : t.localMs;
      await sleep(ms);
      return { output: { score: 0.9 }, latencyMs: ms };
    },
    recordDecision: async () => sleep(t.recordMs),
    recordModelCalls: () => Promise.resolve(),
    recordRejection: () => Promise.resolve(),
  };
}

const wentRemote = (h: Parameters<typeof scheduledOn>[0]) => scheduledOn(h, modelTaskQueue('phishing-iforest'));

function budgetScenario(timing: Timing, took: Scenario['took']): Scenario {
  return {
    activities: activities(timing),
    pools: ['phishing-iforest'],
    run: async (a) => {
      const request = { caseId: a.id, input: { url: 'https://example.test/login' } };
      const decision = await a.client.decide(request, { pipeline: pinned.name });
      const outcome = await settle(a.temporal.workflow.getHandle(decision.workflowId).result());
      return { workflowId: decision.workflowId, outcome };
    },
    took,
  };
}

export const BUDGET_SCENARIOS: Record<string, Scenario> = {
  // The remote member answers after the deadline timer: the decision answers without it (late).
  // (300 ms: the dev server has fired a 1 ms timer up to 70 ms late.)
  'budget-spent-busy-to-remote': budgetScenario(
    { loadMs: 700, localMs: 50, remoteMs: 300, recordMs: 0 },
    (h) => budgetSpent(h) && wentRemote(h) && timerBeforeActivityCompleted(h) && !unhandledCommand(h),
  ),
  // The remote member answers first and the timer fires while the last task records the decision:
  // the server refuses that task's completion (UnhandledCommand), the worker evicts and replays.
  'budget-spent-busy-to-remote-timer-fires-while-recording': budgetScenario(
    { loadMs: 700, localMs: 50, recordMs: 2000 },
    (h) => budgetSpent(h) && wentRemote(h) && unhandledCommand(h),
  ),
};
