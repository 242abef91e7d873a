import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { z } from 'zod';
import { RuleSetSpecSchema, type RuleSetSpec } from '../core/rules/spec';
import { RULES_SQL as SQL } from './rules-sql';

/** A stored, immutable rule set version. */
export const StoredRuleSetSchema = z
  .object({ name: z.string(), version: z.number().int(), spec: z.unknown(), created_at: z.date() })
  .transform((r) => ({
    name: r.name,
    version: String(r.version),
    spec: RuleSetSpecSchema.parse(r.spec),
    createdAt: r.created_at.toISOString(),
  }));
export type StoredRuleSet = z.output<typeof StoredRuleSetSchema>;

/** Thrown for an unknown rule set or version; lists the rule sets that exist. */
export class RuleSetNotFoundError extends Error {
  constructor(
    readonly ref: string,
    readonly available: string[],
  ) {
    super(`unknown rule set ${ref}; available: ${available.length ? available.join(', ') : 'none applied'}`);
    this.name = 'RuleSetNotFoundError';
  }
}

/** Rule sets in PostgreSQL: every apply of a changed rule set is a new immutable version. */
export class RuleSetStore {
  constructor(private readonly pool: Pool) {}

  /** Stores `spec` as the next version, or returns the version already holding this exact spec. */
  async apply(spec: RuleSetSpec): Promise<{ ruleSet: StoredRuleSet; created: boolean }> {
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
      return { ruleSet: StoredRuleSetSchema.parse(row), created: same === undefined };
    } catch (err) {
      await tx.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      tx.release();
    }
  }

  /** The latest version, or an exact one (what a decision pins when it starts). */
  async get(name: string, version?: string): Promise<StoredRuleSet> {
    if (version !== undefined && !/^[1-9][0-9]{0,8}$/.test(version)) {
      throw new RuleSetNotFoundError(`${name}@${version}`, await this.names());
    }
    const { rows } =
      version === undefined
        ? await this.pool.query(SQL.latest, [name])
        : await this.pool.query(SQL.exact, [name, Number(version)]);
    if (rows[0] === undefined) {
      throw new RuleSetNotFoundError(version === undefined ? name : `${name}@${version}`, await this.names());
    }
    return StoredRuleSetSchema.parse(rows[0]);
  }

  /** Every version of one rule set, oldest first. */
  async versions(name: string): Promise<StoredRuleSet[]> {
    const { rows } = await this.pool.query(SQL.versions, [name]);
    if (rows.length === 0) throw new RuleSetNotFoundError(name, await this.names());
    return rows.map((r) => StoredRuleSetSchema.parse(r));
  }

  /** The latest version of every rule set. */
  async list(): Promise<StoredRuleSet[]> {
    return (await this.pool.query(SQL.list)).rows.map((r) => StoredRuleSetSchema.parse(r));
  }

  private async names(): Promise<string[]> {
    return (await this.pool.query<{ name: string }>(SQL.names)).rows.map((r) => r.name);
  }
}
