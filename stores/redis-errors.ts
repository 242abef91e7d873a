import { redactedMessage } from '../core/redact';

/**
 * What went wrong with a Redis call. `connection`: the server is gone or the link is not usable
 * (refused, reset, closed, reconnecting); `timeout`: no reply within `commandTimeout` (a hung or
 * overloaded server); `command`: the server or client rejected this one command (WRONGTYPE, OOM,
 * NOAUTH, an unreadable value).
 */
export type RedisErrorKind = 'connection' | 'timeout' | 'command';

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
// ioredis reports an unusable connection with these messages and no `code`.
const CONNECTION_MESSAGES =
  /Connection is closed|Stream isn't writeable|max retries per request|aborted due to connection close/i;

/**
 * The one classifier for Redis errors (STYLE rule 4). The result cache never fails a call over
 * Redis, so this feeds logs and counters, not retries.
 */
export function classifyRedisError(err: unknown): RedisErrorKind {
  if (!(err instanceof Error)) return 'command';
  if (err.message === 'Command timed out') return 'timeout';
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return 'connection';
  if (err.name === 'MaxRetriesPerRequestError' || err.name === 'AbortError') return 'connection';
  return CONNECTION_MESSAGES.test(err.message) ? 'connection' : 'command';
}

/** `host:port` of a Redis URL, for messages and logs: where, never the URL (user, password, database). */
export function redisServerOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || 'localhost'}:${parsed.port || '6379'}`;
  } catch {
    return '<unparseable URL>';
  }
}

/** Redis did not answer at start: thrown once, with its `host:port` and the underlying error as `cause`. */
export class RedisUnreachableError extends Error {
  constructor(
    readonly server: string,
    cause: unknown,
  ) {
    const why = redactedMessage(cause);
    super(`could not connect to Redis at ${server}: ${why}. Check REDIS_URL, or unset it to cache in memory.`, {
      cause,
    });
    this.name = 'RedisUnreachableError';
  }
}
