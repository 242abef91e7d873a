import { z } from 'zod';
import { builtOnce } from './built-once';
import { ArmSchema, type ModelCall } from './pipeline/types';
import { OutcomeSchema, type Outcome } from './outcome';
import { ReviewOutcomeSchema } from './review';
import { SimilarCaseSchema } from './similar';

export { OutcomeSchema, type Outcome } from './outcome';
// Built once per worker and shared by every workflow run (core/built-once.ts says why).
const schemas = builtOnce('core/decision', () => {
  /**
   * Score cut-offs: at or above `decline` the case is declined, at or above `review` it goes to a
   * person, below it is approved.
   */
  const ThresholdsSchema = z
    .object({
      /** @default 0.8 */
      decline: z.number().min(0).max(1).default(0.8),
      /** @default 0.4 */
      review: z.number().min(0).max(1).default(0.4),
    })
    .refine((t) => t.review <= t.decline, { message: 'review threshold must not exceed decline threshold' });
  /** One model call behind a decision, as people read it: which step, which version, which arm. */
  const ModelResultSchema = z.object({
    step: z.string(),
    model: z.string(),
    version: z.string(),
    arm: ArmSchema,
    status: z.enum(['ok', 'failed', 'pending']),
    score: z.number().nullable(),
    /** The model's whole output (absent on records written before it was kept). */
    output: z.record(z.string(), z.unknown()).nullable().optional(),
    latencyMs: z.number().nullable(),
    /** Still running (or finished) after the decision was taken. */
    late: z.boolean(),
  });
  /** What a decision workflow returns and what the client hands back. JSON-safe. */
  const DecisionResultSchema = z.object({
    decisionId: z.string(),
    caseId: z.string(),
    outcome: OutcomeSchema,
    score: z.number(),
    reasons: z.array(z.string()),
    models: z.array(ModelResultSchema),
    thresholds: ThresholdsSchema,
    pipeline: z.object({ name: z.string(), version: z.string() }),
    /** Taken with members missing (failed or past the latency budget), or from the budget's fallback score. */
    degraded: z.boolean(),
    /** Steps that had not answered when the decision was taken. */
    late: z.array(z.string()),
    /** The rule set that decided (instead of the thresholds), pinned at start, and the rules that matched. */
    rules: z.object({ name: z.string(), version: z.string(), matched: z.array(z.string()) }).optional(),
    /**
     * The most similar past decisions of this pipeline, closest first. Absent when the pipeline has no
     * `similarity` section; empty when none was found or the vector store could not answer (see reasons).
     */
    similar: z.array(SimilarCaseSchema).optional(),
    /** Milliseconds from the workflow's start to the decision, by the workflow's clock. */
    latencyMs: z.number().optional(),
    /** Milliseconds spent in each part: `pipeline`, `similarity`, `rules`. */
    timings: z.record(z.string(), z.number()).optional(),
    /** Set when the outcome is `review`: where the human review stands. */
    review: ReviewOutcomeSchema.optional(),
    workflowId: z.string(),
    runId: z.string(),
    decidedAt: z.string(),
  });
  return { ThresholdsSchema, ModelResultSchema, DecisionResultSchema };
});
export const ThresholdsSchema = schemas.ThresholdsSchema;
export const ModelResultSchema = schemas.ModelResultSchema;
export const DecisionResultSchema = schemas.DecisionResultSchema;

export type Thresholds = z.infer<typeof ThresholdsSchema>;

export const DEFAULT_THRESHOLDS: Thresholds = { decline: 0.8, review: 0.4 };

/** Turns a risk score into an outcome with the reason a person can read. */
export function applyThresholds(score: number, t: Thresholds): { outcome: Outcome; reasons: string[] } {
  const s = score.toFixed(3);
  if (score >= t.decline) return { outcome: 'decline', reasons: [`risk score ${s} ≥ decline threshold ${t.decline}`] };
  if (score >= t.review) {
    return { outcome: 'review', reasons: [`risk score ${s} ≥ review threshold ${t.review} and < ${t.decline}`] };
  }
  return { outcome: 'approve', reasons: [`risk score ${s} < review threshold ${t.review}`] };
}

export type ModelResult = z.infer<typeof ModelResultSchema>;

/** The summary of a model call kept on the decision (the full call goes to `model_calls`). */
export function toModelResult(call: ModelCall): ModelResult {
  const score = call.output?.score;
  return {
    step: call.stepId,
    model: call.model,
    version: call.version,
    arm: call.arm,
    status: call.status,
    score: typeof score === 'number' ? score : null,
    output: call.output ?? null,
    latencyMs: call.latencyMs ?? null,
    late: call.late,
  };
}

export type DecisionResult = z.infer<typeof DecisionResultSchema>;

/** A decision before its outcome: everything but what thresholds or a rule set say. */
export type DecisionDraft = Omit<DecisionResult, 'outcome' | 'reasons' | 'rules' | 'review'> & {
  /** Reasons after the verdict's own: the pipeline's notes, the similar cases' summary. */
  trailingReasons: string[];
};

/** What decided a case: its outcome, the reasons (the deciding one first) and the rules that matched. */
export interface Verdict {
  outcome: Outcome;
  reasons: string[];
  /** With a rule set: the names of the matching rules. */
  matched?: string[];
}

/**
 * The decision a verdict makes of a draft, the same in the workflow and in the activity that
 * records it. A `review` outcome opens a pending review (the workflow then waits for a person).
 */
export function decisionFrom(
  { trailingReasons, ...draft }: DecisionDraft,
  verdict: Verdict,
  ruleSet?: { name: string; version: string },
): DecisionResult {
  return {
    ...draft,
    outcome: verdict.outcome,
    reasons: [...verdict.reasons, ...trailingReasons],
    ...(ruleSet ? { rules: { name: ruleSet.name, version: ruleSet.version, matched: verdict.matched ?? [] } } : {}),
    ...(verdict.outcome === 'review' ? { review: { state: 'pending' as const } } : {}),
  };
}
