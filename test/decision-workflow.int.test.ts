import { randomBytes } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArbiterClient, CaseValidationError, DecisionFailedError } from '../client';
import { loadHoldout, type DemoCase } from '../cli/demo-cases';
import { applyThresholds } from '../core/decision';
import { readModelCards } from '../models/cards';
import { registerModelCards } from '../models/registration';
import { DecisionStore, hashInput } from '../stores/decision-store';
import { createModelServices, type ModelServices } from '../workers/model-services';
import { createOrchestratorWorker } from '../workers/orchestrator';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { MODELS_DIR } from './helpers/models';
import { bundleWorkflows, createTestTemporal } from './helpers/temporal';

// One dev server, one bundle, one database and one worker for the whole suite (STYLE rule 10).
let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let db: TestDatabase;
let models: ModelServices;
let store: DecisionStore;
let worker: Worker;
let running: Promise<void>;
let client: ArbiterClient;
let holdout: DemoCase[];
const taskQueue = `decisions-${randomBytes(4).toString('hex')}`;
const uniq = (id: string) => `${id}-${randomBytes(3).toString('hex')}`;

beforeAll(async () => {
  [env, bundle, db, holdout] = await Promise.all([
    createTestTemporal(),
    bundleWorkflows(),
    createTestDatabase(),
    loadHoldout(),
  ]);
  models = createModelServices(db.pool, MODELS_DIR);
  await registerModelCards(models.registry, models.runtime, await readModelCards(MODELS_DIR));
  store = new DecisionStore(db.pool);
  worker = await createOrchestratorWorker({
    connection: env.nativeConnection,
    taskQueue,
    deps: { store, registry: models.registry, runtime: models.runtime },
    workflowBundle: bundle,
  });
  running = worker.run();
  client = new ArbiterClient(env.client, { taskQueue });
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await models?.close();
  await db?.close();
  await env?.teardown();
});

describe('decision workflow on a real Temporal dev server', () => {
  it('decides held-out cases with the real model and records each decision', async () => {
    const cases = holdout.slice(0, 12);
    const results = await Promise.all(cases.map((c) => client.decide({ caseId: uniq(c.caseId), input: c.input })));
    for (const [i, result] of results.entries()) {
      const c = cases[i] as DemoCase;
      expect(result.score).toBeCloseTo(c.sklearnScore, 5);
      expect(result.outcome).toBe(applyThresholds(result.score, { decline: 0.8, review: 0.4 }).outcome);
      expect(result.models).toEqual([expect.objectContaining({ model: 'phishing-gb', version: '1' })]);
      const stored = await store.getDecision(result.decisionId);
      expect(stored).toMatchObject({
        caseId: result.caseId,
        outcome: result.outcome,
        score: result.score,
        pipeline: 'demo',
        workflowId: result.workflowId,
        runId: result.runId,
        inputHash: hashInput(c.input),
      });
    }
    expect(new Set(results.map((r) => r.outcome)).size).toBeGreaterThan(1);
  });

  it('applies the thresholds it was started with', async () => {
    const c = holdout.find((h) => h.sklearnScore > 0.5 && h.sklearnScore < 0.95) as DemoCase;
    const result = await client.decide(
      { caseId: uniq('thr'), input: c.input },
      { thresholds: { decline: 0.99, review: 0.1 } },
    );
    expect(result.outcome).toBe('review');
    expect(result.thresholds).toEqual({ decline: 0.99, review: 0.1 });
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
    const result = await client.decide({ caseId: uniq('sa'), input: c.input });
    const query = `WorkflowId = '${result.workflowId}' AND DecisionOutcome = 'decline' AND Pipeline = 'demo' AND Score >= 0.8`;
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
