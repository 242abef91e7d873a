import { ApplicationFailure } from '@temporalio/common';
import { featureSchema, toCaseIssues, toFeatureRow } from '../core/case';
import type { ModelResult } from '../core/decision';
import { FailureType } from '../core/errors';
import type { ModelRef } from '../core/workflow-input';
import { ModelNotFoundError, type ModelProvider } from '../models/catalog';

export interface ScoreCaseInput {
  model: ModelRef;
  input: Record<string, unknown>;
}

export interface ScoreCaseOutput {
  result: ModelResult;
  /** The validated features the model saw, as recorded in the decision log. */
  features: Record<string, number>;
}

/**
 * The one classifier for model calls (STYLE rule 4): unknown model and bad input are the caller's
 * to fix (non-retryable, naming the model version); anything else is the runtime's and retryable.
 */
export function toModelFailure(err: unknown, ref: ModelRef): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  const version = `${ref.name}@${ref.version}`;
  if (err instanceof ModelNotFoundError) {
    return ApplicationFailure.create({
      type: FailureType.ModelNotFound,
      message: err.message,
      nonRetryable: true,
      details: [{ available: err.available }],
    });
  }
  return ApplicationFailure.create({
    type: FailureType.ModelFailed,
    message: `model ${version} failed: ${err instanceof Error ? err.message : String(err)}`,
    cause: err instanceof Error ? err : undefined,
  });
}

/** Builds the activity that validates a case against a model's input contract and scores it. */
export function createScoreCase(models: ModelProvider, now: () => number = () => performance.now()) {
  return async function scoreCase({ model: ref, input }: ScoreCaseInput): Promise<ScoreCaseOutput> {
    try {
      const model = await models.get(ref);
      const parsed = featureSchema(model.card.input).safeParse(input);
      if (!parsed.success) {
        const issues = toCaseIssues(parsed.error, ['input']);
        throw ApplicationFailure.create({
          type: FailureType.ModelInvalidInput,
          message: `model ${ref.name}@${ref.version} rejected the input: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
          nonRetryable: true,
          details: [issues],
        });
      }
      const started = now();
      const [score] = await model.predict([toFeatureRow(model.card.input, parsed.data)]);
      if (score === undefined || !Number.isFinite(score)) throw new Error(`non-finite score ${score}`);
      const latencyMs = Math.round((now() - started) * 1000) / 1000;
      return { result: { model: ref.name, version: ref.version, score, latencyMs }, features: parsed.data };
    } catch (err) {
      throw toModelFailure(err, ref);
    }
  };
}
