import type { Pool } from 'pg';
import type { FeedbackStats } from '../core/feedback';
import { DecisionStore, type StoredDecision, type StoredModelCall } from '../stores/decision-store';
import { FeedbackStore, type FeedbackEntry, type LabelledQuery } from '../stores/feedback-store';

export type { FeedbackEntry, StoredDecision, StoredModelCall };

/** One decision as the audit log holds it: the row, every model call, and the feedback in order. */
export interface DecisionRecordView {
  decision: StoredDecision;
  calls: StoredModelCall[];
  feedback: FeedbackEntry[];
}

/** The decision log as people read it (CLI, API): decisions, their model calls, feedback and stats. */
export class DecisionLog {
  private readonly decisions: DecisionStore;
  private readonly feedback: FeedbackStore;

  constructor(pool: Pool) {
    this.decisions = new DecisionStore(pool);
    this.feedback = new FeedbackStore(pool);
  }

  /** One decision's row, or undefined. */
  get(decisionId: string): Promise<StoredDecision | undefined> {
    return this.decisions.getDecision(decisionId);
  }

  /** The newest decisions first. */
  list(limit: number): Promise<StoredDecision[]> {
    return this.decisions.listDecisions(limit);
  }

  /** A decision with its model calls and feedback; undefined when the log has no such decision. */
  async show(decisionId: string): Promise<DecisionRecordView | undefined> {
    const [decision, calls, feedback] = await Promise.all([
      this.decisions.getDecision(decisionId),
      this.decisions.listModelCalls(decisionId),
      this.feedback.feedbackFor(decisionId),
    ]);
    return decision ? { decision, calls, feedback } : undefined;
  }

  /** Accuracy of the decisions and of each member model against the labels feedback gave. */
  stats(query: LabelledQuery & { cutoff?: number } = {}): Promise<FeedbackStats> {
    return this.feedback.stats(query);
  }
}
