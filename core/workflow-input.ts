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
  return { DecisionWorkflowInputSchema, WithoutPinnedSchema: DecisionWorkflowInputSchema.omit({ pinned: true }) };
});
export const DecisionWorkflowInputSchema = schemas.DecisionWorkflowInputSchema;

export type DecisionWorkflowInput = z.input<typeof DecisionWorkflowInputSchema>;
type ParsedInput = z.output<typeof DecisionWorkflowInputSchema>;

/** Distinct pinned pipelines and rule sets whose parse is kept; all are dropped when it is reached. */
const PINNED_PARSES_KEPT = 64;
// Shared by every workflow run of a worker, as the schemas are (core/built-once.ts).
const pinnedParses = builtOnce('core/workflow-input/pinned-parses', () => new Map<string, ParsedInput['pinned']>());

/**
 * `DecisionWorkflowInputSchema.safeParse`, with the parse of a `pinned` pipeline and rule set kept
 * for the next input that carries the same ones (as JSON). Why: those are most of the input, and in
 * the workflow sandbox their parse cost ~0.4 CPU ms a decision, while the embedded stack's client
 * pins the same few for every decision. Deterministic: the parse of equal JSON is equal, and what is
 * kept is deep-frozen, so no run can change what another reads. An input it rejects is parsed whole
 * (its issues name the same paths).
 */
export function parseDecisionInput(raw: unknown): z.ZodSafeParseResult<ParsedInput> {
  const pinned = typeof raw === 'object' && raw !== null ? (raw as { pinned?: unknown }).pinned : undefined;
  const key = pinned === undefined ? undefined : JSON.stringify(pinned);
  const known = key === undefined ? undefined : pinnedParses.get(key);
  if (known) {
    const rest = schemas.WithoutPinnedSchema.safeParse(raw);
    if (rest.success) return { success: true, data: { ...rest.data, pinned: known } };
  }
  const parsed = DecisionWorkflowInputSchema.safeParse(raw);
  if (parsed.success && key !== undefined && parsed.data.pinned) {
    if (pinnedParses.size >= PINNED_PARSES_KEPT) pinnedParses.clear();
    pinnedParses.set(key, deepFreeze(parsed.data.pinned));
  }
  return parsed;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

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
