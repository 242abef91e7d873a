import { ApplicationFailure, WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { CaseIssueSchema } from '../core/case';
import { Failure, failureChain, rootApplicationFailure } from '../core/failures';
import { CaseValidationError, DecisionFailedError } from './errors';

/** A failed decision or pipeline run as the client's typed error: the case's issues, or the innermost failure. */
export function toDecisionError(err: unknown, workflowId: string): Error {
  if (!(err instanceof WorkflowFailedError || err instanceof WorkflowUpdateFailedError)) {
    return err instanceof Error ? err : new Error(String(err));
  }
  const cause = err.cause;
  if (cause instanceof ApplicationFailure && cause.type === Failure.Decision.InvalidCase) {
    const issues = CaseIssueSchema.array().safeParse(cause.details?.[0]);
    return new CaseValidationError(issues.success ? issues.data : [], workflowId, { cause: err });
  }
  const root = rootApplicationFailure(cause);
  return new DecisionFailedError(root?.message ?? err.message, workflowId, root?.type ?? undefined, { cause: err });
}

/** The innermost message of a failure chain, without the workflow's own preamble. */
export function rootMessage(err: Error): string {
  const e = failureChain(err).at(-1);
  return e instanceof Error ? e.message.replace(/^this decision is not waiting for review: /, '') : String(e);
}
