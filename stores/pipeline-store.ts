import type { Pool } from 'pg';
import { PipelineSpecSchema, type PipelineSpec } from '../core/pipeline/spec';
import { VersionedSpecStore, type StoredSpec } from './versioned-specs';

/** A stored, immutable pipeline version. */
export type StoredPipeline = StoredSpec<PipelineSpec>;

/** Thrown for an unknown pipeline; lists the ones that exist. */
export class PipelineNotFoundError extends Error {
  constructor(
    readonly ref: string,
    readonly available: string[],
  ) {
    super(`unknown pipeline ${ref}; available: ${available.length ? available.join(', ') : 'none applied'}`);
    this.name = 'PipelineNotFoundError';
  }
}

/** Pipelines in PostgreSQL: every apply of a changed spec is a new immutable version. */
export class PipelineStore {
  private readonly specs: VersionedSpecStore<PipelineSpec>;

  constructor(pool: Pool) {
    this.specs = new VersionedSpecStore(pool, {
      table: 'pipelines',
      schema: PipelineSpecSchema,
      notFound: (ref, available) => new PipelineNotFoundError(ref, available),
    });
  }

  /** Stores `spec` as the next version, or returns the version already holding this exact spec. @param actor @default null */
  async apply(spec: PipelineSpec, actor?: string): Promise<{ pipeline: StoredPipeline; created: boolean }> {
    const { stored, created } = await this.specs.apply(spec, actor);
    return { pipeline: stored, created };
  }

  /** The latest version, or an exact one. */
  get(name: string, version?: string): Promise<StoredPipeline> {
    return this.specs.get(name, version);
  }

  versions(name: string): Promise<StoredPipeline[]> {
    return this.specs.versions(name);
  }

  /** The latest version of every pipeline. */
  list(): Promise<StoredPipeline[]> {
    return this.specs.list();
  }
}
