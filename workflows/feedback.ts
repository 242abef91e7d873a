import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { workflowFailure } from '../core/failures';
import { FeedbackSchema, invalidFeedback, type Feedback, type FeedbackReceipt } from '../core/feedback';
import { waitOutOutage } from './outage';

type Activities = ReturnType<typeof createActivities>;

// A normal activity (not local): it touches the vector store too, and its attempts show in the UI.
const { recordFeedback } = proxyActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '5s', maximumAttempts: 5 },
});

/**
 * Attaches a ground-truth label to a decision: validate → label the decision log and the case vector
 * → answer. Invalid feedback fails at once with a non-retryable `Feedback.Invalid` naming each field.
 * Without a `feedbackId`, the workflow id is the idempotency key, so activity retries never add a row.
 */
export async function feedbackWorkflow(input: Feedback): Promise<FeedbackReceipt> {
  const parsed = FeedbackSchema.safeParse(input);
  if (!parsed.success) throw invalidFeedback(parsed.error);
  try {
    const feedback = { ...parsed.data, feedbackId: parsed.data.feedbackId ?? workflowInfo().workflowId };
    return await waitOutOutage('recordFeedback', () => recordFeedback(feedback));
  } catch (err) {
    throw workflowFailure(err);
  }
}
