import type { Pool } from 'pg';
import { BacktestStore } from '../stores/backtest-store';

/** A promotion cited a backtest that does not exist, or has not finished. */
export class BacktestEvidenceError extends Error {
  constructor(
    readonly backtestId: string,
    readonly problem: 'unknown' | 'unfinished',
  ) {
    super(
      problem === 'unknown'
        ? `no backtest ${backtestId} to cite`
        : `backtest ${backtestId} has not finished: cite a backtest that is done`,
    );
    this.name = 'BacktestEvidenceError';
  }
}

/** Checks that a cited backtest exists and is done; returns its id (or undefined when none is cited). */
export async function citedBacktest(pool: Pool, backtestId: string | undefined): Promise<string | undefined> {
  if (backtestId === undefined) return undefined;
  const stored = await new BacktestStore(pool).get(backtestId);
  if (!stored) throw new BacktestEvidenceError(backtestId, 'unknown');
  if (stored.status !== 'done') throw new BacktestEvidenceError(backtestId, 'unfinished');
  return backtestId;
}
