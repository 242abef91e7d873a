import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { CaseIssueSchema } from '../core/case';
import { checkText } from '../core/case-limits';
import { Failure, rootApplicationFailure } from '../core/failures';
import { FeedbackReceiptSchema, type FeedbackReceipt } from '../core/feedback';
import type { Label } from '../core/similar';
import type { feedbackWorkflow } from '../workflows';
import { DecisionFailedError, FeedbackRejectedError, UnknownDecisionError } from './errors';

/** Who says so, why, and the idempotency key. */
export interface FeedbackOptions {
  /** @default none */
  source?: string;
  /** @default none */
  note?: string;
  /** Sending the same id again changes nothing. @default a new UUID (every call is new feedback) */
  feedbackId?: string;
  /** Who sends it, as authenticated (an API key's name, `cli:<os user>`), recorded with it. @default unrecorded */
  actor?: string;
}

/**
 * Runs `feedbackWorkflow` on the orchestrator's task queue and returns what was recorded.
 * @throws UnknownDecisionError for a decision id the log does not hold
 * @throws FeedbackRejectedError for invalid feedback (naming each field; a NUL or lone surrogate in
 *   `note` or `source` before any workflow starts) or a reused feedback id
 */
export async function submitFeedback(
  temporal: Client,
  taskQueue: string,
  decisionId: string,
  label: Label,
  options: FeedbackOptions = {},
): Promise<FeedbackReceipt> {
  // PostgreSQL refuses a NUL and a lone surrogate has no UTF-8 form: refused before any workflow starts.
  const refused = [
    ...(options.note === undefined ? [] : checkText(options.note, 'note')),
    ...(options.source === undefined ? [] : checkText(options.source, 'source')),
  ];
  if (refused.length > 0) {
    const list = refused.map((i) => `${i.path}: ${i.message}`).join('; ');
    throw new FeedbackRejectedError(`invalid feedback: ${list}`, Failure.Feedback.Invalid, refused);
  }
  const feedbackId = options.feedbackId ?? randomUUID();
  const workflowId = `feedback-${decisionId}-${feedbackId}`;
  try {
    const receipt = await temporal.workflow.execute<typeof feedbackWorkflow>('feedbackWorkflow', {
      taskQueue,
      workflowId,
      args: [{ decisionId, label, source: options.source, note: options.note, feedbackId, actor: options.actor }],
      // The same feedback sent twice at once joins the run already going.
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    return FeedbackReceiptSchema.parse(receipt);
  } catch (err) {
    throw toFeedbackError(err, decisionId, workflowId);
  }
}

function toFeedbackError(err: unknown, decisionId: string, workflowId: string): Error {
  if (!(err instanceof WorkflowFailedError)) return err instanceof Error ? err : new Error(String(err));
  const root = rootApplicationFailure(err.cause);
  switch (root?.type) {
    case Failure.Feedback.DecisionNotFound:
      return new UnknownDecisionError(decisionId, { cause: err, why: 'feedback can only label a recorded decision' });
    case Failure.Feedback.Invalid:
    case Failure.Feedback.Conflict: {
      const issues = CaseIssueSchema.array().safeParse(root.details?.[0]);
      return new FeedbackRejectedError(root.message, root.type, issues.success ? issues.data : [], { cause: err });
    }
    default:
      return new DecisionFailedError(root?.message ?? err.message, workflowId, root?.type ?? undefined, { cause: err });
  }
}
