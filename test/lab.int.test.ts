import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BacktestsAdmin, type StoredBacktest } from '../admin/backtests';
import { loadHoldout } from '../cli/demo-cases';
import { BacktestClient } from '../client/backtests';
import type { BacktestRequest } from '../core/lab/backtest';
import { startTestOrchestrator, type TestOrchestrator } from './helpers/orchestrator';

// The demo stack (a real dev server, database and demo models), its held-out cases decided end to
// end and labelled by feedback with their true labels, as `arbiter demo` does: the lab's real data.
let suite: TestOrchestrator;
let backtests: BacktestClient;
let admin: BacktestsAdmin;
const CASES = 80;
const tag = randomBytes(3).toString('hex');
let degraded: Set<string>;

beforeAll(async () => {
  suite = await startTestOrchestrator('lab');
  backtests = new BacktestClient(suite.client.temporal, suite.taskQueue);
  admin = BacktestsAdmin.fromPool(suite.db.pool);
  const cases = (await loadHoldout()).slice(0, CASES);
  for (const c of cases) {
    const decided = await suite.client.decide({ caseId: `${c.caseId}-${tag}`, input: c.input });
    await suite.client.submitFeedback(decided.decisionId, c.label === 1 ? 'fraud' : 'legit', {
      source: 'demo holdout',
    });
  }
  // A decision taken past its latency budget (or with a member late) was degraded by the clock; the
  // replay has no clock, so only those may come out differently from the same pipeline.
  const { rows } = await suite.db.pool.query<{ decision_id: string }>(
    `SELECT decision_id FROM decisions WHERE degraded OR jsonb_array_length(late) > 0`,
  );
  degraded = new Set(rows.map((r) => r.decision_id));
}, 300_000);

afterAll(async () => {
  await suite?.stop();
});

async function backtest(request: BacktestRequest): Promise<StoredBacktest> {
  const { backtestId } = await backtests.start(request);
  const done = await backtests.wait(backtestId, () => undefined, 200);
  expect(done.lastError).toBeNull();
  const stored = await admin.get(backtestId);
  if (!stored?.report) throw new Error(`backtest ${backtestId} has no report`);
  return stored;
}

describe('backtest on the demo', () => {
  it('replays the current pipeline against itself: nothing changes but what the clock degraded', async () => {
    const before = await suite.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM decisions');
    const b = await backtest({ candidate: { name: 'demo' }, chunkSize: 32 });
    const r = b.report!;
    expect(b.status).toBe('done');
    expect(b.replayed).toBe(CASES);
    expect(r.replayed).toBe(CASES);
    expect(r.failed).toBe(0);
    for (const c of r.changed.cases) expect(degraded.has(c.decisionId)).toBe(true);
    expect(r.changed.count).toBeLessThanOrEqual(degraded.size);
    if (degraded.size === 0) {
      expect(r.changed.count).toBe(0);
      // Batched inference may differ from one-row inference in the last float bits (TF.js matmul).
      for (const k of ['accuracy', 'precision', 'recall', 'auc', 'brier'] as const)
        expect(r.candidate[k]).toBeCloseTo(r.decided[k] ?? NaN, 8);
    }
    const diagonal = r.matrix.approve.approve + r.matrix.review.review + r.matrix.decline.decline;
    expect(diagonal + r.changed.count).toBe(CASES);
    expect(r.labelled).toBe(CASES);
    expect(r.decided.auc).toBeGreaterThan(0.8);
    expect(r.members.map((m) => m.model)).toEqual(
      expect.arrayContaining(['phishing-gb', 'phishing-tfjs', 'phishing-iforest']),
    );
    // Nothing was written to the decision log.
    const after = await suite.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM decisions');
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
  }, 120_000);

  it('shows a deliberately worse candidate (the anomaly detector alone) as worse, reproducibly', async () => {
    const spec = {
      name: 'demo-anomaly-only',
      steps: [{ id: 'anomaly', type: 'model', model: 'phishing-iforest:champion' }],
      output: 'anomaly',
    };
    const request = { candidate: { spec }, against: 'demo', seed: 7 } as unknown as BacktestRequest;
    const b = await backtest(request);
    const r = b.report!;
    expect(b.pipeline).toEqual({ name: 'demo-anomaly-only', version: 'file' });
    expect(r.replayed).toBe(CASES);
    expect(r.candidate.auc).toBeLessThan(r.decided.auc ?? 0);
    expect(r.candidate.accuracy ?? 0).toBeLessThan(r.decided.accuracy ?? 1);
    expect(r.changed.count).toBeGreaterThan(0);
    const auc = r.differences.auc!;
    expect(auc.estimate).toBeLessThan(0);
    expect(auc.high).toBeLessThan(0);
    expect(auc.low).toBeLessThanOrEqual(auc.estimate);
    // The same request and seed give the same report.
    const again = await backtest(request);
    expect(again.report).toEqual(r);
  }, 120_000);
});

describe('fit and promote with evidence on the demo', () => {
  it.each(['logistic', 'weights'] as const)(
    'fits the blended step (%s) into a candidate that is not live, backtested on the held-out labels',
    async (method) => {
      const { fitCombine } = await import('../admin/fit');
      const { MODELS_DIR } = await import('./helpers/models');
      const { PipelinesAdmin } = await import('../admin/pipelines');
      const pipelines = PipelinesAdmin.fromPool(suite.db.pool);
      const liveBefore = (await pipelines.list()).find((p) => p.name === 'demo')?.version;
      const fit = await fitCombine(suite.db.pool, MODELS_DIR, { pipeline: 'demo', step: 'blended', method, seed: 3 });
      expect(fit.inputs).toEqual(['gb', 'nn']);
      expect(fit.train + fit.heldOut.length).toBe(CASES - fit.skipped);
      expect(fit.heldOut.length).toBe(Math.round((CASES - fit.skipped) * 0.3));
      if (method === 'weights') {
        expect((fit.weights.gb ?? 0) + (fit.weights.nn ?? 0)).toBeCloseTo(1, 5);
        expect(fit.model).toBeNull();
      } else {
        expect(fit.model?.name).toBe('demo-blended-stack');
        expect(fit.weights.gb).toBeGreaterThan(0);
        expect(fit.crossValidation.length).toBeGreaterThan(1);
      }
      // A candidate: stored, shown as such, not what decisions pin.
      const versions = await pipelines.show('demo');
      expect(versions.find((v) => v.version === fit.candidate.version)?.candidate).toBe(true);
      expect((await pipelines.list()).find((p) => p.name === 'demo')?.version).toBe(liveBefore);

      const b = await backtest({ candidate: fit.candidate, against: 'demo', decisionIds: fit.heldOut, seed: 3 });
      expect(b.pipeline).toEqual(fit.candidate);
      expect(b.replayed).toBe(fit.heldOut.length);
      expect(b.report?.labelled).toBe(fit.heldOut.length);
      expect(b.report?.candidate.auc).toBeGreaterThan(0.8);

      // Promotion cites the backtest; an unknown one is refused.
      await expect(
        pipelines.promote('demo', fit.candidate.version, { reason: 'fit', backtestId: 'no-such-backtest' }),
      ).rejects.toThrow(/no backtest no-such-backtest/);
      const promoted = await pipelines.promote('demo', fit.candidate.version, {
        reason: 'better on held-out labels',
        backtestId: b.backtestId,
      });
      expect(promoted.backtestId).toBe(b.backtestId);
      const live = (await pipelines.list()).find((p) => p.name === 'demo');
      expect(live?.version).toBe(promoted.version);
      expect(live?.spec).toEqual(versions.find((v) => v.version === fit.candidate.version)?.spec);
      expect((await pipelines.promotions('demo')).at(-1)).toMatchObject({
        backtestId: b.backtestId,
        version: promoted.version,
      });
    },
    120_000,
  );

  it('records the backtest cited when a model alias is promoted', async () => {
    const { ModelsAdmin } = await import('../admin/models');
    const { MODELS_DIR } = await import('./helpers/models');
    const b = await backtest({ candidate: { name: 'demo' }, seed: 1 });
    const models = ModelsAdmin.fromPool(suite.db.pool, MODELS_DIR);
    try {
      const event = await models.promote('phishing-lr@1', 'evidence-test', 'cited', 'test', b.backtestId);
      expect(event.backtestId).toBe(b.backtestId);
      const shown = await models.show('phishing-lr');
      expect(shown.aliasHistory.at(-1)).toMatchObject({ alias: 'evidence-test', backtestId: b.backtestId });
    } finally {
      await models.close();
    }
  }, 120_000);
});
