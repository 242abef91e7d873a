import { Context } from '@temporalio/activity';
import type { BatchProgress } from '../core/batch/progress';
import type { CaseLimits } from '../core/case-limits';
import { batchWorkflowId, type BatchSource } from '../core/batch/schema';
import type { ModelRuntime } from '../models/runtime';
import { BatchStore } from '../stores/batch-store';
import type { DecisionStore } from '../stores/decision-store';
import { toStoreFailure } from '../stores/pg-errors';
import { countLines } from './batch-file';
import { ChunkStage, createReadChunk, toFileFailure } from './batch-read';
import { createScoreChunk } from './score-chunk';
import type { ArbiterMetrics } from '../metrics/arbiter-metrics';

/** What the batch activities need (a subset of the orchestrator's `ActivityDeps`). */
export interface BatchActivityDeps {
  store: DecisionStore;
  runtime: ModelRuntime;
  /** Keep each case's input in the decision log. @default true */
  storeInput?: boolean;
  /** Cases over them are rejections of their line or row. @default core/case-limits.ts DEFAULT_CASE_LIMITS */
  caseLimits?: CaseLimits;
  /** Counts each new decision and chunk. @default not counted */
  metrics?: ArbiterMetrics;
}

export interface OpenBatchInput {
  batchId: string;
  workflowId: string;
  source: BatchSource;
  pipeline: { name: string; version: string };
  ruleSet: string | null;
}

/** Builds the batch workflow's activities: open, read a chunk, score a chunk, close (STYLE rule 3). */
export function createBatchActivities(deps: BatchActivityDeps) {
  const batches = new BatchStore(deps.store.pool);
  const stage = new ChunkStage();
  const storeInput = deps.storeInput ?? true;
  return {
    /** Counts what the batch will read (lines, or claimable rows) and records the batch as running. */
    openBatch: async (input: OpenBatchInput): Promise<{ total: number }> => {
      const { source } = input;
      const total =
        source.kind === 'file'
          ? await countLines(source.path).catch((err: unknown) => {
              throw toFileFailure(err, source.path);
            })
          : await batches.countClaimable(input.pipeline.name).catch((err: unknown) => {
              throw toStoreFailure(err, 'counting pending cases');
            });
      await batches.startBatch({ ...input, total }).catch((err: unknown) => {
        throw toStoreFailure(err, `recording batch ${input.batchId}`);
      });
      return { total };
    },
    readChunk: createReadChunk({ batches, stage, storeInput, caseLimits: deps.caseLimits }),
    scoreChunk: createScoreChunk({
      ...{ batches, runtime: deps.runtime, stage, storeInput },
      ...{ caseLimits: deps.caseLimits, metrics: deps.metrics },
    }),
    /** Records how the batch ended, with its counts. */
    closeBatch: async (progress: BatchProgress): Promise<void> => {
      const workflowId = Context.current().info.workflowExecution?.workflowId ?? batchWorkflowId(progress.batchId);
      await batches.finishBatch(workflowId, progress).catch((err: unknown) => {
        throw toStoreFailure(err, `closing batch ${progress.batchId}`);
      });
    },
  };
}
