import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toFeatureRow } from '../../core/case';
import { loadHoldout, type DemoCase } from '../../cli/demo-cases';
import { readModelCard } from '../../models/card';
import { OnnxClassifier } from '../../models/onnx-classifier';
import { MODELS_DIR } from '../helpers/models';

// The Node runtime must reproduce scikit-learn's probabilities (written by the training script).
const TOLERANCE = 1e-5;

describe('OnnxClassifier on the committed phishing model', () => {
  let model: OnnxClassifier;
  let holdout: DemoCase[];
  beforeAll(async () => {
    const card = await readModelCard(join(MODELS_DIR, 'phishing-gb', 'model.json'));
    model = await OnnxClassifier.load(card, join(MODELS_DIR, 'phishing-gb', 'model.onnx'));
    holdout = await loadHoldout();
  });
  afterAll(() => model.release());

  it('matches scikit-learn on the whole held-out split, batched', async () => {
    const rows = holdout.map((c) => toFeatureRow(model.card.input, c.input));
    const scores = await model.predict(rows);
    expect(scores).toHaveLength(holdout.length);
    const worst = Math.max(...scores.map((s, i) => Math.abs(s - (holdout[i] as DemoCase).sklearnScore)));
    expect(worst).toBeLessThan(TOLERANCE);
  });

  it('separates the classes on held-out data (ROC AUC as in the model card)', async () => {
    const scores = await model.predict(holdout.map((c) => toFeatureRow(model.card.input, c.input)));
    const pos = scores.filter((_, i) => holdout[i]?.label === 1);
    const neg = scores.filter((_, i) => holdout[i]?.label === 0);
    let wins = 0;
    for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
    const auc = wins / (pos.length * neg.length);
    expect(auc).toBeCloseTo(model.card.metrics_heldout.roc_auc ?? 0, 2);
  });
});
