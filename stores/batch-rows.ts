import { z } from 'zod';
import type { BatchRejection } from '../core/batch/schema';
import { CaseIssueSchema } from '../core/case';
import type { DecisionRecord } from '../core/records';
import { hashInput } from './decision-store';

// Rows of the batch tables, both ways: what the store writes (JSON for jsonb_to_recordset) and reads.

/** A pending row as claimed: not validated yet (the table takes any JSON). */
export interface ClaimedRow {
  caseId: string;
  input: unknown;
}

/** A rejection with what was rejected (a bad line's text, a row's input). */
export type StoredBatchRejection = BatchRejection & { input: unknown };

/** What a pending row came to, for `pending_cases`. */
export interface ProcessedRow {
  caseId: string;
  /** Set when decided. */
  decisionId: string | null;
  outcome: 'approve' | 'decline' | 'review' | 'rejected' | 'failed';
  error: string | null;
}

/** A `batches` row as read back. */
export const BatchRowSchema = z
  .object({
    batch_id: z.string(),
    workflow_id: z.string(),
    source: z.unknown(),
    pipeline: z.string(),
    pipeline_version: z.string(),
    rule_set: z.string().nullable(),
    status: z.enum(['running', 'done', 'failed']),
    total: z.number().int().nullable(),
    counts: z.record(z.string(), z.unknown()),
    last_error: z.string().nullable(),
    started_at: z.date(),
    finished_at: z.date().nullable(),
  })
  .transform((r) => ({
    batchId: r.batch_id,
    workflowId: r.workflow_id,
    source: r.source,
    pipeline: { name: r.pipeline, version: r.pipeline_version },
    ruleSet: r.rule_set,
    status: r.status,
    total: r.total,
    counts: r.counts,
    lastError: r.last_error,
    startedAt: r.started_at.toISOString(),
    finishedAt: r.finished_at?.toISOString() ?? null,
  }));
export type StoredBatch = z.output<typeof BatchRowSchema>;

/** A `pending_cases` row as a claim returns it. */
export const ClaimedRowSchema = z.object({ case_id: z.string(), input: z.unknown(), enqueued_at: z.date() });

/** A `batch_rejections` row as read back. */
export const RejectionRowSchema = z
  .object({
    line: z.number().int().nullable(),
    case_id: z.string().nullable(),
    issues: z.array(CaseIssueSchema),
    input: z.unknown(),
  })
  .transform((r) => ({
    line: r.line,
    caseId: r.case_id,
    issues: r.issues,
    reason: r.issues.map((i) => `${i.path}: ${i.message}`).join('; '),
    input: r.input,
  }));

const versionNumber = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : null);

/** One decision as a row of `INSERT_DECISIONS`; the same columns `DecisionStore.insertDecision` writes. */
export function decisionRow(r: DecisionRecord, storeInput: boolean) {
  return {
    decision_id: r.decisionId,
    case_id: r.caseId,
    pipeline: r.pipeline.name,
    outcome: r.outcome,
    score: r.score,
    reasons: r.reasons,
    models: r.models,
    thresholds: r.thresholds,
    input: storeInput ? r.input : null,
    input_hash: hashInput(r.input),
    workflow_id: r.workflowId,
    run_id: r.runId,
    decided_at: r.decidedAt,
    pipeline_version: versionNumber(r.pipeline.version),
    degraded: r.degraded,
    late: r.late,
    rule_set: r.rules?.name ?? null,
    rule_set_version: versionNumber(r.rules?.version),
    rules_matched: r.rules?.matched ?? [],
    similar_cases: r.similar ?? null,
    timings: r.timings ?? {},
    latency_ms: r.latencyMs ?? null,
  };
}

/** A rejection as a row of `INSERT_REJECTIONS`: keyed by its line, or by its case for a table row. */
export function rejectionRow(r: StoredBatchRejection) {
  return {
    ref: r.line === null ? `case ${r.caseId ?? '?'}` : `line ${r.line}`,
    line: r.line,
    case_id: r.caseId,
    issues: r.issues,
    input: r.input ?? null,
  };
}

/** What became of a claimed row, as `MARK_PROCESSED` reads it. */
export function processedRow(p: ProcessedRow) {
  return { case_id: p.caseId, decision_id: p.decisionId, outcome: p.outcome, error: p.error };
}
