import { z } from 'zod';
import { builtOnce } from '../built-once';
import { MetadataFilterSchema } from '../vector-filter';
// Built once per worker and shared by every workflow run (core/built-once.ts says why).
const schemas = builtOnce('core/pipeline/spec', () => {
  /** Step ids double as names in mapping expressions (`steps.gb.score`), so keep them identifier-like. */
  const StepIdSchema = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'lower-case identifier (a-z, 0-9, _), max 40');
  /** A model reference as in the registry: `name:alias` or `name@version`. */
  const ModelRefText = z.string().regex(/^[a-z0-9][a-z0-9._-]*([:@][a-z0-9_-]+)?$/, 'name:alias or name@version');
  /** How a step's activity is retried. */
  const RetrySpecSchema = z.object({
    /** @default 2 */
    maximumAttempts: z.number().int().min(1).max(10).default(2),
    /** @default 50 */
    initialIntervalMs: z.number().int().min(1).max(60_000).default(50),
    /** @default 2 */
    backoffCoefficient: z.number().min(1).max(10).default(2),
  });
  /**
   * Where a model runs: `local` in the orchestrator worker (a local activity: lowest latency),
   * `remote` on the model's own task queue (a model-pool worker: scale out, isolation),
   * `auto` local while this worker has room and the model is fast, remote otherwise.
   */
  const PlacementSchema = z.enum(['local', 'remote', 'auto']);
  const ModelStepSchema = z.object({
    id: StepIdSchema,
    type: z.literal('model'),
    model: ModelRefText,
    /** JSONata over `{ case, steps }` building the model's input row. @default 'case' */
    input: z.string().min(1).optional(),
    /** One attempt's time limit. @default 2000 */
    timeoutMs: z.number().int().min(1).max(600_000).default(2000),
    retry: RetrySpecSchema.optional(),
    /** Cache outputs by (version, input) for this long. */
    cache: z.object({ ttlSeconds: z.number().int().min(1).max(86_400) }).optional(),
    /** @default 'local' */
    placement: PlacementSchema.default('local'),
    /** Send `percent` % of decisions (by a hash of the decision key) to another model instead. */
    canary: z.object({ model: ModelRefText, percent: z.number().min(0).max(100) }).optional(),
    /** Models run beside this one on the same input; recorded, never used. */
    shadow: z.array(ModelRefText).max(8).optional(),
  });
  const CombineMethodSchema = z.enum(['vote', 'mean', 'weighted-mean', 'max', 'min', 'stacking']);
  const CombineStepSchema = z.object({
    id: StepIdSchema,
    type: z.literal('combine'),
    method: CombineMethodSchema,
    /** Ids of earlier steps whose `score` is combined. */
    inputs: z.array(StepIdSchema).min(1),
    /** weighted-mean: weight per input id. */
    weights: z.record(z.string(), z.number().nonnegative()).optional(),
    /** vote: a member votes "positive" at or above this score. @default 0.5 */
    threshold: z.number().default(0.5),
    /** stacking: the meta-model, fed `{ <input id>: score }`. */
    model: ModelRefText.optional(),
    /** Members that must have answered; fewer means the combine fails. @default all inputs */
    quorum: z.number().int().min(1).optional(),
  });
  const FallbackStepSchema = z.object({
    id: StepIdSchema,
    type: z.literal('fallback'),
    /** Tried in order until one answers. */
    chain: z.array(ModelStepSchema).min(1),
    /** Used when every model in the chain failed. */
    default: z.object({ score: z.number() }).optional(),
  });
  return {
    StepIdSchema,
    ModelRefText,
    RetrySpecSchema,
    PlacementSchema,
    ModelStepSchema,
    CombineMethodSchema,
    CombineStepSchema,
    FallbackStepSchema,
  };
});
export const StepIdSchema = schemas.StepIdSchema;
const ModelRefText = schemas.ModelRefText;
export const RetrySpecSchema = schemas.RetrySpecSchema;
export const PlacementSchema = schemas.PlacementSchema;
export const ModelStepSchema = schemas.ModelStepSchema;
export const CombineMethodSchema = schemas.CombineMethodSchema;
export const CombineStepSchema = schemas.CombineStepSchema;
export const FallbackStepSchema = schemas.FallbackStepSchema;

export type Placement = z.infer<typeof PlacementSchema>;
export type ModelStep = z.infer<typeof ModelStepSchema>;
export type CombineMethod = z.infer<typeof CombineMethodSchema>;
export type CombineStep = z.infer<typeof CombineStepSchema>;
export type FallbackStep = z.infer<typeof FallbackStepSchema>;

export type ParallelStep = {
  id: string;
  type: 'parallel';
  steps: Step[];
  quorum?: number;
};
export type SwitchStep = {
  id: string;
  type: 'switch';
  cases: { when: string; steps: Step[] }[];
  default?: Step[];
};
export type Step = ModelStep | CombineStep | FallbackStep | ParallelStep | SwitchStep;

/** Zod's view of a step, before defaults: what users write. */
type StepInput =
  | z.input<typeof ModelStepSchema>
  | z.input<typeof CombineStepSchema>
  | z.input<typeof FallbackStepSchema>
  | {
      id: string;
      type: 'parallel';
      steps: StepInput[];
      quorum?: number;
    }
  | { id: string; type: 'switch'; cases: { when: string; steps: StepInput[] }[]; default?: StepInput[] };
// Built once per worker and shared by every workflow run (core/built-once.ts says why).
const schemas2 = builtOnce('core/pipeline/spec#2', () => {
  const StepSchema: z.ZodType<Step, StepInput> = z.lazy(() =>
    z.discriminatedUnion('type', [
      ModelStepSchema,
      CombineStepSchema,
      FallbackStepSchema,
      z.object({
        id: StepIdSchema,
        type: z.literal('parallel'),
        steps: z.array(StepSchema).min(1),
        /** Members that must answer before the deadline for the group to count. @default all */
        quorum: z.number().int().min(1).optional(),
      }),
      z.object({
        id: StepIdSchema,
        type: z.literal('switch'),
        /** JSONata conditions over `{ case, steps }`, tried in order. */
        cases: z.array(z.object({ when: z.string().min(1), steps: z.array(StepSchema).min(1) })).min(1),
        default: z.array(StepSchema).optional(),
      }),
    ]),
  );
  /**
   * Similar past decisions as context: the case is embedded, the pipeline's namespace (its name) in
   * the vector store is searched, and the case's own vector is stored with its outcome afterwards.
   */
  const SimilaritySpecSchema = z.object({
    /** The embedding model (a ref), pinned with the pipeline's other models. */
    embedder: ModelRefText,
    /** How many similar past decisions to fetch. @default 5 */
    topK: z.number().int().min(1).max(100).default(5),
    /** Leave out matches less similar (cosine) than this. */
    minScore: z.number().min(-1).max(1).optional(),
    /** Only past decisions whose stored metadata match (Pinecone's filter language). */
    filter: MetadataFilterSchema.optional(),
    /** Embedding plus search must answer within this, or the decision goes on without them. @default 1000 */
    timeoutMs: z.number().int().min(1).max(60_000).default(1000),
  });
  /** A declarative pipeline: steps, which step's score is the result, and a latency budget. */
  const PipelineSpecSchema = z.object({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'lower-case letters, digits, . _ -'),
    description: z.string().optional(),
    steps: z.array(StepSchema).min(1),
    /** The step whose output `score` is the pipeline's score. */
    output: StepIdSchema,
    /** Latency budget for the whole pipeline, from the decision's start. */
    deadlineMs: z.number().int().min(1).max(600_000).optional(),
    /** The score to use when the budget runs out before a quorum answered. */
    onDeadline: z.object({ score: z.number(), reason: z.string().default('latency budget exceeded') }).optional(),
    /** Similar past decisions, for rules (`similar.*` facts) and for the person reading the decision. */
    similarity: SimilaritySpecSchema.optional(),
  });
  return { StepSchema, SimilaritySpecSchema, PipelineSpecSchema };
});
export const StepSchema = schemas2.StepSchema;
export const SimilaritySpecSchema = schemas2.SimilaritySpecSchema;
export const PipelineSpecSchema = schemas2.PipelineSpecSchema;

export type SimilaritySpec = z.infer<typeof SimilaritySpecSchema>;
export type PipelineSpec = z.infer<typeof PipelineSpecSchema>;
export type PipelineSpecInput = z.input<typeof PipelineSpecSchema>;
