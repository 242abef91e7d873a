import type { Pool } from 'pg';
import { z } from 'zod';
import * as lab from './lab-sql';
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

/** A pipeline version made live by `promote`, with the backtest it cited. */
export const PromotionRowSchema = z
  .object({
    id: z.coerce.number(),
    name: z.string(),
    version: z.number().int(),
    backtest_id: z.string().nullable(),
    reason: z.string(),
    actor: z.string().nullable(),
    promoted_at: z.date(),
  })
  .transform((r) => ({
    name: r.name,
    version: String(r.version),
    backtestId: r.backtest_id,
    reason: r.reason,
    actor: r.actor,
    promotedAt: r.promoted_at.toISOString(),
  }));
export type PipelinePromotion = z.output<typeof PromotionRowSchema> & {
  /** The candidate promoted, when it was copied to a new live version (a newer one was live already). */
  from?: string;
};

/** Pipelines in PostgreSQL: every apply of a changed spec is a new immutable version. */
export class PipelineStore {
  private readonly specs: VersionedSpecStore<PipelineSpec>;

  constructor(private readonly pool: Pool) {
    this.specs = new VersionedSpecStore(pool, {
      table: 'pipelines',
      schema: PipelineSpecSchema,
      notFound: (ref, available) => new PipelineNotFoundError(ref, available),
    });
  }

  /**
   * Stores `spec` as the next version, or returns the version already holding this exact spec.
   * @param actor @default null @param candidate not live until promoted @default false
   */
  async apply(
    spec: PipelineSpec,
    actor?: string,
    candidate = false,
  ): Promise<{ pipeline: StoredPipeline; created: boolean }> {
    const { stored, created } = await this.specs.apply(spec, actor, candidate);
    return { pipeline: stored, created };
  }

  /** The latest version, or an exact one. */
  get(name: string, version?: string): Promise<StoredPipeline> {
    return this.specs.get(name, version);
  }

  /**
   * Makes `version` live and records why (and the backtest cited). A candidate newer than every live
   * version stops being a candidate; an older one (or one a later apply overtook) is copied to the
   * next version, which is live. A live version is recorded as promoted as it is.
   */
  async promote(
    name: string,
    version: string,
    evidence: { reason: string; actor?: string; backtestId?: string },
  ): Promise<PipelinePromotion> {
    const target = await this.get(name, version); // unknown: PipelineNotFoundError
    const tx = await this.pool.connect();
    try {
      await tx.query('BEGIN');
      await tx.query(lab.LOCK_PIPELINE, [name]);
      const newest = (await tx.query<{ version: number | null }>(lab.NEWEST_LIVE, [name])).rows[0]?.version ?? 0;
      let live = Number(target.version);
      if (target.candidate && live > newest) await tx.query(lab.CLEAR_CANDIDATE, [name, live]);
      else if (target.candidate) {
        const next =
          (await tx.query<{ next: number }>(lab.NEXT_PIPELINE_VERSION, [name]))
            .rows[0]?.next ?? live + 1;
        await tx.query(lab.COPY_AS_LIVE, [name, live, next, evidence.actor ?? null]);
        live = next;
      }
      const row = (
        await tx.query(lab.RECORD_PROMOTION, [
          name,
          live,
          evidence.backtestId ?? null,
          evidence.reason,
          evidence.actor ?? null,
        ])
      ).rows[0] as unknown;
      await tx.query('COMMIT');
      const promoted = PromotionRowSchema.parse(row);
      return String(live) === target.version ? promoted : { ...promoted, from: target.version };
    } catch (err) {
      await tx.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      tx.release();
    }
  }

  /** Every promotion of a pipeline, oldest first. */
  async promotions(name: string): Promise<PipelinePromotion[]> {
    return (await this.pool.query(lab.PROMOTIONS, [name])).rows.map((r) => PromotionRowSchema.parse(r));
  }

  versions(name: string): Promise<StoredPipeline[]> {
    return this.specs.versions(name);
  }

  /** The latest version of every pipeline. */
  list(): Promise<StoredPipeline[]> {
    return this.specs.list();
  }
}
