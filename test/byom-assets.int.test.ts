import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelServices, type ModelServices } from '../admin/model-services';
import { RuleSetsAdmin } from '../admin/rules';
import { seedFromDirs } from '../admin/seed';
import { PROJECT_ROOT } from '../config/env';
import { parseModelRef } from '../core/model-ref';
import { evaluateRules } from '../core/rules/evaluate';
import { buildFacts } from '../core/rules/facts';
import { readModelCard } from '../models/cards';
import { RuleSetStore } from '../stores/rules-store';
import { createTestDatabase, type TestDatabase } from './helpers/database';

// The "bring your own model" example's assets (demo/byom, written by demo/byom/train.py), loaded the
// way `arbiter dev` loads a user's folders: cards, then pipelines, then rule sets.
const BYOM = join(PROJECT_ROOT, 'demo', 'byom');
const DIRS = { modelsDir: BYOM, pipelinesDir: join(BYOM, 'pipelines'), rulesDir: join(BYOM, 'rules') };

interface Case {
  caseId: string;
  input: Record<string, number>;
}
const readNdjson = async <T>(file: string): Promise<T[]> =>
  (await readFile(join(BYOM, file), 'utf8'))
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);

let db: TestDatabase;
let models: ModelServices;
let ruleSets: RuleSetsAdmin;
let cases: Case[];
let expected: { tolerance: number; scores: Record<string, number> };
const logged: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  models = createModelServices(db.pool, DIRS.modelsDir);
  ruleSets = new RuleSetsAdmin(new RuleSetStore(db.pool));
  await seedFromDirs(models, ruleSets, DIRS, (msg) => logged.push(msg));
  cases = await readNdjson<Case>('cases.ndjson');
  expected = JSON.parse(await readFile(join(BYOM, 'expected.json'), 'utf8')) as typeof expected;
});
afterAll(async () => {
  await models?.close();
  await db?.close();
});

/** What the example's rule set should say, written out independently of the rule engine. */
function outcomeOf(score: number, input: Record<string, number>): string {
  if (score >= 0.8) return 'decline';
  if ((input.amount ?? 0) >= 500 && input.new_device === 1) return 'review';
  return score >= 0.4 ? 'review' : 'approve';
}

describe('demo/byom assets', () => {
  it('register the card with its alias, then apply the pipeline and the rule set', async () => {
    expect(logged).toEqual([
      'registered models: payments-lr@1',
      'applied pipelines: payments@1',
      'applied rule sets: payments@1',
    ]);
    expect((await models.registry.show('payments-lr')).aliases).toEqual({ champion: '1' });
    const pipeline = await models.pipelines.get('payments');
    expect(pipeline.spec.steps).toMatchObject([{ id: 'fraud', type: 'model', model: 'payments-lr:champion' }]);
    // Seeding again changes nothing: the folders are what a user's `arbiter dev` reads at every start.
    await seedFromDirs(models, ruleSets, DIRS, (msg) => logged.push(msg));
    expect(logged).toHaveLength(3);
  });

  it('keep cases, labels and the card in step (ids, feature names, file size)', async () => {
    const card = await readModelCard(join(BYOM, 'payments-lr', 'model.json'));
    const features = (card.config as { features: string[] }).features;
    const labels = await readNdjson<{ caseId: string; label: string }>('labels.ndjson');
    expect(cases).toHaveLength(40);
    expect(labels.map((l) => l.caseId)).toEqual(cases.map((c) => c.caseId));
    expect(new Set(labels.map((l) => l.label))).toEqual(new Set(['fraud', 'legit']));
    expect(Object.keys(expected.scores)).toEqual(cases.map((c) => c.caseId));
    for (const c of cases) expect(Object.keys(c.input)).toEqual(features);
    expect((await stat(join(BYOM, card.uri))).size).toBeLessThan(100_000);
  });

  it('score every held-out case through the ONNX adapter as scikit-learn did', async () => {
    const version = await models.registry.resolve(parseModelRef('payments-lr:champion'));
    const adapter = await models.runtime.adapter(version.name, version.version);
    const { outputs } = await adapter.predict(
      cases.map((c) => c.input),
      { deadline: Date.now() + 10_000 },
    );
    const worst = Math.max(...cases.map((c, i) => Math.abs(Number(outputs[i]?.score) - expected.scores[c.caseId]!)));
    expect(worst).toBeLessThan(expected.tolerance);
    expect(expected.tolerance).toBeLessThanOrEqual(1e-5);
  });

  it('reject, before the model runs, a case that does not fit the card', async () => {
    const version = await models.registry.resolve(parseModelRef('payments-lr:champion'));
    const adapter = await models.runtime.adapter(version.name, version.version);
    const { amount: _amount, ...noAmount } = cases[0]!.input;
    const table: [Record<string, unknown>, RegExp][] = [
      [{ ...cases[0]!.input, hour: 24 }, /hour/],
      [{ ...cases[0]!.input, new_device: 0.5 }, /new_device/],
      [{ ...cases[0]!.input, merchant: 'x' }, /merchant/],
      [noAmount, /amount/],
    ];
    for (const [input, field] of table) {
      await expect(adapter.predict([input], { deadline: Date.now() + 10_000 })).rejects.toThrow(field);
    }
  });

  it('turn the expected scores into outcomes with the stored rule set', async () => {
    const { spec } = await ruleSets.get('payments');
    const pipeline = { name: 'payments', version: '1' };
    const decide = (score: number, input: Record<string, number>) =>
      evaluateRules(spec, buildFacts({ score, degraded: false, calls: [], input, pipeline }));
    const seen = new Set<string>();
    for (const c of cases) {
      const score = expected.scores[c.caseId]!;
      const { outcome } = await decide(score, c.input);
      expect({ caseId: c.caseId, outcome }).toEqual({ caseId: c.caseId, outcome: outcomeOf(score, c.input) });
      seen.add(outcome);
    }
    expect(seen).toEqual(new Set(['approve', 'review', 'decline']));
    // The thresholds at their edges, and the case-field rule on its own.
    const quiet = { ...cases[0]!.input, amount: 20, new_device: 0 };
    const large = { ...quiet, amount: 500, new_device: 1 };
    const table: [number, Record<string, number>, string, string[]][] = [
      [0.8, quiet, 'decline', ['high-risk', 'borderline']],
      [0.79, quiet, 'review', ['borderline']],
      [0.4, quiet, 'review', ['borderline']],
      [0.39, quiet, 'approve', []],
      [0.1, large, 'review', ['large-on-new-device']],
      [0.1, { ...large, amount: 499.99 }, 'approve', []],
      [0.1, { ...large, new_device: 0 }, 'approve', []],
      [0.9, large, 'decline', ['high-risk', 'large-on-new-device', 'borderline']],
    ];
    for (const [score, input, outcome, matched] of table) {
      expect(await decide(score, input)).toMatchObject({ outcome, matched });
    }
  });
});
