import {
  ApplicationFailure,
  condition,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { DecisionResult } from '../core/decision';
import { Failure } from '../core/failures';
import { reviewStateQuery, reviewUpdate } from '../core/messages';
import {
  ReviewPolicySchema,
  ReviewRequestSchema,
  type ReviewOutcome,
  type ReviewPolicy,
  type ReviewRequest,
} from '../core/review';
import { DecisionOutcomeKey, ReviewStateKey } from '../core/search-attributes';
import { waitOutOutage } from './outage';
import type { DecisionWorkflowInput } from '../core/workflow-input';

type Activities = ReturnType<typeof createActivities>;

const { recordReview } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '100ms', backoffCoefficient: 2, maximumInterval: '2s', maximumAttempts: 5 },
});

/** The decision's review policy, defaults filled in. */
export function policyOf(raw: DecisionWorkflowInput): ReviewPolicy {
  const parsed = ReviewPolicySchema.safeParse((raw as { review?: unknown } | undefined)?.review ?? {});
  return parsed.success ? parsed.data : ReviewPolicySchema.parse({});
}

/**
 * Human review as plain workflow state: a `review` decision opens the desk, waits durably for a
 * reviewer's update (validated; refused unless the desk is open) or for the timeout, then records
 * the final outcome. The update answers once the verdict is recorded.
 */
export class ReviewDesk {
  private state: ReviewOutcome | undefined;
  private request: ReviewRequest | undefined;
  private done = false;

  install(): void {
    setHandler(reviewStateQuery, () => this.state);
    setHandler(
      reviewUpdate,
      async (request) => {
        this.request = request;
        await condition(() => this.done);
        return this.state as ReviewOutcome;
      },
      {
        validator: (request) => {
          if (this.state?.state !== 'pending' || this.request) {
            const where = this.state
              ? `its review is ${this.request ? 'being recorded' : this.state.state}`
              : 'it needs no review';
            throw new Error(`this decision is not waiting for review: ${where}`);
          }
          const parsed = ReviewRequestSchema.safeParse(request);
          if (!parsed.success)
            throw new Error(
              `invalid review: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
            );
        },
      },
    );
  }

  /** Opens the desk when the decision is `review`; what the early answer carries. */
  open(): ReviewOutcome {
    this.state = { state: 'pending' };
    upsertSearchAttributes([{ key: ReviewStateKey, value: 'pending' }]);
    return this.state;
  }

  /** Waits for a reviewer or the timeout; records and returns the final decision. */
  async await(decision: DecisionResult, policy: ReviewPolicy): Promise<DecisionResult> {
    const answered = await condition(() => this.request !== undefined, policy.timeoutMs);
    const at = new Date().toISOString();
    if (answered && this.request) {
      const { action, reviewer, note } = ReviewRequestSchema.parse(this.request);
      this.state = { state: action === 'approve' ? 'approved' : 'declined', finalOutcome: action, reviewer, note, at };
    } else {
      this.state = { state: 'escalated', finalOutcome: policy.onTimeout, at };
    }
    const review = this.state;
    await waitOutOutage('recordReview', () => recordReview({ decisionId: decision.decisionId, review }));
    upsertSearchAttributes([
      { key: ReviewStateKey, value: this.state.state },
      { key: DecisionOutcomeKey, value: this.state.finalOutcome ?? decision.outcome },
    ]);
    this.done = true;
    const outcome = this.state.finalOutcome ?? decision.outcome;
    const why = this.state.reviewer
      ? `reviewed by ${this.state.reviewer}: ${this.state.state}${this.state.note ? ` (${this.state.note})` : ''}`
      : `no review within ${policy.timeoutMs} ms: escalated, outcome ${outcome}`;
    if (outcome !== 'approve' && outcome !== 'decline' && outcome !== 'review') {
      throw ApplicationFailure.nonRetryable(
        `unexpected review outcome ${String(outcome)}`,
        Failure.Workflow.Unexpected,
      );
    }
    return { ...decision, outcome, reasons: [...decision.reasons, why], review: this.state };
  }
}
