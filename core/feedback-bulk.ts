import { z } from 'zod';
import { CaseIssueSchema } from './case';
import { checkText } from './case-limits';
import { FeedbackReceiptSchema, FeedbackSchema } from './feedback';

const f = FeedbackSchema.shape;

/**
 * One row of bulk feedback (`decisions feedback --file`, `POST /v1/decisions/feedback`): the single
 * form's fields (core/feedback.ts `FeedbackSchema`), where `caseId` may name the decision instead of
 * `decisionId` (exactly one of them). Unknown fields are refused.
 */
export const BulkFeedbackRowSchema = z
  .strictObject({
    decisionId: f.decisionId.optional(),
    /** The case the decision was for; refused when the case has several decisions (say, two batches). */
    caseId: z.string().min(1).max(512).optional(),
    label: f.label,
    source: f.source,
    note: f.note,
    /** Idempotency key. @default derived from the whole request and the row's place in it */
    feedbackId: f.feedbackId,
  })
  .superRefine((row, ctx) => {
    if ((row.decisionId === undefined) === (row.caseId === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['decisionId'], message: 'give decisionId or caseId (exactly one)' });
    }
    // PostgreSQL refuses a NUL, and a lone surrogate has no UTF-8 form: one such row must not fail its batch.
    for (const key of ['note', 'source'] as const) {
      const text = row[key];
      for (const issue of text === undefined ? [] : checkText(text, key)) {
        ctx.addIssue({ code: 'custom', path: [key], message: issue.message });
      }
    }
  });
export type BulkFeedbackRow = z.infer<typeof BulkFeedbackRowSchema>;

/** Where a row came from: its line in the file (CLI), its index in the request's array from 0 (API). */
const row = z.number().int();

/** What became of one row: applied (new feedback), unchanged (its feedback id was already recorded), failed. */
export const BulkFeedbackRowResultSchema = z.discriminatedUnion('status', [
  z.object({ row, status: z.literal('applied'), receipt: FeedbackReceiptSchema }),
  z.object({ row, status: z.literal('unchanged'), receipt: FeedbackReceiptSchema }),
  z.object({
    row,
    status: z.literal('failed'),
    /** The decision id, else the case id the row gave; null when it gave neither. */
    id: z.string().nullable(),
    /** A core/failures.ts type: `Feedback.Invalid`, `Feedback.DecisionNotFound`, `Store.Unavailable`, ... */
    type: z.string(),
    message: z.string(),
    /** For `Feedback.Invalid`: each bad field. */
    issues: z.array(CaseIssueSchema).optional(),
  }),
]);
export type BulkFeedbackRowResult = z.infer<typeof BulkFeedbackRowResultSchema>;

/** Every row's fate, in input order, and the counts. */
export const BulkFeedbackReportSchema = z.object({
  applied: z.number().int(),
  unchanged: z.number().int(),
  failed: z.number().int(),
  rows: z.array(BulkFeedbackRowResultSchema),
});
export type BulkFeedbackReport = z.infer<typeof BulkFeedbackReportSchema>;

/** One row as read, before validation; `unreadable` says why a line could not even be parsed. */
export interface FeedbackInputRow {
  row: number;
  value: unknown;
  unreadable?: string;
}

/** The summary line: `12 applied, 1 unchanged, 2 failed`. */
export function bulkSummary(r: Pick<BulkFeedbackReport, 'applied' | 'unchanged' | 'failed'>): string {
  return `${r.applied} applied, ${r.unchanged} unchanged, ${r.failed} failed`;
}
