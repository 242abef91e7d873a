import { z } from 'zod';
import { CaseIssueSchema } from './case';
import { DecisionResultSchema, ThresholdsSchema } from './decision';

/** What the decision log stores for a decided case (activities → PostgreSQL). */
export const DecisionRecordSchema = DecisionResultSchema.extend({
  input: z.record(z.string(), z.unknown()),
  /** Absent when a rule set decided: the thresholds played no part (see `recordOf`). */
  thresholds: ThresholdsSchema.optional(),
});
export type DecisionRecord = z.infer<typeof DecisionRecordSchema>;

/**
 * The record of a decision: a rule-decided one keeps its rule set and drops the thresholds the
 * workflow carries by default (they decided nothing, and would read as if they had).
 */
export function recordOf(record: DecisionRecord): DecisionRecord {
  if (record.rules === undefined) return record;
  const { thresholds: _unused, ...rest } = record;
  return rest;
}

/** What the log stores for a case that failed validation. */
export const RejectionRecordSchema = z.object({
  caseId: z.string().nullable(),
  workflowId: z.string(),
  runId: z.string(),
  issues: z.array(CaseIssueSchema),
  input: z.unknown(),
});
export type RejectionRecord = z.infer<typeof RejectionRecordSchema>;
