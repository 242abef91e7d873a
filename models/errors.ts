import { ApplicationFailure } from '@temporalio/common';
import { Failure } from '../core/failures';
import { redactedMessage } from '../core/redact';

/** Parses a `retry-after` header (seconds or HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(header: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(at - now, 0);
}

export interface HttpFailureInput {
  /** `name@version`, always in the message. */
  model: string;
  status: number;
  /** The first bytes of the response body, for the message. */
  body?: string;
  retryAfter?: string | null;
  cause?: Error;
}

/**
 * Classifies an HTTP error status (STYLE rule 4): 408, 409, 429 and 5xx stay retryable (429 as
 * `Model.RateLimited`, honouring `retry-after` through `nextRetryDelay`); anything else is the
 * caller's mistake and non-retryable.
 */
export function httpStatusFailure({ model, status, body, retryAfter, cause }: HttpFailureInput): ApplicationFailure {
  const snippet = body ? `: ${body.slice(0, 300)}` : '';
  const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
  const type =
    status === 429 ? Failure.Model.RateLimited : retryable ? Failure.Model.Unavailable : Failure.Model.Rejected;
  const delay = status === 429 || status === 503 ? parseRetryAfter(retryAfter) : undefined;
  return ApplicationFailure.create({
    type,
    message: `model ${model} answered HTTP ${status}${snippet}`,
    nonRetryable: !retryable,
    nextRetryDelay: delay,
    details: [{ status }],
    cause,
  });
}

/** The deadline passed before the model answered: retryable (the next attempt gets a new deadline). */
export function timeoutFailure(model: string, waitedMs: number, cause?: Error): ApplicationFailure {
  return ApplicationFailure.create({
    type: Failure.Model.Timeout,
    message: `model ${model} did not answer within ${Math.round(waitedMs)} ms`,
    cause,
  });
}

/** A response that does not have the documented shape. Non-retryable unless the model is stochastic. */
export function badResponseFailure(model: string, problem: string, retryable = false): ApplicationFailure {
  return ApplicationFailure.create({
    type: Failure.Model.BadResponse,
    message: `model ${model} returned a malformed response: ${problem}`,
    nonRetryable: !retryable,
  });
}

/** Network-level trouble (refused, reset, DNS): retryable. The message hides any URL's credentials. */
export function unavailableFailure(model: string, cause: unknown): ApplicationFailure {
  const message = redactedMessage(cause);
  return ApplicationFailure.create({
    type: Failure.Model.Unavailable,
    message: `model ${model} is unreachable: ${message}`,
    cause: cause instanceof Error ? cause : undefined,
  });
}

/** Kind-specific config that does not validate: the registration is wrong, not the call. */
export function invalidConfigFailure(model: string, problem: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: Failure.Model.InvalidConfig,
    message: `model ${model} has an invalid config: ${problem}`,
    nonRetryable: true,
  });
}

/**
 * A secret the config names (`{ "env": "FRAUD_API_TOKEN" }`) is not in this process's environment.
 * The message names the variable and where it is used, never a value; set it on the worker and restart.
 */
export function secretMissingFailure(model: string, where: string, variable: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: Failure.Model.SecretMissing,
    message: `model ${model}: ${where} refers to the environment variable ${variable}, which is not set on this process`,
    nonRetryable: true,
  });
}
