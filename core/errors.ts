/**
 * Dotted failure types carried by `ApplicationFailure.type`, so callers can branch on them
 * without parsing messages.
 */
export const FailureType = {
  InvalidCase: 'Decision.InvalidCase',
  ModelInvalidInput: 'Model.InvalidInput',
  ModelNotFound: 'Model.NotFound',
  ModelFailed: 'Model.Failed',
  StoreUnavailable: 'Store.Unavailable',
  /** A store stayed unreachable past ARBITER_OUTAGE_TOLERANCE: the decision stops waiting. */
  StoreOutageExceeded: 'Store.OutageExceeded',
  StoreRejected: 'Store.Rejected',
  WorkflowBug: 'Workflow.Unexpected',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];
