import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, describe, expect, it } from 'vitest';
import { createScoreCase, type ScoreCaseOutput } from '../../activities/score-case';
import { loadHoldout } from '../../cli/demo-cases';
import { createDirectoryModelProvider } from '../../models/catalog';
import { MODELS_DIR, PHISHING } from '../helpers/models';

const models = createDirectoryModelProvider(MODELS_DIR);
const scoreCase = createScoreCase(models);
// Failures are the point of some cases here: keep the SDK's activity log quiet.
const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });
afterAll(() => models.close());

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

describe('scoreCase activity', () => {
  it('scores a held-out case with the real model', async () => {
    const [c] = await loadHoldout();
    const out: ScoreCaseOutput = await env.run(scoreCase, { model: PHISHING, input: c?.input ?? {} });
    expect(out.result).toMatchObject({ model: 'phishing-gb', version: '1' });
    expect(out.result.score).toBeCloseTo(c?.sklearnScore ?? -1, 5);
    expect(out.features).toEqual(c?.input);
  });

  it('rejects bad input non-retryably, naming field, expectation and model version', async () => {
    const f = await failureOf(env.run(scoreCase, { model: PHISHING, input: { https: 'yes' } }));
    expect(f.type).toBe('Model.InvalidInput');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toContain('phishing-gb@1');
    expect(f.message).toMatch(/input\.https: .*number/);
    const [issues] = f.details ?? [];
    expect(issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'input.long_url' })]));
  });

  it('names the models that exist when asked for one that does not', async () => {
    const f = await failureOf(env.run(scoreCase, { model: { name: 'nope', version: '9' }, input: {} }));
    expect(f.type).toBe('Model.NotFound');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toContain('phishing-gb@1');
  });
});
