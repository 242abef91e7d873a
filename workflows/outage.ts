import {
  ActivityFailure,
  ApplicationFailure,
  proxyLocalActivities,
  setCurrentDetails,
  sleep,
  TimeoutFailure,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { Failure } from '../core/failures';
import { outageBackoffMs, outageServiceOf } from '../core/outage';
import { patchedBefore } from './patches';

type Activities = ReturnType<typeof createActivities>;

/** Guards the waits below: histories from before them fail where they failed then (rule 13). */
export const OUTAGE_PATCH = 'wait-out-outages';

// Pure and in-process: it cannot fail, and its answer is recorded, so a replay reads the same value.
const { outageTolerance } = proxyLocalActivities<Activities>({ startToCloseTimeout: '5s' });

export interface Outage {
  service: string;
  type: string | null;
  message: string;
}

/** The unreachable service behind an activity's failure, or undefined when the failure is not an outage. */
function outageOf(err: unknown, service: string): Outage | undefined {
  // A local activity's failure arrives unwrapped; a remote one's inside an ActivityFailure.
  const cause = err instanceof ActivityFailure ? err.cause : err;
  // A hung server shows as the activity's own timeout: the service it talks to did not answer.
  if (cause instanceof TimeoutFailure) return { service, type: Failure.Activity.Timeout, message: cause.message };
  if (!(cause instanceof ApplicationFailure) || cause.nonRetryable) return undefined;
  const named = outageServiceOf(cause.type);
  return named ? { service: named, type: cause.type ?? null, message: cause.message } : undefined;
}

/**
 * Runs an activity that needs a store and, while the store is unreachable (a retryable
 * `Store.Unavailable`, `Vector.Unavailable` or a timeout), tries again with a capped backoff
 * (`outageBackoffMs`) for up to the worker's ARBITER_OUTAGE_TOLERANCE, counted from the first
 * failure. Meanwhile the workflow's current details say what it waits for. Past the tolerance it
 * fails with a non-retryable `Store.OutageExceeded` whose details hold the last failure. Any other
 * failure is thrown at once, unchanged.
 */
export function waitOutOutage<T>(what: string, call: () => Promise<T>, service = 'PostgreSQL'): Promise<T> {
  // Histories from before the waits ran these calls bare: the extra awaits below would deliver their
  // results a few microtasks later and reorder the commands of that workflow task on replay.
  if (!patchedBefore(OUTAGE_PATCH)) return call();
  return retryThroughOutage(what, call, service);
}

async function retryThroughOutage<T>(what: string, call: () => Promise<T>, service: string): Promise<T> {
  const wait = new OutageWait(what, Failure.Store.OutageExceeded);
  for (;;) {
    try {
      const value = await call();
      wait.over();
      return value;
    } catch (err) {
      const outage = outageOf(err, service);
      if (!outage) throw err;
      await wait.before(outage);
    }
  }
}

/**
 * One outage being waited out: counted from its first failure, up to the worker's
 * ARBITER_OUTAGE_TOLERANCE, with a capped backoff between attempts. Meanwhile the workflow's
 * current details say what it waits for.
 */
export class OutageWait {
  private since: number | undefined;
  private toleranceMs: number | undefined;
  private attempt = 0;

  constructor(
    private readonly what: string,
    /** The non-retryable failure thrown past the tolerance. */
    private readonly exceededType: string,
  ) {}

  /** How long the outage has lasted so far, ms (0 before its first failure). */
  get waitedMs(): number {
    return this.since === undefined ? 0 : Date.now() - this.since;
  }

  /** Before the next attempt: throws `exceededType` past the tolerance, else waits out the backoff. */
  async before(outage: Outage): Promise<void> {
    this.attempt += 1;
    this.since ??= Date.now();
    this.toleranceMs ??= await outageTolerance();
    const waited = Date.now() - this.since;
    if (waited >= this.toleranceMs) {
      setCurrentDetails(`gave up on ${outage.service} (${this.what}) after ${waited} ms: ${outage.message}`);
      throw ApplicationFailure.create({
        type: this.exceededType,
        message: `${this.what}: ${outage.service} unreachable for longer than ARBITER_OUTAGE_TOLERANCE (${this.toleranceMs} ms; ${this.attempt} attempts): ${outage.message}`,
        nonRetryable: true,
        // Not `cause`: callers read the innermost failure's type, and this one must be what they see.
        details: [
          {
            service: outage.service,
            toleranceMs: this.toleranceMs,
            waitedMs: waited,
            attempts: this.attempt,
            last: outage,
          },
        ],
      });
    }
    setCurrentDetails(`waiting for ${outage.service} (${this.what} attempt ${this.attempt}): ${outage.message}`);
    await sleep(Math.min(outageBackoffMs(this.attempt), this.toleranceMs - waited));
  }

  /** The attempt succeeded: clear the details the wait set. */
  over(): void {
    if (this.since !== undefined) setCurrentDetails('');
  }
}
