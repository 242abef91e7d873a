import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ModelResult } from '../core/decision';
import type { PinnedModel } from '../core/model-ref';
import { ModelFailureType } from '../models/errors';
import { UnknownVersionError, type ModelRuntime } from '../models/runtime';

export interface ScoreCaseInput {
  model: PinnedModel;
  input: Record<string, unknown>;
}

export interface ScoreCaseOutput {
  result: ModelResult;
  /** The input the model saw, as recorded in the decision log. */
  features: Record<string, unknown>;
}

/** Failures that are not already classified by an adapter: unknown versions are final, the rest retryable. */
function toScoreFailure(err: unknown, model: PinnedModel): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof UnknownVersionError) {
    return ApplicationFailure.create({ type: ModelFailureType.NotFound, message: err.message, nonRetryable: true });
  }
  return ApplicationFailure.create({
    type: ModelFailureType.Failed,
    message: `model ${model.name}@${model.version} failed: ${err instanceof Error ? err.message : String(err)}`,
    cause: err instanceof Error ? err : undefined,
  });
}

/** The deadline and cancellation of the activity attempt this code runs in. */
function attemptLimits(): { deadline: number; signal?: AbortSignal } {
  try {
    const ctx = Context.current();
    return { deadline: Date.now() + (ctx.info.startToCloseTimeoutMs || 10_000), signal: ctx.cancellationSignal };
  } catch {
    return { deadline: Date.now() + 10_000 };
  }
}

/** Builds the activity that scores one case with a pinned model version (validated in and out). */
export function createScoreCase(runtime: ModelRuntime, now: () => number = () => performance.now()) {
  return async function scoreCase({ model, input }: ScoreCaseInput): Promise<ScoreCaseOutput> {
    try {
      const adapter = await runtime.adapter(model.name, model.version);
      const started = now();
      const { outputs } = await adapter.predict([input], attemptLimits());
      const latencyMs = Math.round((now() - started) * 1000) / 1000;
      const score = Number(outputs[0]?.score);
      if (!Number.isFinite(score)) throw new Error(`output has no finite 'score': ${JSON.stringify(outputs[0])}`);
      return { result: { model: model.name, version: model.version, score, latencyMs }, features: input };
    } catch (err) {
      throw toScoreFailure(err, model);
    }
  };
}
