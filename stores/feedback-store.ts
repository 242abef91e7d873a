import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { z } from 'zod';
import {
  DEFAULT_CUTOFF,
  driftOf,
  feedbackStats,
  FeedbackSchema,
  type Feedback,
  type FeedbackReceipt,
  type FeedbackStats,
  type LabelledDecision,
} from '../core/feedback';
import { LabelSchema } from '../core/similar';
import { FeedbackRowSchema, LabelledRowSchema, TimedScoreRowSchema, type FeedbackEntry } from './feedback-rows';
import * as sql from './feedback-sql';

/** Feedback named a decision the log does not hold. */
export class DecisionNotFoundError extends Error {
  constructor(readonly decisionId: string) {
    super(`no decision ${decisionId}: feedback is for recorded decisions`);
    this.name = 'DecisionNotFoundError';
  }
}

/** A feedback id was reused for a different decision: an idempotency key must name one submission. */
export class FeedbackConflictError extends Error {
  constructor(
    readonly feedbackId: string,
    readonly decisionId: string,
    readonly recordedFor: string,
  ) {
    super(`feedback ${feedbackId} was already recorded for decision ${recordedFor}, not ${decisionId}`);
    this.name = 'FeedbackConflictError';
  }
}

/** Which labelled decisions to read. */
export interface LabelledQuery {
  /** Only this pipeline's decisions. @default every pipeline */
  pipeline?: string;
  /** Only decisions taken at or after this instant (ISO 8601). @default all time */
  since?: string;
}

/** What `stats` reads: labelled decisions, a cut-off, and the drift window. */
export interface StatsQuery extends LabelledQuery {
  cutoff?: number;
  driftWindowMs?: number;
}

/** What recording one feedback can fail with. */
export type FeedbackError = DecisionNotFoundError | FeedbackConflictError;

const RecordedRowSchema = z.object({
  pipeline: z.string().nullable(),
  inserted: z.boolean(),
  label: LabelSchema.nullable(),
  recorded_for: z.string().nullable(),
});
const BatchRowSchema = RecordedRowSchema.extend({ ord: z.number().int() });
const CaseDecisionsSchema = z.object({ case_id: z.string(), decision_ids: z.array(z.string()) });

/** A RECORD_FEEDBACK(_BATCH) row as a receipt, or the error it means (no row or no pipeline: no decision). */
function receiptOf(
  decisionId: string,
  feedbackId: string,
  r: z.infer<typeof RecordedRowSchema> | undefined,
): FeedbackReceipt | FeedbackError {
  if (r === undefined || r.pipeline === null) return new DecisionNotFoundError(decisionId);
  // Not inserted and unlabelled: the id can only belong to another decision (`recorded_for` may not
  // show it yet when that feedback committed while this statement waited for the lock).
  if (!r.inserted && (r.label === null || (r.recorded_for !== null && r.recorded_for !== decisionId))) {
    return new FeedbackConflictError(feedbackId, decisionId, r.recorded_for ?? 'another decision');
  }
  if (r.label === null) throw new Error(`decision ${decisionId} has no label after feedback ${feedbackId}`);
  return { decisionId, feedbackId, pipeline: r.pipeline, label: r.label, changed: r.inserted };
}

const CutoffSchema = z.number().min(0).max(1);
const DriftWindowSchema = z.number().int().positive();
/** `decisions stats` compares the last week's scores with everything before them unless told otherwise. */
export const DEFAULT_DRIFT_WINDOW_MS = 7 * 24 * 3600 * 1000;
const SinceSchema = z.union([z.iso.datetime({ offset: true, local: true }), z.iso.date()]).optional();

/** Ground-truth labels in PostgreSQL: the feedback history and the label on each decision. */
export class FeedbackStore {
  constructor(private readonly pool: Pool) {}

  /**
   * Records feedback and sets the decision's label to the latest feedback's, atomically.
   * A feedback id already recorded changes nothing (`changed: false`), so retries are safe.
   * @throws DecisionNotFoundError for an unknown decision id
   * @throws FeedbackConflictError when the feedback id was used for another decision
   */
  async record(feedback: Feedback): Promise<FeedbackReceipt> {
    const f = FeedbackSchema.parse(feedback);
    const feedbackId = f.feedbackId ?? randomUUID();
    const { rows } = await this.pool.query(sql.RECORD_FEEDBACK, [
      feedbackId,
      f.decisionId,
      f.label,
      f.source ?? null,
      f.note ?? null,
      f.actor ?? null,
    ]);
    const outcome = receiptOf(
      f.decisionId,
      feedbackId,
      rows[0] === undefined ? undefined : RecordedRowSchema.parse(rows[0]),
    );
    if (outcome instanceof Error) throw outcome;
    return outcome;
  }

  /**
   * `record` for many feedbacks in one statement (one round trip): what each came to, in order — its
   * receipt, or the error `record` would throw for it. Feedback ids must be given and distinct.
   */
  async recordMany(
    batch: readonly (Feedback & { feedbackId: string })[],
  ): Promise<(FeedbackReceipt | FeedbackError)[]> {
    if (batch.length === 0) return [];
    const { rows } = await this.pool.query(sql.RECORD_FEEDBACK_BATCH, [
      batch.map((f) => f.feedbackId),
      batch.map((f) => f.decisionId),
      batch.map((f) => f.label),
      batch.map((f) => f.source ?? null),
      batch.map((f) => f.note ?? null),
      batch.map((f) => f.actor ?? null),
    ]);
    const byOrd = new Map(rows.map((r) => BatchRowSchema.parse(r)).map((r) => [r.ord, r]));
    return batch.map((f, i) => receiptOf(f.decisionId, f.feedbackId, byOrd.get(i + 1)));
  }

  /** Each case id's decision ids, oldest first (a case decided by several batches has several). */
  async decisionsOfCases(caseIds: readonly string[]): Promise<Map<string, string[]>> {
    if (caseIds.length === 0) return new Map();
    const { rows } = await this.pool.query(sql.DECISIONS_OF_CASES, [[...new Set(caseIds)]]);
    return new Map(rows.map((r) => CaseDecisionsSchema.parse(r)).map((r) => [r.case_id, r.decision_ids]));
  }

  /** A decision's feedback, oldest first; the last one is its label. */
  async feedbackFor(decisionId: string): Promise<FeedbackEntry[]> {
    const { rows } = await this.pool.query(sql.FEEDBACK_HISTORY, [decisionId]);
    return rows.map((r) => FeedbackRowSchema.parse(r));
  }

  /** Labelled decisions with their members' scores, oldest first. */
  async labelledRows(query: LabelledQuery = {}): Promise<LabelledDecision[]> {
    const since = SinceSchema.parse(query.since);
    const { rows } = await this.pool.query(sql.LABELLED_DECISIONS, [query.pipeline ?? null, since ?? null]);
    return rows.map((r) => LabelledRowSchema.parse(r));
  }

  /**
   * Decision and member-model metrics from feedback, and each member's score drift.
   * @param query.cutoff @default 0.5
   * @param query.driftWindowMs the recent window drift compares with what came before @default 7 days
   */
  async stats(query: StatsQuery = {}): Promise<FeedbackStats> {
    const cutoff = CutoffSchema.parse(query.cutoff ?? DEFAULT_CUTOFF);
    const windowMs = DriftWindowSchema.parse(query.driftWindowMs ?? DEFAULT_DRIFT_WINDOW_MS);
    const since = SinceSchema.parse(query.since) ?? null;
    const [rows, timed] = await Promise.all([
      this.labelledRows(query),
      this.pool.query(sql.TIMED_SCORES, [query.pipeline ?? null, since]),
    ]);
    const calls = timed.rows.map((r) => TimedScoreRowSchema.parse(r));
    return feedbackStats(rows, cutoff, driftOf(calls, new Date(Date.now() - windowMs)));
  }
}

export type { FeedbackEntry } from './feedback-rows';
