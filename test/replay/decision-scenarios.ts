// The decision workflow's paths past the budget ones: rejections, review, fallback, late members,
// canary and shadow arms, similar-case search.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { DecisionResult } from '../../core/decision';
import { RuleSetSpecSchema } from '../../core/rules/spec';
import { Failure } from '../../core/failures';
import { decisionUpdate, reviewUpdate } from '../../core/messages';
import type { PipelineSpecInput } from '../../core/pipeline/spec';
import { modelTaskQueue } from '../../core/pipeline/types';
import { OUTAGE_PATCH } from '../../workflows/outage';
import { REMOTE_START_PATCH } from '../../workflows/pipeline/calls';
import { MODEL_OUTAGE_PATCH } from '../../workflows/pipeline/interpreter';
import {
  completed,
  failedWith,
  patchInForce,
  ranLocally,
  scheduledOn,
  timerBeforeActivityCompleted,
  timerFired,
  updateAccepted,
} from './paths';
import { decideThenClose, settle, startRawDecision, type Attempt, type Scenario } from './scenario';
import { pinnedPipeline, scriptedActivities, type Script } from './scripted';

const gb = { id: 'gb', type: 'model', model: 'phishing-gb', timeoutMs: 300 } as const;

/** One model step; `extra` adds to the spec, `models` names every model it pins. */
function single(name: string, extra: Partial<PipelineSpecInput> = {}, models = ['phishing-gb']) {
  return pinnedPipeline({ name, steps: [gb], output: 'gb', ...extra }, models);
}

const url = { url: 'https://example.test/login' };
const asDecision = (outcome: unknown) => (outcome instanceof Error ? undefined : (outcome as DecisionResult));
const arms = (outcome: unknown) => asDecision(outcome)?.models.map((m) => m.arm) ?? [];

/** A decision ArbiterClient starts; `took` also sees the workflow's result. */
function decided(
  script: Script,
  took: Scenario['took'],
  options: { review?: { timeoutMs: number; onTimeout?: 'approve' | 'decline' | 'review' }; rules?: string } = {},
): Scenario {
  return {
    activities: scriptedActivities(script),
    run: (a) => decideThenClose(a, { caseId: a.id, input: url }, { pipeline: script.pipeline.name, ...options }),
    took,
  };
}

/** A decision a raw Temporal client starts with these arguments (no edge checks). */
function startedRaw(script: Script, args: (a: Attempt) => unknown, took: Scenario['took']): Scenario {
  return { activities: scriptedActivities(script), run: (a) => startRawDecision(a, args(a)), took };
}

const review = single('replay-review');
const demoRules = {
  name: 'demo',
  version: '1',
  spec: RuleSetSpecSchema.parse(parse(readFileSync(new URL('../../demo/rules/demo.yaml', import.meta.url), 'utf8'))),
};
const invalid = Failure.Decision.InvalidCase;

async function approvedByReviewer(a: Attempt) {
  const workflowId = `decision-${a.id}`;
  const handle = await a.temporal.workflow.start('decisionWorkflow', {
    taskQueue: a.taskQueue,
    workflowId,
    args: [{ request: { caseId: a.id, input: url }, pipeline: review.name, review: { timeoutMs: 60_000 } }],
  });
  await handle.executeUpdate(decisionUpdate);
  await handle.executeUpdate(reviewUpdate, { args: [{ action: 'approve', reviewer: 'ana', note: 'known sender' }] });
  return { workflowId, runId: handle.firstExecutionRunId, outcome: await settle(handle.result()) };
}

const fallback = (chain: string[]) =>
  pinnedPipeline(
    {
      name: 'replay-fallback',
      steps: [
        {
          id: 'nn',
          type: 'fallback',
          chain: chain.map((model, i) => ({ id: `nn_${i}`, type: 'model', model, timeoutMs: 300 })),
          default: { score: 0.2 },
        },
      ],
      output: 'nn',
    },
    chain,
  );

/** A remote first member no model-pool worker serves, then a local one. */
const unserved = pinnedPipeline(
  {
    name: 'replay-unserved',
    steps: [
      {
        id: 'nn',
        type: 'fallback',
        chain: [
          { id: 'far', type: 'model', model: 'nn-unserved', placement: 'remote', timeoutMs: 300 },
          { id: 'near', type: 'model', model: 'nn-backup', timeoutMs: 300 },
        ],
      },
    ],
    output: 'nn',
  },
  ['nn-unserved', 'nn-backup'],
);

const late = pinnedPipeline(
  {
    name: 'replay-late',
    deadlineMs: 400,
    onDeadline: { score: 0.5 },
    steps: [
      {
        id: 'scorers',
        type: 'parallel',
        quorum: 1,
        steps: [gb, { id: 'slow', type: 'model', model: 'phishing-slow', placement: 'remote', timeoutMs: 3000 }],
      },
      { id: 'out', type: 'combine', method: 'mean', inputs: ['gb', 'slow'], quorum: 1 },
    ],
    output: 'out',
  },
  ['phishing-gb', 'phishing-slow'],
);

const canary = pinnedPipeline(
  { name: 'replay-canary', steps: [{ ...gb, canary: { model: 'phishing-gb-next', percent: 100 } }], output: 'gb' },
  ['phishing-gb', 'phishing-gb-next'],
);
const shadow = pinnedPipeline(
  { name: 'replay-shadow', steps: [{ ...gb, shadow: ['phishing-gb-next'] }], output: 'gb' },
  ['phishing-gb', 'phishing-gb-next'],
);
// A switch on a member's score: the condition is answered without jsonata under the decision patch.
const switched = pinnedPipeline(
  {
    name: 'replay-switch',
    steps: [
      {
        id: 'scorers',
        type: 'parallel',
        steps: [gb, { id: 'anomaly', type: 'model', model: 'phishing-iforest', timeoutMs: 300 }],
      },
      {
        id: 'route',
        type: 'switch',
        cases: [
          {
            when: 'steps.anomaly.score > 0.1',
            steps: [{ id: 'cautious', type: 'combine', method: 'max', inputs: ['gb'] }],
          },
        ],
        default: [{ id: 'blended', type: 'combine', method: 'mean', inputs: ['gb', 'anomaly'] }],
      },
    ],
    output: 'route',
  },
  ['phishing-gb', 'phishing-iforest'],
);
const similar = single('replay-similar', { similarity: { embedder: 'embedder' } }, ['phishing-gb', 'embedder']);
/** Pinned by a worker whose vector store is beside the log: the search runs in the record's activity. */
const searchedInRecord = {
  ...single('replay-similar-in-record', { similarity: { embedder: 'embedder' } }, ['phishing-gb', 'embedder']),
  searchInRecord: true as const,
};

export const DECISION_SCENARIOS: Record<string, Scenario> = {
  'rejected-malformed-case': startedRaw(
    { pipeline: review },
    (a) => ({ request: { caseId: a.id, input: 'not an object' }, pipeline: review.name }),
    (h) => failedWith(h, invalid) && ranLocally(h, 'recordRejection') && !ranLocally(h, 'loadPipeline'),
  ),
  'rejected-by-model-input-schema': startedRaw(
    { pipeline: review, models: { 'phishing-gb': { fails: Failure.Model.InvalidInput } } },
    (a) => ({ request: { caseId: a.id, input: url }, pipeline: review.name }),
    (h) => failedWith(h, invalid) && ranLocally(h, 'callModel') && ranLocally(h, 'recordRejection'),
  ),
  // Started around the client with limits the case breaks: refused in the workflow, behind patched().
  'refused-over-case-limits-in-workflow': startedRaw(
    { pipeline: review },
    (a) => ({
      request: { caseId: a.id, input: { a: 1, b: 2, c: 3 } },
      pipeline: review.name,
      limits: { maxFields: 1 },
    }),
    (h) => patchInForce(h, 'case-limits-in-workflow') && failedWith(h, invalid) && !ranLocally(h, 'loadPipeline'),
  ),
  'review-approved-by-update': {
    activities: scriptedActivities({ pipeline: review, models: { 'phishing-gb': { score: 0.5 } } }),
    run: approvedByReviewer,
    took: (h, o) =>
      updateAccepted(h, 'review') && ranLocally(h, 'recordReview') && asDecision(o)?.review?.state === 'approved',
  },
  'review-timed-out-escalated': decided(
    { pipeline: review, models: { 'phishing-gb': { score: 0.5 } } },
    (h, o) =>
      timerFired(h) &&
      !updateAccepted(h, 'review') &&
      ranLocally(h, 'recordReview') &&
      asDecision(o)?.review?.state === 'escalated',
    { review: { timeoutMs: 1500, onTimeout: 'decline' } },
  ),
  'fallback-to-next-member': decided(
    {
      pipeline: fallback(['nn-broken', 'nn-backup']),
      models: { 'nn-broken': { fails: Failure.Model.Unavailable }, 'nn-backup': { score: 0.3 } },
    },
    (h, o) => completed(h) && asDecision(o)?.score === 0.3 && asDecision(o)?.models.length === 2,
  ),
  'fallback-every-member-failed-default': decided(
    { pipeline: fallback(['nn-broken']), models: { 'nn-broken': { fails: Failure.Model.Unavailable } } },
    (h, o) => completed(h) && asDecision(o)?.score === 0.2 && asDecision(o)?.degraded === true,
  ),
  'late-remote-member-recorded-after-answer': {
    ...decided(
      { pipeline: late, models: { 'phishing-slow': { ms: 1500 } } },
      (h, o) =>
        scheduledOn(h, modelTaskQueue('phishing-slow')) &&
        timerBeforeActivityCompleted(h) &&
        ranLocally(h, 'recordModelCalls') &&
        (asDecision(o)?.late.includes('slow') ?? false),
    ),
    pools: ['phishing-slow'],
  },
  // No pool for the remote member: it fails Placement.NoWorker after the wait for a worker, not a timeout.
  'remote-member-no-pool-worker': decided(
    { pipeline: unserved, models: { 'nn-backup': { score: 0.3 } } },
    (h, o) =>
      completed(h) &&
      patchInForce(h, REMOTE_START_PATCH) &&
      scheduledOn(h, modelTaskQueue('nn-unserved')) &&
      asDecision(o)?.score === 0.3 &&
      (asDecision(o)?.reasons.some((r) => r.includes('no model-pool worker took the call to nn-unserved')) ?? false),
  ),
  'switch-branch-by-score': decided(
    { pipeline: switched, models: { 'phishing-gb': { score: 0.9 }, 'phishing-iforest': { score: 0.2 } } },
    // The `cautious` branch: the max of gb alone (the default would have blended 0.9 and 0.2).
    (h, o) => completed(h) && asDecision(o)?.score === 0.9,
  ),
  'canary-arm': decided({ pipeline: canary }, (h, o) => completed(h) && arms(o).includes('canary')),
  'shadow-call': decided(
    { pipeline: shadow, models: { 'phishing-gb-next': { ms: 200 } } },
    (h, o) => completed(h) && arms(o).includes('shadow') && arms(o).includes('primary'),
  ),
  'similarity-embedder-down-decision-still-made': decided(
    { pipeline: similar, embedderDown: true },
    (h, o) =>
      completed(h) &&
      ranLocally(h, 'findSimilar') &&
      !ranLocally(h, 'rememberCase') &&
      (asDecision(o)?.reasons.some((r) => r.startsWith('similar cases unavailable')) ?? false),
  ),
  // PostgreSQL down while pinning: the activity's own retries, then the workflow's backoff timers.
  'store-outage-waited-out': decided(
    { pipeline: single('replay-store-outage'), storeDownFor: 6 },
    (h, o) => completed(h) && timerFired(h) && patchInForce(h, OUTAGE_PATCH) && asDecision(o)?.score === 0.9,
  ),
  // The only model's server down for two runs of the pipeline: it runs again after backoff timers.
  'model-outage-waited-out': decided(
    {
      pipeline: single('replay-model-outage'),
      models: { 'phishing-gb': { fails: Failure.Model.Unavailable, failsFirst: 2 } },
    },
    (h, o) =>
      completed(h) &&
      timerFired(h) &&
      patchInForce(h, MODEL_OUTAGE_PATCH) &&
      asDecision(o)
        ?.models.map((m) => m.status)
        .join() === 'failed,failed,ok' &&
      (asDecision(o)?.reasons.some((r) => r.startsWith('waited ')) ?? false),
  ),
  // A rule set decides (the demo's), its highest-priority match first, every match's reason kept.
  'decided-by-rule-set': decided(
    { pipeline: single('replay-rules'), models: { 'phishing-gb': { score: 0.85 } }, ruleSet: demoRules },
    (h, o) =>
      completed(h) &&
      ranLocally(h, 'loadRuleSet') &&
      asDecision(o)?.outcome === 'decline' &&
      asDecision(o)?.rules?.matched.join() === 'high-risk,borderline',
    { rules: 'demo' },
  ),
  // A remote vector store (Pinecone): the case vector is stored by its own activity after the answer.
  'similar-cases-searched-and-remembered': decided(
    { pipeline: similar },
    (h, o) => completed(h) && ranLocally(h, 'rememberCase') && asDecision(o)?.similar !== undefined,
  ),
  // pgvector beside the log: the record's activity stores the case vector, no rememberCase after it.
  'similar-case-kept-with-the-record': decided(
    { pipeline: similar, vectorsBesideLog: true },
    (h, o) =>
      completed(h) &&
      ranLocally(h, 'findSimilar') &&
      ranLocally(h, 'recordDecision') &&
      !ranLocally(h, 'rememberCase') &&
      asDecision(o)?.similar !== undefined,
  ),
  // pgvector beside the log and a rule set: search, rules and record in one activity, no findSimilar.
  'similar-cases-searched-in-the-record': decided(
    {
      pipeline: searchedInRecord,
      vectorsBesideLog: true,
      models: { 'phishing-gb': { score: 0.85 } },
      ruleSet: demoRules,
    },
    (h, o) =>
      completed(h) &&
      ranLocally(h, 'recordSearchedDecision') &&
      !ranLocally(h, 'findSimilar') &&
      !ranLocally(h, 'rememberCase') &&
      asDecision(o)?.similar !== undefined &&
      asDecision(o)?.outcome === 'decline' &&
      (asDecision(o)?.reasons.includes('no similar past decisions yet') ?? false),
    { rules: 'demo' },
  ),
  // The same without a vector: the decision is made and recorded without similar cases, and says why.
  'similarity-in-the-record-embedder-down': decided(
    { pipeline: searchedInRecord, vectorsBesideLog: true, embedderDown: true },
    (h, o) =>
      completed(h) &&
      ranLocally(h, 'recordSearchedDecision') &&
      !ranLocally(h, 'rememberCase') &&
      (asDecision(o)?.reasons.some((r) => r.startsWith('similar cases unavailable: embedder down')) ?? false),
  ),
  // Pipeline and rule set pinned by a client in the worker's process (the embedded stack's eager
  // start): the input carries them, and the workflow runs no pinning activity.
  'pinned-by-client-in-process': startedRaw(
    { pipeline: single('replay-pinned'), models: { 'phishing-gb': { score: 0.85 } }, ruleSet: demoRules },
    (a) => ({
      request: { caseId: a.id, input: url },
      pipeline: 'replay-pinned',
      rules: 'demo',
      pinned: { pipeline: single('replay-pinned'), ruleSet: demoRules },
    }),
    (h, o) =>
      completed(h) &&
      !ranLocally(h, 'loadPipeline') &&
      !ranLocally(h, 'loadRuleSet') &&
      ranLocally(h, 'callModel') &&
      asDecision(o)?.outcome === 'decline',
  ),
};
