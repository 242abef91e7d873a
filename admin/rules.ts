import { readSpecFile } from './spec-file';
import type { CaseIssue } from '../core/case';
import { validateRuleSet } from '../core/rules/check';
import type { RuleSetSpec } from '../core/rules/spec';
import type { Pool } from 'pg';
import { RuleSetStore, type StoredRuleSet } from '../stores/rules-store';

/** A rule set that cannot be applied; `issues` lists every problem with its path in the rule set. */
export class RuleSetInvalidError extends Error {
  constructor(
    readonly ruleSet: string,
    readonly issues: CaseIssue[],
  ) {
    super(`rule set ${ruleSet} is invalid:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
    this.name = 'RuleSetInvalidError';
  }
}

/** Rule sets as users drive them: validate, apply (a new version when changed), list, show. */
export class RuleSetsAdmin {
  constructor(private readonly store: RuleSetStore) {}

  /** The rule sets on an existing pool (kept open by its owner). */
  static fromPool(pool: Pool): RuleSetsAdmin {
    return new RuleSetsAdmin(new RuleSetStore(pool));
  }

  /** Every problem with a rule set: schema (unknown keys too), facts and paths, operators, names, reason placeholders. */
  validate(raw: unknown): { ok: true; spec: RuleSetSpec } | { ok: false; issues: CaseIssue[] } {
    return validateRuleSet(raw);
  }

  /**
   * Validates, then stores the rule set as the next version (an unchanged one keeps its version).
   * @param actor who applies it (an API key's name, `cli:<os user>`, `seed`) @default null
   */
  async apply(raw: unknown, actor?: string): Promise<{ ruleSet: StoredRuleSet; created: boolean }> {
    const checked = this.validate(raw);
    if (!checked.ok) {
      const name = (raw as { name?: unknown } | null)?.name;
      throw new RuleSetInvalidError(typeof name === 'string' ? name : '(unnamed)', checked.issues);
    }
    return this.store.apply(checked.spec, actor);
  }

  /** The latest version of one rule set, or an exact version. */
  get(name: string, version?: string): Promise<StoredRuleSet> {
    return this.store.get(name, version);
  }

  /** The latest version of every rule set. */
  list(): Promise<StoredRuleSet[]> {
    return this.store.list();
  }

  /** Every version of one rule set, oldest first. */
  show(name: string): Promise<StoredRuleSet[]> {
    return this.store.versions(name);
  }
}

/** Reads a rule set from a YAML or JSON file. */
export const readRuleSetFile = readSpecFile;
