import { z } from 'zod';
import { builtOnce } from '../built-once';
import { CaseIdSchema, CaseIssueSchema } from '../case';
import { RuleSetSpecSchema } from '../rules/spec';
// Built once per worker and shared by every workflow run (core/built-once.ts says why).
const schemas = builtOnce('core/batch/schema', () => {
  /** A batch id names the batch's workflow and prefixes its decision ids, so keep it id-safe. */
  const BatchIdSchema = z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'letters, digits and . _ : - only, starting with a letter or digit');
  /**
   * Where a batch's cases come from: an NDJSON file the worker can read (one `{ caseId, input }` per
   * line), or the `pending_cases` table (rows not yet claimed by any batch).
   */
  const BatchSourceSchema = z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('file'), path: z.string().min(1) }),
    z.object({ kind: z.literal('table') }),
  ]);
  /** Where reading a file resumes: a byte offset and the number of the last line read (1-based). */
  const FileCursorSchema = z.object({
    offset: z.number().int().nonnegative(),
    line: z.number().int().nonnegative(),
  });
  /** A line or row that could not be decided, and why (kept in `batch_rejections`). */
  const BatchRejectionSchema = z.object({
    /** 1-based line of an NDJSON file; null for a table row. */
    line: z.number().int().positive().nullable(),
    caseId: z.string().nullable(),
    reason: z.string(),
    issues: z.array(CaseIssueSchema),
  });
  /** A valid case of a batch, with where it came from. */
  const BatchCaseSchema = z.object({
    caseId: CaseIdSchema,
    input: z.record(z.string(), z.unknown()),
    /** 1-based line of an NDJSON file; null for a table row. */
    line: z.number().int().positive().nullable(),
  });
  /** A rule set as a batch pins it (the same shape `loadRuleSet` returns). */
  const PinnedRuleSetSchema = z.object({ name: z.string(), version: z.string(), spec: RuleSetSpecSchema });
  return {
    BatchIdSchema,
    BatchSourceSchema,
    FileCursorSchema,
    BatchRejectionSchema,
    BatchCaseSchema,
    PinnedRuleSetSchema,
  };
});
export const BatchIdSchema = schemas.BatchIdSchema;
export const BatchSourceSchema = schemas.BatchSourceSchema;
export const FileCursorSchema = schemas.FileCursorSchema;
export const BatchRejectionSchema = schemas.BatchRejectionSchema;
export const BatchCaseSchema = schemas.BatchCaseSchema;
export const PinnedRuleSetSchema = schemas.PinnedRuleSetSchema;

export type BatchSource = z.infer<typeof BatchSourceSchema>;
export type FileCursor = z.infer<typeof FileCursorSchema>;

/** The start of a file. */
export const FILE_START: FileCursor = { offset: 0, line: 0 };
export type BatchRejection = z.infer<typeof BatchRejectionSchema>;
export type BatchCase = z.infer<typeof BatchCaseSchema>;
export type PinnedRuleSet = z.infer<typeof PinnedRuleSetSchema>;

/** The workflow id of a batch. */
export function batchWorkflowId(batchId: string): string {
  return `batch-${batchId}`;
}

/**
 * A batch's id from its workflow id: `batch-<id>` as `batchWorkflowId` makes it, or whatever a
 * Schedule made of its action's workflow id (`batch-<name>-<action time>` → `<name>-<action time>`).
 */
export function batchIdOf(workflowId: string): string {
  const id = workflowId.startsWith('batch-') ? workflowId.slice('batch-'.length) : workflowId;
  return id.replace(/[^A-Za-z0-9._:-]/g, '-').slice(0, 100);
}

/**
 * The decision id of a case decided in a batch. Not the per-case workflow's `decision-<caseId>`: a
 * batch decision has no workflow of its own, and a case may be decided online and in a batch.
 * Re-running a batch id reuses its decision ids, so nothing is recorded twice.
 */
export function batchDecisionId(batchId: string, caseId: string): string {
  return `batch-${batchId}-${caseId}`;
}
