import type { Pool } from 'pg';
import { RuleSetSpecSchema, type RuleSetSpec } from '../core/rules/spec';
import { VersionedSpecStore, type StoredSpec } from './versioned-specs';

/** A stored, immutable rule set version. */
export type StoredRuleSet = StoredSpec<RuleSetSpec>;

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
  private readonly specs: VersionedSpecStore<RuleSetSpec>;

  constructor(pool: Pool) {
    this.specs = new VersionedSpecStore(pool, {
      table: 'rule_sets',
      schema: RuleSetSpecSchema,
      notFound: (ref, available) => new RuleSetNotFoundError(ref, available),
    });
  }

  /** Stores `spec` as the next version, or returns the version already holding this exact spec. @param actor @default null */
  async apply(spec: RuleSetSpec, actor?: string): Promise<{ ruleSet: StoredRuleSet; created: boolean }> {
    const { stored, created } = await this.specs.apply(spec, actor);
    return { ruleSet: stored, created };
  }

  /** The latest version, or an exact one (what a decision pins when it starts). */
  get(name: string, version?: string): Promise<StoredRuleSet> {
    return this.specs.get(name, version);
  }

  /** Every version of one rule set, oldest first. */
  versions(name: string): Promise<StoredRuleSet[]> {
    return this.specs.versions(name);
  }

  /** The latest version of every rule set. */
  list(): Promise<StoredRuleSet[]> {
    return this.specs.list();
  }
}
