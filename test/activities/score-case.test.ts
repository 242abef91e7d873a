import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScoreCase, type ScoreCaseOutput } from '../../activities/score-case';
import { loadHoldout, type DemoCase } from '../../cli/demo-cases';
import type { ModelRuntime } from '../../models/runtime';
import { cardRuntime } from '../helpers/models';

let runtime: ModelRuntime;
let scoreCase: ReturnType<typeof createScoreCase>;
let holdout: DemoCase[];
// Failures are the point of some cases here: keep the SDK's activity log quiet.
const env = new MockActivityEnvironment({ startToCloseTimeoutMs: 5000 }, { logger: new DefaultLogger('ERROR') });

beforeAll(async () => {
  runtime = await cardRuntime();
  scoreCase = createScoreCase(runtime);
  holdout = await loadHoldout();
});
afterAll(() => runtime.close());

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

describe('scoreCase activity', () => {
  it.each(['phishing-gb', 'phishing-lr', 'phishing-iforest'])(
    'scores held-out cases with %s like scikit-learn',
    async (name) => {
      for (const c of holdout.slice(0, 20)) {
        const out: ScoreCaseOutput = await env.run(scoreCase, { model: { name, version: '1' }, input: c.input });
        expect(out.result).toMatchObject({ model: name, version: '1' });
        expect(out.result.score).toBeCloseTo(c.reference[name] ?? Number.NaN, 4);
      }
    },
  );

  it('rejects bad input non-retryably, naming field, expectation and model version', async () => {
    const f = await failureOf(
      env.run(scoreCase, { model: { name: 'phishing-gb', version: '1' }, input: { https: 'yes' } }),
    );
    expect(f.type).toBe('Model.InvalidInput');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toContain('phishing-gb@1');
    expect(f.message).toMatch(/input\.https: .*expected number/);
    const [issues] = f.details ?? [];
    expect(issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'input.long_url' })]));
  });

  it('fails non-retryably for a version that was never registered', async () => {
    const f = await failureOf(env.run(scoreCase, { model: { name: 'nope', version: '9' }, input: {} }));
    expect(f.type).toBe('Model.NotFound');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toContain('nope@9');
  });
});
