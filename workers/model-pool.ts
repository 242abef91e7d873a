import type { DataConverter } from '@temporalio/common';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { createCallModel } from '../activities/call-model';
import { shutdownTimes } from './orchestrator';
import { modelTaskQueue } from '../core/pipeline/types';
import type { ModelRuntime } from '../models/runtime';
import type { ResultCache } from '../stores/cache';
import type { CaseLimits } from '../core/case-limits';
import { followRegistry, type RegistryNames } from './registry-follower';
import { workerTracing } from '../telemetry/tracing';

/** Serve every registered model, and each model registered later, within `everyMs`. */
export interface FollowRegistry {
  follow: RegistryNames;
  /** Between two looks at the registry generation. @default 2000 */
  everyMs?: number;
}

export interface ModelPoolOptions {
  connection: NativeConnection;
  /** @default 'default' */
  namespace?: string;
  /** Model names whose task queues this pool serves (`arbiter-model-<name>`), or the registry to follow. */
  models: readonly string[] | FollowRegistry;
  runtime: ModelRuntime;
  cache?: ResultCache;
  /** Outputs over them are refused (config/env.ts `caseLimitsOf`). @default core/case-limits.ts's */
  caseLimits?: CaseLimits;
  /** Model calls one queue runs at once. @default 16 */
  maxConcurrentCalls?: number;
  /** On shutdown, how long calls under way may finish (ARBITER_SHUTDOWN_GRACE). @default 10000 */
  shutdownGraceMs?: number;
  /** config/temporal.ts `temporalTarget().dataConverter` (payload encryption). @default the SDK's */
  dataConverter?: DataConverter;
  /** Where the pool says what it serves, and what went wrong. @default silent */
  log?: (msg: string) => void;
}

/** A running pool: one activity-only worker per model task queue. */
export interface ModelPool {
  /** The models whose queues have a running worker, sorted. */
  served(): string[];
  /** Stops following the registry, then drains every worker. */
  stop(this: void): Promise<void>;
}

interface Running {
  worker: Worker;
  done: Promise<void>;
}

/**
 * Activity-only workers serving `remote` model calls, one per model task queue: run them on GPU
 * hosts, scale them apart from the orchestrator, isolate a heavy model. Same `callModel` as the
 * orchestrator's local path, so a step behaves the same wherever it runs. Following the registry,
 * a model registered after the start gets its worker within seconds instead of after a restart.
 */
export async function startModelPool(opts: ModelPoolOptions): Promise<ModelPool> {
  const log = opts.log ?? (() => undefined);
  const callModel = createCallModel({ runtime: opts.runtime, cache: opts.cache, caseLimits: opts.caseLimits });
  const workers = new Map<string, Running>();

  const start = async (name: string) => {
    const worker = await Worker.create({
      connection: opts.connection,
      namespace: opts.namespace ?? 'default',
      taskQueue: modelTaskQueue(name),
      activities: { callModel },
      dataConverter: opts.dataConverter,
      maxConcurrentActivityTaskExecutions: opts.maxConcurrentCalls ?? 16,
      ...shutdownTimes(opts.shutdownGraceMs),
      ...workerTracing(),
    });
    const done = worker.run().catch((err: unknown) => {
      // Forgotten, so the next registry change starts it again.
      workers.delete(name);
      log(`model pool: the worker for ${name} stopped: ${err instanceof Error ? err.message : String(err)}`);
    });
    workers.set(name, { worker, done });
  };
  /** Starts a worker for each name not served yet; rejects (after starting the others) if one could not start. */
  const serve = async (names: readonly string[]) => {
    const fresh = names.filter((n) => !workers.has(n));
    const results = await Promise.allSettled(fresh.map(start));
    const failed = results.flatMap((r, i) =>
      r.status === 'rejected' ? [{ name: fresh[i], err: r.reason as unknown }] : [],
    );
    if (failed.length > 0) {
      const which = failed.map((f) => f.name).join(', ');
      throw new AggregateError(
        failed.map((f) => f.err),
        `model pool could not start a worker for ${which}`,
      );
    }
    return fresh;
  };

  let unfollow: () => Promise<void> = () => Promise.resolve();
  const stop = async () => {
    await unfollow();
    for (const { worker } of workers.values()) if (worker.getState() === 'RUNNING') worker.shutdown();
    await Promise.all([...workers.values()].map((w) => w.done));
  };
  try {
    if (!('follow' in opts.models)) {
      await serve(opts.models);
      log(`model pool serving ${workers.size} model queues`);
    } else {
      const { follow, everyMs } = opts.models;
      let first = true;
      unfollow = await followRegistry({
        registry: follow,
        everyMs,
        onNames: async (names) => {
          const fresh = await serve(names);
          if (first) log(`model pool serving ${workers.size} model queues, following the registry`);
          else for (const name of fresh) log(`model pool now serves ${name} (task queue ${modelTaskQueue(name)})`);
          first = false;
        },
        onError: (err) => log(`model pool: following the registry failed, retrying: ${String(err)}`),
      });
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { served: () => [...workers.keys()].sort(), stop };
}
