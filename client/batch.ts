import { randomBytes } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { BatchWorkflowInputSchema, type BatchWorkflowInput } from '../core/batch/input';
import { batchProgressQuery, BatchProgressSchema, type BatchProgress } from '../core/batch/progress';
import { batchWorkflowId } from '../core/batch/schema';
import type { batchWorkflow } from '../workflows';
import { BatchAlreadyRunningError, BatchScheduleError, UnknownBatchError } from './batch-errors';
import { BatchSchedules } from './batch-schedules';

/** A batch that was started. */
export interface StartedBatch {
  batchId: string;
  workflowId: string;
}

/** What `wait` reports between polls. */
export type ProgressListener = (progress: BatchProgress) => void;

/** A fresh batch id: when it was asked for, and a little randomness. */
export function newBatchId(now: Date = new Date()): string {
  const at = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `run-${at}-${randomBytes(2).toString('hex')}`;
}

/**
 * Batch decisioning through Temporal: start a batch now, follow its progress, and manage the
 * Schedules that start batches (`schedules`). Shared by the CLI and, later, the HTTP API.
 */
export class BatchClient {
  readonly schedules: BatchSchedules;

  constructor(
    readonly temporal: Client,
    readonly taskQueue: string,
  ) {
    this.schedules = new BatchSchedules(temporal, taskQueue);
  }

  /**
   * Starts a batch. Re-running a finished batch id decides its cases again but records nothing
   * twice (its decision ids are the same). @throws BatchAlreadyRunningError while it still runs
   */
  async start(input: BatchWorkflowInput): Promise<StartedBatch> {
    const args = BatchWorkflowInputSchema.parse({ ...input, batchId: input.batchId ?? newBatchId() });
    const batchId = args.batchId ?? '';
    const workflowId = batchWorkflowId(batchId);
    const where = args.source.kind === 'file' ? args.source.path : 'pending_cases';
    try {
      await this.temporal.workflow.start<typeof batchWorkflow>('batchWorkflow', {
        taskQueue: this.taskQueue,
        workflowId,
        args: [args],
        staticSummary: `batch ${batchId} · ${where} · pipeline ${args.pipeline}`.slice(0, 200),
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError)
        throw new BatchAlreadyRunningError(batchId, { cause: err });
      throw err;
    }
    return { batchId, workflowId };
  }

  /** Where a batch stands. @throws UnknownBatchError */
  progress(batchId: string): Promise<BatchProgress> {
    return this.progressOf(batchWorkflowId(batchId), batchId);
  }

  /**
   * A batch by id, or a schedule's latest run by the schedule's name (the running one, else the last).
   * @throws UnknownBatchError when neither exists (or the schedule has not run yet)
   */
  async status(batchIdOrName: string): Promise<BatchProgress> {
    const { workflowId, batchId } = await this.locate(batchIdOrName);
    return this.progressOf(workflowId, batchId);
  }

  /** The workflow of a batch id, or of a schedule's latest run. @throws UnknownBatchError */
  async locate(batchIdOrName: string): Promise<StartedBatch> {
    const workflowId = batchWorkflowId(batchIdOrName);
    try {
      await this.temporal.workflow.getHandle(workflowId).describe();
      return { batchId: batchIdOrName, workflowId };
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      const view = await this.schedules.describe(batchIdOrName).catch((e: unknown) => {
        throw e instanceof BatchScheduleError ? new UnknownBatchError(batchIdOrName, { cause: err }) : e;
      });
      const latest = view.running.at(-1) ?? view.recent.at(-1);
      if (!latest) throw new UnknownBatchError(batchIdOrName, { cause: new Error('the schedule has not run yet') });
      return latest;
    }
  }

  /** Polls the progress until the batch is done or failed, telling `onProgress` each time. @param intervalMs @default 500 */
  async wait(
    batchId: string,
    onProgress: ProgressListener = () => undefined,
    intervalMs = 500,
  ): Promise<BatchProgress> {
    return this.waitFor(batchWorkflowId(batchId), batchId, onProgress, intervalMs);
  }

  /** `wait` for a batch by its workflow id (a scheduled run: see `locate`). @param intervalMs @default 500 */
  async waitFor(
    workflowId: string,
    batchId: string,
    onProgress: ProgressListener = () => undefined,
    intervalMs = 500,
  ): Promise<BatchProgress> {
    for (;;) {
      const progress = await this.progressOf(workflowId, batchId);
      onProgress(progress);
      if (progress.state !== 'running') return progress;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }

  /** Where the batch of a workflow stands (a scheduled run: see `locate`). @throws UnknownBatchError */
  async progressOf(workflowId: string, batchId: string): Promise<BatchProgress> {
    const handle = this.temporal.workflow.getHandle<typeof batchWorkflow>(workflowId);
    try {
      return BatchProgressSchema.parse(await handle.query(batchProgressQuery));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new UnknownBatchError(batchId, { cause: err });
      // No worker to answer the query: a finished batch's result is its progress.
      const { status } = await handle.describe();
      if (status.name === 'COMPLETED') return BatchProgressSchema.parse(await handle.result());
      throw err;
    }
  }
}

export { BatchAlreadyRunningError, BatchScheduleError, UnknownBatchError } from './batch-errors';
export type { BatchScheduleSpec, BatchScheduleView, ScheduledRun } from './batch-schedules';
