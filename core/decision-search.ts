import { z } from 'zod';
import { OutcomeSchema } from './outcome';
import type { DecisionAudit } from './audit';
import { ReviewStateSchema, type ReviewPolicy } from './review';
import { LabelSchema } from './similar';

/** The most decisions one page holds. */
export const MAX_PAGE = 200;

const score = z.coerce.number().min(0).max(1);
const instant = z.iso.datetime({ offset: true }).meta({ description: 'an ISO 8601 instant' });
const limit = z.coerce.number().int().min(1).max(MAX_PAGE).default(50);

/**
 * What the decision browser searches by (`GET /v1/decisions`). Query-string shaped: numbers and
 * booleans arrive as text and are coerced here, at the boundary.
 */
export const DecisionSearchSchema = z.object({
  /** The outcome the pipeline (or its rules) gave; a reviewer's verdict is `review`'s business. */
  outcome: OutcomeSchema.optional(),
  pipeline: z.string().min(1).max(200).optional(),
  minScore: score.optional(),
  maxScore: score.optional(),
  degraded: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  /** Where its review stands; `pending` waits for a person, `none` never needed one. */
  review: z.union([ReviewStateSchema, z.literal('none')]).optional(),
  /** The latest feedback's label, or `none` for unlabelled decisions. */
  label: z.union([LabelSchema, z.literal('none')]).optional(),
  /** Decided at or after. */
  since: instant.optional(),
  /** Decided before. */
  until: instant.optional(),
  /** `nextCursor` of the page before (opaque). */
  cursor: z.string().max(500).optional(),
  /** @default 50 */
  limit,
});
export type DecisionSearch = z.output<typeof DecisionSearchSchema>;

/** The review queue's filters (`GET /v1/reviews`). */
export const ReviewQueueQuerySchema = z.object({
  pipeline: z.string().min(1).max(200).optional(),
  minScore: score.optional(),
  maxScore: score.optional(),
  /** @default 50 */
  limit,
});
export type ReviewQueueQuery = z.output<typeof ReviewQueueQuerySchema>;

/** A case waiting for review as the queue shows it. JSON-safe. */
export const ReviewSummarySchema = z.object({
  decisionId: z.string(),
  caseId: z.string(),
  pipeline: z.object({ name: z.string(), version: z.string() }),
  score: z.number(),
  /** The first reasons the decision gave (at most three). */
  topReasons: z.array(z.string()),
  degraded: z.boolean(),
  decidedAt: z.string(),
  /** How long it has waited, in seconds. */
  ageS: z.number(),
  /** When nobody reviewing it lets it escalate; absent when its workflow could not be read. */
  escalatesAt: z.string().optional(),
  /** Milliseconds until then (negative: overdue, the escalation is about to be recorded). */
  timeLeftMs: z.number().optional(),
  /** What happens at the deadline. */
  onTimeout: OutcomeSchema.optional(),
});
export type ReviewSummary = z.infer<typeof ReviewSummarySchema>;

/** The top reasons a summary shows. */
/**
 * One bucket of the dashboard's timeline beside its start `t`: decisions, outcomes, degraded and the
 * latency percentiles. The store reads `t` as a date, the API shows it as an instant.
 */
export const TimelineCountsSchema = z.object({
  n: z.number().int(),
  approve: z.number().int(),
  decline: z.number().int(),
  review: z.number().int(),
  degraded: z.number().int(),
  p50: z.number().nullable(),
  p99: z.number().nullable(),
});

export const TOP_REASONS = 3;

/** The queue's view of a pending decision; the clock comes from the policy its workflow started with. */
export function reviewSummary(
  d: DecisionAudit,
  policy: Pick<ReviewPolicy, 'timeoutMs' | 'onTimeout'> | undefined,
  now: number,
): ReviewSummary {
  const decided = Date.parse(d.decidedAt);
  const escalates = policy ? decided + policy.timeoutMs : undefined;
  return {
    decisionId: d.decisionId,
    caseId: d.caseId,
    pipeline: d.pipeline,
    score: d.score,
    topReasons: d.reasons.slice(0, TOP_REASONS),
    degraded: d.degraded,
    decidedAt: d.decidedAt,
    ageS: Math.max(0, Math.round((now - decided) / 1000)),
    ...(escalates === undefined || !policy
      ? {}
      : { escalatesAt: new Date(escalates).toISOString(), timeLeftMs: escalates - now, onTimeout: policy.onTimeout }),
  };
}
