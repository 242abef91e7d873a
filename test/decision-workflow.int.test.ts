import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  ArbiterClient,
  CaseAlreadyDecidedError,
  CaseValidationError,
  DecisionFailedError,
  FeedbackRejectedError,
} from '../client';
import { BAD_CASES, expectNoWorkflow } from './helpers/bad-cases';
import { loadHoldout, type DemoCase } from '../cli/demo-cases';
import { applyThresholds, type DecisionResult } from '../core/decision';
import { hashInput, type DecisionStore } from '../stores/decision-store';
import { loadEnv, PROJECT_ROOT } from '../config/env';
import { readRuleSetFile } from '../admin/rules';
import { similarityReason, summarizeSimilar } from '../core/similar';
import { evaluateRules } from '../core/rules/evaluate';
import { buildFacts } from '../core/rules/facts';
import { RuleSetSpecSchema } from '../core/rules/spec';
import { startOrchestratorRuntime, type OrchestratorRuntime } from '../workers/orchestrator-runtime';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { MODELS_DIR } from './helpers/models';
import { bundleWorkflows, createTestTemporal } from './helpers/temporal';
import { replaySuiteHistories } from './helpers/replay-suite';
import { patchMarked } from './replay/paths';
import { DECISION_PATCH, SEARCH_IN_RECORD_PATCH } from '../workflows/patches';
import { OUTAGE_PATCH } from '../workflows/outage';
import { PipelineKey } from '../core/search-attributes';

// One dev server, one bundle, one database and one worker for the whole suite (STYLE rule 10).
let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let db: TestDatabase;
let runtime: OrchestratorRuntime;
let store: DecisionStore;
let tfjsScores: Record<string, number>;
let client: ArbiterClient;
let holdout: DemoCase[];
const taskQueue = `decisions-${randomBytes(4).toString('hex')}`;
const uniq = (id: string) => `${id}-${randomBytes(3).toString('hex')}`;

beforeAll(async () => {
  [env, bundle, db, holdout, tfjsScores] = await Promise.all([
    createTestTemporal(),
    bundleWorkflows(),
    createTestDatabase(),
    loadHoldout(),
    readFile(join(MODELS_DIR, 'phishing-tfjs', 'reference-scores.json'), 'utf8').then(
      (t) => JSON.parse(t) as Record<string, number>,
    ),
  ]);
  runtime = await startOrchestratorRuntime({
    connection: env.nativeConnection,
    namespace: 'default',
    pool: db.pool,
    env: loadEnv({ ...process.env, ARBITER_TASK_QUEUE: taskQueue, REDIS_URL: '' }),
    seedDemo: true,
    modelPool: true,
    workflowBundle: bundle,
  });
  store = runtime.store;
  client = new ArbiterClient(env.client, { taskQueue });
});

afterAll(async () => {
  await runtime?.stop();
  await db?.close();
  await env?.teardown();
});

/** The demo pipeline's score for a case, from each model's training-time output (demo/pipelines/demo.yaml). */
function expectedDemoScore(c: DemoCase, gbArm: 'primary' | 'canary', nnBy: 'tfjs' | 'lr'): number {
  const gb = (gbArm === 'canary' ? c.reference['phishing-lr'] : c.reference['phishing-gb']) ?? Number.NaN;
  const nn = (nnBy === 'lr' ? c.reference['phishing-lr'] : tfjsScores[c.caseId]) ?? Number.NaN;
  const anomaly = c.reference['phishing-iforest'] ?? Number.NaN;
  return anomaly > 0.1 ? Math.max(gb, nn) : 0.6 * gb + 0.4 * nn;
}

describe('decision workflow on a real Temporal dev server', () => {
  it('decides held-out cases through the demo pipeline, recording each decision and every model call', async () => {
    const cases = holdout.slice(0, 12);
    // A short review window: `review` outcomes escalate quickly, so their workflows finish too.
    const review = { timeoutMs: 500 };
    // This checks the pipeline's answers, not capacity (that is bench/pipeline.ts): one decision warms the
    // worker first (sandbox, JIT, ONNX sessions), then four at a time. Twelve at once on a cold worker sent
    // the anomaly member past the 500 ms budget now and then, and the switch took the other branch.
    await client.decide({ caseId: uniq('warm-up'), input: holdout[20]?.input ?? {} }, { review });
    const results: DecisionResult[] = [];
    for (let i = 0; i < cases.length; i += 4) {
      const slice = cases.slice(i, i + 4);
      results.push(
        ...(await Promise.all(slice.map((c) => client.decide({ caseId: uniq(c.caseId), input: c.input }, { review })))),
      );
    }
    for (const [i, result] of results.entries()) {
      const c = cases[i] as DemoCase;
      const gb = result.models.find((m) => m.step === 'gb' && m.arm !== 'shadow');
      expect(gb?.model).toBe(gb?.arm === 'canary' ? 'phishing-lr' : 'phishing-gb');
      // On a loaded machine the TF.js member can miss its 300 ms timeout; the fallback chain then answers
      // with logistic regression, so the expected score follows the member that answered.
      const nnBy = result.models.some((m) => m.step === 'nn_lr' && m.status === 'ok') ? 'lr' : 'tfjs';
      const gbArm = gb?.arm === 'canary' ? 'canary' : 'primary';
      // The logistic regression's ONNX export matches scikit-learn's reference to 1e-4 (README, demo models).
      const digits = gbArm === 'canary' || nnBy === 'lr' ? 3 : 4;
      expect(result.score).toBeCloseTo(expectedDemoScore(c, gbArm, nnBy), digits);
      expect(result.outcome).toBe(applyThresholds(result.score, { decline: 0.8, review: 0.4 }).outcome);
      expect(result).toMatchObject({ pipeline: { name: 'demo', version: '1' }, degraded: false, late: [] });
      expect(result.models.map((m) => m.step).sort()).toEqual(
        expect.arrayContaining(['anomaly', 'gb', nnBy === 'lr' ? 'nn_lr' : 'nn_tfjs']),
      );
      const stored = await store.getDecision(result.decisionId);
      expect(stored).toMatchObject({
        caseId: result.caseId,
        outcome: result.outcome,
        score: result.score,
        pipeline: { name: 'demo', version: '1' },
        degraded: false,
        workflowId: result.workflowId,
        runId: result.runId,
        inputHash: hashInput(c.input),
      });
    }
    // After answering, the workflow records every call, the shadow's included.
    const last = results[results.length - 1] as DecisionResult;
    await env.client.workflow.getHandle(last.workflowId).result();
    const calls = await store.listModelCalls(last.decisionId);
    expect(calls.map((call) => call.arm)).toContain('shadow');
    // Every call answered, but a TF.js member that missed its timeout (its fallback answered, as above).
    expect(calls.filter((call) => call.status !== 'ok' && call.stepId !== 'nn_tfjs')).toEqual([]);
    expect(new Set(results.map((r) => r.outcome)).size).toBeGreaterThan(1);
  });

  it('decides by a versioned rule set when asked, pinned at start, explaining which rules matched', async () => {
    const { spec } = await readRuleSetFile(join(PROJECT_ROOT, 'demo', 'rules', 'demo.yaml')).then((raw) => ({
      spec: RuleSetSpecSchema.parse(raw),
    }));
    for (const c of holdout.slice(5, 15)) {
      const result = await client.decide({ caseId: uniq(`rules-${c.caseId}`), input: c.input }, { rules: 'demo' });
      const facts = buildFacts({
        score: result.score,
        degraded: result.degraded,
        calls: result.models,
        input: c.input,
        pipeline: result.pipeline,
        similar: summarizeSimilar(result.similar ?? []),
      });
      const expected = await evaluateRules(spec, facts);
      expect(result).toMatchObject({
        outcome: expected.outcome,
        rules: { name: 'demo', version: '1', matched: expected.matched },
      });
      // The rules' reasons, then what the similar-case search found.
      expect(result.reasons).toEqual([
        ...expected.reasons,
        similarityReason({ ok: true, matches: result.similar ?? [] }),
      ]);
      // The log keeps the rule set, not the default thresholds that decided nothing.
      const stored = await store.getDecision(result.decisionId);
      expect(stored?.rules?.name).toBe('demo');
      expect(stored).not.toHaveProperty('thresholds');
    }
    const err = await client
      .decide({ caseId: uniq('norules'), input: holdout[0]?.input ?? {} }, { rules: 'nope' })
      .catch((e: unknown) => e);
    expect((err as DecisionFailedError).failureType).toBe('Rules.NotFound');
  });

  it('applies the thresholds it was started with', async () => {
    const c = holdout.find((h) => h.sklearnScore > 0.5 && h.sklearnScore < 0.95) as DemoCase;
    const result = await client.decide(
      { caseId: uniq('thr'), input: c.input },
      { model: 'phishing-gb:champion', thresholds: { decline: 0.99, review: 0.1 } },
    );
    expect(result.outcome).toBe('review');
    expect(result.thresholds).toEqual({ decline: 0.99, review: 0.1 });
    expect((await store.getDecision(result.decisionId))?.thresholds).toEqual({ decline: 0.99, review: 0.1 });
  });

  it('decides a case id once: asking again returns the same decision and records one row', async () => {
    const c = holdout[0] as DemoCase;
    const caseId = uniq('idem');
    const first = await client.decide({ caseId, input: c.input });
    const second = await client.decide({ caseId, input: c.input });
    expect(second).toEqual(first);
    const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM decisions WHERE case_id = $1', [
      caseId,
    ]);
    expect(rows[0]?.n).toBe(1);
  });

  it('refuses a case asked again with another pipeline or model, naming what decided it', async () => {
    const c = holdout[0] as DemoCase;
    const caseId = uniq('other');
    const first = await client.decide({ caseId, input: c.input }, { model: 'phishing-gb:champion' });
    // The same question again is idempotent; another one is refused, not answered with the old decision.
    await expect(client.decide({ caseId, input: c.input }, { model: 'phishing-gb@1' })).resolves.toEqual(first);
    for (const other of [{ pipeline: 'demo' }, { model: 'phishing-lr:challenger' }]) {
      const err = await client.decide({ caseId, input: c.input }, other).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CaseAlreadyDecidedError);
      expect((err as Error).message).toMatch(
        new RegExp(`^case ${caseId} was already decided by model phishing-gb@1 at .*; a case id is decided once`),
      );
    }
  });

  it('rejects a bad case fast, naming every field, records the rejection, and accepts the fixed case', async () => {
    const c = holdout[1] as DemoCase;
    const caseId = uniq('bad');
    const bad = { caseId, input: { ...c.input, https: 'yes', popup_window: 7 } };
    const err = await client.decide(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CaseValidationError);
    const issues = (err as CaseValidationError).issues;
    expect(issues.map((i) => i.path).sort()).toEqual(['input.https', 'input.popup_window']);

    const description = await env.client.workflow.getHandle((err as CaseValidationError).workflowId).describe();
    expect(description.status.name).toBe('FAILED');
    const [rejection] = await store.listRejections(caseId);
    expect(rejection?.issues).toEqual(issues);
    expect(rejection?.input).toEqual(bad);

    const fixed = await client.decide({ caseId, input: c.input });
    expect(fixed.caseId).toBe(caseId);
  });

  it('records a rejection even when the case id itself is unusable', async () => {
    const err = await client.decide({ caseId: 'not valid!', input: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CaseValidationError);
    expect((err as CaseValidationError).issues[0]?.path).toBe('caseId');
    const rejections = await store.listRejections('not valid!');
    expect(rejections).toHaveLength(1);
    expect(rejections[0]?.workflowId).toMatch(/^rejected-/);
  });

  it.each(BAD_CASES)('$name: the client throws CaseValidationError and starts no workflow', async (bad) => {
    const caseId = uniq('edge');
    for (const start of [
      () => client.decide(JSON.parse(bad.json(caseId))),
      () => client.startDecision(JSON.parse(bad.json(caseId))),
    ]) {
      const err = await start().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CaseValidationError);
      expect((err as CaseValidationError).issues).toContainEqual(
        expect.objectContaining({ rule: bad.rule, path: bad.path }),
      );
      expect((err as CaseValidationError).workflowId).toBe(`decision-${caseId}`);
    }
    await expectNoWorkflow(env.client, `decision-${caseId}`);
    expect(await store.listRejections(caseId)).toEqual([]);
  });

  // Started around the client (a raw Temporal client): the workflow applies the same limits.
  it.each(BAD_CASES.filter((b) => !b.name.includes('10,000-deep')))(
    '$name, started by a raw Temporal client: rejected and recorded as Decision.InvalidCase',
    async (bad) => {
      const caseId = uniq('raw');
      const workflowId = `decision-${caseId}`;
      const handle = await env.client.workflow.start('decisionWorkflow', {
        taskQueue,
        workflowId,
        args: [{ request: JSON.parse(bad.json(caseId)) as unknown }],
      });
      const err: unknown = await handle.result().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      const cause = (err as WorkflowFailedError).cause;
      expect(cause).toBeInstanceOf(ApplicationFailure);
      expect((cause as ApplicationFailure).type).toBe('Decision.InvalidCase');
      const [rejection, ...more] = await store.listRejections(caseId);
      expect(more).toEqual([]);
      expect(rejection?.issues).toContainEqual(expect.objectContaining({ rule: bad.rule, path: bad.path }));
      expect(rejection?.input).toBeNull();
    },
  );

  it('10,000-deep nesting, started by a raw Temporal client: the SDK cannot encode it, so nothing starts', async () => {
    const caseId = uniq('raw-deep');
    const [deep] = BAD_CASES;
    const request = JSON.parse(deep?.json(caseId) ?? '') as unknown;
    const start = env.client.workflow.start('decisionWorkflow', {
      taskQueue,
      workflowId: `decision-${caseId}`,
      args: [{ request }],
    });
    await expect(start).rejects.toThrow(/Unable to convert .* to payload/);
    await expectNoWorkflow(env.client, `decision-${caseId}`);
  });

  it('refuses an executeModel or executePipeline input over the limits before starting a workflow', async () => {
    for (const run of [
      () => client.executeModel('phishing-gb:champion', { url: 'a\u0000' }),
      () => client.executePipeline('demo', { url: '\ud800' }),
    ]) {
      const err = await run().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CaseValidationError);
      expect((err as CaseValidationError).issues[0]?.path).toBe('input.url');
    }
  });

  it('refuses a NUL or a lone surrogate in a feedback note before starting a workflow', async () => {
    for (const [note, rule] of [
      ['a\u0000', 'no-nul'],
      ['\ud800', 'no-lone-surrogate'],
    ] as const) {
      const feedbackId = uniq('fb');
      const err = await client
        .submitFeedback('decision-anyone', 'fraud', { note, feedbackId })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FeedbackRejectedError);
      expect((err as FeedbackRejectedError).issues).toEqual([expect.objectContaining({ path: 'note', rule })]);
      await expectNoWorkflow(env.client, `feedback-decision-anyone-${feedbackId}`);
    }
  });

  it('fails without retrying when the model does not exist, listing what does', async () => {
    const c = holdout[0] as DemoCase;
    const err = await client
      .decide({ caseId: uniq('nomodel'), input: c.input }, { model: 'ghost:champion' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DecisionFailedError);
    expect((err as DecisionFailedError).failureType).toBe('Model.NotFound');
    expect((err as Error).message).toContain('phishing-gb');
  });

  it('pins an alias to a version at start: the challenger alias scores with phishing-lr@1', async () => {
    const c = holdout[2] as DemoCase;
    const result = await client.decide({ caseId: uniq('alias'), input: c.input }, { model: 'phishing-lr:challenger' });
    expect(result.models).toEqual([expect.objectContaining({ model: 'phishing-lr', version: '1' })]);
    expect(result.score).toBeCloseTo(c.reference['phishing-lr'] ?? Number.NaN, 5);
  });

  it('sets search attributes so a person can find decisions by outcome in the UI', async () => {
    const c = holdout.find((h) => h.sklearnScore >= 0.8) as DemoCase;
    // One model: its score is known exactly, so the outcome is (the demo pipeline's canary varies it).
    const result = await client.decide({ caseId: uniq('sa'), input: c.input }, { model: 'phishing-gb:champion' });
    const query = `WorkflowId = '${result.workflowId}' AND DecisionOutcome = 'decline' AND Pipeline = 'adhoc' AND Score >= 0.8`;
    // Visibility is eventually consistent: poll briefly.
    let found: string[] = [];
    for (let i = 0; i < 50 && found.length === 0; i++) {
      found = [];
      for await (const wf of env.client.workflow.list({ query })) found.push(wf.workflowId);
      if (found.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(found).toEqual([result.workflowId]);
  });
});

describe('what a decision writes to its history', () => {
  it('one patch marker, no budget timer while every member is local, the Pipeline attribute set at start', async () => {
    const c = holdout.find((h) => h.sklearnScore >= 0.8) as DemoCase;
    // Rules decide here: the rules-in-record patch is in force too, without a marker of its own.
    const result = await client.decide({ caseId: uniq('shape'), input: c.input }, { rules: 'demo' });
    const handle = env.client.workflow.getHandle(result.workflowId);
    await handle.result();
    const history = await handle.fetchHistory();
    const events = history.events ?? [];
    const patches = events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch');
    expect(patches).toHaveLength(1);
    expect(patchMarked(history, SEARCH_IN_RECORD_PATCH)).toBe(true);
    for (const older of [DECISION_PATCH, OUTAGE_PATCH, 'rules-in-record', 'pipeline-deadline-from-timer']) {
      expect(patchMarked(history, older), older).toBe(false);
    }
    // The demo pipeline has a 500 ms budget and only local members: no server timer for it (a
    // review's own timer, hours long, may follow the answer).
    const timersMs = events.flatMap((e) => {
      const d = e.timerStartedEventAttributes?.startToFireTimeout;
      return d ? [Number(d.seconds ?? 0) * 1000 + Number(d.nanos ?? 0) / 1e6] : [];
    });
    expect(timersMs.filter((ms) => ms <= 500)).toEqual([]);
    if (result.outcome !== 'review') expect(timersMs).toEqual([]);
    const upserted = events.flatMap((e) =>
      Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}),
    );
    expect(upserted).not.toContain('Pipeline');
    expect(upserted.filter((k) => k === 'TemporalChangeVersion')).toHaveLength(1);
    expect((await handle.describe()).typedSearchAttributes.get(PipelineKey)).toBe('demo');
  });
});

describe('latency', () => {
  it('reports real time from the request to the record, not workflow time', async () => {
    const [c] = holdout;
    const started = Date.now();
    const plain = await client.decide(
      { caseId: uniq('latency'), input: c?.input ?? {} },
      { model: 'phishing-gb:champion' },
    );
    const waited = Date.now() - started;
    expect(plain.latencyMs).toBeGreaterThan(0);
    expect(plain.latencyMs).toBeLessThanOrEqual(waited);
    // A request received 5 s before `decide` was called (queued at the way in, say) counts from then.
    const late = await client.decide(
      { caseId: uniq('latency'), input: c?.input ?? {} },
      { model: 'phishing-gb:champion', receivedAt: Date.now() - 5_000 },
    );
    expect(late.latencyMs).toBeGreaterThanOrEqual(5_000);
    expect((await store.getDecision(late.decisionId))?.latencyMs).toBe(late.latencyMs);
  });
});

// Last in the file: every workflow the tests above ran, replayed from its first event.
describe('replay', () => {
  it('replays every history this suite produced on the current workflow code', async () => {
    const { replayed, failures } = await replaySuiteHistories(env.client, taskQueue, bundle);
    expect(failures).toEqual([]);
    expect(replayed).toBeGreaterThanOrEqual(30);
  });
});
