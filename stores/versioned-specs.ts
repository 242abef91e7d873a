import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { z } from 'zod';

/** All SQL of a versioned-spec table (`pipelines`, `rule_sets`): name, version, spec, spec_hash, description, actor. */
function sqlFor(table: 'pipelines' | 'rule_sets') {
  // Only pipelines have candidates (versions stored by `pipelines fit`, live once promoted).
  const pipelines = table === 'pipelines';
  const columns = `name, version, spec, created_at, actor, ${pipelines ? 'candidate' : 'false AS candidate'}`;
  const live = pipelines ? 'AND NOT candidate' : '';
  return {
    // Serialises applies of one name, so two applying at once cannot take the same version.
    lock: `SELECT pg_advisory_xact_lock(hashtext('${table}:' || $1))`,
    // An apply makes a live version: a candidate holding the same spec does not count as applied.
    byHash: `SELECT version FROM ${table} WHERE name = $1 AND spec_hash = $2 ${live} ORDER BY version LIMIT 1`,
    anyByHash: `SELECT version FROM ${table} WHERE name = $1 AND spec_hash = $2 ORDER BY version LIMIT 1`,
    next: `SELECT coalesce(max(version), 0) + 1 AS next FROM ${table} WHERE name = $1`,
    insert: `INSERT INTO ${table} (name, version, spec, spec_hash, description, actor) VALUES ($1, $2, $3, $4, $5, $6)`,
    insertCandidate: `INSERT INTO pipelines (name, version, spec, spec_hash, description, actor, candidate)
      VALUES ($1, $2, $3, $4, $5, $6, true)`,
    latest: `SELECT ${columns} FROM ${table} WHERE name = $1 ${live} ORDER BY version DESC LIMIT 1`,
    exact: `SELECT ${columns} FROM ${table} WHERE name = $1 AND version = $2`,
    versions: `SELECT ${columns} FROM ${table} WHERE name = $1 ORDER BY version`,
    list: `SELECT DISTINCT ON (name) ${columns} FROM ${table} WHERE true ${live} ORDER BY name, version DESC`,
    names: `SELECT DISTINCT name FROM ${table} ORDER BY name`,
  } as const;
}

/** A stored, immutable version of a spec. */
export interface StoredSpec<S> {
  name: string;
  version: string;
  spec: S;
  createdAt: string;
  /** Who applied this version (an API key's name, `cli:<os user>`, `seed`); null before actors were recorded. */
  actor: string | null;
  /** A pipeline version stored by `pipelines fit`: not pinned by decisions until promoted. @default false */
  candidate?: boolean;
}

export interface VersionedSpecOptions<S> {
  table: 'pipelines' | 'rule_sets';
  schema: z.ZodType<S>;
  /** The error for an unknown name or version, listing the names that exist. */
  notFound: (ref: string, available: string[]) => Error;
}

/**
 * Specs versioned in PostgreSQL: every apply of a changed spec is a new immutable version; an
 * unchanged spec keeps its version. Shared by pipelines and rule sets.
 */
export class VersionedSpecStore<S extends { name: string; description?: string }> {
  private readonly sql: ReturnType<typeof sqlFor>;
  private readonly row: z.ZodType<StoredSpec<S>>;

  constructor(
    private readonly pool: Pool,
    private readonly options: VersionedSpecOptions<S>,
  ) {
    this.sql = sqlFor(options.table);
    this.row = z
      .object({
        name: z.string(),
        version: z.number().int(),
        spec: z.unknown(),
        created_at: z.date(),
        actor: z.string().nullable(),
        candidate: z.boolean(),
      })
      .transform((r) => ({
        name: r.name,
        version: String(r.version),
        spec: options.schema.parse(r.spec),
        createdAt: r.created_at.toISOString(),
        actor: r.actor,
        ...(r.candidate ? { candidate: true } : {}),
      }));
  }

  /**
   * Stores `spec` as the next version, or returns the version already holding this exact spec (and its actor).
   * @param actor who applies it @default null
   * @param candidate store a pipeline candidate (not live; any version with this spec is returned) @default false
   */
  async apply(spec: S, actor?: string, candidate = false): Promise<{ stored: StoredSpec<S>; created: boolean }> {
    const hash = createHash('sha256').update(JSON.stringify(spec)).digest('hex');
    const tx = await this.pool.connect();
    try {
      await tx.query('BEGIN');
      await tx.query(this.sql.lock, [spec.name]);
      const byHash = candidate ? this.sql.anyByHash : this.sql.byHash;
      const same = (await tx.query<{ version: number }>(byHash, [spec.name, hash])).rows[0];
      let version = same?.version;
      if (version === undefined) {
        version = (await tx.query<{ next: number }>(this.sql.next, [spec.name])).rows[0]?.next ?? 1;
        await tx.query(candidate ? this.sql.insertCandidate : this.sql.insert, [
          spec.name,
          version,
          JSON.stringify(spec),
          hash,
          spec.description ?? null,
          actor ?? null,
        ]);
      }
      const row = (await tx.query(this.sql.exact, [spec.name, version])).rows[0] as unknown;
      await tx.query('COMMIT');
      return { stored: this.row.parse(row), created: same === undefined };
    } catch (err) {
      await tx.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      tx.release();
    }
  }

  /** The latest version, or an exact one (what a decision pins when it starts). */
  async get(name: string, version?: string): Promise<StoredSpec<S>> {
    const ref = version === undefined ? name : `${name}@${version}`;
    if (version !== undefined && !/^[1-9][0-9]{0,8}$/.test(version))
      throw this.options.notFound(ref, await this.names());
    const { rows } =
      version === undefined
        ? await this.pool.query(this.sql.latest, [name])
        : await this.pool.query(this.sql.exact, [name, Number(version)]);
    if (rows[0] === undefined) throw this.options.notFound(ref, await this.names());
    return this.row.parse(rows[0]);
  }

  /** Every version of one name, oldest first. */
  async versions(name: string): Promise<StoredSpec<S>[]> {
    const { rows } = await this.pool.query(this.sql.versions, [name]);
    if (rows.length === 0) throw this.options.notFound(name, await this.names());
    return rows.map((r) => this.row.parse(r));
  }

  /** The latest version of every name. */
  async list(): Promise<StoredSpec<S>[]> {
    return (await this.pool.query(this.sql.list)).rows.map((r) => this.row.parse(r));
  }

  private async names(): Promise<string[]> {
    return (await this.pool.query<{ name: string }>(this.sql.names)).rows.map((r) => r.name);
  }
}
