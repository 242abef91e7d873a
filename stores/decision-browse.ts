import type { Pool } from 'pg';
import { z } from 'zod';
import { TimelineCountsSchema, type DecisionSearch, type ReviewQueueQuery } from '../core/decision-search';
import { BatchRowSchema, type StoredBatch } from './batch-rows';
import * as sql from './browse-sql';
import { DecisionRowSchema, type StoredDecision } from './decision-store';

/** A page of decisions, and the cursor of the next one (absent on the last page). */
export interface DecisionPage {
  decisions: StoredDecision[];
  nextCursor?: string;
}

/** A cursor that is not one of ours (or was tampered with). */
export class InvalidCursorError extends Error {
  constructor(options?: ErrorOptions) {
    super('the cursor is not valid: pass the nextCursor of the previous page unchanged', options);
    this.name = 'InvalidCursorError';
  }
}

const CursorSchema = z.tuple([z.string().min(1).max(64), z.string().min(1).max(600)]);

// timestamptz as PostgreSQL prints it: `2026-12-05 00:53:00.123456+00`.
const INSTANT = /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d{1,6})?([+-]\d\d(:?\d\d)?|Z)$/;

/** Opaque to callers: base64url of [decided_at as PostgreSQL wrote it, decision_id]. */
export const encodeCursor = (at: string, id: string): string =>
  Buffer.from(JSON.stringify([at, id]), 'utf8').toString('base64url');

export function decodeCursor(cursor: string): [string, string] {
  try {
    const [at, id] = CursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (!INSTANT.test(at)) throw new Error(`not an instant: ${at}`);
    return [at, id];
  } catch (err) {
    throw new InvalidCursorError({ cause: err });
  }
}

const TimelineRowSchema = z.object({
  t: z.date().transform((d) => d.toISOString()),
  ...TimelineCountsSchema.shape,
});
export type TimelineBucket = z.output<typeof TimelineRowSchema>;

const AgreementRowSchema = z.object({
  model: z.string(),
  version: z.string(),
  n: z.number().int(),
  agreement: z.number(),
});
export type MemberAgreement = z.output<typeof AgreementRowSchema>;

/** The read side of the console: searches, the review queue, and aggregates over time. */
export class DecisionBrowse {
  constructor(private readonly pool: Pool) {}

  /** Newest first, `limit` at a time; @throws InvalidCursorError */
  async search(q: DecisionSearch): Promise<DecisionPage> {
    const [at, id] = q.cursor === undefined ? [null, null] : decodeCursor(q.cursor);
    const args = [q.outcome, q.pipeline, q.minScore, q.maxScore, q.degraded, q.review, q.label, q.since, q.until];
    const { rows } = await this.pool.query<{ cursor_at: string; decision_id: string }>(sql.SEARCH_DECISIONS, [
      ...args.map((v) => v ?? null),
      at,
      id,
      // One more than asked: whether a next page exists, without a count.
      q.limit + 1,
    ]);
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    const more = rows.length > q.limit && last !== undefined;
    return {
      decisions: page.map((row) => DecisionRowSchema.parse(row)),
      ...(more ? { nextCursor: encodeCursor(last.cursor_at, last.decision_id) } : {}),
    };
  }

  /** Decisions waiting for a person, oldest first. */
  async pendingReviews(q: ReviewQueueQuery): Promise<StoredDecision[]> {
    const args = [q.pipeline ?? null, q.minScore ?? null, q.maxScore ?? null, q.limit];
    const { rows } = await this.pool.query(sql.PENDING_REVIEWS, args);
    return rows.map((row) => DecisionRowSchema.parse(row));
  }

  /** Decisions per `bucketS`-second bucket since `since`. */
  async timeline(since: Date, bucketS: number, pipeline?: string): Promise<TimelineBucket[]> {
    const { rows } = await this.pool.query(sql.DECISION_TIMELINE, [`${bucketS} seconds`, since, pipeline ?? null]);
    return rows.map((row) => TimelineRowSchema.parse(row));
  }

  /** Each member model@version's agreement with the final outcomes since `since` (score ≥ cutoff reads as decline). */
  async agreement(cutoff: number, since: Date, pipeline?: string): Promise<MemberAgreement[]> {
    const { rows } = await this.pool.query(sql.MEMBER_AGREEMENT, [cutoff, since, pipeline ?? null]);
    return rows.map((row) => AgreementRowSchema.parse(row));
  }

  /** The newest batch runs with their counts. */
  async recentBatches(limit = 10): Promise<StoredBatch[]> {
    const { rows } = await this.pool.query(sql.RECENT_BATCHES, [limit]);
    return rows.map((row) => BatchRowSchema.parse(row));
  }
}
