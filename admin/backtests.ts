import type { Pool } from 'pg';
import type { BacktestRequest } from '../core/lab/backtest';
import { validateRuleSet } from '../core/rules/check';
import { BacktestStore, type StoredBacktest } from '../stores/backtest-store';
import { PipelineInvalidError, PipelinesAdmin } from './pipelines';
import { readSpecFile } from './spec-file';

export type { StoredBacktest } from '../stores/backtest-store';

/** A stored spec by `name` or `name@version`. */
export function storedRef(ref: string): { name: string; version?: string } {
  const at = ref.lastIndexOf('@');
  return at > 0 ? { name: ref.slice(0, at), version: ref.slice(at + 1) } : { name: ref };
}

/** A rule-set file that cannot be used. */
export class RuleSetFileInvalidError extends Error {
  constructor(file: string, issues: { path: string; message: string }[]) {
    super(`rule set ${file} is invalid:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
    this.name = 'RuleSetFileInvalidError';
  }
}

/** Backtests as users read them: one by id, with its report once done; candidate files checked before a start. */
export class BacktestsAdmin {
  constructor(
    private readonly store: BacktestStore,
    private readonly pipelines: PipelinesAdmin,
  ) {}

  static fromPool(pool: Pool): BacktestsAdmin {
    return new BacktestsAdmin(new BacktestStore(pool), PipelinesAdmin.fromPool(pool));
  }

  /** A backtest by id, or undefined. */
  get(backtestId: string): Promise<StoredBacktest | undefined> {
    return this.store.get(backtestId);
  }

  exists(backtestId: string): Promise<boolean> {
    return this.store.exists(backtestId);
  }

  /** A candidate pipeline file, checked as `pipelines validate` checks it. @throws PipelineInvalidError */
  async candidateFromFile(file: string): Promise<BacktestRequest['candidate']> {
    const raw = await readSpecFile(file);
    const checked = await this.pipelines.validate(raw);
    if (!checked.ok) throw new PipelineInvalidError(file, checked.issues);
    return { spec: checked.spec };
  }

  /** A rule-set file, checked as `rules validate` checks it. @throws RuleSetFileInvalidError */
  async rulesFromFile(file: string): Promise<NonNullable<BacktestRequest['rules']>> {
    const checked = validateRuleSet(await readSpecFile(file));
    if (!checked.ok) throw new RuleSetFileInvalidError(file, checked.issues);
    return { spec: checked.spec };
  }
}
