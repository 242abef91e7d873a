import { defineQuery } from '@temporalio/workflow';
import { z } from 'zod';
import { builtOnce } from '../built-once';
import { BatchRejectionSchema, BatchSourceSchema } from './schema';

/** How many rejections the progress keeps (all of them are in `batch_rejections`). */
export const MAX_REJECTIONS_IN_PROGRESS = 100;
// Built once per worker and shared by every workflow run (core/built-once.ts says why).
const schemas = builtOnce('core/batch/progress', () => {
  const Count = z.number().int().nonnegative();
  /** Where a batch stands; the workflow's query answer and its result. JSON-safe. */
  const BatchProgressSchema = z.object({
    batchId: z.string(),
    state: z.enum(['running', 'done', 'failed']),
    source: BatchSourceSchema,
    /** The pinned pipeline; null until it is pinned. */
    pipeline: z.object({ name: z.string(), version: z.string() }).nullable(),
    /** The pinned rule set deciding the outcomes; null when thresholds do. */
    rules: z.object({ name: z.string(), version: z.string() }).nullable(),
    /** Non-empty lines in the file, or claimable rows in the table, when the batch started. */
    total: Count.nullable(),
    /** Lines (or rows) read so far, bad ones included. */
    read: Count,
    /** Cases decided; `alreadyRecorded` of them were in the log before (a re-run of the batch id). */
    decided: Count,
    alreadyRecorded: Count,
    /** Bad lines and cases a model refused, never decided. */
    rejected: Count,
    /** Cases the pipeline gave no score for (`Pipeline.NoResult`), never decided. */
    failed: Count,
    byOutcome: z.object({ approve: Count, review: Count, decline: Count }),
    chunks: Count,
    /** Workflow runs so far (continue-as-new starts the next). */
    runs: z.number().int().positive(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    lastError: z.string().nullable(),
    /** The first rejections, with line numbers. */
    rejections: z.array(BatchRejectionSchema),
    /** Milliseconds spent by the activities, summed over chunks. */
    timings: z.object({ readMs: z.number(), scoreMs: z.number(), recordMs: z.number() }),
  });
  return { BatchProgressSchema };
});
export const BatchProgressSchema = schemas.BatchProgressSchema;

export type BatchProgress = z.infer<typeof BatchProgressSchema>;

/** A batch's progress, answered by the running (or finished) batch workflow. */
export const batchProgressQuery = defineQuery<BatchProgress>('batchProgress');
