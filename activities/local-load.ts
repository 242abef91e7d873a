/**
 * The `auto` placement policy, per orchestrator worker and per model: run a call locally (a local
 * activity, no server round trip) while this worker has fewer than `maxInFlight` local calls of
 * that model running and the model's recent local latency (an exponentially weighted mean) stays
 * under `maxLatencyMs`; otherwise decline, and the workflow sends the call to the model's own task
 * queue, where model-pool workers scale out. Local slots are the scarce thing: a slow or popular
 * model must not fill this worker's local-activity slots and starve the fast ones.
 *
 * Only local calls feed the average, so a declined model would never be measured again: one slow
 * burst (16 callers on 2 cores put the isolation forest's local latency over 50 ms) kept it remote
 * for the rest of the process's life, every decision ~100 ms slower through the model pool. An
 * average older than `staleAfterMs` is therefore forgotten, and the next call measures afresh (at
 * most `maxInFlight` of them at once, as always).
 */
export interface LocalLoadOptions {
  /** @default 8 */
  maxInFlight?: number;
  /** @default 50 */
  maxLatencyMs?: number;
  /** Weight of the newest sample in the moving average. @default 0.2 */
  alpha?: number;
  /** A model's average with no local call ending in this long is forgotten. @default 1000 */
  staleAfterMs?: number;
  /** The clock (ms) calls are timed by. @default performance.now */
  now?: () => number;
}

interface ModelLoad {
  inFlight: number;
  ewmaMs: number | undefined;
  /** When the last local call ended (the average's newest sample). */
  sampledAt: number | undefined;
}

export class LocalLoad {
  private readonly models = new Map<string, ModelLoad>();
  private readonly maxInFlight: number;
  private readonly maxLatencyMs: number;
  private readonly alpha: number;
  private readonly staleAfterMs: number;
  private readonly now: () => number;

  constructor(options: LocalLoadOptions = {}) {
    this.maxInFlight = options.maxInFlight ?? 8;
    this.maxLatencyMs = options.maxLatencyMs ?? 50;
    this.alpha = options.alpha ?? 0.2;
    this.staleAfterMs = options.staleAfterMs ?? 1000;
    this.now = options.now ?? (() => performance.now());
  }

  private of(model: string): ModelLoad {
    let load = this.models.get(model);
    if (!load) {
      load = { inFlight: 0, ewmaMs: undefined, sampledAt: undefined };
      this.models.set(model, load);
    }
    return load;
  }

  /** Whether an `auto` call of `model` may run here now. */
  admits(model: string): boolean {
    const load = this.of(model);
    if (load.sampledAt !== undefined && this.now() - load.sampledAt > this.staleAfterMs) load.ewmaMs = undefined;
    return load.inFlight < this.maxInFlight && (load.ewmaMs === undefined || load.ewmaMs <= this.maxLatencyMs);
  }

  /** Counts a local call from start to end; feeds its latency into the average. */
  async track<T>(model: string, fn: () => Promise<T>): Promise<T> {
    const load = this.of(model);
    load.inFlight++;
    const started = this.now();
    try {
      return await fn();
    } finally {
      load.inFlight--;
      const ended = this.now();
      const ms = ended - started;
      load.ewmaMs = load.ewmaMs === undefined ? ms : this.alpha * ms + (1 - this.alpha) * load.ewmaMs;
      load.sampledAt = ended;
    }
  }

  snapshot(): Record<string, ModelLoad> {
    return Object.fromEntries([...this.models].map(([k, v]) => [k, { ...v }]));
  }
}
