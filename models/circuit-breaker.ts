/*
 * Circuit breaking per model version: a version that keeps failing is skipped for a cool-down, failing
 * fast with a non-retryable `Model.CircuitOpen` so the pipeline takes its fallback at once instead of
 * spending its latency budget on a model that will not answer.
 *
 * WHERE the state lives: in each worker process's memory, one opossum breaker per `name@version`.
 * - The hot path stays free of network hops: asking Redis or PostgreSQL "is it open?" would cost more
 *   than the fast failure saves, and would add a dependency that can itself fail.
 * - Each worker protects its own budget and learns independently: it needs only `volumeThreshold`
 *   calls of its own to open, so sharing state would save a handful of failed calls at most.
 * - It is not durable and need not be: a restart forgets it, which only means a few more failed calls
 *   before it opens again.
 * - It is NOT workflow state: there it would have to be replayed deterministically, and it would
 *   couple the histories of unrelated decisions that happen to call the same model.
 *
 * With Temporal retries: every activity attempt calls `predict` again, so a retryable failure counts
 * once per attempt (three attempts of one decision are three failures). Once open, the non-retryable
 * `Model.CircuitOpen` stops the retry policy from waiting out the cool-down.
 */
import { ApplicationFailure } from '@temporalio/common';
import CircuitBreaker from 'opossum';
import { Failure } from '../core/failures';
import { versionId } from '../core/model-version';
import type { InvokeOptions, ModelAdapter, Prediction } from './adapter';

/** When a version's breaker opens and how long it stays open. */
export interface BreakerOptions {
  /**
   * Failures, as a % of calls in the rolling window, that open it (opossum opens when the rate is
   * strictly above this).
   * @default 50
   */
  errorThresholdPercentage: number;
  /**
   * Calls in the rolling window before it may open: one blip must not shut a model out.
   * @default 5
   */
  volumeThreshold: number;
  /**
   * The rolling window, milliseconds.
   * @default 10_000
   */
  rollingCountTimeout: number;
  /**
   * How long it stays open before one half-open trial call, milliseconds.
   * @default 5_000
   */
  resetTimeout: number;
}

/** The `@default`s above, as values. */
export const DEFAULT_BREAKER_OPTIONS: Readonly<BreakerOptions> = {
  errorThresholdPercentage: 50,
  volumeThreshold: 5,
  rollingCountTimeout: 10_000,
  resetTimeout: 5_000,
};

/** One version's breaker, for metrics and debugging. Counts cover the rolling window. */
export interface BreakerState {
  state: 'closed' | 'open' | 'half-open';
  failures: number;
  /** Answers, plus failures the caller caused (opossum counts a filtered error as a success). */
  successes: number;
  /** When it last opened (ISO); absent while closed. */
  openedAt?: string;
}

/** Failures that say the call was wrong, not the model unhealthy. */
const CALLER_FAULTS: ReadonlySet<string> = new Set([
  Failure.Model.InvalidInput,
  Failure.Model.InvalidConfig,
  Failure.Model.SecretMissing,
  Failure.Model.Cancelled,
]);

interface Attempt {
  run: () => Promise<Prediction>;
  options: InvokeOptions;
  started: number;
}

/**
 * True when a failure must not count against the model: a caller-caused type, a non-retryable
 * `Model.Rejected` (the server answered 4xx), or a call the caller cancelled or sent in with its
 * deadline already spent. Anything else, non-retryable `BadResponse` and `InvalidOutput` included,
 * counts: the model answered badly.
 */
function blamesCaller(err: unknown, { options, started }: Attempt): boolean {
  if (options.signal?.aborted || started >= options.deadline) return true;
  if (!(err instanceof ApplicationFailure)) return false;
  return CALLER_FAULTS.has(err.type ?? '') || (err.type === Failure.Model.Rejected && err.nonRetryable === true);
}

const isOpenRejection = (err: unknown): boolean =>
  err instanceof Error && CircuitBreaker.isOurError(err) && (err as Error & { code?: string }).code === 'EOPENBREAKER';

/**
 * One opossum breaker per model version, created on first use. `wrap()` an adapter (best under
 * `withValidation`, so bad inputs never reach the breaker) and its `predict` goes through its version's
 * breaker; `probe` and `close` pass straight through. Call `shutdown()` when the worker stops.
 */
export class CircuitBreakers {
  private readonly options: BreakerOptions;
  private readonly breakers = new Map<string, CircuitBreaker<[Attempt], Prediction>>();
  private readonly openedAt = new Map<string, number>();

  constructor(options: Partial<BreakerOptions> = {}) {
    this.options = { ...DEFAULT_BREAKER_OPTIONS, ...options };
  }

  wrap(adapter: ModelAdapter): ModelAdapter {
    const id = versionId(adapter.version);
    return {
      version: adapter.version,
      probe: (options) => adapter.probe(options),
      close: () => adapter.close(),
      predict: async (inputs, options) => {
        const attempt: Attempt = { run: () => adapter.predict(inputs, options), options, started: Date.now() };
        try {
          return await this.breaker(id).fire(attempt);
        } catch (err) {
          throw isOpenRejection(err) ? this.openFailure(id) : err;
        }
      },
    };
  }

  /** The breaker of `name@version`; a version not called yet is closed with empty counts. */
  state(id: string): BreakerState {
    const breaker = this.breakers.get(id);
    if (!breaker) return { state: 'closed', failures: 0, successes: 0 };
    const { failures, successes } = breaker.stats;
    const state = breaker.opened ? 'open' : breaker.halfOpen ? 'half-open' : 'closed';
    const opened = this.openedAt.get(id);
    return {
      state,
      failures,
      successes,
      ...(opened === undefined ? {} : { openedAt: new Date(opened).toISOString() }),
    };
  }

  /** Every version called so far, by `name@version`. */
  states(): Record<string, BreakerState> {
    return Object.fromEntries([...this.breakers.keys()].map((id) => [id, this.state(id)]));
  }

  /** Stops every breaker's timers and forgets them; a later call starts afresh, like a new worker. */
  shutdown(): void {
    for (const breaker of this.breakers.values()) breaker.shutdown();
    this.breakers.clear();
    this.openedAt.clear();
  }

  private breaker(id: string): CircuitBreaker<[Attempt], Prediction> {
    let breaker = this.breakers.get(id);
    if (!breaker) {
      breaker = new CircuitBreaker((attempt: Attempt) => attempt.run(), {
        ...this.options,
        name: id,
        // Adapters enforce their own deadlines (and classify the timeout); a second clock would race them.
        timeout: false,
        // opossum passes fire()'s arguments after the error; @types/opossum declares only the error.
        errorFilter: (err: unknown, attempt?: Attempt) => attempt !== undefined && blamesCaller(err, attempt),
        // Nothing reads snapshots or latency percentiles: skip the extra timer and per-call arrays.
        enableSnapshots: false,
        rollingPercentilesEnabled: false,
      });
      breaker.on('open', () => this.openedAt.set(id, Date.now()));
      breaker.on('close', () => this.openedAt.delete(id));
      this.breakers.set(id, breaker);
    }
    return breaker;
  }

  private openFailure(id: string): ApplicationFailure {
    const opened = this.openedAt.get(id) ?? Date.now();
    const openedAt = new Date(opened).toISOString();
    // Zero while half-open: the one trial call is in flight, and the next caller may be let through.
    const retryAfterMs = Math.max(opened + this.options.resetTimeout - Date.now(), 0);
    return ApplicationFailure.create({
      type: Failure.Model.CircuitOpen,
      message: `model ${id} is failing (circuit open since ${openedAt}, retry after ~${retryAfterMs} ms)`,
      nonRetryable: true,
      details: [{ openedAt, retryAfterMs }],
    });
  }
}
