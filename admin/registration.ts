import { ModelVersionSpecSchema, type ModelVersion, type ModelVersionSpec } from '../core/model-version';
import { redactConnectionStrings, redactedMessage } from '../core/redact';
import { literalSecrets, SECRET_BY_NAME_HINT, type LiteralSecret } from '../core/secrets';
import type { ModelRegistry, RegisterOptions, Registered } from '../stores/registry-store';
import type { ModelRuntime } from '../models/runtime';

/** A version was not stored because its model did not answer; `cause` says how it failed. */
export class RegistrationRejectedError extends Error {
  constructor(id: string, cause: unknown) {
    const why = redactedMessage(cause);
    super(`not registered: ${id} does not answer (${why})`, { cause });
    this.name = 'RegistrationRejectedError';
  }
}

/** A spec holding a literal credential (a token in a header, a key, user info in the URI): never stored. */
export class LiteralSecretError extends Error {
  constructor(
    name: string,
    readonly secrets: LiteralSecret[],
  ) {
    const where = secrets.map((s) => `${s.path} (${s.why})`).join('; ');
    super(`not registered: ${name} holds literal credentials at ${where}; ${SECRET_BY_NAME_HINT}`);
    this.name = 'LiteralSecretError';
  }
}

export interface RegisterModelOptions extends RegisterOptions {
  /** How long the probe may take. @default 15000 */
  probeTimeoutMs?: number;
}

/**
 * Registers a version only after proving it answers: the file loads, or the endpoint is ready and
 * knows the model. Nothing is stored when the probe fails, nor when the spec holds a literal
 * credential (`LiteralSecretError`: secrets are given by name, `{ "env": … }`, and stay out of the registry). A spec identical to the version it would
 * duplicate (`ModelRegistry.register`) comes back unchanged without a probe: it answered when it was
 * registered, and loading a model file can take a second.
 */
export async function registerModel(
  registry: ModelRegistry,
  runtime: ModelRuntime,
  spec: ModelVersionSpec,
  options: RegisterModelOptions = {},
): Promise<Registered> {
  const valid = ModelVersionSpecSchema.parse(spec);
  const secrets = literalSecrets(valid);
  if (secrets.length > 0) throw new LiteralSecretError(valid.name, secrets);
  if (!(await registry.findIdentical(valid, options))) await probe(runtime, valid, options.probeTimeoutMs ?? 15_000);
  return registry.register(valid, options);
}

async function probe(runtime: ModelRuntime, valid: ModelVersionSpec, timeoutMs: number): Promise<void> {
  const candidate: ModelVersion = {
    ...ModelVersionSpecSchema.parse(valid),
    version: '1',
    createdAt: new Date().toISOString(),
    deprecatedAt: null,
    deprecationReason: null,
  };
  const id = `${candidate.name} (${candidate.kind} at ${redactConnectionStrings(candidate.uri)})`;
  try {
    const adapter = await runtime.build(candidate);
    try {
      await adapter.probe({ deadline: Date.now() + timeoutMs });
    } finally {
      await adapter.close();
    }
  } catch (err) {
    throw new RegistrationRejectedError(id, err);
  }
}

/** Who the stack's own seeding at start (cards, pipelines, rule sets) is recorded as. */
export const SEED_ACTOR = 'seed';

/**
 * Registers the model cards of a models folder at start. A card the registry already holds (any
 * version with its spec, deprecated ones too) adds no version, and of its aliases only those the
 * model does not have yet are set: an alias an operator moved on purpose stays where it is, while
 * aliases added to a card since it was first registered take effect.
 */
export async function registerModelCards(
  registry: ModelRegistry,
  runtime: ModelRuntime,
  cards: readonly (ModelVersionSpec & { aliases?: string[] })[],
): Promise<{ name: string; version: string; created: boolean; aliasesSet: string[] }[]> {
  const results = [];
  for (const { aliases, ...spec } of cards) {
    const { version, created, aliasesSet } = await registerModel(registry, runtime, spec, {
      aliases,
      reason: 'from its model card',
      reuseAnyVersion: true,
      actor: SEED_ACTOR,
    });
    results.push({ name: version.name, version: version.version, created, aliasesSet });
  }
  return results;
}
