import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { z } from 'zod';
import { PipelineSpecSchema, type PipelineSpec } from '../core/pipeline/spec';

const SQL = {
  lock: `SELECT pg_advisory_xact_lock(hashtext('pipeline:' || $1))`,
  byHash: `SELECT version FROM pipelines WHERE name = $1 AND spec_hash = $2 ORDER BY version LIMIT 1`,
  next: `SELECT coalesce(max(version), 0) + 1 AS next FROM pipelines WHERE name = $1`,
  insert: `INSERT INTO pipelines (name, version, spec, spec_hash, description) VALUES ($1, $2, $3, $4, $5)`,
  latest: `SELECT name, version, spec, created_at FROM pipelines WHERE name = $1 ORDER BY version DESC LIMIT 1`,
  exact: `SELECT name, version, spec, created_at FROM pipelines WHERE name = $1 AND version = $2`,
  versions: `SELECT name, version, spec, created_at FROM pipelines WHERE name = $1 ORDER BY version`,
  list: `SELECT DISTINCT ON (name) name, version, spec, created_at FROM pipelines ORDER BY name, version DESC`,
  names: `SELECT DISTINCT name FROM pipelines ORDER BY name`,
};

/** A stored, immutable pipeline version. */
export const StoredPipelineSchema = z
  .object({ name: z.string(), version: z.number().int(), spec: z.unknown(), created_at: z.date() })
  .transform((r) => ({
    name: r.name,
    version: String(r.version),
    spec: PipelineSpecSchema.parse(r.spec),
    createdAt: r.created_at.toISOString(),
  }));
export type StoredPipeline = z.output<typeof StoredPipelineSchema>;

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
  constructor(private readonly pool: Pool) {}

  /** Stores `spec` as the next version, or returns the version already holding this exact spec. */
  async apply(spec: PipelineSpec): Promise<{ pipeline: StoredPipeline; created: boolean }> {
    const hash = createHash('sha256').update(JSON.stringify(spec)).digest('hex');
    const tx = await this.pool.connect();
    try {
      await tx.query('BEGIN');
      await tx.query(SQL.lock, [spec.name]);
      const same = (await tx.query<{ version: number }>(SQL.byHash, [spec.name, hash])).rows[0];
      let version = same?.version;
      if (version === undefined) {
        version = (await tx.query<{ next: number }>(SQL.next, [spec.name])).rows[0]?.next ?? 1;
        await tx.query(SQL.insert, [spec.name, version, JSON.stringify(spec), hash, spec.description ?? null]);
      }
      const row = (await tx.query(SQL.exact, [spec.name, version])).rows[0] as unknown;
      await tx.query('COMMIT');
      return { pipeline: StoredPipelineSchema.parse(row), created: same === undefined };
    } catch (err) {
      await tx.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      tx.release();
    }
  }

  /** The latest version, or an exact one. */
  async get(name: string, version?: string): Promise<StoredPipeline> {
    const { rows } =
      version === undefined
        ? await this.pool.query(SQL.latest, [name])
        : await this.pool.query(SQL.exact, [name, Number(version)]);
    if (rows[0] === undefined)
      throw new PipelineNotFoundError(version ? `${name}@${version}` : name, await this.names());
    return StoredPipelineSchema.parse(rows[0]);
  }

  async versions(name: string): Promise<StoredPipeline[]> {
    const { rows } = await this.pool.query(SQL.versions, [name]);
    if (rows.length === 0) throw new PipelineNotFoundError(name, await this.names());
    return rows.map((r) => StoredPipelineSchema.parse(r));
  }

  /** The latest version of every pipeline. */
  async list(): Promise<StoredPipeline[]> {
    return (await this.pool.query(SQL.list)).rows.map((r) => StoredPipelineSchema.parse(r));
  }

  private async names(): Promise<string[]> {
    return (await this.pool.query<{ name: string }>(SQL.names)).rows.map((r) => r.name);
  }
}
