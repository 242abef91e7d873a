import { defineQuery, defineUpdate, type Sinks } from '@temporalio/workflow';
import type { DecisionResult } from './decision';
import type { ReviewOutcome, ReviewRequest } from './review';

/**
 * Answers as soon as a decision is taken, while its workflow goes on recording late and shadow
 * calls: clients send it with update-with-start to get the decision in one round trip.
 */
export const decisionUpdate = defineUpdate<DecisionResult>('decision');

/** A person's verdict on a decision waiting for review; validated, refused when nothing waits. */
export const reviewUpdate = defineUpdate<ReviewOutcome, [ReviewRequest]>('review');

/** Where the decision's review stands (undefined when it needs none). */
export const reviewStateQuery = defineQuery<ReviewOutcome | undefined>('reviewState');

/** The decision once taken (a `review` outcome included), null before: `getDecision` polls it. */
export const decisionQuery = defineQuery<DecisionResult | null>('decision');

/**
 * How a decision workflow hands its decision to a client in its worker's own process (the embedded
 * stack, eagerly started) as soon as it is recorded, before the workflow task completes: the answer
 * skips the update's trip through the server. Not called on replay; `failed` sends the client to
 * the durable path (the workflow's result) for the typed failure.
 */
export interface AnswerSinks extends Sinks {
  answers: {
    decided(decision: DecisionResult): void;
    failed(): void;
  };
}
