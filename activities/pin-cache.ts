/**
 * What a decision pins at start (a pipeline with its model versions, a rule set), kept by this
 * worker for as long as the registry's generation is unchanged. Pinning read the registry with one
 * query per model and alias (~7 ms on the embedded PGlite for the bench's 4 models, CPU on the
 * worker's event loop); a hit costs the one query that reads the generation. Exact, not a TTL:
 * any apply, promotion, alias move or deprecation bumps the generation, so a decision started
 * after it pins what it made current.
 */
export class PinCache {
  private readonly entries = new Map<string, { generation: string; value: unknown }>();
  /** The generation read the callers of this turn share (see `currentGeneration`). */
  private nextRead: Promise<string> | undefined;

  constructor(
    /** Reads the registry's current generation (stores/registry-generation.ts). */
    private readonly generation: () => Promise<string>,
    /** Entries kept at most; all are dropped when it is reached (the registry is small). @default 1000 */
    private readonly maxEntries = 1000,
  ) {}

  /** `load()`'s value for `key`, from the cache when the generation it was loaded at is current. */
  async get<T>(key: string, load: () => Promise<T>): Promise<T> {
    // Read before loading: what is loaded is at least as new as the generation it is kept under.
    const generation = await this.currentGeneration();
    const hit = this.entries.get(key);
    if (hit?.generation === generation) return hit.value as T;
    const value = await load();
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { generation, value });
    return value;
  }

  /**
   * The registry's generation, read once for every caller that asks before the read is sent: a
   * decision pins its pipeline and its rule set side by side, one query instead of two. The read
   * goes out after the current synchronous code (a microtask later), so it is never older than any
   * caller's request — a caller never joins a read that was already under way when it asked.
   */
  private currentGeneration(): Promise<string> {
    this.nextRead ??= Promise.resolve().then(() => {
      this.nextRead = undefined;
      return this.generation();
    });
    return this.nextRead;
  }
}
