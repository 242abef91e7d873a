import { z } from 'zod';
import { ThresholdsSchema } from './decision';

/** The model a decision uses unless told otherwise: the demo scorer's champion. */
export const DEFAULT_MODEL_REF = 'phishing-gb:champion';

/**
 * The decision workflow's argument. The case stays `unknown` on purpose: the workflow validates it,
 * so that a rejected case is recorded with its reasons instead of failing before anyone sees it.
 */
export const DecisionWorkflowInputSchema = z.object({
  request: z.unknown(),
  /** `name:alias` or `name@version`, pinned to a version when the decision starts. @default 'phishing-gb:champion' */
  model: z.string().min(1).default(DEFAULT_MODEL_REF),
  thresholds: ThresholdsSchema.optional(),
  /** @default 'demo' */
  pipeline: z.string().min(1).default('demo'),
});
export type DecisionWorkflowInput = z.input<typeof DecisionWorkflowInputSchema>;

/** The orchestrator's default task queue. */
export const DEFAULT_TASK_QUEUE = 'arbiter-orchestrator';

/** The workflow id for a case: one decision per case id, so a resubmitted case never decides twice. */
export function decisionWorkflowId(caseId: string): string {
  return `decision-${caseId}`;
}
