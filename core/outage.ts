import { Failure } from './failures';

/**
 * How decisions wait out an outage of a service they cannot do without (PostgreSQL above all):
 * pure values and rules, shared by the workflows (which wait) and the worker (which is configured).
 */

/** ARBITER_OUTAGE_TOLERANCE's default: how long a decision waits for a store before it fails. */
export const DEFAULT_OUTAGE_TOLERANCE_MS = 10 * 60_000;

/** Retryable failure types that mean "a service is unreachable", and the service they name. */
const OUTAGE_SERVICES: Readonly<Record<string, string>> = {
  [Failure.Store.Unavailable]: 'PostgreSQL',
  [Failure.Vector.Unavailable]: 'the vector store',
};

/** The service a retryable failure type says is unreachable, or undefined when it is not an outage. */
export function outageServiceOf(type: string | null | undefined): string | undefined {
  return type ? OUTAGE_SERVICES[type] : undefined;
}

/**
 * Failure types of a model call that mean its server could not be reached or did not answer (as
 * opposed to a model that answered wrongly): a pipeline left without a result by these alone waits
 * for the servers instead of failing. An open breaker counts: it opens on such failures.
 */
const MODEL_OUTAGE_TYPES: ReadonlySet<string> = new Set([
  Failure.Model.Unavailable,
  Failure.Model.Timeout,
  Failure.Model.RateLimited,
  Failure.Model.CircuitOpen,
  Failure.Activity.Timeout,
]);

/** Whether a failed model call's type says its server was unreachable (see MODEL_OUTAGE_TYPES). */
export function isModelOutage(type: string | null | undefined): boolean {
  return type ? MODEL_OUTAGE_TYPES.has(type) : false;
}

/**
 * The wait before the workflow tries again: 1 s doubling to a cap of 15 s (every 15 s once an outage
 * has lasted a minute). The activity's own quick retries (about 1.5 s) come before each wait.
 */
export function outageBackoffMs(attempt: number): number {
  return Math.min(1_000 * 2 ** Math.max(attempt - 1, 0), 15_000);
}

/** '10m', '30s', '1500ms', '1h' or a bare number of milliseconds → milliseconds; undefined if unreadable. */
export function parseDurationMs(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m?.[1]) return undefined;
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[(m[2] ?? 'ms') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * unit);
}
