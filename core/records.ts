import { z } from 'zod';
import { CaseIssueSchema } from './case';
import { DecisionResultSchema } from './decision';

/** What the decision log stores for a decided case (activities → PostgreSQL). */
export const DecisionRecordSchema = DecisionResultSchema.extend({
  input: z.record(z.string(), z.unknown()),
});
export type DecisionRecord = z.infer<typeof DecisionRecordSchema>;

/** What the log stores for a case that failed validation. */
export const RejectionRecordSchema = z.object({
  caseId: z.string().nullable(),
  workflowId: z.string(),
  runId: z.string(),
  issues: z.array(CaseIssueSchema),
  input: z.unknown(),
});
export type RejectionRecord = z.infer<typeof RejectionRecordSchema>;
