import { ApplicationFailure } from '@temporalio/common';
import { errorChain, Failure } from '../../core/failures';
import { redactedMessage } from '../../core/redact';
import { parseRetryAfter } from '../../models/errors';
import { isTransientPgError } from '../pg-errors';

/** A non-2xx answer from Pinecone, thrown by the store's fetch so status and `retry-after` survive the SDK. */
export class PineconeHttpError extends Error {
  override name = 'PineconeHttpError';
  constructor(
    readonly status: number,
    readonly body: string,
    readonly retryAfter: string | null,
    readonly endpoint: string,
  ) {
    super(`Pinecone answered HTTP ${status} on ${endpoint}: ${body.slice(0, 300)}`);
  }
}

/** A 2xx body that is not the documented shape (not JSON, a proxy's page, wrong fields). */
export class VectorWireError extends Error {
  override name = 'VectorWireError';
}

/** Input that no store would accept: wrong dimension, zero vector, bad metadata or filter. */
export function rejectedInput(what: string, problem: string, cause?: Error): ApplicationFailure {
  return ApplicationFailure.create({
    type: Failure.Vector.Rejected,
    message: `${what}: ${problem}`,
    nonRetryable: true,
    cause,
  });
}

/**
 * The one error for a PostgreSQL without pgvector. It names no server: its message becomes a
 * decision's reason, which API callers read, and the operator knows which database the worker uses.
 */
export function pgvectorMissing(cause: unknown): ApplicationFailure {
  return ApplicationFailure.create({
    type: Failure.Vector.NotInstalled,
    message:
      `pgvector is not installed on this PostgreSQL: CREATE EXTENSION vector failed (${redactedMessage(cause)}) ` +
      "on the worker's database (DATABASE_URL). Install pgvector on that server (e.g. the pgvector/pgvector " +
      'image), or use the Pinecone vector store.',
    nonRetryable: true,
    cause: cause instanceof Error ? cause : undefined,
  });
}

/** PostgreSQL errors, classified like `stores/pg-errors.ts`: connection trouble retryable, the rest not. */
export function toPgVectorFailure(err: unknown, what: string): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  const transient = isTransientPgError(err);
  const code = (err as { code?: unknown } | null)?.code;
  return ApplicationFailure.create({
    type: transient ? Failure.Vector.Unavailable : Failure.Vector.Rejected,
    message: `${what}: ${redactedMessage(err)}`,
    nonRetryable: !transient,
    cause: err instanceof Error ? err : undefined,
    details: [{ sqlstate: typeof code === 'string' ? code : null }],
  });
}

/**
 * Everything the Pinecone SDK throws, classified (STYLE rule 4): 408, 409, 429, 5xx, timeouts and
 * network errors are retryable `Vector.Unavailable` (429/503 honour `retry-after`); other 4xx and
 * the SDK's own argument checks are `Vector.Rejected`; a malformed 2xx body is `Vector.BadResponse`,
 * not retried (a wrong host or a proxy's page does not fix itself). The original stays the `cause`.
 */
export function toPineconeFailure(err: unknown, what: string): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  const cause = err instanceof Error ? err : new Error(String(err));
  // The SDK wraps whatever its fetch throws in a PineconeConnectionError: look through the causes.
  const chain = errorChain(cause).slice(0, 8);
  const http = chain.find((e): e is PineconeHttpError => e instanceof PineconeHttpError);
  if (http) {
    const retryable = [408, 409, 429].includes(http.status) || http.status >= 500;
    return ApplicationFailure.create({
      type: retryable ? Failure.Vector.Unavailable : Failure.Vector.Rejected,
      message: `${what}: ${http.message}`,
      nonRetryable: !retryable,
      nextRetryDelay: http.status === 429 || http.status === 503 ? parseRetryAfter(http.retryAfter) : undefined,
      details: [{ status: http.status }],
      cause,
    });
  }
  const wire = chain.find((e) => e instanceof VectorWireError);
  if (wire) {
    return ApplicationFailure.create({
      type: Failure.Vector.BadResponse,
      message: `${what}: Pinecone returned a malformed response: ${wire.message}`,
      nonRetryable: true,
      cause,
    });
  }
  const timeout = chain.find((e) => e.name === 'TimeoutError' || e.name === 'AbortError');
  if (timeout) {
    return ApplicationFailure.create({
      type: Failure.Vector.Unavailable,
      message: `${what}: Pinecone did not answer in time (${timeout.message})`,
      cause,
    });
  }
  // The SDK's client-side checks (PineconeArgumentError) and any status it mapped itself.
  const rejected = chain.some((e) => REJECTED_SDK_ERRORS.has(e.name));
  // PineconeConnectionError's own message is generic; what it wraps says what happened.
  const detail = (chain.length > 1 ? chain.slice(1) : chain).map((e) => e.message).join(': ');
  return ApplicationFailure.create({
    type: rejected ? Failure.Vector.Rejected : Failure.Vector.Unavailable,
    message: rejected ? `${what}: ${cause.message}` : `${what}: Pinecone is unreachable: ${detail}`,
    nonRetryable: rejected,
    cause,
  });
}

const REJECTED_SDK_ERRORS = new Set([
  'PineconeArgumentError',
  'PineconeConfigurationError',
  'PineconeBadRequestError',
  'PineconeAuthorizationError',
  'PineconeNotFoundError',
  'PineconeNotImplementedError',
]);
