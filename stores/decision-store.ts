import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { z } from 'zod';
import type { DecisionAudit } from '../core/audit';
import { CaseIssueSchema } from '../core/case';
import { ModelResultSchema, OutcomeSchema, ThresholdsSchema } from '../core/decision';
import type { ModelCall } from '../core/pipeline/types';
import { ReviewStateSchema, type ReviewOutcome } from '../core/review';
import { SimilarCaseSchema } from '../core/similar';
import type { DecisionRecord, RejectionRecord } from '../core/records';
import { FeedbackRowSchema } from './feedback-rows';
import { prepared } from './prepared';
import * as sql from './sql';

/** A decision as read back from the log, mapped to the one audit-row shape (core/audit.ts). */
export const DecisionRowSchema = z
  .object({
    decision_id: z.string(),
    case_id: z.string(),
    pipeline: z.string(),
    pipeline_version: z.number().int().nullable(),
    degraded: z.boolean(),
    late: z.array(z.string()),
    review_state: ReviewStateSchema.nullable(),
    final_outcome: OutcomeSchema.nullable(),
    reviewer: z.string().nullable(),
    review_note: z.string().nullable(),
    reviewed_at: z.date().nullable(),
    rule_set: z.string().nullable(),
    rule_set_version: z.number().int().nullable(),
    rules_matched: z.array(z.string()),
    similar_cases: z.array(SimilarCaseSchema).nullable(),
    timings: z.record(z.string(), z.number()),
    latency_ms: z.number().nullable(),
    feedback: z.array(FeedbackRowSchema),
    outcome: OutcomeSchema,
    score: z.number(),
    reasons: z.array(z.string()),
    models: z.array(ModelResultSchema),
    // NULL since migration 10 for a rule-decided decision; older ones recorded the defaults.
    thresholds: ThresholdsSchema.nullable(),
    input: z.record(z.string(), z.unknown()).nullable(),
    input_hash: z.string(),
    workflow_id: z.string(),
    run_id: z.string(),
    decided_at: z.date(),
    recorded_at: z.date(),
  })
  .transform((r): DecisionAudit => ({
    decisionId: r.decision_id,
    caseId: r.case_id,
    pipeline: { name: r.pipeline, version: r.pipeline_version === null ? 'adhoc' : String(r.pipeline_version) },
    degraded: r.degraded,
    late: r.late,
    review:
      r.review_state === null
        ? undefined
        : {
            state: r.review_state,
            finalOutcome: r.final_outcome ?? undefined,
            reviewer: r.reviewer ?? undefined,
            note: r.review_note ?? undefined,
            at: r.reviewed_at?.toISOString(),
          },
    rules:
      r.rule_set === null
        ? undefined
        : { name: r.rule_set, version: String(r.rule_set_version ?? ''), matched: r.rules_matched },
    similar: r.similar_cases ?? undefined,
    timings: r.timings,
    latencyMs: r.latency_ms ?? undefined,
    feedback: r.feedback,
    outcome: r.outcome,
    score: r.score,
    reasons: r.reasons,
    models: r.models,
    // Shown only where they decided: an old rule-decided row's defaults played no part.
    ...(r.thresholds === null || r.rule_set !== null ? {} : { thresholds: r.thresholds }),
    input: r.input,
    inputHash: r.input_hash,
    workflowId: r.workflow_id,
    runId: r.run_id,
    decidedAt: r.decided_at.toISOString(),
    recordedAt: r.recorded_at.toISOString(),
  }));
export type StoredDecision = DecisionAudit;

export const RejectionRowSchema = z
  .object({
    id: z.coerce.number(),
    case_id: z.string().nullable(),
    workflow_id: z.string(),
    run_id: z.string(),
    issues: z.array(CaseIssueSchema),
    input: z.unknown(),
    rejected_at: z.date(),
  })
  .transform((r) => ({
    id: r.id,
    caseId: r.case_id,
    workflowId: r.workflow_id,
    runId: r.run_id,
    issues: r.issues,
    input: r.input,
    rejectedAt: r.rejected_at.toISOString(),
  }));
export type StoredRejection = z.output<typeof RejectionRowSchema>;

/** A `model_calls` row. */
export const ModelCallRowSchema = z
  .object({
    call_id: z.string(),
    step_id: z.string(),
    model: z.string(),
    version: z.number().int(),
    arm: z.string(),
    placement: z.string(),
    status: z.string(),
    late: z.boolean(),
    output: z.record(z.string(), z.unknown()).nullable(),
    error: z.unknown(),
    latency_ms: z.number().nullable(),
  })
  .transform((r) => ({
    callId: r.call_id,
    stepId: r.step_id,
    model: r.model,
    version: String(r.version),
    arm: r.arm,
    placement: r.placement,
    status: r.status,
    late: r.late,
    output: r.output,
    error: r.error,
    latencyMs: r.latency_ms,
  }));
export type StoredModelCall = z.output<typeof ModelCallRowSchema>;

/** SHA-256 of the input with keys sorted, so equal cases hash equal whatever the key order. */
export function hashInput(input: Record<string, unknown>): string {
  const canonical = JSON.stringify(Object.fromEntries(Object.entries(input).sort(([a], [b]) => a.localeCompare(b))));
  return createHash('sha256').update(canonical).digest('hex');
}

/** INSERT_DECISION's parameters $1–$22. */
function decisionArgs(r: DecisionRecord, storeInput: boolean): unknown[] {
  return [
    r.decisionId,
    r.caseId,
    r.pipeline.name,
    r.outcome,
    r.score,
    JSON.stringify(r.reasons),
    JSON.stringify(r.models),
    r.thresholds === undefined ? null : JSON.stringify(r.thresholds),
    storeInput ? JSON.stringify(r.input) : null,
    hashInput(r.input),
    r.workflowId,
    r.runId,
    r.decidedAt,
    /^\d+$/.test(r.pipeline.version) ? Number(r.pipeline.version) : null,
    r.degraded,
    JSON.stringify(r.late),
    r.rules?.name ?? null,
    r.rules && /^\d+$/.test(r.rules.version) ? Number(r.rules.version) : null,
    JSON.stringify(r.rules?.matched ?? []),
    r.similar === undefined ? null : JSON.stringify(r.similar),
    JSON.stringify(r.timings ?? {}),
    r.latencyMs ?? null,
  ];
}

/** The settled calls as UPSERT_MODEL_CALLS reads them (a pending call is recorded once it settles). */
function callRows(calls: readonly ModelCall[]) {
  return calls
    .filter((c) => c.status !== 'pending')
    .map((c) => ({
      call_id: c.callId,
      step_id: c.stepId,
      model: c.model,
      version: Number(c.version),
      arm: c.arm,
      placement: c.placement,
      status: c.status,
      late: c.late,
      output: c.output ?? null,
      error: c.error ?? null,
      latency_ms: c.latencyMs ?? null,
    }));
}

/** The decision log in PostgreSQL. Writes are idempotent, so activity retries never double-record. */
export class DecisionStore {
  constructor(readonly pool: Pool) {}

  /** @param options.storeInput keep the case's input (its hash is always kept) @default true */
  /** @returns whether the row was new (false: an earlier try of the same decision wrote it) */
  async insertDecision(r: DecisionRecord, { storeInput = true }: { storeInput?: boolean } = {}): Promise<boolean> {
    const result = await this.pool.query(prepared(sql.INSERT_DECISION, decisionArgs(r, storeInput)));
    return result.rowCount === 1;
  }

  /**
   * The decision and its settled model calls in one statement (what `insertDecision` and then
   * `insertModelCalls` write, one round trip fewer on the way to the answer).
   * @returns whether the decision's row was new, and the calls this statement inserted
   */
  async insertDecisionWithCalls(
    r: DecisionRecord,
    calls: readonly ModelCall[],
    { storeInput = true }: { storeInput?: boolean } = {},
  ): Promise<{ inserted: boolean; freshCalls: ModelCall[] }> {
    const { rows } = await this.pool.query<{ decision_inserted: number; inserted_calls: string[] }>(
      prepared(sql.INSERT_DECISION_WITH_CALLS, [...decisionArgs(r, storeInput), JSON.stringify(callRows(calls))]),
    );
    const fresh = new Set(rows[0]?.inserted_calls ?? []);
    return { inserted: rows[0]?.decision_inserted === 1, freshCalls: calls.filter((c) => fresh.has(c.callId)) };
  }

  /** @returns whether the row was new */
  async insertRejection(r: RejectionRecord): Promise<boolean> {
    const input = r.input === undefined ? null : JSON.stringify(r.input);
    const args = [r.caseId, r.workflowId, r.runId, JSON.stringify(r.issues), input];
    return (await this.pool.query(sql.INSERT_REJECTION, args)).rowCount === 1;
  }

  async getDecision(decisionId: string): Promise<StoredDecision | undefined> {
    const { rows } = await this.pool.query(sql.SELECT_DECISION, [decisionId]);
    return rows[0] === undefined ? undefined : DecisionRowSchema.parse(rows[0]);
  }

  /** Newest first. @param limit @default 50 @param pipeline only this pipeline's @default every pipeline */
  async listDecisions(limit = 50, pipeline?: string): Promise<StoredDecision[]> {
    const { rows } = await this.pool.query(sql.LIST_DECISIONS, [limit, pipeline ?? null]);
    return rows.map((row) => DecisionRowSchema.parse(row));
  }

  /** Newest first, optionally for one case. @param limit @default 50 */
  async listRejections(caseId: string | null = null, limit = 50): Promise<StoredRejection[]> {
    const { rows } = await this.pool.query(sql.LIST_REJECTIONS, [caseId, limit]);
    return rows.map((row) => RejectionRowSchema.parse(row));
  }

  /**
   * Every settled model call of a decision (pending ones wait until they settle); writing one again
   * updates it. @returns the calls written for the first time (a retry or a later write returns none again)
   */
  async insertModelCalls(decisionId: string, calls: readonly ModelCall[]): Promise<ModelCall[]> {
    const rows = callRows(calls);
    if (rows.length === 0) return [];
    const result = await this.pool.query<{ call_id: string; inserted: boolean }>(sql.UPSERT_MODEL_CALLS, [
      decisionId,
      JSON.stringify(rows),
    ]);
    const fresh = new Set(result.rows.filter((r) => r.inserted).map((r) => r.call_id));
    return calls.filter((c) => fresh.has(c.callId));
  }

  /** What monitoring reads at each scrape: reviews waiting (and the oldest's age) and batches by status. */
  async backlog(): Promise<{ reviewsPending: number; oldestReviewAgeS: number; batches: Record<string, number> }> {
    const [reviews, batches] = await Promise.all([
      this.pool.query<{ pending: number; oldest_age_s: number }>(sql.REVIEW_BACKLOG),
      this.pool.query<{ status: string; n: number }>(sql.BATCHES_BY_STATUS),
    ]);
    const row = reviews.rows[0];
    return {
      reviewsPending: row?.pending ?? 0,
      oldestReviewAgeS: row?.oldest_age_s ?? 0,
      batches: Object.fromEntries(batches.rows.map((r) => [r.status, r.n])),
    };
  }

  /** Records a review's verdict; the decision's original outcome stays as it was decided. */
  async recordReview(decisionId: string, review: ReviewOutcome): Promise<void> {
    await this.pool.query(sql.UPDATE_REVIEW, [
      decisionId,
      review.state,
      review.finalOutcome ?? null,
      review.reviewer ?? null,
      review.note ?? null,
      review.at ?? null,
    ]);
  }

  /** The audit trail of one decision's model calls. */
  async listModelCalls(decisionId: string): Promise<StoredModelCall[]> {
    const { rows } = await this.pool.query(sql.SELECT_MODEL_CALLS, [decisionId]);
    return rows.map((r) => ModelCallRowSchema.parse(r));
  }

  async countDecisions(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(sql.COUNT_DECISIONS);
    return rows[0]?.n ?? 0;
  }
}
