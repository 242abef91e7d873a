import { setTimeout as sleep } from 'node:timers/promises';
import { inspect } from 'node:util';
import { failureChain } from '../core/failures';
import { redactConnectionStrings } from '../core/redact';

/** How hard a message is retried before the consumer gives up and stops. */
export interface RetryPolicy {
  /** Tries in all, the first included. @default 8 */
  attempts: number;
  /** The wait after the first failure; it doubles each time. @default 250 */
  initialDelayMs: number;
  /** @default 10_000 */
  maxDelayMs: number;
  /**
   * One try's limit. A try that has not answered by then counts as failed; it is not cancelled, which
   * is harmless because deciding a case twice returns the same decision. @default 60_000
   */
  attemptTimeoutMs: number;
}

/** With these, a message is given up on after about 40 s of failures (plus the tries themselves). */
export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 8,
  initialDelayMs: 250,
  maxDelayMs: 10_000,
  attemptTimeoutMs: 60_000,
};

/** A message kept failing for a reason that may pass (Temporal or Kafka unreachable): nothing was skipped. */
export class RetriesExhaustedError extends Error {
  constructor(what: string, attempts: number, options: ErrorOptions) {
    super(`${what} failed ${attempts} times; last error: ${causeChain(options.cause)}`, options);
    this.name = 'RetriesExhaustedError';
  }
}

/** A try that took longer than `attemptTimeoutMs`. */
export class AttemptTimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} did not answer within ${ms} ms`);
    this.name = 'AttemptTimeoutError';
  }
}

/** Shutdown came while a message waited to be retried: it stays uncommitted, for the next consumer. */
export class RetryInterruptedError extends Error {
  constructor(what: string) {
    super(`${what} was interrupted by shutdown before it succeeded`);
    this.name = 'RetryInterruptedError';
  }
}

/** How one call is retried. */
export interface RetryContext {
  policy: RetryPolicy;
  /** Aborted at shutdown: no retry starts; a try under way, or a first one, still runs. */
  signal: AbortSignal;
  /** Errors no retry can fix are thrown at once. @default every error is worth retrying */
  isPermanent?: (err: unknown) => boolean;
  /**
   * Errors that mean "still under way" (a decision waiting out an outage): asked again at once,
   * without counting against `attempts`. @default none
   */
  isUnderWay?: (err: unknown) => boolean;
  /** Called before each wait (for logging). @default nothing */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

/** Runs `fn` until it succeeds, a permanent error comes, tries run out, or shutdown begins. */
export async function withRetries<T>(what: string, fn: () => Promise<T>, ctx: RetryContext): Promise<T> {
  const { policy, signal } = ctx;
  let failures = 0;
  for (let attempt = 1; ; attempt++) {
    // Shutdown lets a message under way finish its steps (a first try), but starts no retry.
    if (attempt > 1 && signal.aborted) throw new RetryInterruptedError(what);
    try {
      return await withTimeout(what, fn, policy.attemptTimeoutMs);
    } catch (err) {
      if (ctx.isPermanent?.(err)) throw err;
      const underWay = ctx.isUnderWay?.(err) ?? false;
      if (!underWay) failures++;
      if (failures >= policy.attempts) throw new RetriesExhaustedError(what, attempt, { cause: err });
      const delayMs = underWay ? 0 : Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (failures - 1));
      ctx.onRetry?.(err, attempt, delayMs);
      await sleep(delayMs, undefined, { signal }).catch(() => {
        throw new RetryInterruptedError(what);
      });
    }
  }
}

async function withTimeout<T>(what: string, fn: () => Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const call = fn();
  // The abandoned call may still settle later; its outcome no longer matters.
  call.catch(() => undefined);
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AttemptTimeoutError(what, ms)), ms);
  });
  try {
    return await Promise.race([call, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** An error's message with its causes' ("Update-With-Start failed: 14 UNAVAILABLE: ..."): the first alone often hides why. */
export function causeChain(err: unknown): string {
  const messages: string[] = [];
  for (const e of failureChain(err)) {
    if (messages.length >= 5) break;
    const message = e instanceof Error ? e.message : typeof e === 'string' ? e : inspect(e);
    if (message && !messages.some((m) => m.includes(message))) messages.push(message);
  }
  return redactConnectionStrings(messages.join(': '));
}
