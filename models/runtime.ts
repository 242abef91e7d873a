import { versionId, type ModelKind, type ModelVersion } from '../core/model-version';
import type { AdapterDeps, AdapterFactory, ModelAdapter } from './adapter';
import { invalidConfigFailure } from './errors';
import { withValidation } from './validate';

/** Where pinned versions come from (the registry). */
export interface VersionSource {
  getVersion(name: string, version: string): Promise<ModelVersion | undefined>;
}

/** Thrown when a pinned version is not in the registry (it was never registered here). */
export class UnknownVersionError extends Error {
  constructor(readonly id: string) {
    super(`model ${id} is not registered`);
    this.name = 'UnknownVersionError';
  }
}

/**
 * Loads adapters for pinned versions and keeps them: one adapter (one ONNX session, one HTTP
 * client) per version for the life of the worker. Versions are immutable, so the cache never goes
 * stale; concurrent first calls share one load, and a failed load is retried on the next call.
 */
export class ModelRuntime {
  private readonly adapters = new Map<string, Promise<ModelAdapter>>();

  constructor(
    private readonly versions: VersionSource,
    private readonly deps: AdapterDeps,
    private readonly factories: Partial<Record<ModelKind, AdapterFactory>>,
    /** Wraps each raw adapter before validation (circuit breaking). @default identity */
    private readonly decorate: (adapter: ModelAdapter) => ModelAdapter = (a) => a,
  ) {}

  /** The validated adapter for `name@version`. */
  adapter(name: string, version: string): Promise<ModelAdapter> {
    const key = `${name}@${version}`;
    let loading = this.adapters.get(key);
    if (!loading) {
      loading = this.load(name, version);
      this.adapters.set(key, loading);
      loading.catch(() => this.adapters.delete(key));
    }
    return loading;
  }

  /** Builds an adapter for a version that is not (yet) registered: used to probe before storing. */
  async build(version: ModelVersion): Promise<ModelAdapter> {
    const factory = this.factories[version.kind];
    if (!factory)
      throw invalidConfigFailure(versionId(version), `no adapter for kind '${version.kind}' in this worker`);
    // Validation outside the breaker: a bad case is rejected as such and never counts against the model.
    const raw = await factory(version, { ...this.deps, resolveAdapter: (n, v) => this.adapter(n, v) });
    return withValidation(this.decorate(raw));
  }

  private async load(name: string, version: string): Promise<ModelAdapter> {
    const found = await this.versions.getVersion(name, version);
    if (!found) throw new UnknownVersionError(`${name}@${version}`);
    return this.build(found);
  }

  async close(): Promise<void> {
    const loaded = await Promise.allSettled(this.adapters.values());
    this.adapters.clear();
    await Promise.all(loaded.flatMap((a) => (a.status === 'fulfilled' ? [a.value.close()] : [])));
  }
}
