import { z } from 'zod';
import { ThresholdsSchema } from './decision';

/** A model pinned by name and version when a decision starts. */
export const ModelRefSchema = z.object({ name: z.string().min(1), version: z.string().min(1) });
export type ModelRef = z.infer<typeof ModelRefSchema>;

/**
 * The decision workflow's argument. The case stays `unknown` on purpose: the workflow validates it,
 * so that a rejected case is recorded with its reasons instead of failing before anyone sees it.
 */
export const DecisionWorkflowInputSchema = z.object({
  request: z.unknown(),
  model: ModelRefSchema,
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
