import { defineQuery } from '@temporalio/workflow';
import { z } from 'zod';
import { builtOnce } from '../built-once';
import { PinnedRuleSetSchema } from '../batch/schema';
import { PinnedPipelineSchema } from '../pipeline/types';
import { PipelineSpecSchema } from '../pipeline/spec';
import { RuleSetSpecSchema } from '../rules/spec';
// Built once per worker and shared by every workflow run (core/built-once.ts says why).
const schemas = builtOnce('core/lab/backtest', () => {
  const BacktestIdSchema = z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'letters, digits and . _ : - only, starting with a letter or digit');
  /** A stored spec by name (its latest live version, or an exact one), or a spec given whole (a file). */
  const StoredRefSchema = z.object({
    name: z.string().min(1),
    version: z
      .string()
      .regex(/^[1-9][0-9]*$/)
      .optional(),
  });
  const CandidateSchema = z.union([StoredRefSchema, z.object({ spec: PipelineSpecSchema })]);
  const RulesChoiceSchema = z.union([StoredRefSchema, z.object({ spec: RuleSetSpecSchema })]);
  /** What to replay, over which past decisions. */
  const BacktestRequestSchema = z.object({
    /** @default one made from the time and a little randomness */
    backtestId: BacktestIdSchema.optional(),
    candidate: CandidateSchema,
    /**
     * The rule set deciding the candidate's outcomes. @default the rule set (at its version) that
     * decided the latest replayed decision; without one, each decision's own thresholds
     */
    rules: RulesChoiceSchema.optional(),
    /** Whose past decisions are replayed (a pipeline name). @default the candidate's name */
    against: z.string().min(1).optional(),
    /** Decisions decided at or after it (ISO time). @default all */
    since: z.string().datetime({ offset: true }).optional(),
    /** Decisions decided before it (ISO time). @default all */
    until: z.string().datetime({ offset: true }).optional(),
    /** Only these decisions (a fit's held-out part). @default every one that matches */
    decisionIds: z.array(z.string().min(1)).max(100_000).optional(),
    /** Seeds the bootstrap, so a report can be repeated. @default 1 */
    seed: z.number().int().default(1),
    /** Changed cases listed in the report (all are in `backtest_cases`). @default 50 */
    changedLimit: z.number().int().min(0).max(10_000).default(50),
    /** Decisions per chunk: one model call per model step per chunk. @default 200 */
    chunkSize: z.number().int().min(1).max(5_000).default(200),
    /** Who started it (an API key's name, `cli:<os user>`). @default unrecorded */
    actor: z.string().min(1).max(200).optional(),
  });
  /** Where a replay resumes: after this decision, in (decided_at, decision_id) order. */
  const BacktestCursorSchema = z.object({ decidedAt: z.string(), decisionId: z.string() }).nullable();
  const Count = z.number().int().nonnegative();
  /** Where a backtest stands: the workflow's query answer and its result. */
  const BacktestProgressSchema = z.object({
    backtestId: z.string(),
    state: z.enum(['running', 'done', 'failed']),
    pipeline: z.object({ name: z.string(), version: z.string() }).nullable(),
    rules: z.object({ name: z.string(), version: z.string() }).nullable(),
    /** Decisions the replay will read. */
    total: Count.nullable(),
    replayed: Count,
    /** Cases the candidate could not score (rejected or failed). */
    failed: Count,
    chunks: Count,
    lastError: z.string().nullable(),
  });
  /** The workflow's argument; the second block is filled when it continues as new. */
  const BacktestWorkflowInputSchema = z.object({
    backtestId: BacktestIdSchema,
    request: BacktestRequestSchema,
    cursor: BacktestCursorSchema.optional(),
    progress: BacktestProgressSchema.optional(),
    pinned: PinnedPipelineSchema.optional(),
    pinnedRules: PinnedRuleSetSchema.nullable().optional(),
  });
  return {
    BacktestIdSchema,
    BacktestRequestSchema,
    BacktestCursorSchema,
    BacktestProgressSchema,
    BacktestWorkflowInputSchema,
  };
});
export const BacktestIdSchema = schemas.BacktestIdSchema;
export const BacktestRequestSchema = schemas.BacktestRequestSchema;
export const BacktestCursorSchema = schemas.BacktestCursorSchema;
export const BacktestProgressSchema = schemas.BacktestProgressSchema;
export const BacktestWorkflowInputSchema = schemas.BacktestWorkflowInputSchema;

export type BacktestRequest = z.input<typeof BacktestRequestSchema>;
export type BacktestArgs = z.output<typeof BacktestRequestSchema>;
export type BacktestCursor = z.infer<typeof BacktestCursorSchema>;
export type BacktestProgress = z.infer<typeof BacktestProgressSchema>;
export type BacktestWorkflowInput = z.input<typeof BacktestWorkflowInputSchema>;

/** A backtest's progress, answered by its workflow while it runs. */
export const backtestProgressQuery = defineQuery<BacktestProgress>('backtestProgress');

/** The workflow id of a backtest. */
export function backtestWorkflowId(backtestId: string): string {
  return `backtest-${backtestId}`;
}
