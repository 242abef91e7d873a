import { ApplicationFailure } from '@temporalio/common';
import { Failure } from '../core/failures';
import { FeedbackSchema, invalidFeedback, type Feedback, type FeedbackReceipt } from '../core/feedback';
import { DecisionNotFoundError, FeedbackConflictError, type FeedbackStore } from '../stores/feedback-store';
import { labelCaseVector } from '../stores/feedback-vector';
import { toStoreFailure } from '../stores/pg-errors';
import type { VectorStore } from '../stores/vector';

/** What the feedback activity needs. */
export interface FeedbackActivityDeps {
  feedback: FeedbackStore;
  /** Where case vectors live; absent, only the decision log is labelled. */
  vectors?: VectorStore;
}

/** The one classifier for recording feedback: the store's own errors first, then PostgreSQL's. */
function toFeedbackFailure(err: unknown, decisionId: string): ApplicationFailure {
  if (err instanceof DecisionNotFoundError) {
    return ApplicationFailure.create({
      type: Failure.Feedback.DecisionNotFound,
      message: err.message,
      nonRetryable: true,
      details: [{ decisionId: err.decisionId }],
    });
  }
  if (err instanceof FeedbackConflictError) {
    return ApplicationFailure.create({ type: Failure.Feedback.Conflict, message: err.message, nonRetryable: true });
  }
  return toStoreFailure(err, `recording feedback on ${decisionId}`);
}

/** Builds `recordFeedback` (STYLE rule 3). */
export function createFeedbackActivities({ feedback, vectors }: FeedbackActivityDeps) {
  return {
    /**
     * Labels the decision (idempotent by feedback id), then its case vector, so later decisions see
     * the truth among their similar cases. The vector is labelled on every attempt, a repeat
     * included: a retry after the vector store failed must still reach it.
     */
    recordFeedback: async (input: Feedback): Promise<FeedbackReceipt> => {
      const parsed = FeedbackSchema.safeParse(input);
      if (!parsed.success) throw invalidFeedback(parsed.error);
      const receipt = await feedback.record(parsed.data).catch((err: unknown) => {
        throw toFeedbackFailure(err, parsed.data.decisionId);
      });
      // A transient vector failure is retried here (the label is kept idempotently).
      return labelCaseVector(vectors, receipt);
    },
  };
}
