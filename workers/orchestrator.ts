import type { DataConverter } from '@temporalio/common';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import { workerTracing } from '../telemetry/tracing';
import { PRELOADED_MODULES, WORKFLOWS_PATH } from './workflow-bundle';

export interface OrchestratorWorkerOptions {
  connection: NativeConnection;
  /** @default 'default' */
  namespace?: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A prebuilt bundle (tests share one per suite); otherwise the worker bundles `WORKFLOWS_PATH`. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** On shutdown, how long tasks under way may finish before activities are cancelled (ARBITER_SHUTDOWN_GRACE). @default 10000 */
  shutdownGraceMs?: number;
  /** config/temporal.ts `temporalTarget().dataConverter` (payload encryption). @default the SDK's */
  dataConverter?: DataConverter;
}

/** The worker that runs decision workflows and their local activities (model calls, the log). */
export async function createOrchestratorWorker(opts: OrchestratorWorkerOptions): Promise<Worker> {
  const workflowSource = opts.workflowBundle
    ? { workflowBundle: opts.workflowBundle }
    : { workflowsPath: WORKFLOWS_PATH, bundlerOptions: { preloadModules: PRELOADED_MODULES } };
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace ?? 'default',
    taskQueue: opts.taskQueue,
    ...workflowSource,
    activities: createActivities(opts.deps),
    dataConverter: opts.dataConverter,
    ...shutdownTimes(opts.shutdownGraceMs),
    // While tracing runs (OTEL_*): workflow, activity and client spans (the prebuilt bundle of a
    // test must have been built with the plugin's workflow interceptors).
    ...workerTracing(),
  });
}

/**
 * Worker shutdown bounds: tasks under way get `graceMs` to finish, then activities are cancelled,
 * and a second later the worker stops waiting for them (their tasks time out and run elsewhere).
 */
export function shutdownTimes(graceMs = 10_000): Pick<WorkerOptions, 'shutdownGraceTime' | 'shutdownForceTime'> {
  return { shutdownGraceTime: graceMs, shutdownForceTime: graceMs + 1_000 };
}
