import { z } from 'zod';
import { builtOnce } from '../built-once';
// Built once per worker and shared by every workflow run (core/built-once.ts says why).
const schemas = builtOnce('core/rules/facts', () => {
  /** What one model step said, as rules see it (`models.<step>.score`). */
  const ModelFactSchema = z.object({ score: z.number(), model: z.string(), version: z.string() });
  /** A summary of past decisions similar to this case (`similar.declineRate`). */
  const SimilarFactSchema = z.object({
    /** How many similar past decisions were found. */
    count: z.number().int().nonnegative(),
    /** Share of them declined, 0..1 (0 when none). */
    declineRate: z.number().min(0).max(1),
    /** Share of them sent to review, 0..1 (0 when none). */
    reviewRate: z.number().min(0).max(1),
    /** Similarity of the closest one (0 when none). */
    topScore: z.number(),
    /** Share of the labelled ones confirmed as fraud; absent when none is labelled. */
    labelledFraudRate: z.number().min(0).max(1).optional(),
  });
  /** Everything a rule can see. JSON-safe, so it travels in workflow payloads as is. */
  const RuleFactsSchema = z.object({
    score: z.number(),
    degraded: z.boolean(),
    models: z.record(z.string(), ModelFactSchema),
    /** Null when no similarity search ran for this decision. */
    similar: SimilarFactSchema.nullable(),
    case: z.record(z.string(), z.unknown()),
    pipeline: z.object({ name: z.string(), version: z.string() }),
  });
  const SIMILAR_FIELDS = Object.keys(SimilarFactSchema.shape);
  const MODEL_FIELDS = Object.keys(ModelFactSchema.shape);
  const FACT_NAMES: readonly string[] = Object.keys(RuleFactsSchema.shape);
  return { ModelFactSchema, SimilarFactSchema, RuleFactsSchema, SIMILAR_FIELDS, MODEL_FIELDS, FACT_NAMES };
});
export const ModelFactSchema = schemas.ModelFactSchema;
export const SimilarFactSchema = schemas.SimilarFactSchema;
export const RuleFactsSchema = schemas.RuleFactsSchema;
const SIMILAR_FIELDS = schemas.SIMILAR_FIELDS;
const MODEL_FIELDS = schemas.MODEL_FIELDS;
export const FACT_NAMES = schemas.FACT_NAMES;

export type SimilarFact = z.infer<typeof SimilarFactSchema>;
export type RuleFacts = z.infer<typeof RuleFactsSchema>;

/**
 * The fact paths rules may use, in conditions (`fact` + `path`) and reason placeholders (`{...}`).
 * `<step>` is any step id of the pipeline; `<field>` any identifier-like field of the case.
 */
export const FACT_PATHS = {
  score: 'the pipeline’s combined score',
  degraded: 'true when members were missing or the latency budget’s fallback score was used',
  'models.<step>.score': 'the score of one model step (absent when it failed, was late or did not run)',
  'models.<step>.model': 'the model that answered for that step',
  'models.<step>.version': 'the version of that model',
  'similar.count': 'how many similar past decisions were found',
  'similar.declineRate': 'share of them declined',
  'similar.reviewRate': 'share of them sent to review',
  'similar.topScore': 'similarity of the closest one',
  'similar.labelledFraudRate': 'share of the labelled ones confirmed as fraud (absent when none is labelled)',
  'case.<field>': 'a field of the submitted case',
  'pipeline.name': 'the pipeline that scored the case',
  'pipeline.version': 'its version',
} as const;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PIPELINE_FIELDS = ['name', 'version'];

/** Why `fact` + `segments` does not name a known fact path, or undefined when it does. */
export function factPathProblem(fact: string, segments: readonly string[]): string | undefined {
  const where = [fact, ...segments].join('.');
  const oneOf = (fields: string[]) => `unknown path '${where}'; ${fact} has ${fields.join(', ')}`;
  switch (fact) {
    case 'score':
    case 'degraded':
      return segments.length > 0 ? `${fact} is a value and has no fields ('${where}')` : undefined;
    case 'models':
      if (segments.length !== 2 || !IDENTIFIER.test(segments[0] ?? ''))
        return `use models.<step>.<field>, not '${where}'`;
      return MODEL_FIELDS.includes(segments[1] ?? '') ? undefined : oneOf(MODEL_FIELDS);
    case 'similar':
      return segments.length === 1 && SIMILAR_FIELDS.includes(segments[0] ?? '') ? undefined : oneOf(SIMILAR_FIELDS);
    case 'pipeline':
      return segments.length === 1 && PIPELINE_FIELDS.includes(segments[0] ?? '') ? undefined : oneOf(PIPELINE_FIELDS);
    case 'case':
      if (segments.length === 0) return 'use case.<field>: the whole case is not a value';
      return segments.every((s) => IDENTIFIER.test(s))
        ? undefined
        : `case field names must be identifiers ('${where}')`;
    default:
      return `unknown fact '${fact}'; facts are ${FACT_NAMES.join(', ')}`;
  }
}

/** The JSON type a valid fact path holds; undefined for case fields, whose types no rule set knows. */
export function factType(fact: string, segments: readonly string[]): 'number' | 'boolean' | 'string' | undefined {
  if (fact === 'score' || fact === 'similar') return 'number';
  if (fact === 'degraded') return 'boolean';
  if (fact === 'pipeline') return 'string';
  if (fact === 'models') return segments[1] === 'score' ? 'number' : 'string';
  return undefined;
}

/** One model call behind a decision; `ModelResult` (core/decision.ts) fits as is. */
export interface ModelCallInput {
  step: string;
  model: string;
  version: string;
  score: number | null;
  arm?: string;
}

/** What a pipeline run (plus the optional similarity search) yields, as `buildFacts` needs it. */
export interface FactsInput {
  score: number;
  degraded: boolean;
  calls: readonly ModelCallInput[];
  /** The case's input fields. */
  input: Record<string, unknown>;
  pipeline: { name: string; version: string };
  /** @default null (no similarity search ran) */
  similar?: SimilarFact | null;
}

/**
 * Assembles the facts for rules. A step's model fact is its first call with a score that is not a
 * shadow (shadows are never used); failed, pending and late calls have no score and are left out.
 */
export function buildFacts(input: FactsInput): RuleFacts {
  const models = new Map<string, z.infer<typeof ModelFactSchema>>();
  for (const call of input.calls) {
    if (call.arm === 'shadow' || call.score === null || models.has(call.step)) continue;
    models.set(call.step, { score: call.score, model: call.model, version: call.version });
  }
  return RuleFactsSchema.parse({
    score: input.score,
    degraded: input.degraded,
    models: Object.fromEntries(models),
    similar: input.similar ?? null,
    case: input.input,
    pipeline: input.pipeline,
  });
}
