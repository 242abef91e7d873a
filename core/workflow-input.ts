import { z } from 'zod';
import { builtOnce } from './built-once';
import { CaseLimitsSchema } from './case-limits';
import { ThresholdsSchema } from './decision';
import { ReviewPolicySchema } from './review';
import { PinnedRuleSetSchema, type PinnedRuleSet } from './batch/schema';
import { PinnedPipelineSchema, type PinnedPipeline } from './pipeline/types';
/** The stored pipeline a decision runs when it names none. */
export const DEFAULT_PIPELINE = 'demo';

// Built once per worker and shared by every workflow run (core/built-once.ts says why).
const schemas = builtOnce('core/workflow-input', () => {
  /**
   * The decision workflow's argument. The case stays `unknown` on purpose: the workflow validates it,
   * so that a rejected case is recorded with its reasons instead of failing before anyone sees it.
   */
  const DecisionWorkflowInputSchema = z.object({
    request: z.unknown(),
    /** A single model (`name:alias` or `name@version`) instead of the pipeline, pinned when the decision starts. */
    model: z.string().min(1).optional(),
    thresholds: ThresholdsSchema.optional(),
    /** A stored rule set that turns the score into the outcome (its latest version, pinned at start); default: thresholds. */
    rules: z.string().min(1).optional(),
    /** How a `review` outcome waits for a person. */
    review: ReviewPolicySchema.optional(),
    /** The stored pipeline to run (its latest version is pinned at start). @default 'demo' */
    pipeline: z.string().min(1).default(DEFAULT_PIPELINE),
    /** The limits the edge checked the case against; the workflow checks them again. @default core/case-limits.ts's */
    limits: CaseLimitsSchema.optional(),
    /** When the way in received the request (epoch ms): `latencyMs` counts from here. @default the workflow's start */
    receivedAt: z.number().optional(),
    /** The way in (labels the decision's metrics). @default 'client' */
    via: z.enum(['api', 'client', 'kafka']).optional(),
    /**
     * The pipeline (and rule set) already pinned by a client in the worker's own process (the
     * embedded stack), from the worker's pin cache: the workflow skips its pinning round.
     */
    pinned: z.object({ pipeline: PinnedPipelineSchema, ruleSet: PinnedRuleSetSchema.optional() }).optional(),
  });
  return { DecisionWorkflowInputSchema };
});
export const DecisionWorkflowInputSchema = schemas.DecisionWorkflowInputSchema;

export type DecisionWorkflowInput = z.input<typeof DecisionWorkflowInputSchema>;

/** What a decision pins at start: the pipeline with its model versions, and the rule set if one decides. */
export interface DecisionPins {
  pipeline: PinnedPipeline;
  ruleSet?: PinnedRuleSet;
}

/** Pins what a decision asks for, as the worker's pinning activities do (workers/orchestrator-runtime.ts). */
export type DecisionPinner = (what: { pipeline?: string; model?: string; rules?: string }) => Promise<DecisionPins>;

/** Every way a decision comes in: the workflow input's `via`, and `batch` for a batch's cases. */
export const WAYS_IN = ['api', 'client', 'kafka', 'batch'] as const;
export type WayIn = (typeof WAYS_IN)[number];

/** The orchestrator's default task queue. */
export const DEFAULT_TASK_QUEUE = 'arbiter-orchestrator';

/** The workflow id for a case: one decision per case id, so a resubmitted case never decides twice. */
export function decisionWorkflowId(caseId: string): string {
  return `decision-${caseId}`;
}
