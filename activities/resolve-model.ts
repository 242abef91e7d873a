import { ApplicationFailure } from '@temporalio/common';
import { parseModelRef, type PinnedModel } from '../core/model-ref';
import { ModelFailureType } from '../models/errors';
import { ModelDeprecatedError, ModelNotFoundError } from '../stores/registry-errors';
import type { ModelRegistry } from '../stores/registry-store';
import { toStoreFailure } from '../stores/pg-errors';

/** The registry's answers as failures: unknown and deprecated are final, the database's trouble is not. */
function toResolveFailure(err: unknown, ref: string): ApplicationFailure {
  if (err instanceof ModelNotFoundError) {
    return ApplicationFailure.create({
      type: ModelFailureType.NotFound,
      message: err.message,
      nonRetryable: true,
      details: [{ available: err.available }],
    });
  }
  if (err instanceof ModelDeprecatedError) {
    return ApplicationFailure.create({ type: ModelFailureType.Deprecated, message: err.message, nonRetryable: true });
  }
  if (err instanceof Error && !('code' in err)) {
    return ApplicationFailure.create({
      type: ModelFailureType.NotFound,
      message: `${ref}: ${err.message}`,
      nonRetryable: true,
    });
  }
  return toStoreFailure(err, `resolving model ${ref}`);
}

/**
 * Builds the activity that pins a model reference (`name:alias`, `name@version`) to a version when a
 * decision starts, so that moving an alias later never changes a decision already under way.
 */
export function createResolveModel(registry: ModelRegistry) {
  return async function resolveModel(ref: string): Promise<PinnedModel> {
    try {
      const version = await registry.resolve(parseModelRef(ref));
      return { name: version.name, version: version.version };
    } catch (err) {
      throw toResolveFailure(err, ref);
    }
  };
}
