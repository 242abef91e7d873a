import type { Pool } from 'pg';
import type { FeedbackStats } from '../core/feedback';
import type { BulkFeedbackReport, FeedbackInputRow } from '../core/feedback-bulk';
import { DecisionStore, type StoredDecision, type StoredModelCall } from '../stores/decision-store';
import { FeedbackStore, type FeedbackEntry, type StatsQuery } from '../stores/feedback-store';
import type { VectorStore } from '../stores/vector';
import { applyFeedbackRows } from './feedback-bulk';

export type { FeedbackEntry, StoredDecision, StoredModelCall, VectorStore };

/** One decision as the audit log holds it: the row (its feedback history included) and every model call. */
export interface DecisionRecordView {
  decision: StoredDecision;
  calls: StoredModelCall[];
}

/** Which decisions `list` reads. */
export interface DecisionListQuery {
  /** @default 50 */
  limit?: number;
  /** Only this pipeline's decisions (`adhoc` for single-model ones). @default every pipeline */
  pipeline?: string;
}

/** What the log needs besides its database. */
export interface DecisionLogOptions {
  /** Where case vectors live, for bulk feedback to label them too. @default none: the log alone is labelled */
  vectors?: VectorStore;
}

/** The decision log as people read it (CLI, API): decisions, their model calls, feedback and stats. */
export class DecisionLog {
  private readonly decisions: DecisionStore;
  private readonly feedback: FeedbackStore;

  constructor(
    pool: Pool,
    private readonly options: DecisionLogOptions = {},
  ) {
    this.decisions = new DecisionStore(pool);
    this.feedback = new FeedbackStore(pool);
  }

  /** One decision's row, or undefined. */
  get(decisionId: string): Promise<StoredDecision | undefined> {
    return this.decisions.getDecision(decisionId);
  }

  /** The newest decisions first. */
  list(query: DecisionListQuery = {}): Promise<StoredDecision[]> {
    return this.decisions.listDecisions(query.limit, query.pipeline);
  }

  /** A decision with its model calls; undefined when the log has no such decision. */
  async show(decisionId: string): Promise<DecisionRecordView | undefined> {
    const [decision, calls] = await Promise.all([
      this.decisions.getDecision(decisionId),
      this.decisions.listModelCalls(decisionId),
    ]);
    return decision ? { decision, calls } : undefined;
  }

  /**
   * Many feedbacks at once, straight to the database in batched statements (no workflow each): the
   * rows of a feedback file or of `POST /v1/decisions/feedback`. Bad rows are reported, not thrown.
   * @param actor who sends them, recorded on each row @default unrecorded
   */
  applyFeedback(rows: readonly FeedbackInputRow[], actor?: string): Promise<BulkFeedbackReport> {
    return applyFeedbackRows({ store: this.feedback, vectors: this.options.vectors }, rows, { actor });
  }

  /** Accuracy, AUC and Brier of the decisions and each member model against the labels; member score drift. */
  stats(query: StatsQuery = {}): Promise<FeedbackStats> {
    return this.feedback.stats(query);
  }
}
