import type { Pool } from 'pg';
import type { FeedbackStats } from '../core/feedback';
import type { BulkFeedbackReport, FeedbackInputRow } from '../core/feedback-bulk';
import type { DecisionSearch, ReviewQueueQuery } from '../core/decision-search';
import type { StoredBatch } from '../stores/batch-rows';
import {
  DecisionBrowse,
  InvalidCursorError,
  type DecisionPage,
  type MemberAgreement,
  type TimelineBucket,
} from '../stores/decision-browse';
import { DecisionStore, type StoredDecision, type StoredModelCall } from '../stores/decision-store';
import { FeedbackStore, type FeedbackEntry, type StatsQuery } from '../stores/feedback-store';
import type { VectorStore } from '../stores/vector';
import { applyFeedbackRows } from './feedback-bulk';

export type { DecisionPage, FeedbackEntry, StoredDecision, StoredModelCall, VectorStore };
export { InvalidCursorError };

/** What the dashboard reads: `since` back, in buckets of `bucketS` seconds. */
export interface ActivityQuery {
  since: Date;
  bucketS: number;
  /** @default every pipeline */
  pipeline?: string;
  /** A member's score at or above it reads as decline (agreement) and as fraud (accuracy). @default 0.5 */
  cutoff?: number;
}

/** Decisions over time, the review backlog, member agreement and accuracy, and the newest batch runs. */
export interface Activity {
  timeline: TimelineBucket[];
  backlog: { reviewsPending: number; oldestReviewAgeS: number; batches: Record<string, number> };
  agreement: MemberAgreement[];
  stats: FeedbackStats;
  batches: StoredBatch[];
}

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
  private readonly browse: DecisionBrowse;

  constructor(
    pool: Pool,
    private readonly options: DecisionLogOptions = {},
  ) {
    this.decisions = new DecisionStore(pool);
    this.feedback = new FeedbackStore(pool);
    this.browse = new DecisionBrowse(pool);
  }

  /** A page of decisions, newest first, by the browser's filters. @throws InvalidCursorError */
  search(query: DecisionSearch): Promise<DecisionPage> {
    return this.browse.search(query);
  }

  /** Decisions waiting for a person, oldest first. */
  pendingReviews(query: ReviewQueueQuery): Promise<StoredDecision[]> {
    return this.browse.pendingReviews(query);
  }

  /** What the console's dashboard shows, in one call. */
  async activity(q: ActivityQuery): Promise<Activity> {
    const cutoff = q.cutoff ?? 0.5;
    const [timeline, backlog, agreement, stats, batches] = await Promise.all([
      this.browse.timeline(q.since, q.bucketS, q.pipeline),
      this.decisions.backlog(),
      this.browse.agreement(cutoff, q.since, q.pipeline),
      this.feedback.stats({ pipeline: q.pipeline, since: q.since.toISOString(), cutoff }),
      this.browse.recentBatches(),
    ]);
    return { timeline, backlog, agreement, stats, batches };
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
