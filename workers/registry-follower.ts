import type { ModelRegistry } from '../stores/registry-store';

/** What following the registry reads: its generation (one cheap query) and, when that moved, its names. */
export type RegistryNames = Pick<ModelRegistry, 'generation' | 'names'>;

export interface FollowOptions {
  registry: RegistryNames;
  /** Between two looks at the registry generation. @default 2000 */
  everyMs?: number;
  /** Called with every registered name whenever the generation moved; a rejection is retried on the next look. */
  onNames(names: string[]): Promise<void>;
  /** A look that failed (the first of a run of failures only, so a database outage logs once). */
  onError(err: unknown): void;
}

/**
 * Polls the registry generation (migration 9: every registry write bumps it) and hands over the
 * model names when it moved. Polling, not LISTEN/NOTIFY: it works the same on PGlite's socket server
 * and PostgreSQL, and costs one single-row SELECT every few seconds. The first look happens before
 * this resolves and its failure rejects; later failures are reported and retried. Resolves to `stop`.
 */
export async function followRegistry(opts: FollowOptions): Promise<() => Promise<void>> {
  let seen: string | undefined;
  let failing = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const look = async () => {
    // Generation first: a write landing between the two reads is seen again on the next look.
    const generation = await opts.registry.generation();
    if (generation === seen) return;
    await opts.onNames(await opts.registry.names());
    seen = generation;
  };
  const schedule = () => {
    timer = setTimeout(() => {
      inFlight = look()
        .then(() => void (failing = false))
        .catch((err: unknown) => {
          if (!failing) opts.onError(err);
          failing = true;
        })
        .finally(() => {
          if (!stopped) schedule();
        });
    }, opts.everyMs ?? 2_000);
    // Following alone must not keep a process alive.
    timer.unref();
  };

  await look();
  schedule();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await inFlight;
  };
}
