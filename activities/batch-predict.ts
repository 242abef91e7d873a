import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationFailure } from '@temporalio/common';
import { CaseIssueSchema } from '../core/case';
import { Failure } from '../core/failures';
import type { BatchCallError, BatchPredict } from '../core/pipeline/batch';
import { UnknownVersionError, type ModelRuntime } from '../models/runtime';

/**
 * One attempt of a chunk's call to one model. A step's `timeoutMs` is a per-case budget; a batch
 * has none, so each attempt only has to finish within this (the activity's own timeout is longer).
 * @default 60_000
 */
export const BATCH_CALL_LIMIT_MS = 60_000;

/** What a failed call means: the adapters' classifiers (STYLE rule 4) decided it; this only reads it. */
function callErrorOf(err: unknown): { error: BatchCallError; retryable: boolean } {
  if (err instanceof UnknownVersionError) {
    return { error: { type: Failure.Model.NotFound, message: err.message }, retryable: false };
  }
  if (err instanceof ApplicationFailure) {
    const issues = CaseIssueSchema.array().safeParse(err.details?.[0]);
    const error = {
      type: err.type ?? undefined,
      message: err.message,
      ...(issues.success ? { issues: issues.data } : {}),
    };
    return { error, retryable: !err.nonRetryable };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { error: { type: Failure.Model.Failed, message }, retryable: true };
}

/**
 * The batch evaluator's model caller: one `predict` of every row through the pinned version's
 * validated, circuit-broken adapter, retried as the step's `retry` says (as its activity would be
 * per case). Never throws: a failure is the call's result, for the pipeline to fall back on.
 */
export function createBatchPredict(runtime: ModelRuntime, signal?: AbortSignal): BatchPredict {
  return async (model, step, rows) => {
    const retry = step.retry ?? { maximumAttempts: 2, initialIntervalMs: 50, backoffCoefficient: 2 };
    let delay = retry.initialIntervalMs;
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      const latencyMs = () => Math.round((performance.now() - started) * 1000) / 1000;
      try {
        const adapter = await runtime.adapter(model.name, model.version);
        const { outputs } = await adapter.predict(rows, { deadline: Date.now() + BATCH_CALL_LIMIT_MS, signal });
        return { ok: true, outputs, latencyMs: latencyMs() };
      } catch (err) {
        const { error, retryable } = callErrorOf(err);
        if (!retryable || attempt >= retry.maximumAttempts || signal?.aborted) {
          return { ok: false, error, latencyMs: latencyMs() };
        }
        await sleep(delay);
        delay *= retry.backoffCoefficient;
      }
    }
  };
}
