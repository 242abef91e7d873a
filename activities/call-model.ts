import { Context } from '@temporalio/activity';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { checkCaseLimits, DEFAULT_CASE_LIMITS, type CaseLimits } from '../core/case-limits';
import { Failure } from '../core/failures';
import type { PinnedModel } from '../core/model-ref';
import type { ModelAdapter } from '../models/adapter';
import { withCache } from '../models/cached-adapter';
import { UnknownVersionError, type ModelRuntime } from '../models/runtime';
import type { ResultCache } from '../stores/cache';
import type { LocalLoad } from './local-load';
import { inSpan } from '../telemetry/spans';
import { decisionAttributes } from './telemetry';

export interface CallModelInput {
  model: PinnedModel;
  input: Record<string, unknown>;
  /** Cache this call's output for this long (per version and input). */
  cacheTtlSeconds?: number;
  /** `auto` placement: decline with `Placement.Busy` instead of running when this worker is loaded. */
  auto?: boolean;
}

export interface CallModelOutput {
  output: Record<string, unknown>;
  latencyMs: number;
}

export interface CallModelDeps {
  runtime: ModelRuntime;
  cache?: ResultCache;
  load?: LocalLoad;
  /** A model's output is held to the case's limits: it travels in workflow history too. @default core/case-limits.ts's */
  caseLimits?: CaseLimits;
  now?: () => number;
}

/**
 * Refuses an output the history or the decision log cannot hold — over the case's size or field
 * limits, nested deeper than a case may be, or with a NUL or lone surrogate (PostgreSQL's jsonb
 * refuses those) — as a non-retryable `Model.InvalidOutput` naming the paths: a failed call the
 * pipeline's fallback, quorum or default handles, never a workflow task that cannot complete.
 */
function checkOutput(output: Record<string, unknown>, model: PinnedModel, limits: CaseLimits): void {
  const issues = checkCaseLimits({ input: output }, limits).map((i) => ({
    ...i,
    path: i.path.replace(/^input(?=\.|$)/, 'output'),
    message: i.message.replace(/\bcase\b/, 'output'),
  }));
  if (issues.length === 0) return;
  throw ApplicationFailure.create({
    type: Failure.Model.InvalidOutput,
    message: `model ${model.name}@${model.version}: output refused: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    nonRetryable: true,
    details: [issues],
  });
}

function toCallFailure(err: unknown, model: PinnedModel): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof UnknownVersionError) {
    return ApplicationFailure.create({ type: Failure.Model.NotFound, message: err.message, nonRetryable: true });
  }
  return ApplicationFailure.create({
    type: Failure.Model.Failed,
    message: `model ${model.name}@${model.version} failed: ${err instanceof Error ? err.message : String(err)}`,
    cause: err instanceof Error ? err : undefined,
  });
}

function attemptLimits(): { deadline: number; signal?: AbortSignal } {
  try {
    const ctx = Context.current();
    return { deadline: Date.now() + (ctx.info.startToCloseTimeoutMs || 10_000), signal: ctx.cancellationSignal };
  } catch {
    return { deadline: Date.now() + 10_000 };
  }
}

/**
 * Builds `callModel`: one input row through a pinned model version (validated, circuit-broken,
 * optionally cached). The same function serves local activities in the orchestrator and remote
 * ones in model-pool workers.
 */
export function createCallModel({
  runtime,
  cache,
  load,
  caseLimits = DEFAULT_CASE_LIMITS,
  now = () => performance.now(),
}: CallModelDeps) {
  return async function callModel({ model, input, cacheTtlSeconds, auto }: CallModelInput): Promise<CallModelOutput> {
    if (auto && load && !load.admits(model.name)) {
      throw ApplicationFailure.create({
        // The workflow sends the call remote instead.
        type: Failure.Placement.Busy,
        message: `${model.name} is busy here`,
        nonRetryable: true,
        // A routing answer, not a failure: no WARN in the worker log each time a call goes remote.
        category: ApplicationFailureCategory.BENIGN,
      });
    }
    const run = async (): Promise<CallModelOutput> => {
      let adapter: ModelAdapter = await runtime.adapter(model.name, model.version);
      if (cache && cacheTtlSeconds) adapter = withCache(adapter, cache, cacheTtlSeconds);
      const started = now();
      const { outputs } = await adapter.predict([input], attemptLimits());
      const latencyMs = Math.round((now() - started) * 1000) / 1000;
      const output = outputs[0] ?? {};
      checkOutput(output, model, caseLimits);
      return { output, latencyMs };
    };
    // One span per model call, the adapter's HTTP request (with its traceparent) inside it.
    const attributes = { ...decisionAttributes(), 'arbiter.model': model.name, 'arbiter.model_version': model.version };
    return inSpan(`model ${model.name}@${model.version}`, attributes, async () => {
      try {
        return load ? await load.track(model.name, run) : await run();
      } catch (err) {
        throw toCallFailure(err, model);
      }
    });
  };
}
