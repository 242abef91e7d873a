import { randomBytes } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { ArbiterClient } from '../../client';
import { loadEnv } from '../../config/env';
import {
  startOrchestratorRuntime,
  type OrchestratorRuntime,
  type OrchestratorRuntimeOptions,
} from '../../workers/orchestrator-runtime';
import { createTestDatabase, type TestDatabase } from './database';
import { bundleWorkflows, createTestTemporal } from './temporal';

/** A real dev server, a migrated database and the orchestrator (demo models and pipelines seeded). */
export interface TestOrchestrator {
  env: TestWorkflowEnvironment;
  db: TestDatabase;
  runtime: OrchestratorRuntime;
  client: ArbiterClient;
  taskQueue: string;
  /** The workflow bundle the worker runs (to replay the suite's histories on). */
  bundle: WorkflowBundleWithSourceMap;
  stop(): Promise<void>;
}

/** One per suite (STYLE rule 10): one dev server, one bundle, one database, one worker. */
export async function startTestOrchestrator(
  prefix: string,
  options: Pick<OrchestratorRuntimeOptions, 'vectors' | 'modelPool' | 'log' | 'metrics'> & {
    env?: Record<string, string>;
  } = {},
): Promise<TestOrchestrator> {
  const { env: extraEnv, ...runtimeOptions } = options;
  const taskQueue = `${prefix}-${randomBytes(4).toString('hex')}`;
  const [env, db, bundle] = await Promise.all([createTestTemporal(), createTestDatabase(), bundleWorkflows()]);
  const runtime = await startOrchestratorRuntime({
    connection: env.nativeConnection,
    namespace: 'default',
    pool: db.pool,
    env: loadEnv({ ...process.env, ARBITER_TASK_QUEUE: taskQueue, REDIS_URL: '', ...extraEnv }),
    seedDemo: true,
    workflowBundle: bundle,
    ...runtimeOptions,
  });
  return {
    env,
    db,
    runtime,
    taskQueue,
    bundle,
    client: new ArbiterClient(env.client, { taskQueue }),
    async stop() {
      await runtime.stop();
      await db.close();
      await env.teardown();
    },
  };
}
