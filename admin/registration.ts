import { ApplicationFailure } from '@temporalio/common';
import { ModelVersionSpecSchema, type ModelVersion, type ModelVersionSpec } from '../core/model-version';
import type { ModelRegistry, RegisterOptions } from '../stores/registry-store';
import type { ModelRuntime } from '../models/runtime';

/** A version was not stored because its model did not answer; `cause` says how it failed. */
export class RegistrationRejectedError extends Error {
  constructor(id: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`not registered: ${id} does not answer (${why})`, { cause });
    this.name = 'RegistrationRejectedError';
  }
}

export interface RegisterModelOptions extends RegisterOptions {
  /** How long the probe may take. @default 15000 */
  probeTimeoutMs?: number;
}

/**
 * Registers a version only after proving it answers: the file loads, or the endpoint is ready and
 * knows the model. Nothing is stored when the probe fails.
 */
export async function registerModel(
  registry: ModelRegistry,
  runtime: ModelRuntime,
  spec: ModelVersionSpec,
  options: RegisterModelOptions = {},
): Promise<{ version: ModelVersion; created: boolean }> {
  const valid = ModelVersionSpecSchema.parse(spec);
  const candidate: ModelVersion = {
    ...valid,
    version: '1',
    createdAt: new Date().toISOString(),
    deprecatedAt: null,
    deprecationReason: null,
  };
  const id = `${valid.name} (${valid.kind} at ${valid.uri})`;
  try {
    const adapter = await runtime.build(candidate);
    try {
      await adapter.probe({ deadline: Date.now() + (options.probeTimeoutMs ?? 15_000) });
    } finally {
      await adapter.close();
    }
  } catch (err) {
    throw new RegistrationRejectedError(id, err instanceof ApplicationFailure ? err : err);
  }
  return registry.register(valid, options);
}

/**
 * Registers every card whose exact spec is not in the registry yet, with the card's aliases; a
 * spec already there is left alone (its aliases may have been moved on purpose since).
 */
export async function registerModelCards(
  registry: ModelRegistry,
  runtime: ModelRuntime,
  cards: readonly (ModelVersionSpec & { aliases?: string[] })[],
): Promise<{ name: string; version: string; created: boolean }[]> {
  const results = [];
  for (const { aliases, ...spec } of cards) {
    // Already there: skip the probe (loading a model file can take a second).
    const existing = await registry.findIdentical(spec);
    if (existing) {
      results.push({ name: existing.name, version: existing.version, created: false });
      continue;
    }
    const { version, created } = await registerModel(registry, runtime, spec, {
      aliases,
      reason: 'demo model card',
      reuseIdentical: true,
    });
    results.push({ name: version.name, version: version.version, created });
  }
  return results;
}
