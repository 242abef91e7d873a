import { randomBytes } from 'node:crypto';
import { ActivityFailure, ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeedbackRejectedError, UnknownDecisionError, type ArbiterClient, type DecideOptions } from '../client';
import { freePort } from '../cli/stack/ports';
import { loadHoldout, type DemoCase } from '../cli/demo-cases';
import type { DecisionResult } from '../core/decision';
import { auc, brier } from '../core/score-quality';
import type { Label } from '../core/similar';
import { openPool } from '../stores/db';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../stores/embedded-pg';
import { FeedbackStore } from '../stores/feedback-store';
import { PgVectorStore } from '../stores/vector/pgvector';
import { startTestOrchestrator, type TestOrchestrator } from './helpers/orchestrator';

let suite: TestOrchestrator;
let client: ArbiterClient;
let pool: Pool;
let feedback: FeedbackStore;
let holdout: DemoCase[];
// Vectors on their own PGlite with pgvector: the suite's database may be a PostgreSQL without it.
let vectorPg: EmbeddedPostgres;
let vectorPool: Pool;
let vectors: PgVectorStore;

const uniq = (p: string) => `${p}-${randomBytes(4).toString('hex')}`;
const truth = (c: DemoCase): Label => (c.label === 1 ? 'fraud' : 'legit');
// One model, and no review band: decline at ≥ 0.7, approve below (a review would wait 24 h).
const GB: DecideOptions = { model: 'phishing-gb:champion', thresholds: { decline: 0.7, review: 0.7 } };

const decide = (c: DemoCase, options: DecideOptions = GB) =>
  client.decide({ caseId: uniq(c.caseId), input: c.input }, options);

beforeAll(async () => {
  vectorPg = await startEmbeddedPostgres({ port: await freePort() });
  vectorPool = await openPool(vectorPg.url, { max: 4 });
  vectors = new PgVectorStore(vectorPool, {});
  await vectors.init();
  [suite, holdout] = await Promise.all([startTestOrchestrator('feedback', { vectors }), loadHoldout()]);
  ({ client } = suite);
  pool = suite.db.pool;
  feedback = new FeedbackStore(pool);
});

afterAll(async () => {
  await suite?.stop();
  await vectorPool?.end();
  await vectorPg?.stop();
});

/** The ApplicationFailure at the bottom of a client error's cause chain. */
function rootFailure(err: unknown): ApplicationFailure | undefined {
  let found: ApplicationFailure | undefined;
  for (let e: unknown = err; e instanceof Error; e = e.cause) if (e instanceof ApplicationFailure) found = e;
  return found;
}

async function labelColumns(decisionId: string) {
  const { rows } = await pool.query<{ label: string | null; label_source: string | null; labelled_at: Date | null }>(
    'SELECT label, label_source, labelled_at FROM decisions WHERE decision_id = $1',
    [decisionId],
  );
  return rows[0];
}

describe('feedback', () => {
  it('labels the decision, keeps the history, ignores a repeated feedback id, and lets a correction win', async () => {
    const decision = await decide(holdout[0] as DemoCase);
    const first = await client.submitFeedback(decision.decisionId, 'fraud', {
      source: 'chargeback',
      note: 'disputed by the card holder',
      feedbackId: uniq('fb'),
    });
    expect(first).toMatchObject({ decisionId: decision.decisionId, pipeline: 'adhoc', label: 'fraud', changed: true });
    expect(await labelColumns(decision.decisionId)).toMatchObject({ label: 'fraud', label_source: 'chargeback' });

    // The same id again, even with another label, changes nothing.
    const repeat = await client.submitFeedback(decision.decisionId, 'legit', { feedbackId: first.feedbackId });
    expect(repeat).toMatchObject({ feedbackId: first.feedbackId, label: 'fraud', changed: false });
    expect(await feedback.feedbackFor(decision.decisionId)).toHaveLength(1);

    const correction = await client.submitFeedback(decision.decisionId, 'legit', { source: 'analyst' });
    expect(correction).toMatchObject({ label: 'legit', changed: true });
    expect(correction.feedbackId).not.toBe(first.feedbackId);
    const row = await labelColumns(decision.decisionId);
    expect(row).toMatchObject({ label: 'legit', label_source: 'analyst' });
    expect(row?.labelled_at).toBeInstanceOf(Date);
    const history = await feedback.feedbackFor(decision.decisionId);
    expect(history).toEqual([
      expect.objectContaining({
        feedbackId: first.feedbackId,
        label: 'fraud',
        source: 'chargeback',
        note: 'disputed by the card holder',
      }),
      expect.objectContaining({ feedbackId: correction.feedbackId, label: 'legit', source: 'analyst' }),
    ]);
    expect(history[1]).not.toHaveProperty('note');

    // An idempotency key names one submission: reusing it on another decision is refused.
    const other = await decide(holdout[3] as DemoCase);
    const reused = await client
      .submitFeedback(other.decisionId, 'fraud', { feedbackId: first.feedbackId })
      .catch((e: unknown) => e);
    expect(reused).toBeInstanceOf(FeedbackRejectedError);
    expect(reused).toMatchObject({ failureType: 'Feedback.Conflict' });
    expect((reused as Error).message).toContain(`already recorded for decision ${decision.decisionId}`);
    expect((await labelColumns(other.decisionId))?.label).toBeNull();
  });

  it("labels a pipeline decision's case vector and keeps its other metadata; adhoc decisions have none", async () => {
    const c = holdout[1] as DemoCase;
    const decision = await decide(c, { pipeline: 'demo', thresholds: { decline: 0.5, review: 0.5 } });
    expect(decision.pipeline.name).toBe('demo');
    const embedding = [1, 0.5, 0.25];
    await vectors.upsert('demo', [
      { id: decision.decisionId, vector: embedding, metadata: { outcome: decision.outcome, caseId: decision.caseId } },
    ]);
    const receipt = await client.submitFeedback(decision.decisionId, 'fraud');
    expect(receipt).toMatchObject({ pipeline: 'demo', label: 'fraud' });
    const [match] = await vectors.query('demo', embedding, { topK: 1, filter: { caseId: decision.caseId } });
    expect(match).toMatchObject({
      id: decision.decisionId,
      metadata: { label: 'fraud', outcome: decision.outcome, caseId: decision.caseId },
    });
    expect((await vectors.stats()).namespaces.adhoc).toBeUndefined();
  });

  it('reports decision and member accuracy equal to a count by hand from the scores', async () => {
    const since = new Date().toISOString();
    // Chosen so that every confusion cell is non-zero for the decision (≥ 0.7) and for gb (≥ 0.5).
    const cases = [0, 2, 5, 6, 12, 21, 43, 59, 111, 140].map((i) => holdout[i] as DemoCase);
    const decided = await Promise.all(cases.map((c) => decide(c)));
    // One case left in review (open, 24 h): labelled, but neither right nor wrong.
    const open = await decide(holdout[8] as DemoCase, {
      model: 'phishing-gb:champion',
      thresholds: { decline: 1, review: 0 },
    });
    expect(open.outcome).toBe('review');
    await Promise.all([
      ...decided.map((d, i) => client.submitFeedback(d.decisionId, truth(cases[i] as DemoCase))),
      client.submitFeedback(open.decisionId, 'legit'),
    ]);

    const count = (predict: (d: DecisionResult) => boolean) => {
      const cell = { tp: 0, fp: 0, tn: 0, fn: 0 };
      decided.forEach((d, i) => {
        const fraud = truth(cases[i] as DemoCase) === 'fraud';
        cell[predict(d) ? (fraud ? 'tp' : 'fp') : fraud ? 'fn' : 'tn']++;
      });
      return cell;
    };
    const scoreOf = (d: DecisionResult) => d.models[0]?.score ?? Number.NaN;
    const byDecision = count((d) => d.outcome === 'decline');
    const byModel = count((d) => scoreOf(d) >= 0.5);
    expect(byDecision).toEqual({ tp: 2, fp: 2, tn: 3, fn: 3 });
    expect(byModel).toEqual({ tp: 3, fp: 3, tn: 2, fn: 2 });

    const stats = await feedback.stats({ pipeline: 'adhoc', since });
    expect(stats.labelled).toBe(11);
    // AUC and Brier read the decisions' own combined scores and the gb calls' scores from the log.
    const labelled = [...decided.map((d, i) => ({ d, label: truth(cases[i] as DemoCase) })), { d: open, label: 'legit' }];
    const decisionScores = labelled.map(({ d, label }) => ({ score: d.score, positive: label === 'fraud' }));
    const memberScores = labelled.map(({ d, label }) => ({ score: scoreOf(d), positive: label === 'fraud' }));
    expect(stats.decision).toEqual({
      n: 10,
      confusion: byDecision,
      accuracy: 5 / 10,
      precision: 2 / 4,
      recall: 2 / 5,
      auc: auc(decisionScores),
      brier: brier(decisionScores),
      notAutomated: 1,
      coverage: 10 / 11,
    });
    expect(stats.decision.auc).not.toBeNull();
    // The open review's own gb call counts for the model: it answered, whatever the decision said.
    const openFraud = scoreOf(open) >= 0.5;
    const gb = { ...byModel, ...(openFraud ? { fp: byModel.fp + 1 } : { tn: byModel.tn + 1 }) };
    expect(stats.models).toEqual([
      {
        model: 'phishing-gb',
        version: decided[0]?.models[0]?.version,
        arms: ['primary'],
        n: 11,
        confusion: gb,
        accuracy: (gb.tp + gb.tn) / 11,
        precision: gb.tp / (gb.tp + gb.fp),
        recall: gb.tp / (gb.tp + gb.fn),
        auc: auc(memberScores),
        brier: brier(memberScores),
        coverage: 1,
      },
    ]);
    // Drift reads every gb call since `since`, all in the last week: none before, too few to say.
    expect(stats.drift.models).toEqual([
      { model: 'phishing-gb', version: decided[0]?.models[0]?.version, referenceN: 0, recentN: 11, psi: null },
    ]);
    // A window starting after them all puts them on the reference side.
    const later = await feedback.stats({ pipeline: 'adhoc', since, driftWindowMs: 1 });
    expect(later.drift.models[0]).toMatchObject({ referenceN: 11, recentN: 0, psi: null });
    // At the decision's own cut-off the model agrees with the automated decisions.
    const same = await feedback.stats({ pipeline: 'adhoc', since, cutoff: 0.7 });
    expect(same.models[0]?.confusion).toEqual({
      ...byDecision,
      ...(scoreOf(open) >= 0.7 ? { fp: byDecision.fp + 1 } : { tn: byDecision.tn + 1 }),
    });
    expect((await feedback.stats({ pipeline: 'no-such-pipeline', since })).labelled).toBe(0);
  });

  it('says clearly, at once, that a decision id is unknown', async () => {
    const err = await client.submitFeedback('decision-does-not-exist', 'fraud').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownDecisionError);
    expect((err as Error).message).toContain('no decision decision-does-not-exist');
    const failed = (err as Error).cause;
    expect(failed).toBeInstanceOf(WorkflowFailedError);
    const activity = (failed as WorkflowFailedError).cause;
    expect(activity).toBeInstanceOf(ActivityFailure);
    expect((activity as ActivityFailure).retryState).toBe('NON_RETRYABLE_FAILURE');
    expect(rootFailure(err)).toMatchObject({ type: 'Feedback.DecisionNotFound', nonRetryable: true });
  });

  it('refuses an invalid label in the workflow, non-retryably, naming the field', async () => {
    const decision = await decide(holdout[2] as DemoCase);
    const err = await client.submitFeedback(decision.decisionId, 'maybe' as Label).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FeedbackRejectedError);
    expect(err).toMatchObject({
      failureType: 'Feedback.Invalid',
      issues: [expect.objectContaining({ path: 'label' })],
    });
    expect((err as Error).message).toMatch(/invalid feedback: label: /);
    expect(rootFailure(err)).toMatchObject({ type: 'Feedback.Invalid', nonRetryable: true });
    expect(await feedback.feedbackFor(decision.decisionId)).toEqual([]);
    expect((await labelColumns(decision.decisionId))?.label).toBeNull();
  });
});
