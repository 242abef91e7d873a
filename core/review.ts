import { z } from 'zod';
import { builtOnce } from './built-once';
// Built once per worker and shared by every workflow run (core/built-once.ts says why).
const schemas = builtOnce('core/review', () => {
  /** What a reviewer sends. */
  const ReviewRequestSchema = z.object({
    action: z.enum(['approve', 'decline']),
    reviewer: z.string().trim().min(1).max(200),
    note: z.string().max(2000).optional(),
  });
  /** How long a `review` decision waits for a person, and what happens if nobody comes. */
  const ReviewPolicySchema = z.object({
    /** @default 86_400_000 (24 h) */
    timeoutMs: z.number().int().min(1).default(86_400_000),
    /** `review` keeps the case open for a person but marks it escalated. @default 'review' */
    onTimeout: z.enum(['approve', 'decline', 'review']).default('review'),
  });
  const ReviewStateSchema = z.enum(['pending', 'approved', 'declined', 'escalated']);
  /** Where a review stands, as the decision and the log carry it. */
  const ReviewOutcomeSchema = z.object({
    state: ReviewStateSchema,
    finalOutcome: z.enum(['approve', 'decline', 'review']).optional(),
    reviewer: z.string().optional(),
    note: z.string().optional(),
    at: z.string().optional(),
  });
  return { ReviewRequestSchema, ReviewPolicySchema, ReviewStateSchema, ReviewOutcomeSchema };
});
export const ReviewRequestSchema = schemas.ReviewRequestSchema;
export const ReviewPolicySchema = schemas.ReviewPolicySchema;
export const ReviewStateSchema = schemas.ReviewStateSchema;
export const ReviewOutcomeSchema = schemas.ReviewOutcomeSchema;

export type ReviewRequest = z.infer<typeof ReviewRequestSchema>;
export type ReviewPolicy = z.infer<typeof ReviewPolicySchema>;
export type ReviewState = z.infer<typeof ReviewStateSchema>;
export type ReviewOutcome = z.infer<typeof ReviewOutcomeSchema>;
