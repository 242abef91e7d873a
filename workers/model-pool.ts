import { Worker, type NativeConnection } from '@temporalio/worker';
import { createCallModel } from '../activities/call-model';
import { shutdownTimes } from './orchestrator';
import { modelTaskQueue } from '../core/pipeline/types';
import type { ModelRuntime } from '../models/runtime';
import type { ResultCache } from '../stores/cache';
import type { CaseLimits } from '../core/case-limits';

export interface ModelPoolOptions {
  connection: NativeConnection;
  /** @default 'default' */
  namespace?: string;
  /** Model names whose task queues this pool serves (`arbiter-model-<name>`). */
  models: string[];
  runtime: ModelRuntime;
  cache?: ResultCache;
  /** Outputs over them are refused (config/env.ts `caseLimitsOf`). @default core/case-limits.ts's */
  caseLimits?: CaseLimits;
  /** Model calls one queue runs at once. @default 16 */
  maxConcurrentCalls?: number;
  /** On shutdown, how long calls under way may finish (ARBITER_SHUTDOWN_GRACE). @default 10000 */
  shutdownGraceMs?: number;
}

/**
 * Activity-only workers serving `remote` model calls, one per model task queue: run them on GPU
 * hosts, scale them apart from the orchestrator, isolate a heavy model. Same `callModel` as the
 * orchestrator's local path, so a step behaves the same wherever it runs.
 */
export async function createModelPoolWorkers(opts: ModelPoolOptions): Promise<Worker[]> {
  const callModel = createCallModel({ runtime: opts.runtime, cache: opts.cache, caseLimits: opts.caseLimits });
  return Promise.all(
    opts.models.map((name) =>
      Worker.create({
        connection: opts.connection,
        namespace: opts.namespace ?? 'default',
        taskQueue: modelTaskQueue(name),
        activities: { callModel },
        maxConcurrentActivityTaskExecutions: opts.maxConcurrentCalls ?? 16,
        ...shutdownTimes(opts.shutdownGraceMs),
      }),
    ),
  );
}
