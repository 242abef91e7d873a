/** The typed Temporal library users import: decide, executeModel, executePipeline, review, feedback, batches. */
export { ArbiterClient } from './arbiter-client';
export type { ArbiterClientOptions, DecideOptions, ModelExecution } from './options';
export { BacktestClient, BacktestExistsError, UnknownBacktestError } from './backtests';
export { BatchClient } from './batch';
export { tracingInterceptors } from './tracing';
export { DecisionFilterSchema, DecisionStatusSchema, DecisionSummarySchema } from './decisions';
export type { DecisionFilter, DecisionStatus, DecisionSummary, StartedDecision } from './decisions';
export {
  CaseAlreadyDecidedError,
  CaseValidationError,
  DecisionFailedError,
  FeedbackRejectedError,
  ReviewNotPendingError,
  TemporalUnreachableError,
  UnknownDecisionError,
} from './errors';
export type { FeedbackOptions } from './feedback';
export type { DecisionResult } from '../core/decision';
export type { FeedbackReceipt } from '../core/feedback';
export type { PipelineResult } from '../core/pipeline/types';
