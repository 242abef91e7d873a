import { z } from 'zod';
import { CaseIssueSchema, DecisionRequestSchema, toCaseIssues, type CaseIssue } from '../core/case';
import { OutcomeSchema } from '../core/outcome';

/**
 * A decision request on the ingest topic (the value, as JSON; the key is the case id). Fields
 * beyond these are ignored rather than refused, so producers can add some before consumers know them.
 */
export const IngestRequestSchema = DecisionRequestSchema.extend({
  /** A stored pipeline (its latest version). @default 'demo' */
  pipeline: z.string().min(1).optional(),
  /** One model (`name:alias` or `name@version`) instead of a pipeline. */
  model: z.string().min(1).optional(),
  /** A stored rule set deciding the outcome instead of the thresholds. */
  rules: z.string().min(1).optional(),
});
export type IngestRequest = z.infer<typeof IngestRequestSchema>;

/** Why a request went to the dead-letter topic; also its `arbiter-error` header. */
export const DeadLetterReasonSchema = z.enum([
  /** The value is not JSON. */
  'invalid-json',
  /** The JSON is not a decision request (`issues` names the fields). */
  'invalid-request',
  /** The key is missing or is not the body's caseId. */
  'key-mismatch',
  /**
   * The case was refused (`issues`): over the edge limits (NUL, lone surrogate, depth, fields, bytes;
   * no workflow started) or rejected by the decision workflow, e.g. a field the model cannot take.
   */
  'rejected',
  /** The decision failed for good: an unknown pipeline, model or rule set, say. */
  'decision-failed',
  /** The case id was already decided by another pipeline or model than the request names. */
  'already-decided',
]);
export type DeadLetterReason = z.infer<typeof DeadLetterReasonSchema>;

/** The value of a dead-letter message: why, where the request was, and the request as it came. */
export const DeadLetterSchema = z.object({
  reason: DeadLetterReasonSchema,
  /** For a person: what was wrong. */
  error: z.string(),
  issues: z.array(CaseIssueSchema).optional(),
  topic: z.string(),
  partition: z.number().int(),
  /** A string: Kafka offsets are 64-bit. */
  offset: z.string(),
  key: z.string().nullable(),
  /** The original value as text (null for a message without one). */
  value: z.string().nullable(),
  failedAt: z.string(),
});
export type DeadLetter = z.infer<typeof DeadLetterSchema>;

/** The header every dead-letter message carries: its reason, to route on without parsing the value. */
export const DEAD_LETTER_HEADER = 'arbiter-error';

/**
 * A message on the outcomes topic: `decisionView` of the decision (see core/decision-view.ts).
 * Only the fields a downstream consumer keys on are checked; the rest passes through.
 */
export const OutcomeMessageSchema = z.looseObject({
  id: z.string(),
  caseId: z.string(),
  outcome: OutcomeSchema,
  score: z.number(),
  workflowId: z.string(),
  decidedAt: z.string(),
});
export type OutcomeMessage = z.infer<typeof OutcomeMessageSchema>;

/** Why a message cannot be decided, before or after asking Temporal. */
export interface Unprocessable {
  reason: DeadLetterReason;
  error: string;
  issues?: CaseIssue[];
}

/** Parses a consumed message into a request, or says why it never can be one. */
export function parseRequest(
  key: string | undefined,
  value: string | undefined,
): { ok: true; request: IngestRequest } | ({ ok: false } & Unprocessable) {
  let json: unknown;
  try {
    json = JSON.parse(value ?? '');
  } catch (err) {
    return { ok: false, reason: 'invalid-json', error: `the value is not JSON: ${(err as Error).message}` };
  }
  const parsed = IngestRequestSchema.safeParse(json);
  if (!parsed.success) {
    const issues = toCaseIssues(parsed.error);
    const error = `not a decision request: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`;
    return { ok: false, reason: 'invalid-request', error, issues };
  }
  if (key !== parsed.data.caseId) {
    const error = key
      ? `the key '${key}' is not the caseId '${parsed.data.caseId}'`
      : `the message has no key; it must be the caseId '${parsed.data.caseId}'`;
    return { ok: false, reason: 'key-mismatch', error, issues: [{ path: 'caseId', message: error }] };
  }
  return { ok: true, request: parsed.data };
}
