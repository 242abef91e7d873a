import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Failure } from '../../core/failures';
import { ModelVersionSchema, type ModelVersion } from '../../core/model-version';
import type { ModelAdapter, ModelInput } from '../../models/adapter';
import { tfjsFactory } from '../../models/adapters/tfjs';
import { failureOf } from '../helpers/failures';

const ModelFailureType = Failure.Model;

const DEMO = fileURLToPath(new URL('../../demo/', import.meta.url));
const MODELS_DIR = join(DEMO, 'models');
// The adapter must give back what training computed, up to float32 rounding.
const TOLERANCE = 1e-6;

interface HoldoutCase {
  caseId: string;
  input: ModelInput;
  label: number;
}

const readJson = async <T>(path: string): Promise<T> => JSON.parse(await readFile(path, 'utf8')) as T;
const soon = () => ({ deadline: Date.now() + 30_000 });

/** A registered version built from the committed card (which also carries `aliases` and `card`). */
async function cardVersion(overrides: Partial<ModelVersion> = {}): Promise<ModelVersion> {
  const card = await readJson<Record<string, unknown>>(join(MODELS_DIR, 'phishing-tfjs', 'model.json'));
  return ModelVersionSchema.parse({
    ...card,
    version: '1',
    createdAt: '2025-01-01T00:00:00.000Z',
    deprecatedAt: null,
    deprecationReason: null,
    ...overrides,
  });
}

function rocAuc(scores: number[], labels: number[]): number {
  const pos = scores.filter((_, i) => labels[i] === 1);
  const neg = scores.filter((_, i) => labels[i] === 0);
  let wins = 0;
  for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
  return wins / (pos.length * neg.length);
}

describe('tfjs adapter on the committed phishing-tfjs model', () => {
  let version: ModelVersion;
  let adapter: ModelAdapter;
  let holdout: HoldoutCase[];
  let reference: Record<string, number>;
  beforeAll(async () => {
    version = await cardVersion();
    adapter = await tfjsFactory(version, { modelsDir: MODELS_DIR });
    holdout = await readJson<HoldoutCase[]>(join(DEMO, 'data', 'phishing-holdout.json'));
    reference = await readJson<Record<string, number>>(join(MODELS_DIR, 'phishing-tfjs', 'reference-scores.json'));
  });
  afterAll(() => adapter.close());

  const worstDiff = (scores: unknown[], cases: HoldoutCase[]): number =>
    Math.max(...scores.map((s, i) => Math.abs((s as number) - (reference[cases[i]?.caseId ?? ''] ?? Number.NaN))));

  it('reproduces the training-time scores on all held-out cases, batched', async () => {
    const { outputs } = await adapter.predict(
      holdout.map((c) => c.input),
      soon(),
    );
    expect(outputs).toHaveLength(250);
    expect(
      worstDiff(
        outputs.map((o) => o.score),
        holdout,
      ),
    ).toBeLessThan(TOLERANCE);
  });

  it('reproduces them one case at a time', async () => {
    const scores: unknown[] = [];
    for (const c of holdout) scores.push((await adapter.predict([c.input], soon())).outputs[0]?.score);
    expect(worstDiff(scores, holdout)).toBeLessThan(TOLERANCE);
  });

  it('separates the classes on held-out data (ROC AUC as in the model card)', async () => {
    const { outputs } = await adapter.predict(
      holdout.map((c) => c.input),
      soon(),
    );
    const auc = rocAuc(
      outputs.map((o) => o.score as number),
      holdout.map((c) => c.label),
    );
    expect(auc).toBeCloseTo(version.metrics.roc_auc ?? 0, 2);
  });

  it('frees every tensor it makes', async () => {
    await adapter.probe(soon()); // the model's weights are loaded and counted before measuring
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++)
      await adapter.predict(
        holdout.slice(0, 50 * i + 1).map((c) => c.input),
        soon(),
      );
    await adapter.probe(soon());
    expect(tf.memory().numTensors).toBe(before);
  });

  it('throws Model.Timeout when the deadline has already passed', async () => {
    const failure = await failureOf(adapter.predict([holdout[0]?.input ?? {}], { deadline: Date.now() - 1 }));
    expect(failure.type).toBe(ModelFailureType.Timeout);
    expect(failure.nonRetryable).toBe(false);
  });

  it.each([
    [
      'a features list that does not match the model',
      { features: ['https', 'long_url'] },
      /expected input shape \[n, 2\]/,
    ],
    ['a config that does not validate', { features: 'https' }, /features/],
    ['an output column the model does not have', { outputColumn: 3 }, /outputColumn/],
  ])('rejects %s as a non-retryable Model.InvalidConfig', async (_, config, problem) => {
    const bad = await cardVersion({ config: { ...(await cardVersion()).config, ...config } });
    const failure = await failureOf(
      tfjsFactory(bad, { modelsDir: MODELS_DIR }).then((a) => a.probe(soon()).finally(() => a.close())),
    );
    expect(failure.type).toBe(ModelFailureType.InvalidConfig);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('phishing-tfjs@1');
    expect(failure.message).toMatch(problem);
  });

  it('rejects a directory without a model as a non-retryable Model.InvalidConfig', async () => {
    const missing = await cardVersion({ uri: 'phishing-tfjs/nowhere' });
    const a = await tfjsFactory(missing, { modelsDir: MODELS_DIR });
    const failure = await failureOf(a.probe(soon()));
    expect([failure.type, failure.nonRetryable]).toEqual([ModelFailureType.InvalidConfig, true]);
    expect(failure.message).toContain('phishing-tfjs@1');
  });
});
