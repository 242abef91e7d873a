/**
 * The `auto` placement policy, per orchestrator worker and per model: run a call locally (a local
 * activity, no server round trip) while this worker has fewer than `maxInFlight` local calls of
 * that model running and the model's recent local latency (an exponentially weighted mean) stays
 * under `maxLatencyMs`; otherwise decline, and the workflow sends the call to the model's own task
 * queue, where model-pool workers scale out. Local slots are the scarce thing: a slow or popular
 * model must not fill this worker's local-activity slots and starve the fast ones.
 */
export interface LocalLoadOptions {
  /** @default 8 */
  maxInFlight?: number;
  /** @default 50 */
  maxLatencyMs?: number;
  /** Weight of the newest sample in the moving average. @default 0.2 */
  alpha?: number;
}

interface ModelLoad {
  inFlight: number;
  ewmaMs: number | undefined;
}

export class LocalLoad {
  private readonly models = new Map<string, ModelLoad>();
  private readonly maxInFlight: number;
  private readonly maxLatencyMs: number;
  private readonly alpha: number;

  constructor(options: LocalLoadOptions = {}) {
    this.maxInFlight = options.maxInFlight ?? 8;
    this.maxLatencyMs = options.maxLatencyMs ?? 50;
    this.alpha = options.alpha ?? 0.2;
  }

  private of(model: string): ModelLoad {
    let load = this.models.get(model);
    if (!load) {
      load = { inFlight: 0, ewmaMs: undefined };
      this.models.set(model, load);
    }
    return load;
  }

  /** Whether an `auto` call of `model` may run here now. */
  admits(model: string): boolean {
    const load = this.of(model);
    return load.inFlight < this.maxInFlight && (load.ewmaMs === undefined || load.ewmaMs <= this.maxLatencyMs);
  }

  /** Counts a local call from start to end; feeds its latency into the average. */
  async track<T>(model: string, now: () => number, fn: () => Promise<T>): Promise<T> {
    const load = this.of(model);
    load.inFlight++;
    const started = now();
    try {
      return await fn();
    } finally {
      load.inFlight--;
      const ms = now() - started;
      load.ewmaMs = load.ewmaMs === undefined ? ms : this.alpha * ms + (1 - this.alpha) * load.ewmaMs;
    }
  }

  snapshot(): Record<string, ModelLoad> {
    return Object.fromEntries([...this.models].map(([k, v]) => [k, { ...v }]));
  }
}
