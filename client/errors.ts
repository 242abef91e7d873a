import type { CaseIssue } from '../core/case';
import type { DecisionResult } from '../core/decision';

/**
 * The case failed validation; `issues` names every bad field. A case the workflow rejected is in
 * the decision log; one over the edge limits (`issue.rule` set) was refused before any workflow
 * started, so `workflowId` is the one it would have had ('' without a usable case id).
 */
export class CaseValidationError extends Error {
  constructor(
    readonly issues: CaseIssue[],
    readonly workflowId: string,
    options?: ErrorOptions,
  ) {
    super(`invalid case: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, options);
    this.name = 'CaseValidationError';
  }
}

/** The decision workflow failed for another reason (model unknown, store down past retries, ...). */
export class DecisionFailedError extends Error {
  constructor(
    message: string,
    readonly workflowId: string,
    readonly failureType: string | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'DecisionFailedError';
  }
}

/** Temporal could not be reached at all. */
export class TemporalUnreachableError extends Error {
  constructor(address: string, options?: ErrorOptions) {
    super(
      `cannot reach Temporal at ${address}. Start the embedded stack with 'arbiter dev', or set TEMPORAL_ADDRESS ` +
        `to a running server.`,
      options,
    );
    this.name = 'TemporalUnreachableError';
  }
}

/** A review was sent for a decision that is not waiting for one (decided, already reviewed, unknown). */
export class ReviewNotPendingError extends Error {
  constructor(
    readonly decisionId: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`decision ${decisionId} is not waiting for review: ${reason}`, options);
    this.name = 'ReviewNotPendingError';
  }
}

/**
 * A case id is decided once: asked again with another pipeline or model than the one that decided
 * it, `decide` refuses instead of returning that decision as if it answered the new question.
 */
export class CaseAlreadyDecidedError extends Error {
  constructor(
    readonly caseId: string,
    /** The decision the case already has. */
    readonly decision: DecisionResult,
    asked: string,
  ) {
    super(
      `case ${caseId} was already decided by ${decidedBy(decision)} at ${decision.decidedAt}, not by ${asked}; ` +
        'a case id is decided once: use another case id',
    );
    this.name = 'CaseAlreadyDecidedError';
  }
}

/** `pipeline demo@3`, or `model phishing-gb@1` for a single-model decision. */
export function decidedBy(d: DecisionResult): string {
  const primary = d.models.find((m) => m.arm === 'primary');
  return d.pipeline.version === 'adhoc' && primary
    ? `model ${primary.model}@${primary.version}`
    : `pipeline ${d.pipeline.name}@${d.pipeline.version}`;
}

/** Feedback named a decision the log does not hold. */
export class UnknownDecisionError extends Error {
  constructor(
    readonly decisionId: string,
    options?: ErrorOptions & { why?: string },
  ) {
    super(`no decision ${decisionId}${options?.why ? `: ${options.why}` : ''}`, options);
    this.name = 'UnknownDecisionError';
  }
}

/** Feedback was refused without being recorded: a bad field (`issues` names each) or a reused feedback id. */
export class FeedbackRejectedError extends Error {
  constructor(
    message: string,
    readonly failureType: string,
    readonly issues: CaseIssue[],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'FeedbackRejectedError';
  }
}
