import { ApplicationFailure, TemporalFailure } from '@temporalio/common';
import { failureChain } from '../core/failures';
import { redactConnectionStrings } from '../core/redact';

/** An error as a log line shows it: what it is, what it says, and what caused it, innermost last. */
export interface SerializedError {
  /** The class: `ApplicationFailure`, `ActivityFailure`, `WorkflowFailedError`, `TypeError`... */
  type: string;
  message: string;
  /** An ApplicationFailure's own dotted type (`Model.RateLimited`): what callers branch on. */
  failureType?: string;
  /** Only the outermost error's: the inner ones' stacks say little more, and Temporal rebuilt them. */
  stack?: string;
  cause?: SerializedError | string;
  /** An AggregateError's errors. */
  errors?: unknown[];
  /** Other plain fields (`nonRetryable`, `retryState`, `activityType`, `code`, `status`...). */
  [field: string]: unknown;
}

/** Fields never copied: shown otherwise, or a whole proto (TemporalFailure's `failure`) that only adds noise. */
const SKIP = new Set(['name', 'message', 'stack', 'cause', 'errors', 'failure', 'type', 'details']);

function own(err: Error): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(err)) {
    if (SKIP.has(key) || value === undefined || value === null) continue;
    if (typeof value === 'string') fields[key] = redactConnectionStrings(value);
    else if (['number', 'boolean'].includes(typeof value)) fields[key] = value;
  }
  return fields;
}

function one(err: Error): SerializedError {
  const out: SerializedError = {
    type: err instanceof TemporalFailure ? err.constructor.name : err.name,
    // Driver errors can carry a connection string with its password: never in a log line.
    message: redactConnectionStrings(err.message),
  };
  if (err instanceof ApplicationFailure && err.type) out.failureType = err.type;
  Object.assign(out, own(err));
  if (err instanceof AggregateError) out.errors = err.errors.map((e: unknown) => serializeError(e));
  return out;
}

/**
 * pino's serializer for `err` and `error`: an Error's own fields are not enumerable, so plain JSON
 * prints `{}` (what `arbiter dev` showed for a failed workflow). Temporal wraps failures several deep
 * (WorkflowFailedError > ActivityFailure > ApplicationFailure), so the whole cause chain is kept.
 * Anything not an Error passes through unchanged.
 */
export function serializeError(value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const chain = failureChain(value);
  let inner: SerializedError | string | undefined;
  for (const link of chain.slice(1).reverse()) {
    inner = link instanceof Error ? { ...one(link), ...(inner ? { cause: inner } : {}) } : String(link);
  }
  const stack = value.stack === undefined ? undefined : redactConnectionStrings(value.stack);
  return { ...one(value), stack, ...(inner ? { cause: inner } : {}) };
}
