import { z } from 'zod';
import { ThresholdsSchema } from '../decision';
import { OutcomeSchema } from '../outcome';
import { PinnedPipelineSchema } from '../pipeline/types';
import { BatchRejectionSchema, BatchSourceSchema, FileCursorSchema, PinnedRuleSetSchema } from './schema';

/**
 * What `readChunk` is asked for. Cases never travel through the workflow (Temporal payloads stay
 * small): the activity stages them for `scoreChunk`, which reads them again if it runs elsewhere.
 */
export const ReadChunkInputSchema = z.object({
  batchId: z.string(),
  source: BatchSourceSchema,
  /** 0-based across the whole batch (every run): with the batch id, it names the chunk. */
  chunk: z.number().int().nonnegative(),
  size: z.number().int().positive(),
  /** File sources: where to start. */
  from: FileCursorSchema,
  /** Table sources: only rows for this pipeline (or for none). */
  pipeline: z.string(),
});
export type ReadChunkInput = z.infer<typeof ReadChunkInputSchema>;

/** What one chunk held: how many cases, which lines were bad, where the next chunk starts. */
export const ChunkReadSchema = z.object({
  chunk: z.number().int().nonnegative(),
  /** Valid cases, staged for `scoreChunk`. */
  cases: z.number().int().nonnegative(),
  /** Lines (or rows) consumed, bad ones included. */
  read: z.number().int().nonnegative(),
  rejections: z.array(BatchRejectionSchema),
  from: FileCursorSchema,
  /** File sources: the start of the next chunk. */
  next: FileCursorSchema,
  /** Nothing is left after this chunk. */
  done: z.boolean(),
  readMs: z.number(),
});
export type ChunkRead = z.infer<typeof ChunkReadSchema>;

/** What `scoreChunk` is asked for: the chunk `readChunk` staged, and the batch's pins. */
export const ScoreChunkInputSchema = z.object({
  batchId: z.string(),
  source: BatchSourceSchema,
  chunk: z.number().int().nonnegative(),
  /** File sources: the chunk's byte range, to read it again when it was staged elsewhere. */
  from: FileCursorSchema,
  to: FileCursorSchema,
  pinned: PinnedPipelineSchema,
  rules: PinnedRuleSetSchema.optional(),
  thresholds: ThresholdsSchema.optional(),
});
export type ScoreChunkInput = z.infer<typeof ScoreChunkInputSchema>;

const Count = z.number().int().nonnegative();

/** What one chunk came to. */
export const ChunkScoredSchema = z.object({
  chunk: z.number().int().nonnegative(),
  decided: Count,
  /** Decided, but already in the log (a re-run of the same batch id): not written again. */
  alreadyRecorded: Count,
  byOutcome: z.record(OutcomeSchema, Count),
  /** Cases a model refused (its input schema): recorded as rejections. */
  rejections: z.array(BatchRejectionSchema),
  failed: Count,
  lastError: z.string().nullable(),
  /** Reading again (staged elsewhere), pipeline and rules, and writing the log, in milliseconds. */
  readMs: z.number(),
  scoreMs: z.number(),
  recordMs: z.number(),
});
export type ChunkScored = z.infer<typeof ChunkScoredSchema>;
