import { CaseAlreadyDecidedError, CaseValidationError, DecisionFailedError } from '../client/errors';
import { Failure, rootApplicationFailure } from '../core/failures';
import type { Unprocessable } from './messages';

const OUTAGE_EXCEEDED = new Set<string>([Failure.Store.OutageExceeded, Failure.Model.OutageExceeded]);

/**
 * The one classifier for what `decide` throws at the ingest consumer (STYLE rule 4): a failure no
 * retry can fix sends the request to the dead-letter topic; anything else (Temporal unreachable,
 * a timeout, a store down past its retries) is retried and, if it persists, stops the consumer.
 * A decision failure counts as permanent when the failure at its root says so (`nonRetryable`):
 * an unknown pipeline, model or rule set, say, or a bug in the workflow.
 * @returns the dead-letter reason, or undefined when retrying may help
 */
export function permanentFailure(err: unknown): Unprocessable | undefined {
  if (err instanceof CaseValidationError) return { reason: 'rejected', error: err.message, issues: err.issues };
  // A case id is decided once: no retry turns another pipeline's decision into this one.
  if (err instanceof CaseAlreadyDecidedError) return { reason: 'already-decided', error: err.message };
  // A store or model server down past the worker's outage tolerance is no fault of the request:
  // decide it again later.
  if (err instanceof DecisionFailedError && OUTAGE_EXCEEDED.has(err.failureType ?? '')) return undefined;
  if (err instanceof DecisionFailedError && rootApplicationFailure(err)?.nonRetryable) {
    const type = err.failureType ? ` (${err.failureType})` : '';
    return { reason: 'decision-failed', error: `${err.message}${type}` };
  }
  return undefined;
}
