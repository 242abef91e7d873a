import { randomBytes } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  backtestProgressQuery,
  BacktestProgressSchema,
  BacktestRequestSchema,
  backtestWorkflowId,
  type BacktestProgress,
  type BacktestRequest,
} from '../core/lab/backtest';
import type { backtestWorkflow } from '../workflows';

/** No backtest has this id (no workflow `backtest-<id>`). */
export class UnknownBacktestError extends Error {
  constructor(
    readonly backtestId: string,
    options?: ErrorOptions,
  ) {
    super(`no backtest ${backtestId}`, options);
    this.name = 'UnknownBacktestError';
  }
}

/** A backtest with this id was already started: pick another id. */
export class BacktestExistsError extends Error {
  constructor(
    readonly backtestId: string,
    options?: ErrorOptions,
  ) {
    super(`backtest ${backtestId} already exists`, options);
    this.name = 'BacktestExistsError';
  }
}

/** A fresh backtest id: when it was asked for, and a little randomness. */
export function newBacktestId(now: Date = new Date()): string {
  const at = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `bt-${at}-${randomBytes(2).toString('hex')}`;
}

/** Backtests through Temporal: start one, follow its progress. The report is read from the database (admin/). */
export class BacktestClient {
  constructor(
    readonly temporal: Client,
    readonly taskQueue: string,
  ) {}

  /** Starts a backtest. @throws BacktestExistsError when the id was used before (ids are never reused) */
  async start(request: BacktestRequest): Promise<{ backtestId: string; workflowId: string }> {
    const args = BacktestRequestSchema.parse({ ...request, backtestId: request.backtestId ?? newBacktestId() });
    const backtestId = args.backtestId ?? '';
    const workflowId = backtestWorkflowId(backtestId);
    const what = 'spec' in args.candidate ? `${args.candidate.spec.name} (file)` : args.candidate.name;
    try {
      await this.temporal.workflow.start<typeof backtestWorkflow>('backtestWorkflow', {
        taskQueue: this.taskQueue,
        workflowId,
        args: [{ backtestId, request: args }],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        staticSummary: `backtest ${backtestId} · candidate ${what}`.slice(0, 200),
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError)
        throw new BacktestExistsError(backtestId, { cause: err });
      throw err;
    }
    return { backtestId, workflowId };
  }

  /** Where a backtest stands. @throws UnknownBacktestError */
  async progress(backtestId: string): Promise<BacktestProgress> {
    const handle = this.temporal.workflow.getHandle<typeof backtestWorkflow>(backtestWorkflowId(backtestId));
    try {
      return BacktestProgressSchema.parse(await handle.query(backtestProgressQuery));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new UnknownBacktestError(backtestId, { cause: err });
      const { status } = await handle.describe();
      if (status.name === 'COMPLETED') return BacktestProgressSchema.parse(await handle.result());
      throw err;
    }
  }

  /**
   * Waits for the backtest to end, telling `onProgress` between polls. A failed backtest resolves
   * with state `failed` (its last error in the progress). @param intervalMs @default 500
   */
  async wait(
    backtestId: string,
    onProgress: (p: BacktestProgress) => void = () => undefined,
    intervalMs = 500,
  ): Promise<BacktestProgress> {
    const handle = this.temporal.workflow.getHandle<typeof backtestWorkflow>(backtestWorkflowId(backtestId));
    for (;;) {
      const { status } = await handle.describe();
      if (status.name !== 'RUNNING' && status.name !== 'CONTINUED_AS_NEW') {
        const done = await handle.result().then(
          (p) => BacktestProgressSchema.parse(p),
          (err: unknown) => ({
            ...(this.lastSeen ?? blank(backtestId)),
            state: 'failed' as const,
            lastError: causeMessage(err),
          }),
        );
        onProgress(done);
        return done;
      }
      const p = await this.progress(backtestId).catch(() => undefined);
      if (p) {
        this.lastSeen = p;
        onProgress(p);
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }

  private lastSeen: BacktestProgress | undefined;
}

function blank(backtestId: string): BacktestProgress {
  return {
    backtestId,
    state: 'failed',
    pipeline: null,
    rules: null,
    total: null,
    replayed: 0,
    failed: 0,
    chunks: 0,
    lastError: null,
  };
}

/** A failed workflow's own reason (the WorkflowFailedError's cause), else the error's message. */
function causeMessage(err: unknown): string {
  const cause = err instanceof Error ? err.cause : undefined;
  return cause instanceof Error ? cause.message : err instanceof Error ? err.message : String(err);
}
