import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { formatModelRef, type ModelRef } from '../core/model-ref';
import { ModelVersionSpecSchema, type ModelVersion, type ModelVersionSpec } from '../core/model-version';
import { ModelDeprecatedError, ModelNotFoundError, RegistryConflictError } from './registry-errors';
import {
  AliasEventRowSchema,
  ModelSummaryRowSchema,
  VersionRowSchema,
  type AliasEvent,
  type ModelSummary,
} from './registry-rows';
import { registryGeneration } from './registry-generation';
import * as sql from './registry-sql';

/** Everything the registry knows about one model. */
export interface ModelDetails {
  name: string;
  versions: ModelVersion[];
  aliases: Record<string, string>;
  aliasHistory: AliasEvent[];
}

export interface RegisterOptions {
  /** Aliases to point at the new version, in the same transaction. @default [] */
  aliases?: string[];
  /** Why, recorded in the alias history. @default 'registered' */
  reason?: string;
  /** Return an existing version with an identical spec instead of adding one. @default false */
  reuseIdentical?: boolean;
}

/** Stable hash of what makes a version what it is (not its metadata). */
export function specHash(spec: ModelVersionSpec): string {
  const { kind, uri, config, inputSchema, outputSchema } = ModelVersionSpecSchema.parse(spec);
  return createHash('sha256')
    .update(JSON.stringify([kind, uri, config, inputSchema, outputSchema]))
    .digest('hex');
}

/** The model registry in PostgreSQL: immutable versions, aliases moved atomically with history. */
export class ModelRegistry {
  constructor(private readonly pool: Pool) {}

  /** Adds the next version of `spec.name` (creating the model on first use). */
  async register(
    spec: ModelVersionSpec,
    options: RegisterOptions = {},
  ): Promise<{ version: ModelVersion; created: boolean }> {
    const valid = ModelVersionSpecSchema.parse(spec);
    const hash = specHash(valid);
    return this.transaction(async (tx) => {
      await tx.query(sql.INSERT_MODEL, [valid.name, valid.description ?? null]);
      await tx.query(sql.LOCK_MODEL, [valid.name]);
      if (options.reuseIdentical) {
        const existing = await tx.query<{ version: number }>(sql.FIND_BY_HASH, [valid.name, hash]);
        const found = existing.rows[0];
        if (found) return { version: await this.mustGet(tx, valid.name, String(found.version)), created: false };
      }
      const next = (await tx.query<{ next: number }>(sql.NEXT_VERSION, [valid.name])).rows[0]?.next ?? 1;
      await tx.query(sql.INSERT_VERSION, [
        valid.name,
        next,
        valid.kind,
        valid.uri,
        JSON.stringify(valid.config),
        JSON.stringify(valid.inputSchema),
        JSON.stringify(valid.outputSchema),
        valid.framework ?? null,
        valid.trainingData ?? null,
        JSON.stringify(valid.metrics),
        valid.description ?? null,
        hash,
      ]);
      for (const alias of options.aliases ?? []) {
        await this.moveAlias(tx, valid.name, alias, next, options.reason ?? 'registered');
      }
      return { version: await this.mustGet(tx, valid.name, String(next)), created: true };
    });
  }

  /** The version already registered with exactly this spec, if any. */
  async findIdentical(spec: ModelVersionSpec): Promise<ModelVersion | undefined> {
    const valid = ModelVersionSpecSchema.parse(spec);
    const { rows } = await this.pool.query<{ version: number }>(sql.FIND_BY_HASH, [valid.name, specHash(valid)]);
    const found = rows[0];
    return found ? this.getVersion(valid.name, String(found.version)) : undefined;
  }

  /** A pinned version, deprecated or not (running workflows keep what they pinned). */
  async getVersion(name: string, version: string): Promise<ModelVersion | undefined> {
    const { rows } = await this.pool.query(sql.SELECT_VERSION, [name, Number(version)]);
    return rows[0] === undefined ? undefined : VersionRowSchema.parse(rows[0]);
  }

  /** Resolves `name@version` or `name:alias` for new work; deprecated versions are refused. */
  async resolve(ref: ModelRef): Promise<ModelVersion> {
    const text = formatModelRef(ref);
    let version: string;
    if ('version' in ref) {
      version = ref.version;
    } else {
      const { rows } = await this.pool.query<{ version: number }>(sql.SELECT_ALIAS, [ref.name, ref.alias]);
      const row = rows[0];
      if (!row) throw new ModelNotFoundError(text, await this.refsOf(ref.name));
      version = String(row.version);
    }
    const found = await this.getVersion(ref.name, version);
    if (!found) throw new ModelNotFoundError(text, await this.refsOf(ref.name));
    if (found.deprecatedAt) throw new ModelDeprecatedError(`${ref.name}@${version}`, found.deprecationReason);
    return found;
  }

  /** The registry generation (stores/registry-generation.ts): one cheap query that says whether anything changed. */
  generation(): Promise<string> {
    return registryGeneration(this.pool);
  }

  async list(): Promise<ModelSummary[]> {
    const { rows } = await this.pool.query(sql.LIST_MODELS);
    return rows.map((r) => ModelSummaryRowSchema.parse(r));
  }

  async show(name: string): Promise<ModelDetails> {
    const versions = (await this.pool.query(sql.SELECT_VERSIONS, [name])).rows.map((r) => VersionRowSchema.parse(r));
    if (versions.length === 0) throw new ModelNotFoundError(name, await this.names());
    const aliasRows = (await this.pool.query<{ alias: string; version: number }>(sql.SELECT_ALIASES, [name])).rows;
    const history = (await this.pool.query(sql.SELECT_ALIAS_HISTORY, [name])).rows.map((r) =>
      AliasEventRowSchema.parse(r),
    );
    const aliases = Object.fromEntries(aliasRows.map((a) => [a.alias, String(a.version)]));
    return { name, versions, aliases, aliasHistory: history };
  }

  /** Points `alias` at `version` atomically, recording who moved it from where, and why. */
  async promote(name: string, alias: string, version: string, reason: string): Promise<AliasEvent> {
    return this.transaction(async (tx) => {
      await tx.query(sql.LOCK_MODEL, [name]);
      const target = await this.getVersionTx(tx, name, version);
      if (!target) throw new ModelNotFoundError(`${name}@${version}`, await this.refsOf(name));
      if (target.deprecatedAt) throw new ModelDeprecatedError(`${name}@${version}`, target.deprecationReason);
      return this.moveAlias(tx, name, alias, Number(version), reason);
    });
  }

  /** Marks a version deprecated; refused while an alias still points at it. */
  async deprecate(name: string, version: string, reason: string): Promise<ModelVersion> {
    return this.transaction(async (tx) => {
      await tx.query(sql.LOCK_MODEL, [name]);
      const target = await this.getVersionTx(tx, name, version);
      if (!target) throw new ModelNotFoundError(`${name}@${version}`, await this.refsOf(name));
      const aliases = (await tx.query<{ alias: string }>(sql.ALIASES_ON_VERSION, [name, Number(version)])).rows;
      if (aliases.length > 0) {
        const list = aliases.map((a) => a.alias).join(', ');
        throw new RegistryConflictError(
          `${name}@${version} is still aliased as ${list}; promote another version first`,
        );
      }
      await tx.query(sql.DEPRECATE_VERSION, [name, Number(version), reason]);
      return this.mustGet(tx, name, version);
    });
  }

  private async moveAlias(
    tx: PoolClient,
    name: string,
    alias: string,
    to: number,
    reason: string,
  ): Promise<AliasEvent> {
    const from = (await tx.query<{ version: number }>(sql.SELECT_ALIAS, [name, alias])).rows[0]?.version ?? null;
    await tx.query(sql.UPSERT_ALIAS, [name, alias, to]);
    await tx.query(sql.INSERT_ALIAS_EVENT, [name, alias, from, to, reason]);
    return {
      alias,
      from: from === null ? null : String(from),
      to: String(to),
      reason,
      movedAt: new Date().toISOString(),
    };
  }

  private async getVersionTx(tx: PoolClient, name: string, version: string): Promise<ModelVersion | undefined> {
    const { rows } = await tx.query(sql.SELECT_VERSION, [name, Number(version)]);
    return rows[0] === undefined ? undefined : VersionRowSchema.parse(rows[0]);
  }

  private async mustGet(tx: PoolClient, name: string, version: string): Promise<ModelVersion> {
    const found = await this.getVersionTx(tx, name, version);
    if (!found) throw new Error(`registry invariant: ${name}@${version} vanished inside its transaction`);
    return found;
  }

  /** What a user could have meant: every `name@version` and `name:alias`, or all model names. */
  private async refsOf(name: string): Promise<string[]> {
    const versions = (await this.pool.query<{ version: number }>(sql.SELECT_VERSIONS, [name])).rows;
    if (versions.length === 0) return this.names();
    const aliases = (await this.pool.query<{ alias: string }>(sql.SELECT_ALIASES, [name])).rows;
    return [...versions.map((v) => `${name}@${v.version}`), ...aliases.map((a) => `${name}:${a.alias}`)];
  }

  /** Every registered model's name, sorted. */
  async names(): Promise<string[]> {
    return (await this.pool.query<{ name: string }>(sql.MODEL_NAMES)).rows.map((r) => r.name);
  }

  private async transaction<T>(fn: (tx: PoolClient) => Promise<T>): Promise<T> {
    const tx = await this.pool.connect();
    try {
      await tx.query('BEGIN');
      const result = await fn(tx);
      await tx.query('COMMIT');
      return result;
    } catch (err) {
      await tx.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      tx.release();
    }
  }
}
