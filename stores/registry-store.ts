import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { formatModelRef, type ModelRef } from '../core/model-ref';
import { ModelVersionSpecSchema, sameSpec, type ModelVersion, type ModelVersionSpec } from '../core/model-version';
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
  /** Who registers it (an API key's name, `cli:<os user>`, `seed`), recorded on the version and alias moves. @default null */
  actor?: string;
  /**
   * Reuse any version holding this spec, deprecated ones too, not only the latest: for seeding from
   * model cards, where a card the registry already holds stays as the operator left it (an old
   * card must not come back as the newest version). @default false
   */
  reuseAnyVersion?: boolean;
}

/** What a registration did: the version, whether it is new, and the aliases it pointed at it. */
export interface Registered {
  version: ModelVersion;
  /** False when an identical version was returned instead (`sameSpec`). */
  created: boolean;
  /** The aliases this call pointed at `version`: all asked for when created, else only those that did not exist. */
  aliasesSet: string[];
}

/**
 * Hash of what decides a version's answers, kept in `spec_hash` (which the immutability trigger
 * guards). Identity for idempotent registration is `sameSpec`, which also compares the metadata.
 */
export function specHash(spec: ModelVersionSpec): string {
  const { kind, uri, config, inputSchema, outputSchema } = ModelVersionSpecSchema.parse(spec);
  return createHash('sha256')
    .update(JSON.stringify([kind, uri, config, inputSchema, outputSchema]))
    .digest('hex');
}

/** The model registry in PostgreSQL: immutable versions, aliases moved atomically with history. */
export class ModelRegistry {
  constructor(private readonly pool: Pool) {}

  /**
   * Adds the next version of `spec.name` (creating the model on first use), or, when the latest
   * version is identical (`sameSpec`) and not deprecated, returns it unchanged: registering the same
   * card twice adds nothing. An unchanged registration only sets the asked-for aliases that do not
   * exist yet; moving an existing one is `promote`'s work, so an alias an operator moved stays put.
   */
  async register(spec: ModelVersionSpec, options: RegisterOptions = {}): Promise<Registered> {
    const valid = ModelVersionSpecSchema.parse(spec);
    const reason = options.reason ?? 'registered';
    const actor = options.actor ?? null;
    return this.transaction(async (tx) => {
      await tx.query(sql.INSERT_MODEL, [valid.name, valid.description ?? null]);
      await tx.query(sql.LOCK_MODEL, [valid.name]);
      const versions = (await tx.query(sql.SELECT_VERSIONS, [valid.name])).rows.map((r) => VersionRowSchema.parse(r));
      const same = this.identical(valid, versions, options.reuseAnyVersion ?? false);
      if (same) {
        const aliasesSet: string[] = [];
        for (const alias of same.deprecatedAt ? [] : (options.aliases ?? [])) {
          const exists = (await tx.query(sql.SELECT_ALIAS, [valid.name, alias])).rows.length > 0;
          if (exists) continue;
          await this.moveAlias(tx, valid.name, alias, Number(same.version), { reason, actor });
          aliasesSet.push(alias);
        }
        return { version: same, created: false, aliasesSet };
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
        specHash(valid),
        actor,
      ]);
      for (const alias of options.aliases ?? []) await this.moveAlias(tx, valid.name, alias, next, { reason, actor });
      return {
        version: await this.mustGet(tx, valid.name, String(next)),
        created: true,
        aliasesSet: options.aliases ?? [],
      };
    });
  }

  /**
   * The version registering `spec` would duplicate: the latest, unless deprecated (registering its
   * spec again is the way to serve it again); with `anyVersion`, any, deprecated ones included.
   */
  private identical(spec: ModelVersionSpec, versions: ModelVersion[], anyVersion: boolean): ModelVersion | undefined {
    if (anyVersion) return versions.find((v) => sameSpec(spec, v));
    const latest = versions.at(-1);
    return latest && !latest.deprecatedAt && sameSpec(spec, latest) ? latest : undefined;
  }

  /** The version registering `spec` would return unchanged (see `register`), if any. */
  async findIdentical(spec: ModelVersionSpec, options: Pick<RegisterOptions, 'reuseAnyVersion'> = {}) {
    const valid = ModelVersionSpecSchema.parse(spec);
    const { rows } = await this.pool.query(sql.SELECT_VERSIONS, [valid.name]);
    const versions = rows.map((r) => VersionRowSchema.parse(r));
    return this.identical(valid, versions, options.reuseAnyVersion ?? false);
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

  /**
   * Points `alias` at `version` atomically, recording who moved it from where, and why.
   * @param actor who moves it (an API key's name, `cli:<os user>`) @default null
   */
  async promote(
    name: string,
    alias: string,
    version: string,
    reason: string,
    actor?: string,
    backtestId?: string,
  ): Promise<AliasEvent> {
    return this.transaction(async (tx) => {
      await tx.query(sql.LOCK_MODEL, [name]);
      const target = await this.getVersionTx(tx, name, version);
      if (!target) throw new ModelNotFoundError(`${name}@${version}`, await this.refsOf(name));
      if (target.deprecatedAt) throw new ModelDeprecatedError(`${name}@${version}`, target.deprecationReason);
      return this.moveAlias(tx, name, alias, Number(version), { reason, actor: actor ?? null, backtestId });
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
    { reason, actor, backtestId }: { reason: string; actor: string | null; backtestId?: string },
  ): Promise<AliasEvent> {
    const from = (await tx.query<{ version: number }>(sql.SELECT_ALIAS, [name, alias])).rows[0]?.version ?? null;
    await tx.query(sql.UPSERT_ALIAS, [name, alias, to]);
    await tx.query(sql.INSERT_ALIAS_EVENT, [name, alias, from, to, reason, actor, backtestId ?? null]);
    return {
      alias,
      from: from === null ? null : String(from),
      to: String(to),
      reason,
      movedAt: new Date().toISOString(),
      actor,
      ...(backtestId ? { backtestId } : {}),
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
