import { z } from 'zod';
import { builtOnce } from '../built-once';
import { ThresholdsSchema } from '../decision';
import { PinnedPipelineSchema } from '../pipeline/types';
import { BatchProgressSchema } from './progress';
import { BatchIdSchema, BatchSourceSchema, FileCursorSchema, PinnedRuleSetSchema } from './schema';
// Built once per worker and shared by every workflow run (core/built-once.ts says why).
const schemas = builtOnce('core/batch/input', () => {
  /**
   * The batch workflow's argument. Callers set the first block; the workflow fills the second when
   * it continues as new, so the next run resumes where this one stopped with the same pins.
   */
  const BatchWorkflowInputSchema = z.object({
    /** @default the workflow id without its `batch-` prefix (what a Schedule's action gets) */
    batchId: BatchIdSchema.optional(),
    source: BatchSourceSchema,
    /** The stored pipeline; its latest version is pinned when the batch starts. @default 'demo' */
    pipeline: z.string().min(1).default('demo'),
    /** A stored rule set deciding the outcomes instead of the thresholds (pinned at start). */
    rules: z.string().min(1).optional(),
    /** @default { decline: 0.8, review: 0.4 } */
    thresholds: ThresholdsSchema.optional(),
    /** Cases per chunk: one model call per model step per chunk, one INSERT per chunk. @default 1000 */
    chunkSize: z.number().int().min(1).max(10_000).default(1000),
    /**
     * Chunks scored at once: while one chunk is written to the log, the next is scored. Table sources
     * too (each chunk has its own claim). @default 2
     */
    parallelChunks: z.number().int().min(1).max(8).default(2),
    /** Chunks per workflow run before continue-as-new (sooner when the server suggests it). @default 20 */
    chunksPerRun: z.number().int().min(1).max(1000).default(20),

    /** File sources: where the next run resumes. */
    cursor: FileCursorSchema.optional(),
    /** The progress so far. */
    totals: BatchProgressSchema.optional(),
    /** The pipeline as pinned by the first run. */
    pinned: PinnedPipelineSchema.optional(),
    /** The rule set as pinned by the first run. */
    pinnedRules: PinnedRuleSetSchema.optional(),
  });
  return { BatchWorkflowInputSchema };
});
export const BatchWorkflowInputSchema = schemas.BatchWorkflowInputSchema;

export type BatchWorkflowInput = z.input<typeof BatchWorkflowInputSchema>;
export type BatchWorkflowArgs = z.output<typeof BatchWorkflowInputSchema>;
