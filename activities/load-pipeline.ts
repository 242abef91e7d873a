import { ApplicationFailure } from '@temporalio/common';
import { ZodError } from 'zod';
import { Failure } from '../core/failures';
import { InvalidModelRefError, parseModelRef, type PinnedModel } from '../core/model-ref';
import { ADHOC_PIPELINE, singleModelSpec } from '../core/pipeline/adhoc';
import { modelRefsOf } from '../core/pipeline/check';
import type { PinnedPipeline } from '../core/pipeline/types';
import { toStoreFailure } from '../stores/pg-errors';
import { PipelineNotFoundError, type PipelineStore } from '../stores/pipeline-store';
import { ModelDeprecatedError, ModelNotFoundError } from '../stores/registry-errors';
import type { ModelRegistry } from '../stores/registry-store';
import type { PinCache } from './pin-cache';

export interface LoadPipelineInput {
  /** A stored pipeline's name (its latest version is pinned). */
  name?: string;
  /** Or a single model reference, run as a one-step pipeline. */
  model?: string;
}

/** A pinning failure in the failure vocabulary (unknown pipeline or model, invalid spec, store trouble). */
export function toLoadFailure(err: unknown, what: string): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof PipelineNotFoundError) {
    return ApplicationFailure.create({
      type: Failure.Pipeline.NotFound,
      message: err.message,
      nonRetryable: true,
      details: [{ available: err.available }],
    });
  }
  if (err instanceof ModelNotFoundError) {
    return ApplicationFailure.create({
      type: Failure.Model.NotFound,
      message: err.message,
      nonRetryable: true,
      details: [{ available: err.available }],
    });
  }
  if (err instanceof ModelDeprecatedError) {
    return ApplicationFailure.create({ type: Failure.Model.Deprecated, message: err.message, nonRetryable: true });
  }
  if (err instanceof InvalidModelRefError || err instanceof ZodError) {
    return ApplicationFailure.create({
      type: Failure.Pipeline.Invalid,
      message: `${what}: ${err.message}`,
      nonRetryable: true,
    });
  }
  return toStoreFailure(err, `loading ${what}`);
}

/**
 * Builds `loadPipeline`: pins a pipeline when a decision starts — its latest stored version and
 * every model alias in it resolved to a version — so later applies and promotions never change a
 * decision already under way. The pinned pipeline is recorded in the workflow's history.
 */
export function createLoadPipeline(deps: {
  pipelines: PipelineStore;
  registry: ModelRegistry;
  pins?: PinCache;
  /** This worker's vector store is in the log's database (pgvector): see `PinnedPipeline.searchInRecord`. */
  searchInRecord?: boolean;
}) {
  const pin = async (name: string | undefined, model: string | undefined): Promise<PinnedPipeline> => {
    const stored = model
      ? { name: ADHOC_PIPELINE, version: ADHOC_PIPELINE, spec: singleModelSpec(model) }
      : await deps.pipelines.get(name ?? 'demo');
    const pins: Record<string, PinnedModel> = {};
    for (const ref of modelRefsOf(stored.spec)) {
      const version = await deps.registry.resolve(parseModelRef(ref));
      pins[ref] = { name: version.name, version: version.version };
    }
    const inRecord = deps.searchInRecord && stored.spec.similarity ? { searchInRecord: true as const } : {};
    return { name: stored.name, version: stored.version, spec: stored.spec, pins, ...inRecord };
  };
  return async function loadPipeline({ name, model }: LoadPipelineInput): Promise<PinnedPipeline> {
    const what = model ? `model ${model}` : `pipeline ${name ?? '(none)'}`;
    try {
      if (!deps.pins) return await pin(name, model);
      return await deps.pins.get(model ? `model ${model}` : `pipeline ${name ?? 'demo'}`, () => pin(name, model));
    } catch (err) {
      throw toLoadFailure(err, what);
    }
  };
}
