import { ApplicationFailure } from '@temporalio/common';
import { HTTPException } from 'hono/http-exception';
import { z } from 'zod';
import {
  CaseAlreadyDecidedError,
  CaseValidationError,
  DecisionFailedError,
  FeedbackRejectedError,
  ReviewNotPendingError,
  TemporalUnreachableError,
  UnknownDecisionError,
} from '../client/errors';
import { errorChain, Failure } from '../core/failures';
import { InvalidModelRefError } from '../core/model-ref';
import {
  BacktestEvidenceError,
  DatabaseUnreachableError,
  LiteralSecretError,
  ModelDeprecatedError,
  ModelNotFoundError,
  PipelineInvalidError,
  PipelineNotFoundError,
  RegistrationRejectedError,
  RegistryConflictError,
  RuleSetInvalidError,
  RuleSetNotFoundError,
} from '../admin/errors';
import { InvalidCursorError } from '../admin/decision-log';
import { BacktestExistsError, UnknownBacktestError } from '../client/backtests';
import { PayloadDecryptionError, UnknownEncryptionKeyError } from '../codec/errors';
import { ForbiddenError } from './caller';
import { invalidRequest, problem, type Problem } from './problems';

const AvailableSchema = z.object({ available: z.array(z.string()) });

/** What exists instead, as the failing activity attached it (`details[0].available`). */
function availableOf(err: Error): string[] | undefined {
  let found: string[] | undefined;
  for (const e of errorChain(err.cause)) {
    const parsed = e instanceof ApplicationFailure ? AvailableSchema.safeParse(e.details?.[0]) : undefined;
    if (parsed?.success) found = parsed.data.available;
  }
  return found;
}

const UNAVAILABLE = 'a backing service is unavailable; try again shortly';
const OUTAGE = 'a backing service stayed unreachable past the outage tolerance; decide the case again later';
const OUTAGE_EXCEEDED = new Set<string>([Failure.Store.OutageExceeded, Failure.Model.OutageExceeded]);
const NOT_FOUND_FAILURES = new Set<string>([Failure.Pipeline.NotFound, Failure.Model.NotFound, Failure.Rules.NotFound]);
const BAD_REQUEST_FAILURES = new Set<string>([Failure.Pipeline.Invalid, Failure.Model.InvalidInput]);

/** A failed decision or model run: unknown names are 404 (with what exists), bad input 400, the rest 502. */
function decisionFailed(err: DecisionFailedError): Problem {
  const type = err.failureType ?? '';
  if (NOT_FOUND_FAILURES.has(type)) {
    const available = availableOf(err);
    return problem(404, 'not-found', 'Not found', err.message, available ? { available } : {});
  }
  if (BAD_REQUEST_FAILURES.has(type)) return problem(400, 'invalid-request', 'Invalid request', err.message);
  if (type === Failure.Model.Deprecated) return problem(409, 'conflict', 'Conflict', err.message);
  // The store's own message may name hosts: the app logs it; the caller gets no more than this.
  if (type === Failure.Store.Unavailable) return problem(503, 'unavailable', 'Service unavailable', UNAVAILABLE);
  // Waited out for ARBITER_OUTAGE_TOLERANCE and still down: no fault of the case, decide it again later.
  if (OUTAGE_EXCEEDED.has(type)) return problem(503, 'unavailable', 'Service unavailable', OUTAGE);
  return problem(502, 'decision-failed', 'Decision failed', err.message);
}

/** The problem an HTTPException (malformed JSON, wrong media type, ...) stands for. */
function httpProblem(err: HTTPException): Problem {
  if (err.status === 400) return invalidRequest('JSON body', [{ path: '(root)', message: err.message }]);
  if (err.status === 413)
    return problem(413, 'payload-too-large', 'Payload too large', 'the request body is too large');
  if (err.status === 415)
    return problem(415, 'unsupported-media-type', 'Unsupported media type', 'send the body as application/json');
  return problem(err.status, 'http', err.message || 'Error', err.message || `HTTP ${err.status}`);
}

/**
 * The problem a known error stands for; `undefined` for anything unexpected (a 500 whose details
 * go to the log, never to the caller).
 */
export function toProblem(err: unknown): Problem | undefined {
  if (err instanceof HTTPException) return httpProblem(err);
  if (err instanceof ForbiddenError) return problem(403, 'forbidden', 'Forbidden', err.message);
  if (err instanceof CaseValidationError)
    return problem(400, 'invalid-case', 'Invalid case', err.message, { errors: err.issues });
  if (err instanceof PipelineInvalidError)
    return problem(400, 'invalid-pipeline', 'Invalid pipeline', err.message, { errors: err.issues });
  if (err instanceof RuleSetInvalidError)
    return problem(400, 'invalid-rule-set', 'Invalid rule set', err.message, { errors: err.issues });
  if (err instanceof FeedbackRejectedError) {
    const conflict = err.failureType === Failure.Feedback.Conflict;
    return problem(conflict ? 409 : 400, 'feedback-rejected', 'Feedback rejected', err.message, {
      errors: err.issues,
    });
  }
  if (err instanceof InvalidCursorError) return problem(400, 'invalid-request', 'Invalid request', err.message);
  if (err instanceof InvalidModelRefError) return problem(400, 'invalid-request', 'Invalid request', err.message);
  if (err instanceof UnknownDecisionError || err instanceof UnknownBacktestError)
    return problem(404, 'not-found', 'Not found', err.message);
  if (err instanceof BacktestExistsError) return problem(409, 'conflict', 'Conflict', err.message);
  if (err instanceof BacktestEvidenceError)
    return err.problem === 'unknown'
      ? problem(404, 'not-found', 'Not found', err.message)
      : problem(409, 'conflict', 'Conflict', err.message);
  if (err instanceof ModelNotFoundError || err instanceof PipelineNotFoundError || err instanceof RuleSetNotFoundError)
    return problem(404, 'not-found', 'Not found', err.message, { available: err.available });
  if (err instanceof CaseAlreadyDecidedError)
    return problem(409, 'case-already-decided', 'Case already decided', err.message);
  if (err instanceof ReviewNotPendingError)
    return problem(409, 'review-not-pending', 'Not waiting for review', err.message);
  if (err instanceof ModelDeprecatedError || err instanceof RegistryConflictError)
    return problem(409, 'conflict', 'Conflict', err.message);
  if (err instanceof LiteralSecretError) {
    const errors = err.secrets.map((s) => ({ path: s.path, message: `${s.why}: give it by name, { "env": "NAME" }` }));
    return problem(400, 'literal-secret', 'Literal credential refused', err.message, { errors });
  }
  if (err instanceof RegistrationRejectedError)
    return problem(422, 'registration-rejected', 'Model does not answer', err.message);
  if (err instanceof UnknownEncryptionKeyError || err instanceof PayloadDecryptionError)
    return problem(400, 'undecryptable-payload', 'Payload cannot be decrypted', err.message);
  if (err instanceof DecisionFailedError) return decisionFailed(err);
  if (err instanceof TemporalUnreachableError || err instanceof DatabaseUnreachableError)
    return problem(503, 'unavailable', 'Service unavailable', UNAVAILABLE);
  return undefined;
}
