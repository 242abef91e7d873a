import { z } from 'zod';
import { builtOnce } from '../built-once';
import { CaseIssueSchema } from '../case';
import { PinnedModelSchema } from '../model-ref';
import { PipelineSpecSchema } from './spec';
// Built once per worker and shared by every workflow run (core/built-once.ts says why).
const schemas = builtOnce('core/pipeline/types', () => {
  /** A pipeline as a decision runs it: one stored version, every model reference pinned to a version. */
  const PinnedPipelineSchema = z.object({
    name: z.string(),
    /** `adhoc` for a single-model pipeline built on the fly. */
    version: z.string(),
    spec: PipelineSpecSchema,
    pins: z.record(z.string(), PinnedModelSchema),
    /**
     * Set by the worker that pinned it when its vector store lives in the decision log's database:
     * the similar-case search then runs in the activity that records the decision, not beside the
     * pipeline (workflows/decision.ts). Recorded with the pin, so a replay takes the same way.
     */
    searchInRecord: z.literal(true).optional(),
  });
  const ArmSchema = z.enum(['primary', 'canary', 'shadow', 'fallback', 'stacking']);
  /** One model call a pipeline made, for the decision and the audit log. */
  const ModelCallSchema = z.object({
    callId: z.string(),
    stepId: z.string(),
    model: z.string(),
    version: z.string(),
    arm: ArmSchema,
    placement: z.enum(['local', 'remote']),
    status: z.enum(['ok', 'failed', 'pending']),
    /** Settled after the pipeline's result was taken (past the deadline). */
    late: z.boolean(),
    output: z.record(z.string(), z.unknown()).optional(),
    /** `issues` carries a model's field-level input problems (Model.InvalidInput). */
    error: z
      .object({ type: z.string().optional(), message: z.string(), issues: z.array(CaseIssueSchema).optional() })
      .optional(),
    latencyMs: z.number().optional(),
  });
  /** What a pipeline run yields. */
  const PipelineResultSchema = z.object({
    pipeline: z.object({ name: z.string(), version: z.string() }),
    /** The output step's `score`; null when that output has none (embeddings, LLM objects). */
    score: z.number().nullable(),
    /** Each step's output that arrived in time, by step id. */
    outputs: z.record(z.string(), z.record(z.string(), z.unknown())),
    /** True when the result was taken with members missing (failed or late) or from the deadline fallback. */
    degraded: z.boolean(),
    /** Steps that had not answered when the result was taken. */
    late: z.array(z.string()),
    /** Why the result is degraded, for people. */
    notes: z.array(z.string()),
    calls: z.array(ModelCallSchema),
  });
  return { PinnedPipelineSchema, ArmSchema, ModelCallSchema, PipelineResultSchema };
});
export const PinnedPipelineSchema = schemas.PinnedPipelineSchema;
export const ArmSchema = schemas.ArmSchema;
export const ModelCallSchema = schemas.ModelCallSchema;
export const PipelineResultSchema = schemas.PipelineResultSchema;

export type PinnedPipeline = z.infer<typeof PinnedPipelineSchema>;
export type Arm = z.infer<typeof ArmSchema>;
export type ModelCall = z.infer<typeof ModelCallSchema>;
export type PipelineResult = z.infer<typeof PipelineResultSchema>;

/** The task queue a model's remote calls go to (served by `workers/model-pool`). */
export function modelTaskQueue(modelName: string): string {
  return `arbiter-model-${modelName}`;
}
