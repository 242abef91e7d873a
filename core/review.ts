import { z } from 'zod';

/** What a reviewer sends. */
export const ReviewRequestSchema = z.object({
  action: z.enum(['approve', 'decline']),
  reviewer: z.string().trim().min(1).max(200),
  note: z.string().max(2000).optional(),
});
export type ReviewRequest = z.infer<typeof ReviewRequestSchema>;

/** How long a `review` decision waits for a person, and what happens if nobody comes. */
export const ReviewPolicySchema = z.object({
  /** @default 86_400_000 (24 h) */
  timeoutMs: z.number().int().min(1).default(86_400_000),
  /** `review` keeps the case open for a person but marks it escalated. @default 'review' */
  onTimeout: z.enum(['approve', 'decline', 'review']).default('review'),
});
export type ReviewPolicy = z.infer<typeof ReviewPolicySchema>;

export const ReviewStateSchema = z.enum(['pending', 'approved', 'declined', 'escalated']);
export type ReviewState = z.infer<typeof ReviewStateSchema>;

/** Where a review stands, as the decision and the log carry it. */
export const ReviewOutcomeSchema = z.object({
  state: ReviewStateSchema,
  finalOutcome: z.enum(['approve', 'decline', 'review']).optional(),
  reviewer: z.string().optional(),
  note: z.string().optional(),
  at: z.string().optional(),
});
export type ReviewOutcome = z.infer<typeof ReviewOutcomeSchema>;
