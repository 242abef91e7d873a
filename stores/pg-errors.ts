import { ApplicationFailure } from '@temporalio/common';
import { Failure } from '../core/failures';
import { redactedMessage } from '../core/redact';

// SQLSTATE classes that mean "the server or the connection is in trouble, try again".
const TRANSIENT_SQLSTATE_CLASSES = ['08', '53', '57', '40'];
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** True when a PostgreSQL error is worth retrying (connection lost, server busy, serialization). */
export function isTransientPgError(err: unknown): boolean {
  const code = codeOf(err);
  if (!code) return /Connection terminated|timeout/i.test(String((err as Error)?.message));
  return TRANSIENT_NODE_CODES.has(code) || TRANSIENT_SQLSTATE_CLASSES.includes(code.slice(0, 2));
}

/**
 * The one classifier for PostgreSQL errors (STYLE rule 4): transient trouble stays retryable as
 * `Store.Unavailable`; anything else (constraint, type, syntax) is `Store.Rejected`, non-retryable.
 */
export function toStoreFailure(err: unknown, what: string): ApplicationFailure {
  const transient = isTransientPgError(err);
  const message = redactedMessage(err);
  return ApplicationFailure.create({
    type: transient ? Failure.Store.Unavailable : Failure.Store.Rejected,
    message: `${what}: ${message}`,
    nonRetryable: !transient,
    cause: err instanceof Error ? err : undefined,
    details: [{ sqlstate: codeOf(err) ?? null }],
  });
}
