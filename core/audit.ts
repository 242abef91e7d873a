import { z } from 'zod';
import { DecisionResultSchema, ModelResultSchema, OutcomeSchema, ThresholdsSchema } from './decision';
import { ReviewOutcomeSchema } from './review';
import { FeedbackEntrySchema } from './feedback';
import { SimilarCaseSchema } from './similar';

const r = DecisionResultSchema.shape;

/**
 * A decision as the decision log holds it: what stores/decision-store.ts `DecisionRowSchema` maps a
 * row to, and what the API answers as `audit` (api/schemas/audit.ts). What Temporal's view lacks is
 * the ground-truth `feedback`, the stored `input` and its hash. JSON-safe.
 */
export const DecisionAuditSchema = z.object({
  decisionId: z.string(),
  caseId: z.string(),
  pipeline: r.pipeline,
  degraded: z.boolean(),
  late: z.array(z.string()),
  review: ReviewOutcomeSchema.optional(),
  rules: r.rules,
  similar: z.array(SimilarCaseSchema).optional(),
  timings: z.record(z.string(), z.number()),
  latencyMs: z.number().optional(),
  /** Every feedback on the decision, oldest first: the last one is its label. Empty when unlabelled. */
  feedback: z.array(FeedbackEntrySchema),
  outcome: OutcomeSchema,
  score: z.number(),
  reasons: z.array(z.string()),
  models: z.array(ModelResultSchema),
  /** The thresholds that decided; absent when a rule set did (`rules`). */
  thresholds: ThresholdsSchema.optional(),
  /** Null when ARBITER_STORE_INPUT=false. */
  input: z.record(z.string(), z.unknown()).nullable(),
  inputHash: z.string(),
  workflowId: z.string(),
  runId: z.string(),
  decidedAt: z.string(),
  recordedAt: z.string(),
});
export type DecisionAudit = z.infer<typeof DecisionAuditSchema>;
