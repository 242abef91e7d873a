import { z } from 'zod';
import { ModelResultSchema, OutcomeSchema } from '../core/decision';
import type { FeedbackEntry, LabelledDecision, MemberScore, TimedScore } from '../core/feedback';
import { LabelSchema } from '../core/similar';

/**
 * A `decision_feedback` row, mapped to core's `FeedbackEntry` (JSON-safe). `received_at` is a Date
 * from a column, an ISO string from the jsonb history a decision row carries.
 */
export const FeedbackRowSchema = z
  .object({
    feedback_id: z.string(),
    decision_id: z.string(),
    label: LabelSchema,
    source: z.string().nullable(),
    note: z.string().nullable(),
    // Absent from rows read before migration 11 could add it to the history's jsonb.
    actor: z.string().nullish(),
    received_at: z.coerce.date(),
  })
  .transform((r): FeedbackEntry => ({
    feedbackId: r.feedback_id,
    decisionId: r.decision_id,
    label: r.label,
    ...(r.source === null ? {} : { source: r.source }),
    ...(r.note === null ? {} : { note: r.note }),
    ...(r.actor ? { actor: r.actor } : {}),
    receivedAt: r.received_at.toISOString(),
  }));
export type { FeedbackEntry } from '../core/feedback';

/** One `model_calls` row as the labelled-decisions query aggregates it. */
const CallSchema = z.object({
  model: z.string(),
  version: z.string(),
  arm: z.string(),
  status: z.string(),
  score: z.unknown(),
});

/** A labelled decision with its member scores: from `model_calls`, else from the decision's `models`. */
export const LabelledRowSchema = z
  .object({
    decision_id: z.string(),
    pipeline: z.string(),
    label: LabelSchema,
    outcome: OutcomeSchema,
    final_outcome: OutcomeSchema.nullable(),
    decided_at: z.date(),
    score: z.number(),
    models: z.array(ModelResultSchema),
    calls: z.array(CallSchema),
  })
  .transform((r): LabelledDecision => ({
    decisionId: r.decision_id,
    pipeline: r.pipeline,
    label: r.label,
    outcome: r.outcome,
    finalOutcome: r.final_outcome,
    decidedAt: r.decided_at.toISOString(),
    score: r.score,
    members: r.calls.length > 0 ? r.calls.flatMap(answered) : r.models.flatMap(answered),
  }));

/** One answered member score with its time (drift). */
export const TimedScoreRowSchema = z
  .object({ model: z.string(), version: z.string(), score: z.number(), recorded_at: z.coerce.date() })
  .transform((r): TimedScore => ({ model: r.model, version: r.version, score: r.score, recordedAt: r.recorded_at }));

/** The member's score when it answered with one; nothing otherwise (failed, pending, no score). */
function answered(c: { model: string; version: string; arm: string; status: string; score: unknown }): MemberScore[] {
  return c.status === 'ok' && typeof c.score === 'number'
    ? [{ model: c.model, version: c.version, arm: c.arm, score: c.score }]
    : [];
}
